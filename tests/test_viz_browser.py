"""The live page in a real browser: ``draftsim viz`` served on a free loopback port, driven by
headless Chromium through Playwright.

What a student sees and does: every panel draws with no console error and nothing fetched from
another host; Step, Play and Pause move the run; the bonus slider changes its course; a click on the
map fills the region panel; the CSV and PNG downloads hold what they should.  Screenshots and
downloads are kept under ``test-artifacts/``.

The browser is Debian's ``chromium`` (``make test`` installs it): Playwright cannot download its own
here.  Without it these tests fail; they never skip.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from draftsim.model import DraftModel, load_scenario
from draftsim.viz.export import LEVER_COLUMNS
from draftsim.viz.session import DEFAULT_SCALE, LiveSession

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.subprocess]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1500, "height": 2200}      # the whole page: every chart in view, so every chart draws
COMPACT = {"width": 1500, "height": 700}        # a laptop window: the charts below wait until seen (faster steps)

CHARTS = ("flows", "map", "region", "lives", "recruits", "evasion", "deployed", "casualties", "bonus", "quota")
# Charts whose figure changes every week (a marker or title at the current date, the map's totals):
# each step redraws them and sets their data-revision.  A chart whose figure did not change is not
# redrawn and keeps its revision: the lives of a region where nothing happens can stay the same.
WEEKLY_CHARTS = tuple(c for c in CHARTS if c != "lives")
MONITORS = ("date", "week", "recruits", "deployed", "killed", "evaders", "emigrants", "offer")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
FEDERAL_BONUS_FROM = dt.date(2022, 10, 27)    # the first federal bonus in the baseline timeline (195,000 ₽)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- the server and the browser ----------------------------------------------------------------
class Server:
    """``draftsim viz`` in its own process group; its output goes to a log the tests read."""

    def __init__(self, log: Path, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "draftsim.experiments.cli", "viz", "--host", "127.0.0.1",
                                          "--port", str(self.port)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._read = 0
        self.cdn_cache = solara_cdn_cache()
        self.cdn_files = cached_files(self.cdn_cache)

    def wait_ready(self, timeout: float = 60.0) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # loopback: never through a proxy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"draftsim viz exited with {self.proc.returncode} before serving:\n{self.log_text()[-3000:]}")
            try:
                with opener.open(self.url, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"draftsim viz did not answer 200 on {self.url} within {timeout:.0f} s:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def new_errors(self) -> str:
        """Server-side exceptions logged since the last call (a component that raised, a failed handler),
        and any attempt of Solara's asset proxy to fetch a file from the public CDN."""
        text = self.log_text()
        new, self._read = text[self._read:], len(text)
        return new if any(s in new for s in ("Traceback", "ERROR", "Could not load URL")) else ""

    def cdn_downloads(self) -> list[str]:
        """Files Solara's /_solara/cdn proxy fetched from the internet (and cached) since the last call."""
        now = cached_files(self.cdn_cache)
        new, self.cdn_files = sorted(now - self.cdn_files), now
        return new

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def solara_cdn_cache() -> Path:
    """Where Solara's /_solara/cdn proxy keeps what it serves: a file missing there is fetched from a CDN."""
    from solara.server.settings import assets

    return Path(assets.proxy_cache_dir)


def cached_files(folder: Path) -> set[str]:
    return {str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file()} if folder.is_dir() else set()


