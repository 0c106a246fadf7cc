"""`draftsim sweep`, driven as a user would: in subprocesses, in temporary folders, on the real model.

Runs are tiny (5,000 men per agent, 24 Feb to 30 Jun 2022: 19 weekly steps, well under a second
each).  Checked: the runs table does not depend on the number of workers; a sweep killed with
SIGKILL, then interrupted with Ctrl-C, then resumed has every run exactly once and the same
results as an uninterrupted sweep; a design point that makes the model raise is recorded and the
others complete; bad input is one line, exit code 2, and writes nothing.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from draftsim.experiments.progress import Progress

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

ROOT = Path(__file__).resolve().parents[1]
STEPS = 19
SOBOL = """\
name = "tiny_sobol"
description = "Two levers, Saltelli sample, three replicates: 16 points x 3 = 48 tiny runs"
scenario = "baseline"
until = 2022-06-30
scale = 5000
replicates = 3
seed = 11

[design]
kind = "sobol"
samples = 4
second_order = false

[design.parameters]
bonus_multiplier = [0.5, 3.0]
emigration_alarm_per_week = [0.001, 0.02]

[timeseries]
columns = ["new_contracts", "deployed", "new_emigrants"]
"""
RUNS = 48
# A scenario the model accepts (events are checked by name when loaded) whose foreign-troops event
# carries a size that is not a number: the model raises when the event falls due, on 1 Apr 2022,
# and only where foreign_troops_enabled lets the event through.
BRIGADE = """\
name = "brigade"
description = "baseline plus a foreign contingent whose size was typed as words"
extends = "baseline"

[[events]]
date = 2022-04-01
parameter = "foreign_troops"
value = "a brigade"
"""
FAILING = """\
name = "failing"
scenario = "brigade.toml"
until = 2022-06-30
scale = 5000
replicates = 2
seed = 3

[design]
kind = "grid"

[design.parameters]
bonus_multiplier = [1.0, 2.0]
foreign_troops_enabled = [false, true]
"""
GRID = """\
name = "tiny_grid"
until = 2022-06-30
scale = 5000

[design]
kind = "grid"

