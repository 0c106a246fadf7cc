"""The live view's server side without a browser: sessions, levers, flows, lives, charts, exports."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from draftsim.agents.states import Status
from draftsim.model import DraftModel, Parameters, load_scenario
from draftsim.model.reporting import NATIONAL_FLOWS
from draftsim.viz import charts, export, flows
from draftsim.viz.levers import LEVERS, LeverError, lever
from draftsim.viz.lives import PAST_AGE
from draftsim.viz.session import DEFAULT_SCALE, LiveSession, check_setup


@pytest.fixture(scope="module")
def played():
    """A session played to mid-2023 with one lever moved on the way."""
    s = LiveSession("baseline", 1, DEFAULT_SCALE)
    s.step(40)
    s.set_lever("federal_bonus_multiplier", 2.0)
    s.step(30)
    return s


def _stepped_model(seed: int, weeks: int) -> DraftModel:
    """The baseline model at 1:1000 run ``weeks`` steps, as a session would be (independently of viz)."""
    sc = load_scenario("baseline")
    m = DraftModel(sc.params, seed=seed, scale=1000, events=sc.events)
    for _ in range(weeks):
        m.step()
    return m


# --- the session ----------------------------------------------------------------------------------

def test_a_new_session_has_simulated_the_first_week():
    s = LiveSession()
    assert s.date == "2022-02-24" and s.week == 0 and len(s.history) == 1


@pytest.mark.slow
def test_step_advances_one_week_and_stops_at_the_scenario_end():
    s = LiveSession()
    assert s.step() == 1 and s.date == "2022-03-03"
    total_weeks = (load_scenario("baseline").params.end_date - dt.date(2022, 2, 24)).days // 7
    assert s.step(520) == total_weeks - 1 and s.finished
    assert s.step() == 0


def test_the_session_is_the_model_run_with_the_same_seed_bit_for_bit():
    s = LiveSession("baseline", 7, 1000)
    s.step(30)
    m = _stepped_model(7, 31)
    pd.testing.assert_frame_equal(s.model.national_frame(), m.national_frame())


def test_a_lever_moved_mid_run_is_the_model_updated_at_that_week():
    s = LiveSession("baseline", 3, 1000)
    s.step(20)
    assert s.set_lever("federal_bonus_multiplier", 3.0)
    s.step(10)
    m = _stepped_model(3, 21)
    m.update_parameters(federal_bonus_multiplier=3.0)
    for _ in range(10):
        m.step()
    pd.testing.assert_frame_equal(s.model.national_frame(), m.national_frame())
    assert [c.step for c in s.changes] == [20] and s.changes[0].text == "Federal sign-on bonus: 1× → 3×"


@pytest.mark.slow
def test_raising_the_bonus_mid_run_gives_more_recruits_than_the_untouched_run():
    a, b = LiveSession("baseline", 1, 1000), LiveSession("baseline", 1, 1000)
    a.step(60)
    b.step(60)
    assert a.model.latest == b.model.latest
    a.set_lever("federal_bonus_multiplier", 5.0)
    a.step(12)
    b.step(12)
    assert a.model.latest["recruits_total"] > 1.2 * b.model.latest["recruits_total"] - 0.2 * b.history[60]["recruits_total"]
    assert a.totals["contracts"] > b.totals["contracts"]


def test_setting_a_lever_to_its_current_value_records_nothing():
    s = LiveSession()
    assert not s.set_lever("enforcement", 1.0) and s.changes == []


@pytest.mark.parametrize("parameter, value, message", [
    ("federal_bonus_multiplier", 5.5, "federal_bonus_multiplier: got 5.5; allowed: [0, 5]"),
    ("federal_bonus_multiplier", -1, "federal_bonus_multiplier: got -1; allowed: [0, 5]"),
    ("federal_bonus_multiplier", float("nan"), "federal_bonus_multiplier: got nan; allowed: a number in [0, 5]"),
    ("federal_bonus_multiplier", "2", "federal_bonus_multiplier: got '2'; allowed: a number in [0, 5]"),
    ("e_register_enabled", 1, "e_register_enabled: got 1; allowed: true or false"),
    ("start_date", 1, "lever: got 'start_date'; allowed: federal_bonus_multiplier,"),
    ("__class__", 1, "lever: got '__class__'; allowed:"),
])
def test_a_lever_out_of_range_is_refused_in_one_line_and_changes_nothing(parameter, value, message):
    s = LiveSession()
    before = s.model.p
    with pytest.raises(LeverError) as err:
        s.set_lever(parameter, value)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert s.model.p is before and s.changes == []


@pytest.mark.parametrize("scenario, seed, scale, message", [
    ("nope", 1, 1000, "scenario: got 'nope'; allowed: baseline,"),
    ("baseline", "12a", 1000, "seed: got '12a'; allowed: an integer in [0, 2147483647]"),
    ("baseline", -1, 1000, "seed: got -1; allowed"),
    ("baseline", 2**31, 1000, "seed: got 2147483648; allowed"),
    ("baseline", 1, 50, "scale: got 50; allowed: 10, 30, 100, 300, 1000, 3000 men per agent"),
    ("../../etc/passwd", 1, 1000, "scenario: got '../../etc/passwd'; allowed"),
])
def test_reset_refuses_a_bad_setup_in_one_line_and_keeps_the_run(scenario, seed, scale, message):
    s = LiveSession()
    s.step(3)
    with pytest.raises(LeverError) as err:
        s.reset(scenario, seed, scale)
    assert str(err.value).startswith(message)
    assert s.week == 3


def test_a_seed_typed_as_text_is_accepted():
    assert check_setup("baseline", " 42 ", "300") == ("baseline", 42, 300)


def test_every_lever_is_a_model_parameter_within_its_range():
    defaults = Parameters()
    for lv in LEVERS:
        assert lv.help and lv.label
        if lv.kind == "slider":
            assert lv.check(lv.low) == lv.low and lv.check(lv.high) == lv.high
            # each end of the slider is a value the model accepts (ParameterError otherwise)
            assert getattr(defaults.replace(**{lv.parameter: lv.low}), lv.parameter) == lv.low
            assert getattr(defaults.replace(**{lv.parameter: lv.high}), lv.parameter) == lv.high
        else:
            assert isinstance(getattr(defaults, lv.parameter), bool)
    assert lever("enforcement").describe(1.5) == "1.5×"
    assert lever("foreign_men_per_month").describe(12500.0) == "12,500 men/month"


def test_the_step_lock_serialises_a_lever_moved_during_play():
    import threading

    s = LiveSession()
    t = threading.Thread(target=s.step, args=(40,))
    t.start()
    for v in np.linspace(0.5, 3.0, 20):
        s.set_lever("enforcement", float(v))
    t.join()
    assert s.week == 40 and len(s.changes) == 20 and len(s.levers_by_week) == 41


# --- flows --------------------------------------------------------------------------------------

def test_the_cumulative_flows_are_the_sum_of_the_weeks(played):
    frame = played.model.national_frame()
    for f in NATIONAL_FLOWS:
        assert played.totals[f] == pytest.approx(frame[f"new_{f}"].sum())


def test_the_sankey_reads_the_ledger(played):
    t = played.totals
    sk = flows.sankey(t)
    assert sk.link("Civilian men", "Notice served") == pytest.approx(t["notices_sent"] - t["notices_failed"])
    assert sk.link("Notice served", "Mobilised") == pytest.approx(t["mobilised"])
    assert sk.link("Deployed", "Killed") == pytest.approx(t["killed"] + t["foreign_killed"])
    assert sk.link("Prison colonies", "Prisoner recruit") == pytest.approx(t["prisoner_recruits"]) and t["prisoner_recruits"] > 0
    assert all(v > 0 for v in sk.value) and len(sk.labels) == len(set(sk.labels))


def test_an_empty_week_gives_an_empty_sankey():
    sk = flows.sankey(dict.fromkeys(NATIONAL_FLOWS, 0.0))
    assert sk.labels == [] and sk.value == []


# --- lives --------------------------------------------------------------------------------------

def test_lives_follow_the_agents_week_by_week(played):
    m = played.model
    tr = played.tracker
    assert len(tr.weeks) == played.week + 1
    # the recorded status of every watched man who is an agent now is his agent's status
    agents = {a.pool_index: a.status for a in m.people() if a.pool_index >= 0}
    # a watched man in a final state is no longer an agent; the model still holds him for the tracker
    agents.update({row: man.status for row, man in m.watched.items() if man is not None and man.status is not None})
    last = tr.weeks[-1]
    for k, idx in enumerate(tr.watched):
        if int(idx) in agents:
            assert last[k] == agents[int(idx)]
        else:
            assert last[k] in (Status.CIVILIAN, PAST_AGE)


def test_lives_of_a_region_are_a_dozen_of_its_men(played):
    r = played.region_index("MOW")
    lives = played.lives(r)
    assert len(lives) == 12 and all(life.region == "MOW" and len(life.statuses) == played.week + 1 for life in lives)
    touched = played.lives(r, touched_only=True)
    assert touched and all(life.touched for life in touched)
    stories = [life.story(played.dates()) for life in touched]
    assert all(" · " in st or "throughout" in st for st in stories)


def test_watching_men_does_not_change_the_run():
    s = LiveSession("baseline", 5, 1000)
    s.step(10)
    assert s.model.latest == _stepped_model(5, 11).latest


# --- charts -------------------------------------------------------------------------------------

def _all_figures(s: LiveSession) -> dict[str, dict]:
    r = s.region_index("TY")
    figs = {name: build(s) for name, build in charts.TIME_SERIES.items()}
    figs["bonus"] = charts.bonus_levels(s, r)
    figs["week"] = charts.flows_sankey(s, False)
    figs["cumulative"] = charts.flows_sankey(s, True)
    for metric in charts.MAP_METRICS:
        for window in charts.MAP_WINDOWS:
            figs[f"map-{metric}-{window}"] = charts.region_map(s, metric, window, r)
    figs["region"] = charts.region_panel(s, r)
    figs["lives"] = charts.lives_chart(s, r, False)
    figs["lives-touched"] = charts.lives_chart(s, r, True)
    return figs


def test_every_chart_is_a_valid_plotly_figure_and_plain_json(played):
    for fig in _all_figures(played).values():
        go.Figure(fig)                                   # plotly.py's validators: raises on a bad property
        json.dumps(fig, allow_nan=False)                 # what the widget sends: no numpy, no NaN


def test_charts_mark_the_current_date_and_each_lever_change(played):
    fig = charts.recruits_by_channel(played)
    xs = [sh["x0"] for sh in fig["layout"]["shapes"]]
    assert xs[0] == played.date and played.changes[0].date in xs
    assert any("Federal sign-on bonus: 1× → 2×" in a["text"] for a in fig["layout"]["annotations"])
    region = charts.region_panel(played, 3)
    assert sum(sh["x0"] == played.changes[0].date for sh in region["layout"]["shapes"]) == 4


def test_the_map_colours_regions_by_rate_per_10k_men(played):
    fig = charts.region_map(played, "deaths", "all", None)
    pts = fig["data"][0]
    latest = played.region_latest()
    k = 10
    assert pts["marker"]["color"][k] == pytest.approx(latest["killed_total"][k] * 1e4 / latest["men"][k])
    assert pts["customdata"][k][0] == played.model.regions[k].iso and len(pts["x"]) == 85


def test_the_first_week_draws_without_error():
    figs = _all_figures(LiveSession())
    assert all(isinstance(f["data"], list) for f in figs.values())


# --- exports ------------------------------------------------------------------------------------

def test_the_national_csv_has_the_model_columns_and_the_levers_in_force(played):
    table = pd.read_csv(io.BytesIO(export.national_csv(played)))
    model_cols = list(played.model.national_frame().columns)
    assert list(table.columns) == model_cols + export.LEVER_COLUMNS
    assert len(table) == played.week + 1
    assert table["federal_bonus_multiplier"].iloc[40] == 1.0 and table["federal_bonus_multiplier"].iloc[41] == 2.0


def test_the_regional_csv_has_a_row_per_region_and_week(played):
    table = pd.read_csv(io.BytesIO(export.regional_csv(played)))
    assert len(table) == 85 * (played.week + 1)
    assert list(table.columns[:4]) == ["step", "date", "region", "region_name"]
    assert set(table["region_name"]) >= {"Moscow", "Tuva"}


def test_the_setup_json_replays_the_run(played):
    setup = json.loads(export.setup_json(played))
    assert setup["seed"] == 1 and setup["scale"] == DEFAULT_SCALE and setup["weeks"] == played.week + 1
    sc = load_scenario(setup["scenario"])
    m = DraftModel(sc.params, seed=setup["seed"], scale=setup["scale"], events=sc.events)
    changes = {c["step"]: c for c in setup["lever_changes"]}
    for week in range(setup["weeks"]):
        m.step()
        if week in changes:
            m.update_parameters(**{changes[week]["parameter"]: changes[week]["new"]})
    assert m.latest == played.model.latest
    assert "packages" in setup and "git_commit" in setup["code"]


def test_every_exported_column_is_documented_in_the_readme(played):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    cols = list(export.national_table(played).columns) + list(export.regional_table(played).columns)
    missing = [c for c in cols if f"`{c}`" not in readme and f"`new_{c[4:]}`" not in readme]
    assert missing == []
