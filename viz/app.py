"""The live view: a Solara page to watch recruitment flows and steer policy while the model runs.

Start it with ``draftsim viz``.  The page owns one ``LiveSession`` per browser session; levers act
on it mid-run, Reset builds a new one from the scenario, seed and scale.  The charts are built in
``viz.charts`` and drawn by ``viz.plotly_view``; a step updates them through ``viz.board``, not by
rendering the page again.  Nothing on the page evaluates user text.
"""

from __future__ import annotations

import time
from importlib import resources

import markdown
import solara
import solara.lab

from draftsim.model import builtin_scenarios
from draftsim.model.formats import whole
from draftsim.viz import charts, export
from draftsim.viz.board import Board, Chart, Live, Monitor, testid
from draftsim.viz.levers import LEVERS, LeverError
from draftsim.viz.session import DEFAULT_SCALE, SCALES, SEED_MAX, LiveSession

SPEEDS = (1, 20)   # weeks per second offered by the speed slider


def weeks_per_second(value) -> float:
    """The speed slider's value, bounded again on the server (a crafted message could send 0 or 1e9)."""
    try:
        return float(min(max(float(value), SPEEDS[0]), SPEEDS[1]))
    except (TypeError, ValueError):
        return float(SPEEDS[0])


def _about() -> str:
    return resources.files("draftsim.viz").joinpath("about.md").read_text(encoding="utf-8")


def _about_html() -> str:
    """about.md as HTML, converted here: solara.Markdown loads KaTeX and mermaid in the browser through
    Solara's CDN proxy, which fetches KaTeX from the internet on every page load (offline: a page error)."""
    return markdown.markdown(_about(), extensions=["tables"])


@solara.component
def Page():
    session = solara.use_memo(LiveSession, [])
    board = solara.use_memo(lambda: Board(session), [])
    # `setup` counts Resets (read by the levers and exports), `finished` turns the run buttons off;
    # everything a step changes goes through the board.
    setup = solara.use_reactive(0)
    finished = solara.use_reactive(False)
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
        board.update()
        finished.set(session.finished)

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
        # Play keeps pace with the page: a week is sent while the browser draws the one before, never
        # more, so what the page shows is what the model has done (and Pause stops it at once).
        while playing.value:
            started = time.perf_counter()
            if session.step() == 0:
                playing.set(False)
                break
            refresh()
            board.wait_until_shown(board.version - 1)
            time.sleep(max(0.0, 1.0 / weeks_per_second(speed.value) - (time.perf_counter() - started)))

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
        RunCard(finished, playing, guarded(session.step), guarded(reset))
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
            LiveTab(session, board, region, sankey_span, map_metric, map_window, touched_only, select_region)
        with solara.lab.Tab("About"):
            testid("about", solara.HTML(tag="div", unsafe_innerHTML=_about_html(), style="max-width: 900px;"))


@solara.component
def RunCard(finished, playing, step, reset):
    with solara.Card("Run", margin=0):
        with solara.Row(gap="4px"):
            solara.Button("Reset", icon_name="mdi-restart", on_click=reset, outlined=True)
            solara.Button("Step", icon_name="mdi-step-forward", on_click=step,
                          disabled=playing.value or finished.value, outlined=True)
            if playing.value:
                solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False), color="warning")
            else:
                solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True), color="primary",
                              disabled=finished.value)


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
def LiveTab(session: LiveSession, board: Board, region, sankey_span, map_metric, map_window, touched_only, select_region):
    s = session
    r = region.value
    # the toggles' values come from the browser: anything unknown falls back to the default view
    cumulative, touched = sankey_span.value == "since the start", bool(touched_only.value)
    metric = map_metric.value if map_metric.value in charts.MAP_METRICS else "recruits"
    window = {label: key for key, label in charts.MAP_WINDOWS.items()}.get(map_window.value, "all")
    last = lambda: s.model.latest  # noqa: E731
    with solara.Row(style="flex-wrap: wrap;"):
        Monitor("Date", "date", lambda: s.date, board)
        Monitor("Week", "week", lambda: f"{s.week}" + (" (end)" if s.finished else ""), board)
        Monitor("Recruits since the start", "recruits", lambda: whole(last()['recruits_total']), board)
        Monitor("Deployed", "deployed", lambda: whole(last()['deployed']), board)
        Monitor("Killed", "killed", lambda: whole(last()['killed_total']), board)
        Monitor("Evaded a notice", "evaders", lambda: whole(s.totals['evaders']), board)
        Monitor("Emigrated", "emigrants", lambda: whole(last()['emigrants_total']), board)
        Monitor("Offer (federal + mean regional)", "offer",
                lambda: f"{whole(last()['federal_bonus_rub'] + last()['mean_regional_bonus_rub'])} ₽", board)
    with solara.Columns([5, 6]):
        with solara.Column():
            solara.ToggleButtonsSingle(value=sankey_span, values=["this week", "since the start"])
            Chart("flows", lambda: charts.flows_sankey(s, cumulative), board)
        with solara.Column():
            with solara.Row():
                solara.ToggleButtonsSingle(value=map_metric, values=list(charts.MAP_METRICS))
                solara.ToggleButtonsSingle(value=map_window, values=list(charts.MAP_WINDOWS.values()))
            Chart("map", lambda: charts.region_map(s, metric, window, r), board, on_click=select_region)
    with solara.Columns([6, 5]):
        with solara.Column():
            testid("region-name", solara.Text(f"Selected region: {s.region_names()[r]}", style="font-weight: 500;"))
            Chart("region", lambda: charts.region_panel(s, r), board)
        with solara.Column():
            solara.Switch(label="Only men something happened to", value=touched_only)
            Chart("lives", lambda: charts.lives_chart(s, r, touched), board)
            Live("lives-stories", lambda: life_stories(s, r, touched), board,
                 style="font-size: 11px; white-space: pre-line;")
    with solara.Columns([1, 1, 1]):
        for name in ("recruits", "evasion", "deployed"):
            Chart(name, lambda name=name: charts.TIME_SERIES[name](s), board)
    with solara.Columns([1, 1, 1]):
        Chart("casualties", lambda: charts.casualties(s), board)
        Chart("bonus", lambda: charts.bonus_levels(s, r), board)
        Chart("quota", lambda: charts.quota_fulfilment(s), board)


def life_stories(s: LiveSession, region: int, touched: bool) -> str:
    dates = s.dates()
    return "\n".join(f"man {k + 1} ({life.age_at_start:.0f}): {life.story(dates)}"
                     for k, life in enumerate(s.lives(region, touched)))
