"""The scale-invariance outcomes and comparison (experiments/invariance.py), on made-up tables and short real runs.

The check on the model itself (1:100 and 1:1000 against 1:1) is benchmarks/bench_scale.py --invariance.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from draftsim.experiments import invariance as inv
from draftsim.model import DraftModel, load_scenario
from draftsim.model.units import WEEKS_PER_MONTH

START = dt.date(2022, 2, 24)        # a Thursday: the baseline's weeks run Thursday to Wednesday
ALL = {o.name for o in inv.OUTCOMES}


def weekly_table(last_week_start: dt.date) -> pd.DataFrame:
    """A national table from START to the week starting ``last_week_start``, each figure easy to predict."""
    dates = pd.date_range(START, last_week_start, freq="7D").date
    step = np.arange(len(dates))
    return pd.DataFrame({
        "date": dates,
        "new_contracts": np.full(len(dates), 1_000),
        "new_mobilised": np.ones(len(dates), dtype=int),
        "new_emigrants": step,                                          # a week's figure names its week
        "killed_total": step * 10,
        "mean_regional_bonus_rub": [d.year * 100 + d.month for d in dates],   # the month, readable
    })


def week_index(day: dt.date) -> int:
    return (day - START).days // 7


@pytest.fixture(scope="module")
def short_run():
    """A real baseline run at 1:1000 to the end of 2022 (under a second)."""
    sc = load_scenario("baseline")
    m = DraftModel(sc.params, seed=2, scale=1000, events=sc.events)
    m.run(until=dt.date(2022, 12, 31))
    return m


# --- the outcomes --------------------------------------------------------------------------------------
def test_a_full_table_yields_every_outcome_as_defined():
    out = inv.outcomes_of(weekly_table(dt.date(2025, 12, 25)))
    assert set(out) == ALL
    assert out["contracts_per_month_2023_2025"] == pytest.approx(1_000 * WEEKS_PER_MONTH)
    # weeks starting in 2022: 24 Feb to 29 Dec, 45 of them (the one starting 29 Dec runs into 2023)
    assert out["mobilised_2022"] == 45
    # 21 Sep 2022, a Wednesday, is the last day of the week starting Thursday 15 Sep
    assert out["emigrants_mobilisation_week"] == week_index(dt.date(2022, 9, 15))
    assert out["killed_by_2024_06_30"] == 10 * week_index(dt.date(2024, 6, 27))
    assert out["mean_regional_bonus_rub_2024_03"] == 202403
    assert out["mean_regional_bonus_rub_2025_04"] == 202504


def test_outcomes_dated_beyond_the_run_are_left_out():
    # the week containing 30 Jun 2024 starts 27 Jun: one week short, the killed total is not there yet
    assert set(inv.outcomes_of(weekly_table(dt.date(2024, 6, 20)))) == ALL - {
        "killed_by_2024_06_30", "mean_regional_bonus_rub_2025_04"}
    assert "killed_by_2024_06_30" in inv.outcomes_of(weekly_table(dt.date(2024, 6, 27)))
    # March 2024 needs the whole month: the week starting 28 Mar runs to 3 Apr
    assert "mean_regional_bonus_rub_2024_03" not in inv.outcomes_of(weekly_table(dt.date(2024, 3, 21)))
    assert set(inv.outcomes_of(weekly_table(dt.date(2022, 12, 22)))) == {"emigrants_mobilisation_week"}
    assert inv.outcomes_of(weekly_table(dt.date(2022, 9, 8))) == {}


def test_the_contract_rate_of_a_shorter_run_is_over_the_weeks_it_has():
    table = weekly_table(dt.date(2023, 3, 30))
    table.loc[pd.to_datetime(table["date"]) >= pd.Timestamp("2023-02-01"), "new_contracts"] = 3_000
    weeks_2023 = pd.to_datetime(table["date"]) >= pd.Timestamp("2023-01-01")
    expected = table.loc[weeks_2023, "new_contracts"].mean() * WEEKS_PER_MONTH
    assert inv.outcomes_of(table)["contracts_per_month_2023_2025"] == pytest.approx(expected)


def test_a_real_run_reports_what_it_covers_from_its_own_table(short_run):
    out = inv.national_outcomes(short_run)
    assert set(out) == {"mobilised_2022", "emigrants_mobilisation_week"}
    national = short_run.national_frame()
    dates = pd.to_datetime(national["date"])
    assert out["mobilised_2022"] == national.loc[dates.dt.year == 2022, "new_mobilised"].sum() > 0
    assert out["emigrants_mobilisation_week"] == national.loc[dates == pd.Timestamp("2022-09-15"), "new_emigrants"].item() > 0


class _TablesOnly:
    """A model as far as the outcomes read it, its national table without the mean regional bonus."""

    def __init__(self, national, regions, regions_list=()):
        self._national, self._regions, self.regions = national, regions, list(regions_list)

    def national_frame(self):
        return self._national

    def regions_frame(self):
        return self._regions


def test_without_the_national_mean_bonus_it_is_the_unweighted_mean_of_the_regions():
    national = weekly_table(dt.date(2024, 4, 25))
    regions = pd.concat([pd.DataFrame({"date": national["date"], "region": iso, "regional_bonus_rub": bonus})
                         for iso, bonus in (("AAA", 100_000.0), ("BBB", 200_000.0), ("CCC", 600_000.0))])
    out = inv.national_outcomes(_TablesOnly(national.drop(columns="mean_regional_bonus_rub"), regions))
    assert out["mean_regional_bonus_rub_2024_03"] == pytest.approx(300_000.0)


def test_deaths_per_10k_are_each_regions_killed_over_its_census_men(short_run):
    deaths = inv.regional_deaths_per_10k(short_run)
    census = pd.Series({r.iso: r.men_census for r in short_run.regions})
    assert sorted(deaths.index) == sorted(census.index) and len(deaths) == 85
    killed = (deaths * census[deaths.index] / 1e4).sum()
    assert killed == pytest.approx(short_run.national_frame()["killed_total"].iloc[-1])
    earlier = inv.regional_deaths_per_10k(short_run, until=dt.date(2022, 6, 30))
    assert (earlier <= deaths).all() and earlier.sum() < deaths.sum()
    with pytest.raises(ValueError, match="until"):
        inv.regional_deaths_per_10k(short_run, until=dt.date(2023, 6, 30))


# --- comparing scales -------------------------------------------------------------------------------------
def seeds(centre: float, noise: float, n: int = 5, name: str = "killed_by_2024_06_30") -> list[dict]:
    """n runs of one outcome spread evenly around ``centre`` (sample sd ~ 0.79 x noise for n = 5)."""
    return [{name: centre + noise * k} for k in np.linspace(-1, 1, n)]


def test_identical_runs_pass_with_no_difference():
    runs = [{"killed_by_2024_06_30": 100_000.0 + k, "mobilised_2022": 300_000.0 - k} for k in range(5)]
    rows = inv.compare(runs, runs)
    assert [r.outcome for r in rows] == ["killed_by_2024_06_30", "mobilised_2022"]
    assert all(r.passed and r.difference == 0 and r.relative_difference == 0 for r in rows)


def test_a_ten_percent_shift_with_tiny_seed_noise_fails():
    (row,) = inv.compare(seeds(100_000, 10), seeds(110_000, 10))
    assert row.relative_difference == pytest.approx(0.10)
    assert row.se_difference < 100 and not row.passed


def test_a_shift_within_two_standard_errors_passes_though_beyond_the_tolerance():
    # 10% apart but seeds spread by 20%: the difference is noise, not a scale effect
    (row,) = inv.compare(seeds(100_000, 20_000), seeds(110_000, 20_000))
    assert abs(row.difference) > row.rel_tol * row.reference_mean
    assert abs(row.difference) <= 2 * row.se_difference and row.passed
    sd = np.std(np.linspace(-1, 1, 5) * 20_000, ddof=1)
    assert row.se_difference == pytest.approx(math.sqrt(2) * sd / math.sqrt(5))


def test_bonuses_have_the_wider_tolerance():
    bonus, count = "mean_regional_bonus_rub_2024_03", "killed_by_2024_06_30"
    assert inv.REL_TOL[bonus] == 0.05 and inv.REL_TOL[count] == 0.03
    assert inv.compare(seeds(1e6, 1, name=bonus), seeds(1.04e6, 1, name=bonus))[0].passed
    assert not inv.compare(seeds(1e6, 1, name=count), seeds(1.04e6, 1, name=count))[0].passed
    assert not inv.compare(seeds(1e6, 1, name=bonus), seeds(1.04e6, 1, name=bonus), {bonus: 0.03})[0].passed


def test_one_seed_a_side_has_no_standard_error_and_only_the_tolerance_applies():
    (row,) = inv.compare([{"mobilised_2022": 100.0}], [{"mobilised_2022": 102.0}])
    assert math.isnan(row.se_difference) and row.passed
    assert not inv.compare([{"mobilised_2022": 100.0}], [{"mobilised_2022": 110.0}])[0].passed


def test_only_outcomes_every_run_has_are_compared():
    short = [{"mobilised_2022": 1.0}]
    full = [{"mobilised_2022": 1.0, "killed_by_2024_06_30": 2.0}]
    assert [r.outcome for r in inv.compare(full, short)] == ["mobilised_2022"]
    with pytest.raises(ValueError):
        inv.compare([], full)


def test_seed_summary_gives_mean_and_standard_error():
    summary = inv.seed_summary([{"a": 1.0}, {"a": 3.0}])
    assert summary == {"a": {"mean": 2.0, "se": pytest.approx(1.0), "n": 2}}


def test_spearman_ranks_regions_by_code_not_by_position():
    a = pd.Series({"MOW": 1.0, "SPE": 2.0, "TY": 30.0, "BU": 40.0})
    assert inv.spearman(a, a.iloc[::-1]) == pytest.approx(1.0)
    assert inv.spearman(a, -a) == pytest.approx(-1.0)
    assert inv.spearman(a, a ** 3 + 5) == pytest.approx(1.0)        # ranks only
    ties = pd.Series({"MOW": 0.0, "SPE": 0.0, "TY": 1.0, "BU": 2.0})
    assert inv.spearman(ties, a) == pytest.approx(0.9486833, abs=1e-6)   # scipy.stats.spearmanr's value
    assert inv.seed_mean([a, 3 * a]).equals(2 * a)
