"""Unit tests of the pure decision rules in agents/rules/."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draftsim.agents.rules import emigration, enlistment, evader_fate, evasion, governor
from draftsim.agents.rules.population import digital_footprint, lognormal_params
from draftsim.agents.states import Tactic
from draftsim.model import DraftModel, Parameters
from draftsim.model.model import read_regions

P = Parameters()
EMIGRATE, HIDE, COMPLY = (evasion.OPTIONS.index(t) for t in (Tactic.EMIGRATE, Tactic.HIDE, Tactic.COMPLY))


# --- enlistment -------------------------------------------------------------------------------------
def hazard(bonus=1_000_000.0, elasticity=0.45, pay=204_000.0, income=60_000.0, pay_elasticity=0.8,
           risk_aversion=0.5, deaths=1.0, hazing=0.5, peers=0.5, base=1.5e-4, willingness=1.0):
    money = enlistment.money_factor(bonus, 1_000_000.0, elasticity, pay, income, pay_elasticity)
    fear = enlistment.deterrence_factor(risk_aversion, 0.1, deaths, 1.0, hazing)
    return enlistment.contract_hazard(base, willingness, money, fear, enlistment.peer_factor(0.1, peers))


@settings(max_examples=50, deadline=None)
@given(elasticity=st.floats(0.0, 3.0), bonus=st.floats(1e4, 1e7), income=st.floats(5e3, 5e5))
def test_the_hazard_elasticity_to_the_bonus_is_bonus_elasticity(elasticity, bonus, income):
    eps = 1e-4
    lo = hazard(bonus * (1 - eps), elasticity, income=income, base=1e-8)
    hi = hazard(bonus * (1 + eps), elasticity, income=income, base=1e-8)
    assert 0 < lo <= hi < 0.5
    numeric = (math.log(hi) - math.log(lo)) / (math.log1p(eps) - math.log1p(-eps))
    assert numeric == pytest.approx(elasticity, abs=1e-6)


def test_more_pay_or_lower_civilian_income_raises_the_hazard():
    h = hazard()
    assert hazard(pay=300_000.0) > h
    assert hazard(income=30_000.0) > h
    assert hazard(income=120_000.0) < h
    assert hazard(bonus=2_000_000.0) > h
    # a poorer man is pulled harder by the same offer: ratio of hazards = income ratio ** pay_elasticity
    assert hazard(income=30_000.0) / hazard(income=60_000.0) == pytest.approx(2 ** 0.8)


def test_risk_aversion_times_recent_deaths_lowers_the_hazard():
    assert hazard(risk_aversion=0.9, deaths=5.0) < hazard(risk_aversion=0.1, deaths=5.0)
    assert hazard(risk_aversion=0.5, deaths=10.0) < hazard(risk_aversion=0.5, deaths=1.0)
    # no deaths, no fear: risk aversion then does not matter; a fearless man ignores deaths
    assert hazard(risk_aversion=0.9, deaths=0.0) == pytest.approx(hazard(risk_aversion=0.1, deaths=0.0))
    assert hazard(risk_aversion=0.0, deaths=10.0) == pytest.approx(hazard(risk_aversion=0.0, deaths=0.0))


def test_hazing_lowers_the_hazard():
    assert hazard(hazing=1.0) < hazard(hazing=0.5) < hazard(hazing=0.0)
    assert hazard(hazing=1.0) / hazard(hazing=0.0) == pytest.approx(math.exp(-1.0))


def test_peers_raise_the_hazard_and_the_hazard_is_a_probability():
    assert hazard(peers=5.0) > hazard(peers=0.0)
    assert hazard(base=1.0, bonus=1e9, willingness=100.0) == 0.5
    assert hazard(base=0.0) == 0.0
    h = hazard(willingness=np.array([0.0, 1.0, 10.0, 1e9]))
    assert ((h >= 0) & (h <= 0.5)).all() and (np.diff(h) >= 0).all()


# --- evasion ------------------------------------------------------------------------------------------
def ctx(**kw):
    base = dict(danger=0.5, exit_ban=False, e_register=False, exclusion_law=True, fine_rub=20_000.0, enforcement=1.0)
    return evasion.EvasionContext(**{**base, **kw})


def probs(c=None, risk_aversion=0.5, income=60_000.0, subsistence=15_000.0, urban=1.0, footprint=0.5, p=P):
    u = evasion.evasion_utilities(p, c or ctx(), risk_aversion, income, subsistence, urban, footprint)
    return evasion.choice_probabilities(u)


@settings(max_examples=80, deadline=None)
@given(danger=st.floats(0, 5), exit_ban=st.booleans(), e_register=st.booleans(), exclusion=st.booleans(),
       fine=st.floats(0, 1e7), enforcement=st.floats(0, 5), ra=st.floats(0, 1), income=st.floats(0, 1e7),
       urban=st.booleans(), footprint=st.floats(0, 1))
def test_choice_probabilities_sum_to_one(danger, exit_ban, e_register, exclusion, fine, enforcement, ra, income,
                                         urban, footprint):
    c = evasion.EvasionContext(danger, exit_ban, e_register, exclusion, fine, enforcement)
    pr = probs(c, ra, income, 15_000.0, float(urban), footprint)
    assert pr.shape == (len(evasion.OPTIONS),)
    assert np.isfinite(pr).all() and (pr >= 0).all() and (pr <= 1).all()
    assert pr.sum() == pytest.approx(1.0, abs=1e-12)
    if exit_ban:
        assert pr[EMIGRATE] == 0.0


def test_probabilities_broadcast_over_men():
    n = 50
    rng = np.random.default_rng(0)
    u = evasion.evasion_utilities(P, ctx(), rng.random(n), rng.lognormal(11, 0.5, n), 15_000.0,
                                  rng.random(n) < 0.5, rng.random(n))
    pr = evasion.choice_probabilities(u)
    assert pr.shape == (n, len(evasion.OPTIONS))
    np.testing.assert_allclose(pr.sum(axis=1), 1.0)


def test_the_exit_ban_makes_emigration_impossible():
    rich = dict(income=1e7, urban=1.0, risk_aversion=1.0)
    assert probs(ctx(danger=5.0), **rich)[EMIGRATE] > 0.01
    assert probs(ctx(danger=5.0, exit_ban=True), **rich)[EMIGRATE] == 0.0
    pr = probs(ctx(exit_ban=True, danger=5.0), **rich)
    assert pr.sum() == pytest.approx(1.0)


def test_the_register_lowers_hiding():
    off, on = probs(ctx(e_register=False)), probs(ctx(e_register=True))
    assert on[HIDE] < off[HIDE]
    assert on[COMPLY] > off[COMPLY]
    # the penalty enters the utility of hiding only
    u_off = evasion.evasion_utilities(P, ctx(), 0.5, 60_000.0, 15_000.0, 1.0, 0.5)
    u_on = evasion.evasion_utilities(P, ctx(e_register=True), 0.5, 60_000.0, 15_000.0, 1.0, 0.5)
    diff = u_off - u_on
    assert diff[HIDE] == pytest.approx(P.e_register_hide_penalty)
    assert np.delete(diff, HIDE) == pytest.approx(0.0)


def test_a_richer_man_is_likelier_to_emigrate():
    incomes = [10_000.0, 30_000.0, 100_000.0, 1_000_000.0]
    emig = [probs(income=y)[EMIGRATE] for y in incomes]
    assert all(a < b for a, b in zip(emig, emig[1:])), emig
    assert probs(urban=1.0)[EMIGRATE] > probs(urban=0.0)[EMIGRATE]


def test_higher_danger_raises_evasion():
    dangers = [0.0, 0.3, 1.0, 3.0]
    evade = [1.0 - probs(ctx(danger=d))[COMPLY] for d in dangers]
    assert all(a < b for a, b in zip(evade, evade[1:])), evade
    # and more so for the risk-averse
    assert 1 - probs(ctx(danger=1.0), risk_aversion=0.9)[COMPLY] > 1 - probs(ctx(danger=1.0), risk_aversion=0.1)[COMPLY]


def test_enforcement_and_exclusion_deter_evasion():
    assert probs(ctx(enforcement=3.0))[COMPLY] > probs(ctx(enforcement=0.5))[COMPLY]
    assert probs(ctx(exclusion_law=True), footprint=0.9)[COMPLY] > probs(ctx(exclusion_law=False), footprint=0.9)[COMPLY]
    assert probs(ctx(fine_rub=100_000.0))[COMPLY] > probs(ctx(fine_rub=0.0))[COMPLY]


def test_choose_follows_the_cumulative_probabilities():
    pr = np.array([0.1, 0.2, 0.3, 0.2, 0.15, 0.05])
    u = np.array([0.0, 0.05, 0.1001, 0.29, 0.31, 0.61, 0.79, 0.81, 0.96, 0.99999])
    picks = evasion.choose(np.broadcast_to(pr, (len(u), 6)), u)
    assert picks.tolist() == [0, 0, 1, 1, 2, 3, 3, 4, 5, 5]
    rng = np.random.default_rng(1)
    n = 200_000
    freq = np.bincount(evasion.choose(np.broadcast_to(pr, (n, 6)), rng.random(n)), minlength=6) / n
    np.testing.assert_allclose(freq, pr, atol=0.005)


# --- evader fate ---------------------------------------------------------------------------------------
def test_catch_hazard_rises_with_footprint_enforcement_and_the_register():
    c = evader_fate.catch_hazard
    assert c(P, 0.9, 1.0, False) > c(P, 0.1, 1.0, False)
    assert c(P, 0.5, 2.0, False) > c(P, 0.5, 1.0, False)
    assert c(P, 0.5, 1.0, True) > c(P, 0.5, 1.0, False)
    assert c(P, 0.5, 1.0, True) == pytest.approx(P.e_register_catch_multiplier * c(P, 0.5, 1.0, False))
    assert c(P, 0.5, 1.0, False) == pytest.approx(P.hide_catch_per_week)  # the documented footprint-0.5 rate
    assert c(P.replace(hide_catch_per_week=1.0), 1.0, 5.0, True) == 1.0


def test_give_up_rises_after_the_exclusion_days_and_with_footprint():
    g = evader_fate.give_up_hazard
    weeks_before = (P.exclusion_after_days - 1) // 7
    weeks_after = math.ceil(P.exclusion_after_days / 7)
    assert g(P, 0.9, weeks_before, True) == pytest.approx(P.give_up_per_week)
    assert g(P, 0.9, weeks_after, True) > g(P, 0.9, weeks_before, True)
    assert g(P, 0.9, weeks_after, True) > g(P, 0.1, weeks_after, True)
    # no exclusion law, no extra pressure
    assert g(P, 0.9, 100, False) == pytest.approx(P.give_up_per_week)


@settings(max_examples=50, deadline=None)
@given(footprint=st.floats(0, 1), weeks=st.integers(0, 500), enforcement=st.floats(0, 5), register=st.booleans(),
       exclusion=st.booleans())
def test_the_thinning_bounds_bound_every_evader(footprint, weeks, enforcement, register, exclusion):
    assert evader_fate.catch_hazard(P, footprint, enforcement, register) <= \
        evader_fate.catch_hazard_bound(P, enforcement, register)
    assert evader_fate.give_up_hazard(P, footprint, weeks, exclusion) <= evader_fate.give_up_hazard_bound(P, exclusion)


def test_exposure_and_return_hazards():
    assert evader_fate.exposure_hazard(P, 2.0) > evader_fate.exposure_hazard(P, 1.0) > 0
    assert evader_fate.return_hazard(P) == P.emigrant_return_per_week
    # ~25% of emigrants home within two years
    assert 1 - (1 - evader_fate.return_hazard(P)) ** 104 == pytest.approx(0.26, abs=0.05)


# --- governor ------------------------------------------------------------------------------------------
def next_bonus(bonus=500_000.0, fulfilment=0.5, pressure=False, cap=2_000_000.0):
    return governor.next_regional_bonus(bonus, fulfilment, pressure, cap, 0.6, 50_000.0, 0.5)


def test_a_shortfall_raises_the_bonus_never_above_the_cap():
    assert next_bonus(fulfilment=0.5) > 500_000.0
    assert next_bonus(fulfilment=0.2) > next_bonus(fulfilment=0.8) > 500_000.0
    assert next_bonus(fulfilment=-1.0) == next_bonus(fulfilment=0.0)
    assert next_bonus(bonus=1_900_000.0, fulfilment=0.0) == 2_000_000.0
    assert next_bonus(bonus=0.0, fulfilment=0.0) >= 50_000.0  # the floor raise starts a zero bonus
    b = 100_000.0
    for _ in range(100):
        b = next_bonus(bonus=b, fulfilment=0.0)
        assert b <= 2_000_000.0
    assert b == 2_000_000.0


def test_budget_pressure_with_the_quota_met_cuts_the_bonus():
    assert next_bonus(fulfilment=1.2, pressure=True) == pytest.approx(250_000.0)
    assert next_bonus(fulfilment=1.2, pressure=False) == 500_000.0   # met, no pressure: unchanged
    assert next_bonus(fulfilment=0.5, pressure=True) > 500_000.0      # not met: still raised
    assert next_bonus(bonus=3_000_000.0, fulfilment=1.0) == 2_000_000.0  # a cap that fell binds


def test_a_governor_cuts_only_once():
    cut = governor.next_regional_bonus(500_000.0, 1.2, True, 2e6, 0.6, 50_000.0, 0.5, already_cut=True)
    assert cut == 500_000.0
    assert governor.next_regional_bonus(500_000.0, 0.5, True, 2e6, 0.6, 50_000.0, 0.5, already_cut=True) > 500_000.0


def test_scarce_jobs_push_men_towards_the_army():
    f = enlistment.labour_market_factor
    assert f(0.10, 0.05, 0.5) == pytest.approx(2 ** 0.5)
    assert f(0.05, 0.05, 0.5) == pytest.approx(1.0)
    assert f(0.02, 0.05, 0.5) < 1.0 < f(0.08, 0.05, 0.5)
    assert f(0.20, 0.05, 0.0) == 1.0


# --- population ----------------------------------------------------------------------------------------
def _check_lognormal(mean, subsistence, share):
    mu, sigma = lognormal_params(mean, subsistence, share)
    assert sigma > 0
    assert math.exp(mu + sigma ** 2 / 2) == pytest.approx(mean, rel=1e-9)
    assert NormalDist(mu, sigma).cdf(math.log(subsistence)) == pytest.approx(share, abs=1e-9)


def test_lognormal_params_match_every_region():
    rows = read_regions()
    assert len(rows) == 85
    for r in rows:
        _check_lognormal(float(r["mean_income_per_capita_rub_2020"]), float(r["subsistence_level_rub_2020q4"]),
                         float(r["pct_below_subsistence_2020"]) / 100.0)


@settings(max_examples=100, deadline=None)
@given(mean=st.floats(1e3, 1e6), ratio=st.floats(0.05, 0.8), share=st.floats(0.02, 0.45))
def test_lognormal_params_give_the_mean_and_the_share_below_subsistence(mean, ratio, share):
    _check_lognormal(mean, ratio * mean, share)


def test_lognormal_spread_has_a_floor_and_keeps_the_mean():
    # a thin tail just below the mean would need sigma < 0.05: the floor wins, the mean still holds
    mu, sigma = lognormal_params(1000.0, 950.0, 0.01)
    assert sigma == 0.05
    assert math.exp(mu + sigma ** 2 / 2) == pytest.approx(1000.0, rel=1e-12)


def test_lognormal_draws_agree():
    mu, sigma = lognormal_params(30_000.0, 10_000.0, 0.12)
    x = np.random.default_rng(0).lognormal(mu, sigma, 400_000)
    assert x.mean() == pytest.approx(30_000.0, rel=0.02)
    assert (x < 10_000.0).mean() == pytest.approx(0.12, abs=0.003)


def test_digital_footprint_is_in_the_open_unit_interval():
    rng = np.random.default_rng(2)
    n = 100_000
    f = digital_footprint(rng.random(n) < 0.5, rng.uniform(16, 62, n), rng.lognormal(0.7, 1.0, n),
                          rng.normal(0, 0.6, n))
    assert ((f > 0) & (f < 1)).all()
    assert 0.05 < f.mean() < 0.95


def test_digital_footprint_is_higher_for_urban_younger_richer_men():
    def fp(urban=0.0, age=35.0, income=2.0):
        return float(digital_footprint(urban, age, income, 0.0))

    assert fp(urban=1.0) > fp(urban=0.0)
    assert fp(age=20.0) > fp(age=35.0) > fp(age=55.0)
    assert fp(income=5.0) > fp(income=2.0) > fp(income=0.5)


# --- emigration ----------------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(alarm=st.floats(0, 1), half_life=st.floats(0.1, 52))
def test_the_alarm_halves_every_half_life(alarm, half_life):
    assert emigration.alarm_after(alarm, half_life, half_life) == pytest.approx(alarm / 2)
    assert emigration.alarm_after(alarm, 2 * half_life, half_life) == pytest.approx(alarm / 4)
    assert emigration.alarm_after(alarm, 0.0, half_life) == alarm


@pytest.mark.parametrize("half_life", [1.0, 2.0])
def test_the_model_alarm_decays_by_half_each_half_life(half_life):
    m = DraftModel(Parameters(alarm_half_life_weeks=half_life), seed=1, scale=20_000)
    m.run(until=dt.date(2022, 11, 20))
    nat = m.national_frame().set_index("date")
    alarm = nat["alarm"]
    peak = alarm.idxmax()
    assert peak == dt.date(2022, 9, 15) and alarm[peak] == pytest.approx(1.0)   # the week of 21 Sep 2022
    after = alarm.loc[peak:].to_numpy()[:7]
    np.testing.assert_allclose(after[1:] / after[:-1], 0.5 ** (1 / half_life))
    assert alarm.iloc[0] == pytest.approx(P.alarm_war_start)  # the invasion's week


def test_emigration_hazard_rises_with_alarm_and_propensity_and_is_capped():
    h = emigration.emigration_hazard
    assert h(1.0, 0.006, 2e-5, 1.0) > h(0.1, 0.006, 2e-5, 1.0) > h(0.0, 0.006, 2e-5, 1.0) > 0
    assert h(1.0, 0.006, 2e-5, 3.0) > h(1.0, 0.006, 2e-5, 1.0)
    assert h(1.0, 1.0, 0.1, 100.0) == 0.5
    prop = emigration.emigration_propensity
    assert prop(5.0, 0.0, 0.0, 1.0, 0.8) > prop(1.0, 0.0, 0.0, 1.0, 0.8)
    assert prop(1.0, 1.0, 0.0, 1.0, 0.8) > prop(1.0, 0.0, 0.0, 1.0, 0.8)
    assert prop(1.0, 0.0, 1.0, 1.0, 0.8) == pytest.approx(math.e * prop(1.0, 0.0, 0.0, 1.0, 0.8))


# --- the front --------------------------------------------------------------------------------------
def test_front_hazards_scale_with_intensity_and_multiplier_and_stay_probabilities():
    from draftsim.agents.rules.front import casualty_hazards
    from draftsim.model.parameters import Parameters

    p = Parameters()
    kill, wound = casualty_hazards(p)
    assert kill == pytest.approx(p.kill_hazard_per_week * p.casualty_intensity)
    assert wound == pytest.approx(kill * p.wounded_to_killed)
    kill3, wound3 = casualty_hazards(p, 3.0)
    assert (kill3, wound3) == pytest.approx((3 * kill, 3 * wound))
    assert casualty_hazards(p.replace(casualty_intensity=0.0)) == (0.0, 0.0)
    assert casualty_hazards(p.replace(kill_hazard_per_week=0.2, casualty_intensity=10.0), 2.0) == (1.0, 1.0)
