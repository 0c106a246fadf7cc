"""The targets table holds only what is compared, and says how the model's figure is made comparable."""

from __future__ import annotations

import csv
import datetime as dt
import math

import numpy as np
import pytest

from draftsim.experiments import targets as tg
from draftsim.experiments.observation import observation
from draftsim.model import DraftModel, load_scenario
from draftsim.model.timeline import packaged, read_callups, read_events
from draftsim.model.units import WEEKS_PER_MONTH

UNTIL = dt.date(2025, 4, 30)


@pytest.fixture(scope="module")
def national():
    sc = load_scenario("baseline")
    m = DraftModel(sc.params, seed=2, scale=3000, events=sc.events)
    m.run(until=UNTIL)
    return m.national_frame()


def test_every_target_is_named_once_and_is_either_compared_or_says_why_not():
    ts = tg.read_targets()
    names = [t.name for t in ts]
    assert len(names) == len(set(names)) and all(n.replace("_", "").isalnum() for n in names)
    for t in ts:
        assert t.compared != bool(t.not_compared_because), t.name
        if t.compared:
            assert tg.check_outcome(t.model_outcome) is None, (t.name, tg.check_outcome(t.model_outcome))
        assert t.start <= t.end
        cv = observation(t.observation).cv
        if t.banded:
            assert t.low <= t.observed <= t.high and t.sd == pytest.approx(math.hypot((t.high - t.low) / 4, t.observed * cv))
        elif cv:
            assert t.sd == pytest.approx(t.observed * cv)      # an exact count: its only error is the observation model's
    assert sum(t.compared for t in ts) >= 20


def test_forcings_are_not_targets():
    """The call-ups, the mobilisation target and the foreign contingent are read as inputs; the table never is."""
    metrics = {t.metric for t in tg.read_targets()}
    assert not metrics & {"conscription_callup", "north_korean_troops"}
    with packaged("conscription_callups.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(c.start.isoformat(), c.end.isoformat(), c.target_men) for c in read_callups()] == [
        (r["period_start"], r["period_end"], float(r["men"])) for r in rows]
    assert sum(c.target_men for c in read_callups() if c.start.year == 2023) == 277_000   # 147k spring + 130k autumn
    assert "regional_bonus_mean" not in {e.parameter for e in read_events()}


def test_the_model_figures_are_the_outcomes_the_table_names(national):
    by = {t.name: t for t in tg.read_targets()}
    dates = national["date"].astype(str).to_numpy()
    weeks = (dates >= "2024-01-01") & (dates <= "2024-12-31")
    contracts = national["new_contracts"].to_numpy(dtype=float)
    assert tg.model_value(by["contracts_per_month_2024"], national) == pytest.approx(contracts[weeks].mean() * WEEKS_PER_MONTH)
    casualties = national["new_killed"].to_numpy(dtype=float) + national["new_wounded"].to_numpy(dtype=float)
    assert tg.model_value(by["killed_plus_wounded_per_day_2024"], national) == pytest.approx(casualties[weeks].mean() / 7)
    killed = national.loc[dates <= "2024-06-30", "killed_total"].iloc[-1]
    assert tg.model_value(by["killed_by_mid_2024"], national) == killed
    upto = dates <= "2025-12-31"
    ratio = national["new_wounded"].to_numpy()[upto].sum() / national["new_killed"].to_numpy()[upto].sum()
    assert tg.model_value(by["wounded_to_killed_ratio"], national) == pytest.approx(ratio)
    # the week of the 21 Sep 2022 decree starts on 15 Sep: the model's week, not the observed days
    first = national.loc[dates == "2022-09-15", "new_emigrants"].iloc[0]
    assert tg.model_value(by["emigrants_first_week_after_mobilisation"], national) == first


def test_the_comparison_covers_what_the_run_reached_and_flags_the_band(national):
    table = tg.compare(national)
    names = set(table["target"])
    assert "killed_by_mid_2024" in names and "mean_regional_bonus_2025_04" in names
    assert "killed_by_aug_2025" not in names and "contracts_per_month_2025" not in names   # past the run's end
    reports_channels = "killed_total_regulars" in national     # the dead by channel: once the model books them
    for _, r in table.iterrows():
        if r["target"].startswith("killed_share_") and not reports_channels:
            assert math.isnan(r["model"])
            continue
        assert math.isfinite(r["model"]) and (r["model"] >= 0 or r["unit"] == "correlation"), r["target"]
        if r["low"] is not None and not np.isnan(r["low"]):
            assert r["in_band"] == (r["low"] <= r["model"] <= r["high"])


def test_a_bad_outcome_expression_is_named():
    assert tg.check_outcome("mean_monthly:new_contracts") is None
    assert "metric" in tg.check_outcome("new_contracts")
    assert "unknown: new_nothing" in tg.check_outcome("total:new_contracts+new_nothing")
    assert tg.check_outcome("ratio:new_killed") == "ratio:flow/flow"
    assert "a metric" in tg.check_outcome("median:new_killed")


def test_observation_models_make_the_sources_count(national):
    """Named deaths: coverage x the deaths of ~9 months earlier; emigrants of all ages: the model's men / their share."""
    by = {t.name: t for t in tg.read_targets()}
    named, lag = by["named_deaths_by_2024_06"], observation("named_list").lag_days
    assert 200 <= lag <= 330
    dates = national["date"].astype(str).to_numpy()
    died_by = (dt.date(2024, 6, 3) - dt.timedelta(days=lag)).isoformat()
    killed = national.loc[dates <= died_by, "killed_total"].iloc[-1]
    assert tg.model_value(named, national) == pytest.approx(0.55 * killed)
    assert named.needs_until < named.end
    abroad = by["emigrants_abroad_mid_2024"]
    stock = national.loc[dates <= "2024-07-01", "abroad"].iloc[-1]
    assert tg.model_value(abroad, national) == pytest.approx(stock / 0.5)
    assert abroad.sd == pytest.approx(math.hypot(4000, 658_000 * 0.15))


def test_every_data_file_of_the_package_is_described_in_its_sources():
    from importlib import resources

    data = resources.files("draftsim.model").joinpath("data")
    sources = data.joinpath("SOURCES.md").read_text(encoding="utf-8")
    files = sorted(f.name for f in data.iterdir() if f.name.endswith(".csv"))
    assert {"observation_models.csv", "regional_targets.csv", "regional_deaths_2023_04.csv"} <= set(files)
    assert [f for f in files if f not in sources] == []
