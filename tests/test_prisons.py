"""Prison recruitment follows the prisons (agents/rules/prisons.py, model/data/prisons_by_region.csv)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from draftsim.agents.rules import prisons
from draftsim.model import DraftModel, Parameters
from draftsim.model.model import colony_shares, known_colony_shares, read_regions
from draftsim.model.timeline import packaged

ROWS = read_regions()
ISOS = [r["iso"] for r in ROWS]
MEN = np.array([float(r["men_16_61_census2021"]) for r in ROWS])
NAN = np.nan


def prison_rows():
    with packaged("prisons_by_region.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- the rule --------------------------------------------------------------------------------------
def test_without_factors_or_counts_the_colonies_follow_the_men():
    men = np.array([1.0, 3.0, 4.0])
    shares = prisons.colony_shares(men, [False] * 3, [False] * 3, [NAN] * 3, 1.0, 1.0)
    np.testing.assert_allclose(shares, men / men.sum())


def test_counted_regions_keep_their_share_and_the_factors_raise_the_rest():
    men = np.array([1.0, 1.0, 1.0, 1.0])
    shares = prisons.colony_shares(men, [True, True, False, False], [True, False, False, False],
                                   [NAN, NAN, NAN, 0.1], 1.5, 2.0)
    assert shares[3] == 0.1
    assert shares.sum() == pytest.approx(1.0)
    assert shares[1] / shares[2] == pytest.approx(1.5)
    assert shares[0] / shares[2] == pytest.approx(3.0)


def test_counts_beyond_the_national_total_are_an_error():
    with pytest.raises(ValueError):
        prisons.colony_shares(np.ones(2), [False] * 2, [False] * 2, [0.7, 0.6], 1.0, 1.0)


def test_no_one_takes_the_offer_while_no_one_recruits():
    assert prisons.weekly_acceptance(0.0035, "off") == 0.0
    assert prisons.weekly_acceptance(0.0035, "on") == 0.0035
    assert prisons.weekly_acceptance(0.0035, "mod") == 0.0035


# --- the packaged data -----------------------------------------------------------------------------
def test_every_prison_row_is_sourced_and_a_region_or_the_country():
    rows = prison_rows()
    assert all(r["source"] for r in rows)
    assert {r["iso"] for r in rows} <= set(ISOS) | {"RU"}


def test_counted_regions_are_shares_of_the_march_2022_national_count():
    known = known_colony_shares(prison_rows(), ISOS)
    assert known[ISOS.index("SAM")] == pytest.approx(10_200 / 351_300)
    assert known[ISOS.index("TUL")] == pytest.approx(6_400 / 351_300)
    assert known[ISOS.index("MOW")] < 0.001
    assert np.isnan(known[ISOS.index("KYA")])


def test_the_colonies_lie_north_and_east_and_in_the_institution_rich_regions():
    p = Parameters()
    per_man = colony_shares(p, ROWS) / MEN
    komi, perm, tatarstan = (per_man[ISOS.index(i)] for i in ("KO", "PER", "TA"))
    assert komi / tatarstan == pytest.approx(p.prison_north_east_factor * p.prison_institution_rich_factor)
    assert perm / tatarstan == pytest.approx(p.prison_institution_rich_factor)
    assert per_man[ISOS.index("IRK")] / tatarstan == pytest.approx(p.prison_north_east_factor)
    assert per_man[ISOS.index("MOW")] < 0.01 * tatarstan


# --- in the model ----------------------------------------------------------------------------------
def test_the_prison_stock_is_the_national_population_shared_by_colonies():
    p = Parameters()
    m = DraftModel(seed=2, scale=100)
    stock = np.array([r.prison_population * r.men_per_agent for r in m.regions])
    assert stock.sum() == pytest.approx(p.prison_population_initial, rel=0.005)
    expected = p.prison_population_initial * colony_shares(p, ROWS)
    for iso in ("SAM", "KYA", "KO", "TA"):
        i = ISOS.index(iso)
        assert stock[i] == pytest.approx(expected[i], abs=m.men_per_agent[i])
    assert stock[ISOS.index("MOW")] <= 200


def test_a_stronger_north_east_moves_prisoners_there():
    def irkutsk(factor):
        m = DraftModel(seed=1, scale=1000, prison_north_east_factor=factor)
        return m.regions[ISOS.index("IRK")].prison_population * m.regions[ISOS.index("IRK")].men_per_agent
    assert irkutsk(3.0) > 1.5 * irkutsk(1.0)
