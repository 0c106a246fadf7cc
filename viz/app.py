"""The live view: a Solara page to watch recruitment flows and steer policy while the model runs.

Start it with ``draftsim viz``.  The page owns one ``LiveSession`` per browser session; levers act
on it mid-run, Reset builds a new one from the scenario, seed and scale.  The charts are built in
``viz.charts`` and drawn by ``viz.plotly_view``; nothing on the page evaluates user text.
"""

from __future__ import annotations

import time
from importlib import resources

import solara
import solara.lab

from model import builtin_scenarios
from viz import charts, export
from viz.levers import LEVERS, LeverError
from viz.plotly_view import PlotlyView
from viz.session import DEFAULT_SCALE, SCALES, SEED_MAX, LiveSession

SPEEDS = (1, 20)   # weeks per second offered by the speed slider


def _about() -> str:
    return resources.files("viz").joinpath("about.md").read_text(encoding="utf-8")


def testid(name: str, *children, style: str = "") -> solara.v.Html:
    return solara.v.Html(tag="div", attributes={"data-testid": name}, style_=style, children=list(children))


@solara.component
def Chart(name: str, build, version: int, lock, on_click=None):
    """A plotly chart drawn from ``build()``; ``on_click`` receives the clicked point's customdata.

    The figure goes to the widget in an effect, not as a prop: reacton would otherwise walk and
    compare every nested list of every figure on each render (~100 ms a step for the page).
    """
    el = PlotlyView.element(filename=f"draftsim-{name}")

    def push():
        widget = solara.get_widget(el)
        with lock:                   # the Play thread may be stepping: build from one consistent week
            figure = build()
        widget.figure = figure
        widget.revision = version

    solara.use_effect(push)          # after every render

    def listen():
        widget = solara.get_widget(el)

        def handle(_, content, __):
            if on_click is not None and isinstance(content, dict) and content.get("event") == "click":
                on_click(content.get("customdata"))

        widget.on_msg(handle)
        return lambda: widget.on_msg(handle, remove=True)

    solara.use_effect(listen, [on_click])
    return testid(f"chart-{name}", el)


@solara.component
def Monitor(label: str, value: str, name: str):
    with solara.Card(style="min-width: 130px; padding: 6px 10px; margin: 3px;", elevation=1):
        solara.Text(label, style="font-size: 11px; color: #666;")
        testid(f"monitor-{name}", solara.Text(value, style="font-size: 18px; font-weight: 500;"))


@solara.component
def Page():
    session = solara.use_memo(LiveSession, [])
    # Two counters: `version` after every step or lever move (read by the live panels and the run
    # buttons), `setup` after a Reset (read by the levers and exports).  Page itself reads neither,
    # so a step re-renders the panels, not the sidebar's forty-odd widgets.
    version = solara.use_reactive(0)
    setup = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(5)
    scenario = solara.use_reactive(session.scenario)
    seed_text = solara.use_reactive(str(session.seed))
    scale = solara.use_reactive(DEFAULT_SCALE)
    error = solara.use_reactive("")
    region = solara.use_reactive(session.region_index("MOW"))
    sankey_span = solara.use_reactive("this week")
    map_metric = solara.use_reactive("recruits")
    map_window = solara.use_reactive("since the start")
    touched_only = solara.use_reactive(True)

    def refresh():
        version.set(version.value + 1)

    def guarded(action):
        def run(*args):
            try:
                action(*args)
                error.set("")
            except LeverError as exc:
                error.set(str(exc))
            refresh()
        return run

    def play_loop():
        while playing.value:
            started = time.perf_counter()
            if session.step() == 0:
                playing.set(False)
                break
            refresh()
            time.sleep(max(0.0, 1.0 / speed.value - (time.perf_counter() - started)))

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset():
        playing.set(False)
        session.reset(scenario.value, seed_text.value, scale.value)
        setup.set(setup.value + 1)

    def select_region(customdata):
        """A click on the map; anything but a known region code from the browser is ignored."""
        if isinstance(customdata, list) and customdata and isinstance(customdata[0], str):
            try:
                region.set(session.region_index(customdata[0]))
            except LeverError:
                pass

    solara.Title("draftsim — live view")
    with solara.AppBar():
        solara.AppBarTitle("draftsim — recruitment and evasion, live")

    with solara.Sidebar():
        RunCard(session, version, playing, guarded(session.step), guarded(reset))
        with solara.Card(margin=0):
            solara.SliderInt("Speed (weeks per second)", value=speed, min=SPEEDS[0], max=SPEEDS[1])
            solara.Select("Scenario", values=list(builtin_scenarios()), value=scenario)
            solara.InputText(f"Seed (0 to {SEED_MAX})", value=seed_text, continuous_update=True)
            solara.Select("Scale (men per agent)", values=list(SCALES), value=scale)
            solara.Text("Scenario, seed and scale apply on Reset; levers act from the next week.",
                        style="font-size: 11px; color: #666;")
        LeverCard(session, setup, guarded)
        ExportCard(session, setup)

    ErrorBanner(error)
    with solara.lab.Tabs():
        with solara.lab.Tab("Live"):
            LiveTab(session, version, region, sankey_span, map_metric, map_window, touched_only, select_region)
        with solara.lab.Tab("About"):
            testid("about", solara.Markdown(_about()))


