"""Benchmark: how fast the live page (``draftsim viz``) moves, on the server and in a browser.

Server side, at the page's default scale, after a warm-up:
  * one step plus every panel's figure, built exactly as the page builds them (``viz.charts``,
    the lives stories) and serialised to JSON as the widgets send them;
  * the page rendered in this process (``solara.render``): a click on Step through its widget
    tree, from the click until every widget holds the new week (effects included; the widgets'
    JSON is not sent, there is no browser), and a forced re-render of the whole tree (what a
    change of region, toggle or lever costs at most).
Browser side: ``draftsim viz`` on a free loopback port, the page in headless Chromium (Debian's
``/usr/bin/chromium``), Play at the top speed for ~10 s: the weeks the date monitor shows per
second while the charts in view redraw (charts scrolled out of view wait); then Pause, and how
long the page takes to show it has stopped.  Twice: on a laptop screen (1440x900, the target) and
with every panel in view at once (1500x2200, reported).

Targets: a step with its panels under 300 ms on the server; at least 3 weeks a second on the page.
Exits 1 when a target is missed.

    .venv/bin/python benchmarks/bench_viz.py [--steps 100] [--warmup 50] [--play-seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CHARTS = ("flows", "map", "region", "lives", "recruits", "evasion", "deployed", "casualties", "bonus", "quota")
# the charts every week changes; the others redraw only when their figure does (the Lives of a region whose
# watched men nothing has happened to yet stay as they are, and a Step waits for no redraw of them)
WEEKLY_CHARTS = ("region", "recruits", "evasion", "deployed", "casualties", "bonus", "quota")
SERVER_TARGET_MS = 300.0
BROWSER_TARGET_WEEKS_PER_S = 3.0
SETTLE_CAP_S = 180.0        # how long to wait for the date to stop after Pause


def summary(ms: list[float]) -> dict:
    s = sorted(ms)
    return {"n": len(s), "mean": statistics.fmean(s), "median": statistics.median(s),
            "p95": s[min(len(s) - 1, round(0.95 * (len(s) - 1)))], "max": s[-1]}


# --- server side -------------------------------------------------------------------------------
def page_figures(s, region: int) -> list[dict]:
    """What LiveTab builds after a step (default toggles: this week, recruits since the start, touched only)."""
    from draftsim.viz import charts

    figures = [charts.flows_sankey(s, False), charts.region_map(s, "recruits", "all", region),
               charts.region_panel(s, region), charts.lives_chart(s, region, True)]
    figures += [charts.TIME_SERIES[name](s) for name in ("recruits", "evasion", "deployed")]
    figures += [charts.casualties(s), charts.bonus_levels(s, region), charts.quota_fulfilment(s)]
    dates = s.dates()
    stories = [life.story(dates) for life in s.lives(region, True)]
    assert len(figures) == len(CHARTS) and stories is not None
    return figures


def bench_panels(steps: int, warmup: int) -> tuple[dict, dict, dict]:
    from draftsim.viz.session import LiveSession

    s = LiveSession()
    region = s.region_index("MOW")
    s.step(warmup)
    build, encode, total, size = [], [], [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        with s.lock:
            s.step()
            figures = page_figures(s, region)
        t1 = time.perf_counter()
        payload = [json.dumps(f) for f in figures]
        t2 = time.perf_counter()
        build.append((t1 - t0) * 1e3)
        encode.append((t2 - t1) * 1e3)
        total.append((t2 - t0) * 1e3)
        size.append(sum(map(len, payload)) / 1e3)
    return summary(build), summary(total), {"week": s.week, "kb_per_step": statistics.fmean(size),
                                            "json_ms": statistics.fmean(encode)}


def bench_render(steps: int, warmup: int) -> tuple[dict, dict, int]:
    """The whole page rendered in this process; Step clicked through the widget tree, and the whole
    tree re-rendered (what a change of region, toggle or lever costs at most)."""
    import ipyvuetify as v
    import solara

    from draftsim.viz import app

    @solara.component
    def Shell():
        with solara.AppLayout():    # as `solara run` wraps the page: the sidebar renders
            app.Page()

    with contextlib.redirect_stdout(io.StringIO()):   # the app bar title is printed without a browser
        _, rc = solara.render(Shell(), handle_error=False)
        step = [b for b in rc.find(v.Btn).widgets if "Step" in b.children]
        assert len(step) == 1, "no single Step button in the rendered page"
        week = rc.find(v.Html, attributes={"data-testid": "monitor-week"}).widget
        for _ in range(warmup):
            step[0].click()
        times = []
        for _ in range(steps):
            before = text_of(week)
            t0 = time.perf_counter()
            step[0].click()
            times.append((time.perf_counter() - t0) * 1e3)
            assert week_number(text_of(week)) == week_number(before) + 1, "the click did not step the page"
        full = []
        for _ in range(max(10, steps // 5)):
            t0 = time.perf_counter()
            rc.force_update()          # re-walks the whole tree: no subtree skipped
            full.append((time.perf_counter() - t0) * 1e3)
        rc.close()
    return summary(times), summary(full), week_number(text_of(week))


def week_number(text: str) -> int:
    """The week monitor: '37', or '200 (end)' at the scenario's end."""
    m = re.match(r"\s*(\d+)", text)
    if not m:
        raise ValueError(f"week monitor: {text!r}")
    return int(m.group(1))


