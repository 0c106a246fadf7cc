"""Issue 12's goals: the new metrics on tables built here, the goals' verdicts, and docs/VALIDATION.md's generator."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from draftsim.experiments import goals
from draftsim.experiments import targets as tg
from draftsim.experiments.outcomes import (
    KILLED_CHANNELS,
    log_sd,
    monthly_flow,
    rank_from_top,
)
from draftsim.model import columns as schema

DAY = dt.date(2023, 4, 12)
NAMED = "named_deaths_by_month:named_deaths_with_known_date"


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(resources.files("draftsim.model").joinpath("data", name).open(encoding="utf-8"))


def _named() -> pd.Series:
    d = _data("named_deaths_by_month.csv")
    return d.set_index("month")["named_deaths_with_known_date"].astype(float)


def _weekly(per_month: pd.Series, start="2022-02-24", end="2025-12-31") -> pd.DataFrame:
    """A national table whose weekly new_killed spreads each month's figure evenly over its days."""
    days = pd.date_range(start, end, freq="D")
    per_day = per_month.reindex(days.strftime("%Y-%m")).to_numpy() / days.days_in_month.to_numpy()
    weeks = pd.date_range(start, end, freq="7D")
    killed = [per_day[(days >= w) & (days < w + pd.Timedelta(days=7))].sum() for w in weeks]
    return pd.DataFrame({"date": weeks.strftime("%Y-%m-%d"), "new_killed": killed})


def test_a_flow_by_month_spreads_each_week_over_its_days_and_keeps_only_whole_months():
    national = pd.DataFrame({"date": ["2023-01-26", "2023-02-02", "2023-02-09", "2023-02-16", "2023-02-23", "2023-03-02"],
                             "new_killed": [7.0, 7.0, 7.0, 7.0, 7.0, 7.0]})
    months = monthly_flow(national, "new_killed")
    assert list(months.index) == ["2023-02"]           # January and March are only partly covered
    assert months["2023-02"] == pytest.approx(28.0)    # one a day, whatever the number of week-starts


def test_the_monthly_metrics_recover_the_named_series_and_its_bakhmut_ratio():
    named = _named()
    national = _weekly(named)
    by = {t.name: t for t in tg.read_targets()}
    ratio, changes = by["named_deaths_bakhmut_ratio_2023"], by["named_deaths_monthly_changes_2022_2024"]
    observed = named["2023-01":"2023-03"].mean() / named["2023-04":"2023-09"].mean()
    assert ratio.observed == pytest.approx(observed, abs=0.001) and observed == pytest.approx(1.68, abs=0.01)
    # weeks straddle months: the weekly table smears each month's edges into its neighbours a little
    assert tg.model_value(ratio, national) == pytest.approx(observed, rel=0.03)
    assert tg.model_value(changes, national) > 0.97
    # a model whose deaths are flat from 2023 has no Bakhmut peak and changes unrelated to the list's
    flat = named.copy()
    flat[flat.index >= "2023-01"] = 3000.0
    assert tg.model_value(ratio, _weekly(flat)) == pytest.approx(1.0, abs=0.01)
    shuffled = named.copy()
    shuffled["2022-03":"2024-12"] = np.random.default_rng(4).permutation(shuffled["2022-03":"2024-12"].to_numpy())
    assert tg.model_value(changes, _weekly(shuffled)) < 0.5
    # the list's coverage cancels: a model with twice the deaths scores the same
    assert tg.model_value(changes, _weekly(2 * named)) == pytest.approx(tg.model_value(changes, national))


def test_a_perfect_model_of_the_monthly_list_sits_inside_the_band_despite_its_counts_noise():
    named = _named()["2022-03":"2024-12"].to_numpy()
    rng = np.random.default_rng(12)
    ceiling = np.median([np.corrcoef(np.diff(named), np.diff(rng.poisson(named)))[0, 1] for _ in range(200)])
    target = {t.name: t for t in tg.read_targets()}["named_deaths_monthly_changes_2022_2024"]
    assert target.low <= ceiling <= target.high and ceiling > 0.95


def _channels(shares: dict[str, float], total=10_000) -> pd.DataFrame:
    early = {c: 0.0 for c in KILLED_CHANNELS}
    late = {c: shares.get(c, 0.0) * total for c in KILLED_CHANNELS}
    return pd.DataFrame([{"date": "2023-04-06", **late}, {"date": "2023-04-13", **early}])


def test_the_share_of_the_dead_by_channel_is_read_by_name_on_the_day():
    shares = {"killed_total_regulars": 0.40, "killed_total_contracts": 0.20, "killed_total_conscripts": 0.05,
              "killed_total_mobilised": 0.10, "killed_total_prisoner_recruits": 0.25}
    national = _channels(shares)
    by = {t.name: t for t in tg.read_targets()}
    got = {n: tg.model_value(by[n], national) for n in goals.SHARES}
    assert got["killed_share_professional_2023_04"] == pytest.approx(0.45)      # regulars + conscripts
    assert got["killed_share_volunteers_2023_04"] == pytest.approx(0.20)
    assert got["killed_share_prisoners_2023_04"] == pytest.approx(0.25)
    assert sum(got.values()) == pytest.approx(1.0)
    assert math.isnan(tg.model_value(by["killed_share_mobilised_2023_04"], national.drop(columns=["killed_total_mobilised"])))
    status = {s.label: s for s in goals.evaluate(got)}["the dead by channel, Apr 2023"]
    assert status.met is True and status.value == "volunteers +6 pts"
    worse = goals.evaluate({**got, "killed_share_volunteers_2023_04": 0.30})
    assert [s for s in worse if s.label.startswith("the dead")][0].met is False