@pytest.fixture(scope="module")
def server(tmp_path_factory, free_port):
    srv = Server(tmp_path_factory.mktemp("viz-server") / "server.log", free_port())
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's chromium; "
                    "run `make test`, which installs Debian's chromium (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LivePage:
    """One browser session (its own cookies, so its own model on the server) with what it logged."""

    def __init__(self, browser, server: Server):
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self._checked = 0
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.goto(server.url)
        self.wait_drawn(timeout=60)

    def close(self) -> None:
        self.context.close()

    # reading the page
    def text(self, testid: str) -> str:
        return self.page.locator(f"[data-testid={testid}]").inner_text().strip()

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.text("monitor-date"))

    @property
    def week(self) -> int:
        return int(self.text("monitor-week").split()[0])       # '37', or '200 (end)' at the scenario's end

    def number(self, monitor: str) -> int:
        """A monitor's figure: '1,234,000' or '100,000 ₽' -> int."""
        return int(self.text(f"monitor-{monitor}").split()[0].replace(",", ""))

    def revisions(self, charts=WEEKLY_CHARTS) -> list[str | None]:
        return [self.page.locator(f"[data-testid=chart-{c}] .draftsim-chart").get_attribute("data-revision") for c in charts]

    def chart_title(self, chart: str) -> str:
        return (self.page.locator(f"[data-testid=chart-{chart}] .gtitle").text_content() or "").strip()

    def wait_drawn(self, timeout: float = 30) -> None:
        """Every chart drawn by plotly.js; those that change weekly all at one revision (the latest render)."""
        for c in CHARTS:
            self.page.wait_for_selector(f"[data-testid=chart-{c}] .main-svg", timeout=timeout * 1000)
        try:
            self.page.wait_for_function(
                """(names) => {
                    const r = names.map((n) => document.querySelector(`[data-testid=chart-${n}] .draftsim-chart`)?.dataset.revision);
                    return r.every((x) => x !== undefined && x === r[0]);
                }""", arg=list(WEEKLY_CHARTS), polling=100, timeout=timeout * 1000)
        except PlaywrightTimeout:
            where = self.page.evaluate("""(names) => names.map((n) => {
                const d = document.querySelector(`[data-testid=chart-${n}] .draftsim-chart`), r = d?.getBoundingClientRect();
                return `${n}: revision ${d?.dataset.revision}, top ${r?.top}, bottom ${r?.bottom}`; })""", list(CHARTS))
            pytest.fail(f"the charts did not all reach one revision in {timeout:.0f} s (scrollY "
                        f"{self.page.evaluate('window.scrollY')}, viewport {VIEWPORT}):\n" + "\n".join(where)
                        + "\nbrowser errors:\n" + "\n".join(self.errors))

    def wait_text_change(self, testid: str, old: str, timeout: float = 20) -> None:
        self.page.wait_for_function(
            """([sel, old]) => { const e = document.querySelector(sel); return e && e.innerText.trim() !== old; }""",
            arg=[f"[data-testid={testid}]", old], polling=100, timeout=timeout * 1000)

    # acting on it
    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def step(self) -> None:
        before = self.text("monitor-date")
        self.button("Step").click()
        self.wait_text_change("monitor-date", before)

    def set_slider(self, label: str, key: str) -> str:
        """Move a slider from the keyboard (End: its maximum, Home: its minimum); returns its new value."""
        slider = self.page.get_by_role("slider", name=label, exact=True)
        slider.focus()
        slider.press(key)
        bound = slider.get_attribute({"End": "aria-valuemax", "Home": "aria-valuemin"}[key])
        self.page.wait_for_function("([e, v]) => e.getAttribute('aria-valuenow') === v", arg=[slider.element_handle(), bound])
        return bound

    def pause(self) -> str:
        self.button("Pause").click()
        self.button("Play").wait_for()
        return self.settle()

    def settle(self, quiet: float = 1.0, timeout: float = 30) -> str:
        """Wait until the date has not moved for ``quiet`` seconds; returns it."""
        last, since = self.text("monitor-date"), time.monotonic()
        deadline = since + timeout
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.text("monitor-date")
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                self.wait_drawn()
                return last
        pytest.fail(f"the date kept moving for {timeout:.0f} s after Pause (last {last})")

    def download(self, button: str) -> tuple[str, bytes]:
        with self.page.expect_download() as info:
            self.button(button).click()
        d = info.value
        target = ARTIFACTS / d.suggested_filename
        d.save_as(target)
        return d.suggested_filename, target.read_bytes()

    @contextlib.contextmanager
    def compact(self):
        """A smaller window while stepping on: the page draws only the charts in view; all catch up after."""
        self.page.set_viewport_size(COMPACT)
        try:
            yield self
        finally:
            self.page.set_viewport_size(VIEWPORT)
        self.wait_drawn()

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def assert_clean(self) -> None:
        """Since the last check: no console or page error, no failed response, no request off this machine,
        no server-side exception, nothing fetched by the server from a CDN; and no error banner."""
        errors, self.errors = self.errors, []
        external = [u for u in self.requests[self._checked:] if not is_local(u)]
        self._checked = len(self.requests)
        server_errors, cdn = self.server.new_errors(), self.server.cdn_downloads()
        assert not errors, "errors in the browser:\n" + "\n".join(errors)
        assert not external, f"requests to other hosts: {external}"
        assert not server_errors, f"the server logged an exception:\n{server_errors[-4000:]}"
        assert not cdn, f"the server fetched from a CDN: {cdn}"
        assert self.page.locator("[data-testid=error]").count() == 0, self.text("error")


