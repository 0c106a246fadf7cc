"""The live page rendered on the server (Solara's widget tree, no browser): cheaper than Chromium
for what does not need a browser — buttons, levers, the map's click handler, error messages."""

from __future__ import annotations

import time

import ipyvuetify as v
import pytest
import solara

from draftsim.viz.app import Page
from draftsim.viz.plotly_view import PlotlyView


@pytest.fixture
def live_page():
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def _testid(rc, name: str):
    return rc.find(v.Html, attributes={"data-testid": name})


def date(rc) -> str:
    return _testid(rc, "monitor-date").widget.children[0]


def button(rc, label: str):
    [b] = [w for w in rc.find(v.Btn).widgets if label in w.children]
    return b


def chart(rc, name: str) -> PlotlyView:
    [w] = [w for w in rc.find(PlotlyView).widgets if w.filename == f"draftsim-{name}"]
    return w


def slider(rc, label: str):
    [s] = [w for w in rc.find(v.Slider).widgets if w.label == label]
    return s


def test_the_page_has_every_panel(live_page):
    names = {w.filename.removeprefix("draftsim-") for w in live_page.find(PlotlyView).widgets}
    assert names == {"flows", "map", "region", "lives", "recruits", "evasion", "deployed", "casualties", "bonus", "quota"}
    for monitor in ("date", "week", "recruits", "deployed", "killed", "evaders", "emigrants", "offer"):
        _testid(live_page, f"monitor-{monitor}").assert_single()
    assert date(live_page) == "2022-02-24"
    assert all(w.figure["data"] is not None for w in live_page.find(PlotlyView).widgets)


def test_step_advances_the_date_and_redraws_the_charts(live_page):
    before = chart(live_page, "recruits").revision
    button(live_page, "Step").click()
    assert date(live_page) == "2022-03-03"
    assert chart(live_page, "recruits").revision > before
    assert chart(live_page, "recruits").figure["layout"]["shapes"][0]["x0"] == "2022-03-03"


def test_play_runs_and_pause_stops(live_page):
    button(live_page, "Play").click()
    deadline = time.time() + 20
    while date(live_page) < "2022-03-17" and time.time() < deadline:
        time.sleep(0.1)
    assert date(live_page) >= "2022-03-17"
    button(live_page, "Pause").click()
    time.sleep(0.5)
    paused = date(live_page)
    time.sleep(1.0)
    assert date(live_page) == paused
    button(live_page, "Play")   # the button is back


def test_a_lever_moved_on_the_page_acts_on_the_model_and_is_marked(live_page):
    button(live_page, "Step").click()
    slider(live_page, "Federal sign-on bonus (×)").v_model = 2.5
    button(live_page, "Step").click()
    fig = chart(live_page, "recruits").figure
    assert any("Federal sign-on bonus: 1× → 2.5×" in a["text"] for a in fig["layout"]["annotations"])
    assert slider(live_page, "Federal sign-on bonus (×)").v_model == 2.5


def test_a_map_click_selects_the_region(live_page):
    chart(live_page, "map")._handle_custom_msg({"event": "click", "customdata": ["TY", "Tuva"]}, [])
    assert _testid(live_page, "region-name").widget.children[0].children == ["Selected region: Tuva"]
    assert "Tuva" in chart(live_page, "region").figure["layout"]["title"]["text"]
    assert "Tuva" in chart(live_page, "lives").figure["layout"]["title"]["text"]


@pytest.mark.slow
@pytest.mark.parametrize("message", [
    {"event": "click", "customdata": ["XX", "Nowhere"]},
    {"event": "click", "customdata": "TY"},
    {"event": "click", "customdata": None},
    {"event": "exec", "code": "import os"},
])
def test_a_crafted_click_message_changes_nothing(live_page, message):
    chart(live_page, "map")._handle_custom_msg(message, [])
    assert _testid(live_page, "region-name").widget.children[0].children == ["Selected region: Moscow"]


def test_a_bad_seed_gets_one_line_and_keeps_the_run(live_page):
    button(live_page, "Step").click()
    [seed] = [w for w in live_page.find(v.TextField).widgets if w.label.startswith("Seed")]
    seed.v_model = "12; rm -rf /"
    button(live_page, "Reset").click()
    err = _testid(live_page, "error")
    err.assert_single()
    assert date(live_page) == "2022-03-03"
    text = str(err.widget.children)
    assert "seed: got '12; rm -rf /'; allowed: an integer in [0, 2147483647]" in text


def test_reset_applies_the_scenario_seed_and_scale(live_page):
    button(live_page, "Step").click()
    [seed] = [w for w in live_page.find(v.TextField).widgets if w.label.startswith("Seed")]
    seed.v_model = "9"
    button(live_page, "Reset").click()
    assert date(live_page) == "2022-02-24"
    assert not live_page.find(v.Html, attributes={"data-testid": "error"}).widgets


def _choose(rc, label: str) -> None:
    """Press the first toggle button with this label (the Sankey's come before the map's)."""
    for group in rc.find(v.BtnToggle).widgets:
        labels = [b.children[0] for b in group.children]
        if label in labels:
            group.v_model = labels.index(label)
            return
    raise AssertionError(f"no toggle {label!r}")


def test_the_view_toggles_redraw_their_charts(live_page):
    button(live_page, "Step").click()
    assert chart(live_page, "flows").figure["layout"]["title"]["text"].startswith("Flows of men in the week of")
    _choose(live_page, "since the start")
    assert chart(live_page, "flows").figure["layout"]["title"]["text"].startswith("Flows of men since 2022-02-24")
    _choose(live_page, "deaths")
    assert chart(live_page, "map").figure["layout"]["title"]["text"].startswith("Deaths per 10,000 men")


def test_a_reset_to_another_scenario_shows_its_levers(live_page):
    [switch] = [w for w in live_page.find(v.Switch).widgets if w.label == "Electronic register"]
    assert switch.v_model is True
    [select] = [w for w in live_page.find(v.Select).widgets if w.label == "Scenario"]
    select.v_model = "no-e-register"
    button(live_page, "Reset").click()
    [switch] = [w for w in live_page.find(v.Switch).widgets if w.label == "Electronic register"]
    assert switch.v_model is False


def test_a_crafted_speed_is_bounded_on_the_server():
    from draftsim.viz.app import weeks_per_second

    assert [weeks_per_second(v) for v in (0, -5, 1e9, "x", None, 7)] == [1.0, 1.0, 20.0, 1.0, 1.0, 7.0]
