"""The invasion force comes from the garrisons of the units that went in (agents/rules/invasion_force.py)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from draftsim.agents.rules import invasion_force
from draftsim.agents.states import Channel, Status
from draftsim.model import DraftModel, Parameters
from draftsim.model.model import read_regions
from draftsim.model.timeline import packaged

ISOS = [r["iso"] for r in read_regions()]
MEN = np.array([float(r["men_16_61_census2021"]) for r in read_regions()])


def garrisons():
    with packaged("garrisons_2022.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def force_by_region(m: DraftModel) -> np.ndarray:
    return m.counts[0, :, Status.DEPLOYED] * m.men_per_agent


# --- the rule --------------------------------------------------------------------------------------
def test_a_units_btgs_are_the_middle_of_its_range_and_go_to_its_base():
    units = [{"iso": "TY", "btg_low": "1", "btg_high": "2"}, {"iso": "TY", "btg_low": "0", "btg_high": "1"},
             {"iso": "BU", "btg_low": "0", "btg_high": "0"}, {"iso": "", "btg_low": "0", "btg_high": "1"}]
    btgs = invasion_force.garrison_btgs(units, ["BU", "TY", "MOW"])
    np.testing.assert_array_equal(btgs, [0.0, 2.0, 0.0])


def test_shares_mix_the_garrisons_and_the_national_pool():
    btgs, signers = np.array([3.0, 1.0, 0.0]), np.array([1.0, 1.0, 2.0])
    np.testing.assert_allclose(invasion_force.region_shares(btgs, signers, 1.0), [0.75, 0.25, 0.0])
    np.testing.assert_allclose(invasion_force.region_shares(btgs, signers, 0.0), [0.25, 0.25, 0.5])
    mixed = invasion_force.region_shares(btgs, signers, 0.6)
    np.testing.assert_allclose(mixed, [0.6 * 0.75 + 0.4 * 0.25, 0.6 * 0.25 + 0.4 * 0.25, 0.4 * 0.5])
    assert mixed.sum() == pytest.approx(1.0)


def test_no_garrison_anywhere_is_an_error():
    with pytest.raises(ValueError):
        invasion_force.region_shares(np.zeros(3), np.ones(3), 0.5)


# --- the packaged table ----------------------------------------------------------------------------
def test_every_garrison_is_a_region_but_the_base_abroad():
    outside = [u["unit"] for u in garrisons() if u["iso"] not in ISOS]
    assert outside == ["201st Military Base"]
    assert all(u["source"] for u in garrisons())


def test_the_garrison_table_gives_the_derived_btg_totals():
    btgs = invasion_force.garrison_btgs(garrisons(), ISOS)
    assert btgs.sum() == pytest.approx(95.0)   # the derived table's sum of btg_mid
    assert btgs[ISOS.index("MOW")] == 0 and btgs[ISOS.index("TY")] == 1.5 and btgs[ISOS.index("BU")] == 4.5


# --- in the model ----------------------------------------------------------------------------------
def test_the_pre_war_army_is_recruited_more_in_poor_regions():
    m = DraftModel(seed=3, scale=1000)
    per_man = m.prewar_signers() / MEN
    assert per_man[ISOS.index("TY")] > 3 * per_man[ISOS.index("MOW")]
    assert per_man[ISOS.index("DA")] > per_man[ISOS.index("SPE")]


def test_the_force_is_the_national_total_and_its_men_are_regulars():
    m = DraftModel(seed=4, scale=100)
    assert force_by_region(m).sum() == pytest.approx(Parameters().initial_deployed, rel=0.01)
    assert {man.channel for man in m.rosters[Status.DEPLOYED]} == {Channel.REGULAR}


def test_garrison_regions_send_many_times_more_men_per_man_than_moscow():
    m = DraftModel(seed=5, scale=100)
    rate = force_by_region(m) / MEN
    assert rate[ISOS.index("TY")] > 10 * rate[ISOS.index("MOW")]
    assert rate[ISOS.index("BU")] > 10 * rate[ISOS.index("MOW")]


def test_a_larger_local_share_sends_more_of_the_force_from_the_bases():
    def tuva(share):
        return force_by_region(DraftModel(seed=6, scale=100, garrison_local_share=share))[ISOS.index("TY")]
    assert tuva(0.9) > 1.5 * tuva(0.2)


def test_the_draw_is_unbiased_at_a_coarse_scale():
    # at 1:1000 a region's share is a few agents: stochastic rounding keeps its expectation
    p = Parameters()
    draws, expected = [], None
    for seed in range(24):
        m = DraftModel(seed=seed, scale=1000)
        if expected is None:
            btgs = invasion_force.garrison_btgs(garrisons(), ISOS)
            expected = p.initial_deployed * invasion_force.region_shares(btgs, m.prewar_signers(), p.garrison_local_share)
        draws.append(force_by_region(m))
    mean = np.mean(draws, axis=0)
    assert mean.sum() == pytest.approx(p.initial_deployed, rel=0.005)
    for iso in ("TY", "BU", "PSK", "MOW"):
        i = ISOS.index(iso)
        assert mean[i] == pytest.approx(expected[i], rel=0.1), iso


def test_a_world_where_nobody_would_sign_still_had_its_prewar_army():
    from draftsim.agents.rules import invasion_force
    shares = invasion_force.region_shares([1.0, 0.0, 0.0], [0.0, 0.0, 0.0], 0.6, men=[1.0, 1.0, 2.0])
    assert shares == pytest.approx([0.6 + 0.1, 0.1, 0.2])