def is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def live(chromium, server):
    """One page shared by the tests that only read it or move it forward (each asserts on what it sees)."""
    lp = LivePage(chromium, server)
    yield lp
    lp.close()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="module")
def expected_columns():
    """The documented columns, from the model itself: a fresh baseline run one week."""
    sc = load_scenario("baseline")
    m = DraftModel(sc.params, seed=1, scale=1000, events=sc.events)
    m.step()
    national = list(m.national_frame().columns) + LEVER_COLUMNS
    return national, list(m.regions_frame().columns)          # region_name after region: the frame has it


# --- the tests ---------------------------------------------------------------------------------
def test_the_page_loads_every_panel_offline_and_without_errors(live):
    p = live.page
    for c in CHARTS:
        assert p.locator(f"[data-testid=chart-{c}] .main-svg").count() >= 1, f"chart {c} not drawn"
    for m in MONITORS:
        assert live.text(f"monitor-{m}"), f"monitor {m} empty"
    assert live.date == dt.date(2022, 2, 24) and live.week == 0
    assert live.text("region-name") == "Selected region: Moscow"
    assert live.chart_title("region") == "Moscow against the national average"
    assert live.chart_title("lives").endswith(", Moscow")
    assert live.chart_title("flows") == "Flows of men in the week of 2022-02-24"
    # the stories of the watched Moscow men something has happened to (by default), as the session tells them
    same = LiveSession("baseline", 1, DEFAULT_SCALE)
    moscow = [r.iso for r in same.model.regions].index("MOW")
    stories = p.locator("[data-testid=lives-stories]").inner_text().strip()
    touched = same.lives(moscow, True)
    assert stories.count("man ") == len(touched) and (not touched or stories.startswith("man 1 (")), stories
    # plotly.js came from this server, like everything else
    assert any(u.endswith("/static/assets/plotly.min.js") for u in live.requests), live.requests
    live.screenshot("viz-loaded.png")
    live.assert_clean()


def test_the_about_tab_renders_offline(live):
    p = live.page
    p.get_by_role("tab", name="About").click()
    about = p.locator("[data-testid=about]")
    about.wait_for(state="visible")
    assert "What is this?" in about.inner_text() and len(about.inner_text()) > 500
    p.wait_for_timeout(1500)          # whatever the tab loads (Markdown's helpers) has time to fail
    p.get_by_role("tab", name="Live").click()
    p.locator("[data-testid=chart-quota] .main-svg").first.wait_for(state="visible")
    live.assert_clean()


def test_no_chart_button_sends_the_chart_off_the_machine(live):
    """plotly.js 3+ puts 'Share chart...' (an upload to Plotly Cloud) in every modebar unless switched off."""
    titles = live.page.locator("[data-testid^=chart-] .modebar-btn").evaluate_all(
        "es => es.map((e) => e.getAttribute('data-title'))")
    assert "Download plot as a PNG" in titles
    assert not [t for t in titles if t and "share" in t.lower()], f"the modebar offers an upload: {sorted(set(titles))}"


def test_step_advances_the_date_by_one_week_and_redraws_every_chart(live):
    for _ in range(3):
        date, week, revision = live.date, live.week, live.revisions()[0]
        live.step()
        live.wait_drawn()
        assert live.date == date + dt.timedelta(days=7)
        assert live.week == week + 1
        new = live.revisions()
        assert new[0] != revision and len(set(new)) == 1, f"data-revision before {revision}, after {new}"
        assert live.chart_title("flows") == f"Flows of men in the week of {live.date.isoformat()}"
    live.assert_clean()