@solara.component
def RunCard(session: LiveSession, version, playing, step, reset):
    _ = version.value          # re-render after each step: Step and Play are disabled at the scenario's end
    with solara.Card("Run", margin=0):
        with solara.Row(gap="4px"):
            solara.Button("Reset", icon_name="mdi-restart", on_click=reset, outlined=True)
            solara.Button("Step", icon_name="mdi-step-forward", on_click=step,
                          disabled=playing.value or session.finished, outlined=True)
            if playing.value:
                solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False), color="warning")
            else:
                solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True), color="primary",
                              disabled=session.finished)


@solara.component
def LeverCard(session: LiveSession, setup, guarded):
    _ = setup.value            # a Reset brings the scenario's lever values
    values = session.levers
    with solara.Card("Levers", margin=0, style="margin-top: 8px;"):
        for lv in LEVERS:
            if lv.kind == "switch":
                solara.Switch(label=lv.label, value=bool(values[lv.parameter]),
                              on_value=guarded(lambda v, p=lv.parameter: session.set_lever(p, bool(v))))
            else:
                solara.SliderFloat(lv.label + (f" ({lv.unit.strip()})" if lv.unit.strip() else ""),
                                   value=float(values[lv.parameter]), min=lv.low, max=lv.high, step=lv.step,
                                   on_value=guarded(lambda v, p=lv.parameter: session.set_lever(p, float(v))))
            solara.Text(lv.help, style="font-size: 10px; color: #777; margin: -10px 0 6px 0; display: block;")


@solara.component
def ExportCard(session: LiveSession, setup):
    _ = setup.value            # file names carry the scenario, seed and scale
    with solara.Card("Export", margin=0, style="margin-top: 8px;"):
        solara.FileDownload(lambda: export.national_csv(session), export.filename(session, "national", "csv"),
                            label="National table (CSV)")
        solara.FileDownload(lambda: export.regional_csv(session), export.filename(session, "regional", "csv"),
                            label="Regional table (CSV)")
        solara.FileDownload(lambda: export.setup_json(session), export.filename(session, "setup", "json"),
                            label="Run setup (JSON)")
        solara.Text("Any chart: the camera icon above it saves a PNG.", style="font-size: 11px; color: #666;")


@solara.component
def ErrorBanner(error):
    if error.value:
        testid("error", solara.Error(error.value))


@solara.component
def LiveTab(session: LiveSession, version, region, sankey_span, map_metric, map_window, touched_only, select_region):
    # The Play thread steps the model while another thread may be rendering (reacton leaves a render
    # to the thread that holds its lock): read one consistent week, not a history that grows mid-render.
    with session.lock:
        _live_tab(session, version, region, sankey_span, map_metric, map_window, touched_only, select_region)


def _live_tab(session: LiveSession, version, region, sankey_span, map_metric, map_window, touched_only, select_region):
    s, last = session, session.model.latest
    r, v = region.value, version.value
    cumulative, metric, touched = sankey_span.value == "since the start", map_metric.value, touched_only.value
    with solara.Row(style="flex-wrap: wrap;"):
        Monitor("Date", s.date, "date")
        Monitor("Week", str(s.week), "week")
        Monitor("Recruits since the start", f"{last['recruits_total']:,.0f}", "recruits")
        Monitor("Deployed", f"{last['deployed']:,.0f}", "deployed")
        Monitor("Killed", f"{last['killed_total']:,.0f}", "killed")
        Monitor("Evaded a notice", f"{s.totals['evaders']:,.0f}", "evaders")
        Monitor("Emigrated", f"{last['emigrants_total']:,.0f}", "emigrants")
        Monitor("Offer (federal + mean regional)", f"{last['federal_bonus_rub'] + last['mean_regional_bonus_rub']:,.0f} ₽", "offer")
        if s.finished:
            Monitor("Run", "finished", "finished")
    with solara.Columns([5, 6]):
        with solara.Column():
            solara.ToggleButtonsSingle(value=sankey_span, values=["this week", "since the start"])
            Chart("flows", lambda: charts.flows_sankey(s, cumulative), v, s.lock)
        with solara.Column():
            with solara.Row():
                solara.ToggleButtonsSingle(value=map_metric, values=list(charts.MAP_METRICS))
                solara.ToggleButtonsSingle(value=map_window, values=list(charts.MAP_WINDOWS.values()))
            window = {label: key for key, label in charts.MAP_WINDOWS.items()}[map_window.value]
            Chart("map", lambda: charts.region_map(s, metric, window, r), v, s.lock, on_click=select_region)
    with solara.Columns([6, 5]):
        with solara.Column():
            testid("region-name", solara.Text(f"Selected region: {s.region_names()[r]}", style="font-weight: 500;"))
            Chart("region", lambda: charts.region_panel(s, r), v, s.lock)
        with solara.Column():
            solara.Switch(label="Only men something happened to", value=touched_only)
            Chart("lives", lambda: charts.lives_chart(s, r, touched), v, s.lock)
            with testid("lives-stories"):
                dates = s.dates()
                for k, life in enumerate(s.lives(r, touched)):
                    solara.Text(f"man {k + 1} ({life.age_at_start:.0f}): {life.story(dates)}",
                                style="font-size: 11px; display: block;")
    with solara.Columns([1, 1, 1]):
        for name in ("recruits", "evasion", "deployed"):
            Chart(name, lambda name=name: charts.TIME_SERIES[name](s), v, s.lock)
    with solara.Columns([1, 1, 1]):
        Chart("casualties", lambda: charts.casualties(s), v, s.lock)
        Chart("bonus", lambda: charts.bonus_levels(s, r), v, s.lock)
        Chart("quota", lambda: charts.quota_fulfilment(s), v, s.lock)