[design.parameters]
bonus_multiplier = [1.0, 2.0]
"""
OTHER = GRID.replace('name = "tiny_grid"', 'name = "other"')


def env(**extra) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", **extra}


def command(args) -> list[str]:
    return [sys.executable, "-m", "draftsim.experiments.cli", *map(str, args)]


def draftsim(args, cwd: Path, timeout: float = 120, **extra_env) -> subprocess.CompletedProcess:
    return subprocess.run(command(args), cwd=cwd, env=env(**extra_env), capture_output=True, text=True, timeout=timeout)


def runs_table(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "runs.parquet").drop(columns=["duration_s"])


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def parts(folder: Path) -> list[Path]:
    d = folder / ".parts"
    try:
        return sorted(p for p in d.iterdir() if p.name.endswith(".parquet") and not p.name.startswith("."))
    except FileNotFoundError:
        return []


def descendants(pid: int) -> set[int]:
    """Every process started, directly or not, by ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def interrupt_when(folder: Path, args, cwd: Path, n_parts: int, sig: int) -> tuple[subprocess.CompletedProcess, int, set[int]]:
    """Start a sweep, send ``sig`` once ``folder`` holds ``n_parts`` parts; returns the process, the parts seen
    and the processes the sweep had started."""
    proc = subprocess.Popen(command(args), cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(parts(folder)) < n_parts:
        assert proc.poll() is None, f"the sweep ended before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline, "no parts appeared"
        time.sleep(0.01)
    helpers = descendants(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), len(parts(folder)), helpers


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sweep")
    (d / "tiny.toml").write_text(SOBOL, encoding="utf-8")
    (d / "brigade.toml").write_text(BRIGADE, encoding="utf-8")
    (d / "failing.toml").write_text(FAILING, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def swept(lab) -> dict[str, subprocess.CompletedProcess]:
    """The uninterrupted sweeps, two at a time (one per core): 1 worker, 2 workers, the failing one."""
    jobs = {"one": ["sweep", "tiny.toml", "--out", "one", "--workers", "1"],
            "two": ["sweep", "tiny.toml", "--out", "two", "--workers", "2"],
            "failing": ["sweep", "failing.toml", "--out", "failing", "--workers", "2"]}
    with ThreadPoolExecutor(2) as pool:
        futures = {k: pool.submit(draftsim, a, lab) for k, a in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


# --- determinism and the output folder ---------------------------------------------------------------
def test_one_and_two_workers_give_identical_runs(lab, swept):
    for name in ("one", "two"):
        assert swept[name].returncode == 0, swept[name].stderr
    one, two = runs_table(lab / "one"), runs_table(lab / "two")
    pd.testing.assert_frame_equal(one, two)
    assert pq.read_table(lab / "one" / "timeseries.parquet").equals(pq.read_table(lab / "two" / "timeseries.parquet"))


def test_runs_table(lab, swept):
    runs = pd.read_parquet(lab / "one" / "runs.parquet")
    assert len(runs) == RUNS and runs["run_id"].is_unique
    assert list(runs["run_id"]) == sorted(runs["run_id"])
    assert list(runs.columns[:7]) == ["run_id", "point", "replicate", "seed", "status", "duration_s", "error"]
    assert {"bonus_multiplier", "emigration_alarm_per_week", "killed", "emigrants", "poorest_quarter_share"} <= set(runs)
    assert (runs["status"] == "ok").all() and (runs["duration_s"] > 0).all()
    assert runs.groupby("point").size().eq(3).all() and set(runs["replicate"]) == {0, 1, 2}
    # common random numbers: replicate r has the same seed at every point, seeds differ between replicates
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all() and runs["seed"].nunique() == 3
    assert runs["bonus_multiplier"].between(0.5, 3.0).all() and runs["bonus_multiplier"].nunique() > 4
    assert runs["emigrants"].nunique() > 1                               # outcomes are real and vary
    csv = pd.read_csv(lab / "one" / "runs.csv")
    pd.testing.assert_frame_equal(csv.drop(columns=["error"]), runs.drop(columns=["error"]), check_dtype=False)


def test_timeseries_and_folder(lab, swept):
    folder = lab / "one"
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert list(ts.columns) == ["run_id", "point", "replicate", "date", "new_contracts", "deployed", "new_emigrants"]
    assert ts.groupby("run_id").size().eq(STEPS).all() and ts["run_id"].nunique() == RUNS
    assert str(min(ts["date"])) == "2022-02-24" and str(max(ts["date"])) == "2022-06-30"
    sens = pd.read_csv(folder / "sensitivity.csv")
    assert list(sens.columns[:6]) == ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(sens["parameter"]) == {"bonus_multiplier", "emigration_alarm_per_week"}
    figures = sorted(p.name for p in (folder / "figures").iterdir())
    assert figures == sorted(f"{o}.png" for o in ("contracts_per_month", "emigrants", "killed", "bonus_spending_rub",
                                                   "poorest_quarter_share"))
    assert (folder / "experiment.toml").read_text(encoding="utf-8") == SOBOL
    assert (folder / "failures.jsonl").read_text() == ""
    assert not (folder / ".parts").exists() and not (folder / ".sweep.json").exists()
    assert not [p for p in folder.rglob(".*")]                            # no temporary left anywhere
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["runs"] == {"total": RUNS, "ok": RUNS, "failed": 0, "design_points": 16, "replicates": 3}
    assert manifest["experiment"]["sha256"] == manifest["file_sha256"]["experiment.toml"]
    assert manifest["experiment"]["text"] == SOBOL and manifest["experiment"]["design"]["kind"] == "sobol"
    assert manifest["executor"] == "local" and manifest["workers"] == 1
    assert {"dask", "distributed", "SALib", "mesa"} <= set(manifest["packages"])
    assert manifest["seeding"]["root_seed"] == 11 and len(manifest["seeding"]["replicate_seeds"]) == 3
    assert set(manifest["files"]) == {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert "git_commit" in manifest["code"]
    assert json.loads((lab / "two" / "manifest.json").read_text())["workers"] == 2


# --- resume ------------------------------------------------------------------------------------------
def test_killed_then_interrupted_then_resumed_sweep_has_every_run_once(lab, swept):
    out = lab / "resumed"
    args = ["sweep", "tiny.toml", "--out", "resumed", "--workers", "1"]
    killed, n_killed, helpers = interrupt_when(out, [*args[:-1], "2"], lab, 4, signal.SIGKILL)   # 2 workers
    assert killed.returncode == -signal.SIGKILL
    assert 4 <= n_killed < RUNS and (out / ".sweep.json").is_file()
    assert len(helpers) >= 2                                          # worker processes (and the forkserver)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in helpers):     # orphaned workers notice and leave
        assert time.monotonic() < deadline, "worker processes outlived the killed sweep"
        time.sleep(0.05)
    before = {p.name: p.read_bytes() for p in parts(out)}
    # what a kill in the middle of writing a part leaves: a temporary that must not count
    (out / ".parts" / ".p00015-r002.parquet.tmp-deadbeef").write_bytes(b"PAR1 half a file")

    again = draftsim(args, lab)                                       # without --resume: refused, untouched
    assert again.returncode == 2 and "--resume" in again.stderr and len(again.stderr.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in parts(out)} == before

    stopped, n_stopped, _ = interrupt_when(out, [*args, "--resume"], lab, n_killed + 4, signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    assert "--resume" in stopped.stderr.splitlines()[-1] and n_killed + 4 <= n_stopped
    assert not (out / "runs.parquet").exists()
    for name, data in before.items():                                 # finished runs are never rerun
        assert (out / ".parts" / name).read_bytes() == data

    done = draftsim([*args, "--resume"], lab)
    assert done.returncode == 0, done.stderr
    assert f"{n_stopped} of {RUNS} runs already done" in done.stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["run_id"]) == sorted(runs_table(lab / "one")["run_id"]) and runs["run_id"].is_unique
    pd.testing.assert_frame_equal(runs.drop(columns=["duration_s"]), runs_table(lab / "one"))
    assert pq.read_table(out / "timeseries.parquet").equals(pq.read_table(lab / "one" / "timeseries.parquet"))
    assert not [p for p in out.rglob(".*")]
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["runs_to_do"] for s in sessions] == [RUNS - n_killed, RUNS - n_stopped]   # the killed one left no record
    assert sessions[0]["interrupted"] is True


# --- failure isolation ---------------------------------------------------------------------------------
def test_a_failing_design_point_is_recorded_and_the_others_complete(lab, swept):
    res, folder = swept["failing"], lab / "failing"
    assert res.returncode == 1
    assert res.stderr.splitlines()[-1] == f"draftsim: error: 4 of 8 runs failed; see {Path('failing') / 'failures.jsonl'}"
    runs = pd.read_csv(folder / "runs.csv")
    failed = runs[runs["status"] == "failed"]
    assert list(failed["point"].unique()) == [1, 3] and failed["foreign_troops_enabled"].all()
    assert failed["error"].str.contains("could not convert string to float: 'a brigade'").all()
    assert failed[["killed", "emigrants"]].isna().all().all()
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 4 and not ok["foreign_troops_enabled"].any() and ok[["killed", "emigrants"]].notna().all().all()
    lines = [json.loads(line) for line in (folder / "failures.jsonl").read_text().splitlines()]
    assert [f["run_id"] for f in lines] == list(failed["run_id"])
    for f in lines:
        assert f["params"]["foreign_troops_enabled"] is True and f["seed"] > 0
        assert f["error"].startswith("ValueError") and "Traceback" in f["traceback"] and "timeline.py" in f["traceback"]
    assert set(pd.read_parquet(folder / "timeseries.parquet")["run_id"]) == set(ok["run_id"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["runs"]["failed"] == 4 and manifest["runs"]["ok"] == 4


# --- bad input -----------------------------------------------------------------------------------------
def _unfinished_other(d: Path) -> None:
    from draftsim.experiments.experiment import load_experiment
    from draftsim.experiments.store import SweepStore

    SweepStore(d / "theirs").create(load_experiment(d / "other.toml"), 2)


def _closed_port() -> int:
    with socket.socket() as s:          # a port nothing listens on: bound, then released
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CLOSED_PORT = _closed_port()


def _full(d: Path) -> None:
    (d / "full").mkdir()
    (d / "full" / "keep.txt").write_text("precious\n")


BAD = [
    ("missing-file", ["sweep", "nowhere.toml", "--out", "o"], None, ["nowhere.toml", "no such file"]),
    ("bad-experiment", ["sweep", "broken.toml", "--out", "o"], None, ["broken.toml", "scale", "got 0"]),
    ("out-not-empty", ["sweep", "tiny.toml", "--out", "full"], _full, ["--out", "full", "not empty"]),
    ("resume-other-experiment", ["sweep", "tiny.toml", "--out", "theirs", "--resume"], _unfinished_other,
     ["--resume", "theirs", "another experiment", "other"]),
    ("unfinished-without-resume", ["sweep", "other.toml", "--out", "theirs"], _unfinished_other,
     ["--out", "theirs", "unfinished", "--resume"]),
    ("resume-nothing", ["sweep", "tiny.toml", "--out", "nothing", "--resume"], None, ["--resume", "nothing", "does not exist"]),
    ("resume-no-out", ["sweep", "tiny.toml", "--resume"], None, ["--resume", "--out"]),
    ("workers-zero", ["sweep", "tiny.toml", "--out", "o", "--workers", "0"], None, ["--workers", "0", "integer >= 1"]),
    ("workers-text", ["sweep", "tiny.toml", "--out", "o", "--workers", "two"], None, ["--workers", "two", "integer >= 1"]),
    ("executor-foo", ["sweep", "tiny.toml", "--out", "o", "--executor", "foo"], None, ["--executor", "foo", "local", "dask"]),
    ("scheduler-with-local", ["sweep", "tiny.toml", "--out", "o", "--executor", "local", "--scheduler", "tcp://127.0.0.1:1"],
     None, ["--scheduler", "--executor dask"]),
    ("scheduler-unreachable", ["sweep", "tiny.toml", "--out", "o", "--scheduler", f"tcp://127.0.0.1:{CLOSED_PORT}"], None,
     ["--scheduler", f"tcp://127.0.0.1:{CLOSED_PORT}", "cannot connect"]),
    ("report-unfinished", ["report", "theirs"], _unfinished_other, ["theirs", "unfinished", "--resume"]),
    ("report-missing", ["report", "nowhere"], None, ["nowhere", "finished `draftsim sweep`"]),
]


@pytest.fixture(scope="module")
def bad(lab) -> dict[str, tuple[subprocess.CompletedProcess, dict, dict]]:
    dirs = {}
    for name, _args, setup, _words in BAD:
        d = lab / "bad" / name
        d.mkdir(parents=True)
        # grid designs: a sobol file takes seconds to check (SALib samples it), and the checks are the same
        (d / "tiny.toml").write_text(GRID, encoding="utf-8")
        (d / "other.toml").write_text(OTHER, encoding="utf-8")
        (d / "broken.toml").write_text(GRID.replace("scale = 5000", "scale = 0"), encoding="utf-8")
        if callable(setup):
            setup(d)
        dirs[name] = d
    before = {name: snapshot(d) for name, d in dirs.items()}

    def one(case):
        name, args, _setup, _words = case
        # the unreachable scheduler: fail after 2 s, not dask's default 30 s
        return name, draftsim(args, dirs[name], DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")

    with ThreadPoolExecutor(4) as pool:
        results = dict(pool.map(one, BAD))
    return {name: (results[name], before[name], snapshot(dirs[name])) for name in dirs}


@pytest.mark.parametrize("name,args,setup,words", BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(bad, name, args, setup, words):
    res, before, after = bad[name]
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("draftsim: error: "), res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert after == before
    assert res.stdout == ""


def test_dask_not_installed_names_the_extra(lab):
    # as on a machine without the [distributed] extra: the import of distributed fails
    code = ("import sys; sys.modules['distributed'] = None; from draftsim.experiments.cli import main; "
            "sys.exit(main(['sweep', 'tiny.toml', '--out', 'nodask', '--executor', 'dask']))")
    d = lab / "no-dask"
    d.mkdir()
    (d / "tiny.toml").write_text(GRID, encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", code], cwd=d, env=env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "pip install draftsim[distributed]" in res.stderr and sorted(p.name for p in d.iterdir()) == ["tiny.toml"]


# --- the progress line ---------------------------------------------------------------
def test_progress_line_on_a_terminal_and_in_a_log():
    tty = io.StringIO()
    p = Progress(120, done=36, failed=0, stream=tty, tty=True, redraw_s=0.0)
    p.t0 -= 6.0                                  # one run done in 6 s: 10 runs/min
    p.update(ok=False)
    assert tty.getvalue().startswith("\rruns 37/120 done, 1 failed, 10.0 runs/min, ~8m18s left")
    p.close()
    assert tty.getvalue().endswith("\n") and tty.getvalue().count("\n") == 1
    log = io.StringIO()
    p = Progress(20, stream=log, tty=False)
    for _ in range(20):
        p.update()
    p.close()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and lines[-1].startswith("runs 20/20 done, 0 failed")
    assert len(lines) == 10                      # one line per tenth of the sweep, the last one not repeated