def test_a_click_on_the_map_selects_that_region(live):
    p = live.page
    before = live.text("region-name")
    gd = p.locator("[data-testid=chart-map] .draftsim-chart")
    gd.scroll_into_view_if_needed()
    # the region farthest from the selected one (the ring around it is the map's last trace), at its pixel position
    target = gd.evaluate("""(gd) => {
        const pts = gd.data[0], sel = gd.data[gd.data.length - 1];
        let best = 0, far = -1;
        pts.x.forEach((x, i) => { const d = Math.hypot(x - sel.x[0], pts.y[i] - sel.y[0]); if (d > far) { far = d; best = i; } });
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return {name: pts.customdata[best][1], iso: pts.customdata[best][0],
                x: box.left + xa._offset + xa.l2p(pts.x[best]), y: box.top + ya._offset + ya.l2p(pts.y[best])};
    }""")
    assert target["name"] != "Moscow" and f"Selected region: {target['name']}" != before
    p.mouse.move(target["x"], target["y"])          # plotly picks the clicked point from the hover
    p.wait_for_timeout(200)
    p.mouse.click(target["x"], target["y"])
    live.wait_text_change("region-name", before)
    assert live.text("region-name") == f"Selected region: {target['name']}"
    p.wait_for_function("(name) => document.querySelector('[data-testid=chart-region] .gtitle')?.textContent.startsWith(name)",
                        arg=target["name"])
    assert live.chart_title("region") == f"{target['name']} against the national average"
    assert live.chart_title("lives").endswith(f", {target['name']}")
    assert f"regional, {target['name']}" in (p.locator("[data-testid=chart-bonus] .legend").text_content() or "")
    # the ring on the map moved to the clicked region
    ring = gd.evaluate("(gd) => [gd.data[gd.data.length - 1].x[0], gd.data[gd.data.length - 1].y[0]]")
    where = gd.evaluate("(gd, iso) => { const d = gd.data[0], i = d.customdata.findIndex((c) => c[0] === iso); return [d.x[i], d.y[i]]; }",
                        target["iso"])
    assert ring == where
    live.assert_clean()


def test_the_csv_downloads_hold_the_documented_columns_and_every_week_shown(live, expected_columns):
    national_columns, regional_columns = expected_columns
    week, date, recruits = live.week, live.text("monitor-date"), live.number("recruits")

    name, data = live.download("National table (CSV)")
    assert name == f"draftsim-baseline-seed1-1to{DEFAULT_SCALE}-national.csv"
    rows = csv_rows(data)
    assert rows[0] == national_columns
    assert len(rows) - 1 == week + 1                       # weeks 0..week
    last = dict(zip(rows[0], rows[-1]))
    assert last["date"] == date and float(last["recruits_total"]) == recruits
    assert float(last["federal_bonus_multiplier"]) == 1.0

    name, data = live.download("Regional table (CSV)")
    assert name == f"draftsim-baseline-seed1-1to{DEFAULT_SCALE}-regional.csv"
    rows = csv_rows(data)
    assert rows[0] == regional_columns
    assert len(rows) - 1 == 85 * (week + 1)
    regions = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert {r["region_name"] for r in regions if r["region"] == "MOW"} == {"Moscow"}
    assert len({r["region"] for r in regions}) == 85
    assert {r["date"] for r in regions[-85:]} == {date}
    live.assert_clean()


def test_a_chart_downloads_as_png(live):
    chart = live.page.locator("[data-testid=chart-quota]")
    chart.scroll_into_view_if_needed()
    chart.locator(".main-svg").first.hover()
    with live.page.expect_download() as info:
        chart.locator(".modebar-btn[data-title='Download plot as a PNG']").click()
    d = info.value
    assert d.suggested_filename == "draftsim-quota.png"
    target = ARTIFACTS / "viz-chart-quota.png"
    d.save_as(target)
    data = target.read_bytes()
    assert data[:8] == PNG_MAGIC, data[:16]
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 300 and height > 300, (width, height)      # scale 2: twice the drawn chart
    live.assert_clean()


def test_play_runs_the_model_and_pause_stops_it(live):
    """At the default speed (5 weeks a second); how fast the page keeps up is benchmarks/bench_viz.py's question."""
    date = live.date
    live.button("Play").click()
    live.button("Pause").wait_for()
    assert live.button("Step").is_disabled()
    moved = (date + dt.timedelta(days=14)).isoformat()
    live.page.wait_for_function("(d) => document.querySelector('[data-testid=monitor-date]').innerText.trim() >= d",
                                arg=moved, polling=100, timeout=5_000)     # two weeks on within 5 s
    settled = live.pause()
    time.sleep(1.5)
    assert live.text("monitor-date") == settled, "the date moved after Pause had settled"
    # paused on the server too: Step is enabled again and moves exactly one week
    live.step()
    assert live.date == dt.date.fromisoformat(settled) + dt.timedelta(days=7)
    live.assert_clean()