def test_the_channels_the_metric_reads_are_the_models_when_it_reports_them():
    reported = tuple(c for c in schema.NATIONAL_NAMES if c.startswith("killed_total_"))
    assert reported in ((), KILLED_CHANNELS)


def test_the_composition_targets_are_the_tables_shares_over_the_known_unit_types():
    d = _data("regional_deaths_by_unit_2023_04.csv")
    assert len(d) == 85 and (d[["professional", "volunteers", "mobilised", "inmates", "pmc", "police_rosgv_fsb", "unknown"]]
                             .sum(axis=1) == d["total"]).all()
    named = _data("regional_deaths_2023_04.csv").set_index("iso")["deaths_named_to_2023_04_12"]
    assert (named.reindex(d["iso"]).to_numpy() == d["total"].to_numpy()).all()      # the same deaths as the rates
    known = d[["professional", "volunteers", "mobilised", "inmates", "pmc"]].sum()
    share = known / known.sum()
    by = {t.name: t for t in tg.read_targets()}
    expected = {"professional": share["professional"], "volunteers": share["volunteers"], "mobilised": share["mobilised"],
                "prisoners": share["inmates"] + share["pmc"]}
    for name, key in goals.SHARES.items():
        t = by[name]
        assert t.observed == pytest.approx(expected[key], abs=0.0006)
        assert (t.low, t.high) == pytest.approx((t.observed - 0.08, t.observed + 0.08))


def test_log_sd_takes_a_zero_at_half_the_smallest_rate_and_ranks_share_their_places():
    assert log_sd([1.0, 2.0, 4.0, 0.0]) == pytest.approx(np.log([1.0, 2.0, 4.0, 0.5]).std(ddof=1))
    assert math.isnan(log_sd([0.0, 0.0, 3.0]))
    rate = pd.Series({"A": 5.0, "B": 1.0, "C": 1.0, "D": 9.0})
    assert [rank_from_top(rate, r) for r in "DABC"] == [1.0, 2.0, 3.5, 3.5]
    assert math.isnan(rank_from_top(rate, "ZZ"))


def test_the_regional_goal_targets_follow_from_the_data():
    d = _data("regional_deaths_2023_04.csv").set_index("iso")["deaths_per_10k_men_2023_04"]
    by = {t.name: t for t in tg.read_targets()}
    spread = by["regional_deaths_log_sd_2023_04"]
    assert (d > 0).all() and spread.observed == pytest.approx(log_sd(d), abs=0.0006)
    assert (spread.low, spread.high) == pytest.approx((0.8 * spread.observed, 1.25 * spread.observed), abs=0.001)
    for name, iso in (("tuva", "TY"), ("buryatia", "BU"), ("moscow", "MOW"), ("st_petersburg", "SPE")):
        t = by[f"regional_deaths_rank_{name}_2023_04"]
        assert t.against == iso and t.observed == rank_from_top(d, iso)
        assert (t.low, t.high) == ((1, 5) if t.observed <= 5 else (81, 85))


def test_the_goals_are_judged_on_their_thresholds_and_fit_a_terminal():
    by = {t.name: t for t in tg.read_targets()}
    met = {n: (by[n].observed if by[n].banded else 1.0) for g in goals.GOALS for n in g.targets}
    assert all(s.met for s in goals.evaluate(met))
    loose = goals.evaluate({**met, "regional_deaths_rank_2023_04": 0.65})      # below its target's band, above the goal
    assert loose[0].met is True and not by["regional_deaths_rank_2023_04"].in_band(0.65)
    missed = goals.evaluate({**met, "regional_deaths_rank_moscow_2023_04": 33.0, "named_deaths_bakhmut_ratio_2023": 1.1})
    assert [s.label for s in missed if s.met is False] == ["Moscow's rank", "Bakhmut: deaths Jan-Mar / Apr-Sep 2023"]
    unknown = goals.evaluate({})
    assert all(s.met is None and s.value == "n/a" for s in unknown)
    text = goals.block(missed)
    assert text.splitlines()[0].startswith(goals.TITLE) and "9 of 11 met" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_a_bad_option_is_one_line_and_exit_2(tmp_path):
    for args, fragment in ((["--draws", "3"], "--draws: only with --posterior"),
                           (["--scale", "0"], "argument --scale: got 0"),
                           (["--out", str(tmp_path / "v.txt")], "--out: got"),
                           (["--posterior", str(tmp_path / "none.parquet"), "--draws", "2"], "--posterior: got")):
        res = subprocess.run([sys.executable, "-m", "draftsim.experiments.validation", *args], capture_output=True, text=True)
        assert res.returncode == 2, (args, res.stderr)
        assert fragment in res.stderr and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "validation").exists()


@pytest.mark.slow
def test_the_generator_writes_every_target_the_goals_and_three_figures(tmp_path):
    out = tmp_path / "docs" / "VALIDATION.md"
    res = subprocess.run([sys.executable, "-m", "draftsim.experiments.validation", "--scale", "1000", "--seeds", "1", "2",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert "--scale 1000 --seeds 1 2" in text and "code version draftsim" in text
    for t in tg.read_targets():
        assert (f"| {t.name} |" in text) == t.compared, t.name
    for g in goals.GOALS:
        assert f"| {g.label} |" in text
    for png in ("regional_deaths_scatter.png", "deaths_by_month.png", "deaths_by_channel.png"):
        path = out.parent / "validation" / png
        assert path.stat().st_size > 20_000 and f"(validation/{png})" in text
    assert goals.TITLE in res.stdout
