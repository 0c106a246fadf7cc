"""The `draftsim` console command, driven as a user would: in subprocesses, in temporary folders.

The slow part of each call is importing mesa, pandas and matplotlib, so the module runs every
command once, concurrently (one per core), in the ``outcomes`` fixture; the tests then read the
results.  Runs are tiny: 5,000 men per agent, 24 Feb to 30 Jun 2022 (19 weekly steps).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

TINY = ["--scale", "5000", "--until", "2022-06-30"]
TINY_STEPS = 19
FIGURES = ("recruits_by_channel.png", "evasion_by_tactic.png", "deployed_and_casualties.png", "regional_burden.png")
BUILTINS = ("baseline", "no-e-register", "no-exit-ban", "double-bonus", "no-mobilisation", "no-prison-recruitment")
NATIONAL_REQUIRED = (
    "step", "date", "new_contracts", "new_conscripts", "new_mobilised", "new_prisoner_recruits", "new_foreign",
    "new_notices_sent", "notices_sent", "new_evaders", "new_evaders_emigrate", "new_evaders_hide",
    "new_evaders_medical", "new_evaders_drugs", "new_evaders_self_harm", "new_emigrants",
    "new_emigrants_pre_emptive", "new_killed", "new_wounded", "civilians", "deployed", "abroad", "hiding",
    "killed_total", "wounded_total", "prison_population", "federal_bonus_rub", "mean_regional_bonus_rub",
)
REGIONS_REQUIRED = ("step", "date", "region", "men", "new_contracts", "new_killed", "killed_total", "recruits_total",
                    "emigrants_total", "regional_bonus_rub")
MANIFEST_KEYS = (
    "scenario", "scenario_source", "scenario_description", "overrides", "parameters", "seed", "scale", "until",
    "code", "python", "platform", "packages", "started", "finished", "wall_time_s", "command",
    "command_line", "files",
)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``."""
    out: dict[str, bytes | None] = {}
    for p in sorted(folder.rglob("*")):
        out[p.relative_to(folder).as_posix()] = p.read_bytes() if p.is_file() else None
    return out


# --- bad input: (id, arguments, setup(dir), words the one-line message must contain) --------------------
def _write(name: str, text: str):
    def setup(d: Path) -> None:
        (d / name).write_text(text, encoding="utf-8")
    return setup


def _full_out(d: Path) -> None:
    (d / "out").mkdir()
    (d / "out" / "national.csv").write_text("precious,results\n1,2\n")
    (d / "out" / "sub").mkdir()
    (d / "out" / "sub" / "notes.txt").write_bytes(b"\x00keep me\xff")


BAD = [
    ("unknown-scenario", ["--scenario", "no-such-scenario"], None, ["no-such-scenario", "baseline"]),
    ("unknown-parameter", ["--set", "no_such_param=1"], None, ["no_such_param", "draftsim params"]),
    ("out-of-range-parameter", ["--set", "bonus_elasticity=9"], None, ["bonus_elasticity", "9", "[0.0, 3.0]"]),
    ("unknown-option", ["--bogus", "3"], None, ["--bogus", "--scenario", "--seed"]),
    ("scale-zero", ["--scale", "0"], None, ["scale", "allowed"]),
    ("scale-not-a-number", ["--scale", "lots"], None, ["--scale", "lots", "allowed"]),
    ("seed-negative", ["--seed", "-1"], None, ["--seed", "-1", "integer >= 0"]),
    ("seed-not-an-integer", ["--seed", "1.5"], None, ["--seed", "integer >= 0"]),
    ("until-before-start", ["--until", "2019-01-01"], None, ["--until", "2019-01-01", "2022-02-24", "2030-12-31"]),
    ("until-after-2030", ["--until", "2031-01-01"], None, ["--until", "2030-12-31"]),
    ("until-malformed", ["--until", "2022-02-30"], None, ["--until", "2022-02-30", "YYYY-MM-DD"]),
    ("until-not-a-date", ["--until", "next-week"], None, ["--until", "YYYY-MM-DD"]),
    ("malformed-toml", ["--scenario", "bad.toml"], _write("bad.toml", 'name = "bad"\n[parameters\nx = 1\n'),
     ["bad.toml", "TOML"]),
    ("out-not-empty", ["--out", "out"], _full_out, ["--out", "not empty"]),
    ("out-is-a-file", ["--out", "out"], _write("out", "a file\n"), ["--out", "not a folder"]),
    ("out-under-a-file", ["--out", "afile/out"], _write("afile", "a file\n"), ["--out", "afile"]),
    # not writable even for root (tests run as root here, so a chmod-555 folder would not do)
    ("out-in-proc", ["--out", "/proc/draftsim-test/out"], None, ["--out", "/proc/draftsim-test/out"]),
]
# More cases of the same kind, run in this process (``cli.main``) to spare a ~2 s mesa import each.
BAD_IN_PROCESS = [
    ("unknown-scenario-default-out", ["--scenario", "no-such-scenario", "--no-out"], None, ["no-such-scenario"]),
    ("set-without-value", ["--set", "bonus_elasticity"], None, ["--set", "KEY=VALUE"]),
    ("toml-out-of-range", ["--scenario", "range.toml"],
     _write("range.toml", 'name = "range"\n[parameters]\nbonus_elasticity = 9.0\n'), ["bonus_elasticity", "3.0"]),
    ("scenario-file-missing", ["--scenario", "missing.toml"], None, ["missing.toml"]),
]
BAD_COMMANDS = [
    ("no-command", [], ["command", "run", "scenarios", "params"]),
    ("unknown-command", ["frobnicate"], ["frobnicate", "run"]),
    ("scenarios-extra-argument", ["scenarios", "--bogus"], ["--bogus"]),
]