def text_of(widget) -> str:
    """The text inside a widget, however deep."""
    if isinstance(widget, str):
        return widget
    return "".join(text_of(c) for c in getattr(widget, "children", []) or [])


# --- browser side ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def viz_server():
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, "-m", "draftsim.experiments.cli", "viz", "--port", str(port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"draftsim viz exited with {proc.returncode}")
            try:
                with opener.open(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"draftsim viz did not answer on {url} within 60 s") from None
                time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


STEPPED = """([w, revs, charts]) => document.querySelector('[data-testid=monitor-week]').innerText.trim() !== w
    && charts.every((c, i) => document.querySelector(`[data-testid=chart-${c}] .draftsim-chart`).dataset.revision !== revs[i])"""

WATCH = """(charts) => {
    window.__bench = {weeks: [], draws: 0};
    const week = document.querySelector('[data-testid=monitor-week]');
    new MutationObserver(() => window.__bench.weeks.push([performance.now(), parseInt(week.innerText)]))
        .observe(week, {subtree: true, characterData: true, childList: true});
    for (const c of charts) {
        const div = document.querySelector(`[data-testid=chart-${c}] .draftsim-chart`);
        new MutationObserver(() => window.__bench.draws++).observe(div, {attributes: true, attributeFilter: ['data-revision']});
    }
}"""


LAPTOP = (1440, 900)      # a laptop screen: the target; the charts below the fold wait until scrolled to
FULL_PAGE = (1500, 2200)  # every panel in view at once: reported, not the target


