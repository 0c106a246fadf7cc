"""Property-based tests: the books balance and the outputs are sane for any valid parameters.

Hypothesis draws values within each chosen parameter's [low, high] from ``parameter_table()``
(sometimes the default, sometimes anywhere in the range, extremes included) and the boolean
levers, and runs a short, coarse simulation that still reaches the e-register and the foreign
troops (late 2024).  Invalid values must raise a one-line ParameterError naming the parameter.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftsim.agents.person import Person
from draftsim.agents.states import FINAL, Status
from draftsim.model import DraftModel, ParameterError, Parameters, parameter_table
from draftsim.model.parameters import DATE_MAX, DATE_MIN

TABLE = {row["name"]: row for row in parameter_table()}

# influential parameters: enlistment, evasion, evaders' fates, the front, prisons, emigration
FLOATS = (
    "base_contract_hazard_per_week", "bonus_elasticity", "bonus_multiplier", "willingness_sigma", "peer_weight",
    "risk_sensitivity", "danger_weight", "asc_hide", "asc_emigrate", "enforcement", "hide_catch_per_week",
    "give_up_per_week", "emigrant_return_per_week", "emigration_alarm_per_week", "prisoner_acceptance_per_week",
    "kill_hazard_per_week", "casualty_intensity", "wounded_to_killed", "desertion_per_week", "intensity_exponent",
    "force_dilution", "new_recruit_hazard_multiplier",
    "conscript_signing_per_week", "new_cohort_share_per_year", "initial_deployed", "prison_population_initial",
)
INTS = ("e_notice_service_days", "training_weeks", "wound_recovery_weeks", "prisoner_service_weeks", "new_recruit_weeks")
BOOLS = ("mobilisation_enabled", "e_register_enabled", "exit_ban_enabled", "prison_recruitment_enabled",
         "foreign_troops_enabled", "front_intensity_forcing")

SCALE = 20_000
UNTIL = dt.date(2024, 12, 15)


def _value(name: str):
    row = TABLE[name]
    if row["type"] == "bool":
        return st.booleans()
    if row["type"] == "int":
        anywhere = st.integers(row["low"], row["high"])
    else:
        anywhere = st.floats(row["low"], row["high"], allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(row["default"]), anywhere)


valid_changes = st.fixed_dictionaries({name: _value(name) for name in FLOATS + INTS + BOOLS})


def _check_books(m: DraftModel, start: dict) -> None:
    pop, led = m.population, m.ledger
    assert (m.counts >= 0).all()
    assert (pop.pool_count >= 0).all()
    assert pop.pool_count.sum() == pop.active.sum()
    entered, aged_out = led.total["entrants"], led.total["aged_out"]
    by_region = pop.pool_count + m.counts[0].sum(axis=1)
    np.testing.assert_array_equal(by_region, start["by_region"] + entered - aged_out)
    assert by_region.sum() == m.initial_men + entered.sum() - aged_out.sum()
    prison = np.array([r.prison_population for r in m.regions])
    assert (prison >= 0).all()
    np.testing.assert_array_equal(prison + m.counts[1].sum(axis=1), start["prison"])
    rows, n_prisoners = [], 0
    for a in m.people():
        assert isinstance(a, Person) and a.status not in FINAL
        if a.is_prisoner:
            n_prisoners += 1
        else:
            rows.append(a.pool_index)
    live = [status for status in Status if status not in FINAL]
    assert n_prisoners == m.counts[1][:, live].sum()
    assert len(rows) == m.counts[0][:, live].sum()
    assert len(set(rows)) == len(rows)
    assert not pop.active[np.array(rows, dtype=np.int64)].any()


def _check_frame(df) -> None:
    num = df.select_dtypes("number")
    assert num.shape[1] > 10
    values = num.to_numpy(dtype=float)
    assert np.isfinite(values).all(), [c for c in num.columns if not np.isfinite(num[c]).all()]
    assert (values >= 0).all(), [c for c in num.columns if (num[c] < 0).any()]


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=valid_changes, seed=st.integers(0, 2**31 - 1))
def test_books_balance_and_outputs_are_sane_for_any_valid_parameters(changes, seed):
    params = Parameters().replace(**changes)
    m = DraftModel(params, seed=seed, scale=SCALE)
    start = {
        "by_region": m.population.pool_count + m.counts[0].sum(axis=1),
        "prison": np.array([r.prison_population for r in m.regions]),
    }
    _check_books(m, start)
    killed = 0.0
    while True:
        m.step()
        _check_books(m, start)
        assert m.latest["killed_total"] >= killed
        killed = m.latest["killed_total"]
        if m.finished or m.date + dt.timedelta(days=7) > UNTIL:
            break
    nat, reg = m.national_frame(), m.regions_frame()
    assert len(nat) > 140 and len(reg) == 85 * len(nat)
    _check_frame(nat)
    _check_frame(reg)
    assert (np.diff(nat["killed_total"].to_numpy()) >= 0).all()
    per_region = reg.pivot(index="step", columns="region", values="killed_total").to_numpy()
    assert (np.diff(per_region, axis=0) >= 0).all()


# --- invalid values ---------------------------------------------------------------------------------
NUMERIC = [r["name"] for r in parameter_table() if r["type"] in ("float", "int")]
DATES = [r["name"] for r in parameter_table() if r["type"] == "date"]
SWITCHES = [r["name"] for r in parameter_table() if r["type"] == "bool"]


@st.composite
def invalid_change(draw):
    kind = draw(st.sampled_from(("numeric", "date", "bool")))
    if kind == "bool":
        name = draw(st.sampled_from(SWITCHES))
        # not 0 or 1: as numbers (0, 1.0, np.int64(1)) and as text ("0", "1") they are valid switches
        value = draw(st.one_of(st.integers().filter(lambda v: v not in (0, 1)), st.floats().filter(lambda v: v not in (0, 1)),
                               st.sampled_from(["maybe", "2", "", "yes please", None])))
        return name, value
    if kind == "date":
        name = draw(st.sampled_from(DATES))
        value = draw(st.one_of(st.dates(max_value=DATE_MIN - dt.timedelta(days=1)),
                               st.dates(min_value=DATE_MAX + dt.timedelta(days=1))))
        return name, value
    name = draw(st.sampled_from(NUMERIC))
    row = TABLE[name]
    lo, hi = row["low"], row["high"]
    if row["type"] == "int":
        value = draw(st.one_of(st.integers(max_value=lo - 1), st.integers(min_value=hi + 1)))
    else:
        value = draw(st.one_of(st.floats(max_value=lo, exclude_max=True), st.floats(min_value=hi, exclude_min=True),
                               st.just(float("nan"))))
    return name, value


@settings(max_examples=150, deadline=None)
@given(change=invalid_change(), as_text=st.booleans())
def test_invalid_values_raise_a_one_line_error_naming_the_parameter(change, as_text):
    name, value = change
    if as_text:
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        Parameters().replace(**{name: value})
    except ParameterError as exc:
        msg = str(exc)
    else:
        raise AssertionError(f"{name}={value!r} was accepted")
    assert "\n" not in msg and msg.strip() == msg and msg
    assert name in msg


@settings(max_examples=60, deadline=None)
@given(change=invalid_change())
def test_the_constructor_rejects_invalid_values_too(change):
    name, value = change
    try:
        Parameters(**{name: value})
    except ParameterError as exc:
        assert "\n" not in str(exc) and name in str(exc)
    else:
        raise AssertionError(f"{name}={value!r} was accepted")