def _out_option(args) -> list[str]:
    """``--out out`` unless the case sets --out itself, or tests the default folder (``--no-out``)."""
    return [] if "--out" in args or "--no-out" in args else ["--out", "out"]


def _case(p):
    return p.values if hasattr(p, "values") else p


@dataclass
class Outcome:
    proc: subprocess.CompletedProcess
    cwd: Path
    before: dict | None = None


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, run_cli) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("cli")
    jobs: dict[str, tuple[list[str], Path]] = {}

    def job(name: str, args: list[str]) -> Path:
        d = base / name
        d.mkdir(parents=True, exist_ok=True)
        jobs[name] = (args, d)
        return d

    # good runs: the same seed twice (one into an existing empty folder, one into new nested folders)
    (job("run1", []) / "out").mkdir()
    jobs["run1"] = (["run", *TINY, "--seed", "7", "--set", "bonus_multiplier=2", "--figures", "--out", "out"], base / "run1")
    job("run2", ["run", *TINY, "--seed", "7", "--set", "bonus_multiplier=2", "--figures", "--out", "new/deep/out"])
    # --until past the scenario's end_date extends the run; no --out: runs/<scenario>-<stamp>
    job("extend", ["run", "--scale", "20000", "--set", "end_date=2022-04-01", "--until", "2022-05-05"])
    job("scenarios", ["scenarios"])
    job("params", ["params"])
    befores = {}
    for p in BAD:
        name, args, setup, _ = _case(p)
        d = base / name
        d.mkdir()
        if setup:
            setup(d)
        jobs[name] = (["run", *TINY, *[a for a in args if a != "--no-out"], *_out_option(args)], d)
        befores[name] = snapshot(d)
    for name, args, _ in BAD_COMMANDS:
        job(name, args)
        befores[name] = snapshot(base / name)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(run_cli, args, d) for name, (args, d) in jobs.items()}
        return {name: Outcome(f.result(), jobs[name][1], befores.get(name)) for name, f in futures.items()}


def assert_one_line_error(proc: subprocess.CompletedProcess, words) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip("\n").splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("draftsim: error: "), line
    for w in words:
        assert w in line, (w, line)
    return line


# --- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,args,setup,words", BAD, ids=[_case(p)[0] for p in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(outcomes, name, args, setup, words):
    o = outcomes[name]
    assert_one_line_error(o.proc, words)
    assert snapshot(o.cwd) == o.before        # no output folder, no partial folder, existing files unchanged
    assert not any(".partial-" in p for p in os.listdir(o.cwd))
    assert not os.path.exists("/proc/draftsim-test")