def bench_browser(play_seconds: float, steps: int, viewport: tuple[int, int]) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with viz_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.set_default_timeout(120_000)
        t0 = time.perf_counter()
        page.goto(url)
        for c in CHARTS:
            page.wait_for_selector(f"[data-testid=chart-{c}] .main-svg")
        out["load_s"] = time.perf_counter() - t0
        week = page.locator("[data-testid=monitor-week]")
        button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731

        # Step, one click at a time: from the click to the new date and every chart redrawn
        step_ms = []
        for _ in range(steps if viewport == FULL_PAGE else 0):
            before = week.inner_text()
            revisions = [page.locator(f"[data-testid=chart-{c}] .draftsim-chart").get_attribute("data-revision")
                         for c in WEEKLY_CHARTS]
            t = time.perf_counter()
            button("Step").click()
            page.wait_for_function(STEPPED, arg=[before, revisions, list(WEEKLY_CHARTS)])
            step_ms.append((time.perf_counter() - t) * 1e3)
        out["step"] = summary(step_ms) if step_ms else None

        # Play at the top speed
        slider = page.get_by_role("slider", name="Speed (weeks per second)")
        slider.focus()
        slider.press("End")
        out["speed"] = int(slider.get_attribute("aria-valuenow"))
        page.wait_for_function("() => /^[0-9]+/.test(document.querySelector('[data-testid=monitor-week]').innerText.trim())")
        page.evaluate(WATCH, list(CHARTS))
        w0 = week_number(week.inner_text())
        t = time.perf_counter()
        button("Play").click()
        time.sleep(play_seconds)
        seen = page.evaluate("() => window.__bench")
        elapsed = time.perf_counter() - t
        w1 = week_number(week.inner_text())
        out["play_s"], out["weeks_shown"] = elapsed, w1 - w0
        out["weeks_per_s"] = (w1 - w0) / elapsed
        out["draws_per_chart_per_s"] = seen["draws"] / len(CHARTS) / elapsed
        gaps = [b[0] - a[0] for a, b in zip(seen["weeks"], seen["weeks"][1:])]
        out["longest_gap_ms"] = max(gaps) if gaps else float("nan")

        # Pause: the time until the page shows Play again and the date stops, and how far it ran on
        out["finished"] = "end" in week.inner_text()
        t = time.perf_counter()
        if button("Pause").count():
            button("Pause").click(force=True)      # a click now, not once the page is idle enough for Playwright
        out["pause_click_s"] = time.perf_counter() - t
        button("Play").wait_for()
        last, since = week.inner_text(), time.perf_counter()
        while time.perf_counter() - since < 1.5 and time.perf_counter() - t < SETTLE_CAP_S:
            time.sleep(0.1)
            now = week.inner_text()
            if now != last:
                last, since = now, time.perf_counter()
        out["pause_settle_s"] = since - t
        out["settled"] = time.perf_counter() - since >= 1.5
        out["weeks_after_pause"] = week_number(last) - w1
        browser.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100, help="measured steps on the server (default 100)")
    ap.add_argument("--warmup", type=int, default=50, help="weeks simulated before measuring (default 50)")
    ap.add_argument("--play-seconds", type=float, default=10.0)
    ap.add_argument("--browser-steps", type=int, default=10, help="Step clicks timed in the browser (default 10)")
    args = ap.parse_args()
    from draftsim.viz.session import DEFAULT_SCALE

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"scale 1:{DEFAULT_SCALE}, {args.warmup} weeks of warm-up, {args.steps} measured steps\n")

    build, total, extra = bench_panels(args.steps, args.warmup)
    render, full, render_week = bench_render(args.steps, args.warmup)
    rows = [("step + every panel's figure", build), ("  ... and JSON-encoded", total),
            ("Step click, through the page", render), (f"full re-render of the page ({full['n']}x)", full)]
    print(f"server side (ms)                      {'mean':>7} {'median':>7} {'p95':>7} {'max':>7}")
    for name, r in rows:
        print(f"  {name:<35} {r['mean']:>7.1f} {r['median']:>7.1f} {r['p95']:>7.1f} {r['max']:>7.1f}")
    print(f"  figures per step: {extra['kb_per_step']:.0f} kB of JSON ({extra['json_ms']:.1f} ms to encode), "
          f"weeks {args.warmup + 1}-{extra['week']} (render: up to week {render_week})\n")

    results = [("server: step + panels, p95", f"{total['p95']:.0f} ms", f"< {SERVER_TARGET_MS:.0f} ms", total["p95"] < SERVER_TARGET_MS),
               ("server: Step click through the page, p95", f"{render['p95']:.0f} ms", f"< {SERVER_TARGET_MS:.0f} ms",
                render["p95"] < SERVER_TARGET_MS),
               ("server: full page re-render, p95", f"{full['p95']:.0f} ms", f"< {SERVER_TARGET_MS:.0f} ms",
                full["p95"] < SERVER_TARGET_MS)]
    if not CHROMIUM.exists():
        print(f"browser side: {CHROMIUM} is missing (run `make test`, which installs Debian's chromium)")
        results.append(("browser: weeks shown per second", "n/a", f">= {BROWSER_TARGET_WEEKS_PER_S:g}", False))
    else:
        for viewport in (LAPTOP, FULL_PAGE):
            b = bench_browser(args.play_seconds, args.browser_steps, viewport)
            where = "laptop screen" if viewport == LAPTOP else "full page, every chart in view"
            print(f"browser side (headless Chromium, {viewport[0]}x{viewport[1]}: {where})")
            print(f"  page load (every chart drawn)        {b['load_s']:.1f} s")
            if b["step"]:
                print(f"  Step click to new date + all redrawn mean {b['step']['mean']:.0f} ms, median {b['step']['median']:.0f}, "
                      f"p95 {b['step']['p95']:.0f} ({b['step']['n']} clicks)")
            if b["finished"]:
                print("  (the run reached the scenario's end while playing: weeks per second is a lower bound)")
            print(f"  Play at {b['speed']} weeks/s for {b['play_s']:.1f} s: {b['weeks_shown']} weeks shown = "
                  f"{b['weeks_per_s']:.2f} weeks/s; {b['draws_per_chart_per_s']:.2f} redraws per chart per s; "
                  f"longest wait between two dates shown {b['longest_gap_ms']:.0f} ms")
            still = "a still date" if b["settled"] else f"no still date within {SETTLE_CAP_S:.0f} s; last moved"
            print(f"  Pause: click took {b['pause_click_s']:.1f} s; the page showed {still} after {b['pause_settle_s']:.1f} s, "
                  f"{b['weeks_after_pause']} weeks after the one shown when Pause was pressed\n")
            if viewport == LAPTOP:
                results.append(("browser: weeks shown per second", f"{b['weeks_per_s']:.2f}", f">= {BROWSER_TARGET_WEEKS_PER_S:g}",
                                b["weeks_per_s"] >= BROWSER_TARGET_WEEKS_PER_S))
            else:
                results.append(("  (full page, reported)", f"{b['weeks_per_s']:.2f}", "-", True))

    print(f"{'summary':<40} {'measured':>10} {'target':>10}  ok")
    for name, value, target, ok in results:
        print(f"{name:<40} {value:>10} {target:>10}  {'yes' if ok else 'NO'}")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