def test_twenty_weeks_on_every_panel_is_drawn(live):
    with live.compact():
        while live.week < 20:
            live.step()
    for c in CHARTS:
        assert live.page.locator(f"[data-testid=chart-{c}] .main-svg").count() >= 1
    assert live.chart_title("flows") == f"Flows of men in the week of {live.date.isoformat()}"
    live.screenshot("viz-after-20-steps.png")
    live.assert_clean()


def step_together(pages: list[LivePage], week: int) -> None:
    """Step every page to ``week`` (the browsers draw in parallel)."""
    while behind := [p for p in pages if p.week < week]:
        before = [p.text("monitor-date") for p in behind]
        for p in behind:
            p.button("Step").click()
        for p, d in zip(behind, before):
            p.wait_text_change("monitor-date", d)


CHANGE_WEEK = 36        # 2022-11-03: the federal bonus (195,000 ₽ from 2022-10-27) is in force
WEEKS_AFTER = 4


def test_raising_the_federal_bonus_mid_run_brings_more_recruits(chromium, server, live):
    """Two sessions, same seed: identical until the slider moves in one of them; then more recruits there.

    Page B is the shared page (loaded fresh, stepped and played, no lever touched); page A a fresh one.
    Before 2022-10-27 there is no federal bonus, so the multiplier would have nothing to multiply.
    """
    a, b = LivePage(chromium, server), live
    try:
        with a.compact(), b.compact():
            step_together([a, b], CHANGE_WEEK)
            assert a.week == CHANGE_WEEK and a.date > FEDERAL_BONUS_FROM
            recruits_at_change = a.number("recruits")
            if b.week == CHANGE_WEEK:
                assert b.number("recruits") == recruits_at_change
            assert a.set_slider("Federal sign-on bonus (×)", "End") == "5"
            step_together([a, b], CHANGE_WEEK + WEEKS_AFTER)
        assert a.week == CHANGE_WEEK + WEEKS_AFTER
        recruits_a = a.number("recruits")
        if b.week == a.week:
            assert recruits_a > b.number("recruits")
        # the lever took effect: the time charts mark it
        a.page.locator("[data-testid=chart-recruits] .annotation-text", has_text="Federal sign-on bonus: 1× → 5×").wait_for()
        a.screenshot("viz-bonus-raised.png")
        _, national_a = a.download("National table (CSV)")
        _, national_b = b.download("National table (CSV)")
        a.assert_clean()
        b.assert_clean()
    finally:
        a.close()

    rows_a, rows_b = csv_rows(national_a), csv_rows(national_b)
    col = {name: rows_a[0].index(name) for name in ("date", "recruits_total", "federal_bonus_rub", "federal_bonus_multiplier")}
    end = CHANGE_WEEK + WEEKS_AFTER
    assert len(rows_a) - 1 == end + 1 and len(rows_b) - 1 >= end + 1
    # the same seed: bit-identical up to the week of the change (the slider acts from the next week)
    assert rows_a[: CHANGE_WEEK + 2] == rows_b[: CHANGE_WEEK + 2]
    assert float(rows_a[CHANGE_WEEK + 1][col["recruits_total"]]) == recruits_at_change
    # then the federal bonus is five times as high, and more men sign
    for week in range(CHANGE_WEEK + 1, end + 1):
        ra, rb = rows_a[week + 1], rows_b[week + 1]
        assert ra[col["date"]] == rb[col["date"]]
        assert float(ra[col["federal_bonus_multiplier"]]) == 5.0 and float(rb[col["federal_bonus_multiplier"]]) == 1.0
        assert float(ra[col["federal_bonus_rub"]]) == 5 * float(rb[col["federal_bonus_rub"]]) > 0
    assert float(rows_a[end + 1][col["recruits_total"]]) == recruits_a
    assert recruits_a > float(rows_b[end + 1][col["recruits_total"]]), (recruits_a, rows_b[end + 1][col["recruits_total"]])