@pytest.mark.parametrize("name,args,setup,words", BAD_IN_PROCESS, ids=[c[0] for c in BAD_IN_PROCESS])
def test_bad_input_in_process(tmp_path, monkeypatch, capsys, name, args, setup, words):
    from draftsim.experiments import cli

    if setup:
        setup(tmp_path)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(["run", *TINY, *[a for a in args if a != "--no-out"], *_out_option(args)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert_one_line_error(subprocess.CompletedProcess([], code, "", err), words)
    assert snapshot(tmp_path) == before


def test_not_writable_out_even_as_root(tmp_path, monkeypatch, capsys):
    """The permission check itself (root passes any chmod, so pretend the folder is read-only)."""
    from draftsim.experiments import cli, outdir

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(outdir.os, "access", lambda path, mode: not str(path).endswith("ro"))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", *TINY, "--out", "ro/out"])
    err = capsys.readouterr().err
    line = assert_one_line_error(subprocess.CompletedProcess([], code, "", err), ["--out", "ro/out", "not writable"])
    assert "allowed" in line and os.listdir(tmp_path / "ro") == []


@pytest.mark.parametrize("name,args,words", BAD_COMMANDS, ids=[c[0] for c in BAD_COMMANDS])
def test_bad_command_is_one_line_exit_2(outcomes, name, args, words):
    o = outcomes[name]
    assert_one_line_error(o.proc, words)
    assert snapshot(o.cwd) == o.before


# --- a run writes everything -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def run1(outcomes) -> Path:
    o = outcomes["run1"]
    assert o.proc.returncode == 0, o.proc.stderr
    return o.cwd / "out"


def test_run_writes_every_file(run1):
    for f in ("national.csv", "national.parquet", "regions.csv", "regions.parquet", "manifest.json"):
        assert (run1 / f).is_file() and (run1 / f).stat().st_size > 0, f
    for f in FIGURES:
        data = (run1 / "figures" / f).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, f
    assert sorted(os.listdir(run1.parent)) == ["out"]          # no partial folder left next to it


def test_run_into_new_nested_folder(outcomes):
    o = outcomes["run2"]
    assert o.proc.returncode == 0, o.proc.stderr
    assert (o.cwd / "new" / "deep" / "out" / "manifest.json").is_file()
    assert sorted(os.listdir(o.cwd / "new" / "deep")) == ["out"]


def test_national_table_has_the_required_columns(run1):
    df = pd.read_csv(run1 / "national.csv")
    missing = [c for c in NATIONAL_REQUIRED if c not in df.columns]
    assert not missing
    assert len(df) == TINY_STEPS and list(df["step"]) == list(range(TINY_STEPS))
    assert df["date"].iloc[0] == "2022-02-24" and df["date"].iloc[-1] == "2022-06-30"
    assert (df["notices_sent"] == df["new_notices_sent"]).all() and df["notices_sent"].sum() > 0
    assert list(df.columns).index("notices_sent") == list(df.columns).index("new_notices_sent") + 1
    assert df["deployed"].iloc[0] > 100_000 and (df["new_contracts"] >= 0).all()
    assert df["federal_bonus_rub"].ge(0).all() and df["mean_regional_bonus_rub"].gt(0).all()


def test_regions_table_has_the_required_columns(run1):
    df = pd.read_csv(run1 / "regions.csv")
    assert not [c for c in REGIONS_REQUIRED if c not in df.columns]
    n_regions = df["region"].nunique()
    assert n_regions > 80 and len(df) == TINY_STEPS * n_regions
    assert df["region"].str.fullmatch(r"[A-Z0-9-]{2,8}").all()
    last = df[df["step"] == df["step"].max()]
    assert last["men"].sum() > 30e6


@pytest.mark.parametrize("table", ["national", "regions"])
def test_parquet_equals_csv(run1, table):
    csv = pd.read_csv(run1 / f"{table}.csv")
    pq = pd.read_parquet(run1 / f"{table}.parquet")
    pq["date"] = pq["date"].astype(str)          # a date in Parquet, ISO text in the CSV
    assert list(csv.columns) == list(pq.columns)
    pd.testing.assert_frame_equal(csv, pq, check_dtype=False, check_exact=True)


def test_manifest(run1):
    m = json.loads((run1 / "manifest.json").read_text())
    assert not [k for k in MANIFEST_KEYS if k not in m]
    assert m["scenario"] == "baseline" and m["scenario_source"] == "builtin:baseline" and m["scenario_description"]
    assert m["seed"] == 7 and m["scale"] == 5000 and m["until"] == "2022-06-30"
    assert m["overrides"] == {"bonus_multiplier": 2.0}
    assert m["parameters"]["bonus_multiplier"] == 2.0 and m["parameters"]["bonus_elasticity"] == 0.45
    assert m["parameters"]["start_date"] == "2022-02-24"
    assert set(m["packages"]) >= {"mesa", "numpy", "pandas", "pyarrow", "matplotlib"}
    assert all(m["packages"][k] for k in ("mesa", "numpy", "pandas", "pyarrow", "matplotlib"))
    assert m["python"].startswith("3.") and m["platform"]
    code = m["code"]
    assert code["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", code["git_commit"])
    assert code["git_dirty"] in (True, False, None)
    assert m["started"] <= m["finished"] and m["wall_time_s"] > 0
    assert m["command"][:2] == ["draftsim", "run"] and "--seed" in m["command"] and "--seed 7" in m["command_line"]
    on_disk = sorted(p.relative_to(run1).as_posix() for p in run1.rglob("*") if p.is_file())
    assert m["files"] == on_disk
    for f, digest in m["file_sha256"].items():
        assert hashlib.sha256((run1 / f).read_bytes()).hexdigest() == digest


def test_run_prints_a_summary(outcomes):
    out = outcomes["run1"].proc.stdout
    for words in ("contract recruits", "conscripts", "mobilised", "prisoner recruits", "emigrants", "evaders",
                  "killed", "deployed at the end", "wall time", "out"):
        assert words in out, words
    assert outcomes["run1"].proc.stderr == ""


def test_same_seed_gives_byte_identical_tables(outcomes, run1):
    run2 = outcomes["run2"].cwd / "new" / "deep" / "out"
    assert outcomes["run2"].proc.returncode == 0
    assert (run1 / "national.csv").read_bytes() == (run2 / "national.csv").read_bytes()
    assert (run1 / "regions.csv").read_bytes() == (run2 / "regions.csv").read_bytes()


def test_until_past_end_date_extends_the_run_into_the_default_folder(outcomes):
    o = outcomes["extend"]
    assert o.proc.returncode == 0, o.proc.stderr
    (folder,) = list((o.cwd / "runs").iterdir())
    assert re.fullmatch(r"baseline-\d{8}-\d{6}", folder.name)
    df = pd.read_csv(folder / "national.csv")
    assert df["date"].iloc[-1] == "2022-05-05"
    m = json.loads((folder / "manifest.json").read_text())
    assert m["until"] == "2022-05-05" and m["parameters"]["end_date"] == "2022-05-05"
    # figures are drawn only when asked for (--figures): without, no folder and no matplotlib
    assert m["figures"] is False and not (folder / "figures").exists()


# --- listing commands ------------------------------------------------------------------------------
def test_scenarios_lists_the_builtins(outcomes):
    p = outcomes["scenarios"].proc
    assert p.returncode == 0, p.stderr
    names = [line.split()[0] for line in p.stdout.splitlines() if line.strip()]
    assert sorted(names) == sorted(BUILTINS)
    assert all(len(line.split(maxsplit=1)) == 2 for line in p.stdout.splitlines())   # each has a description


def test_params_lists_every_parameter(outcomes):
    p = outcomes["params"].proc
    assert p.returncode == 0, p.stderr
    rows = {line.split()[0]: line for line in p.stdout.splitlines()[1:]}
    assert {"bonus_elasticity", "start_date", "mobilisation_enabled", "kill_hazard_per_week"} <= set(rows)
    row = rows["bonus_elasticity"]
    assert "0.45" in row and "elasticity" in row and "[0, 3]" in row and "national_targets.csv" in row
    assert "true|false" in rows["mobilisation_enabled"]
    assert p.stdout.splitlines()[0].split() == ["name", "type", "default", "unit", "allowed", "source"]


# --- interrupted or failing runs leave nothing behind ---------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_nothing(tmp_path, sig):
    proc = subprocess.Popen([sys.executable, "-m", "draftsim.experiments.cli", "run", "--scale", "300", "--until", "2030-12-31",
                             "--out", "nest/out"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ((tmp_path / "nest").is_dir() and any(".partial-" in p for p in os.listdir(tmp_path / "nest"))):
            assert proc.poll() is None and time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "interrupted" in err
    assert os.listdir(tmp_path) == []       # neither the partial folder nor the parents it created


def test_internal_error_leaves_nothing(tmp_path, monkeypatch):
    from draftsim.experiments import cli, figures

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(figures, "draw_all", broken)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["run", *TINY, "--figures", "--out", "a/b"])
    assert os.listdir(tmp_path) == []


@pytest.mark.subprocess
def test_a_run_without_figures_never_imports_matplotlib(tmp_path):
    code = ("import sys; from draftsim.experiments import cli; "
            "cli.main(['run', '--scale', '20000', '--until', '2022-04-01', '--out', sys.argv[1]]); "
            "print('matplotlib' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "False"
