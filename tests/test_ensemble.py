"""Ensembles over a calibration's posterior: `draftsim run --posterior` and a sweep's [posterior] table.

Real runs, tiny: 5,000 men per agent, 24 Feb to 15 May 2022 (12 weekly steps).  The posteriors are made
here: a "wide" one over kill_hazard_per_week x bonus_elasticity (kill hazards 0.2x to 4x the default) and
a "narrow" one, a single point.  Checked: the draws follow the weights; the bands are ordered and hold
every run; a wider posterior gives wider bands; 1 and 2 workers (and Dask) give the same tables bit for
bit; a sweep with a posterior bands each design point; bad input is one line, exit 2, nothing written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from draftsim.experiments.checker import ExperimentError
from draftsim.experiments.cli import main
from draftsim.experiments.experiment import experiment_from_text

TINY = ["--scale", "5000", "--until", "2022-05-15"]
STEPS = 12
DRAWS = 8
WIDE = pd.DataFrame({"kill_hazard_per_week": [0.0002, 0.0012, 0.005, 0.01],
                     "bonus_elasticity": [0.3, 0.45, 0.7, 1.0],
                     "weight": [0.5, 0.25, 0.25, 0.0]})          # with 8 draws: rows 0, 1, 2 drawn 4, 2, 2 times
NARROW = pd.DataFrame({"kill_hazard_per_week": [0.0016], "bonus_elasticity": [0.45], "weight": [1.0]})
SWEEP = """\
name = "tiny_ensemble"
until = 2022-05-15
scale = 5000
replicates = 1
seed = 9

[design]
kind = "grid"
[design.parameters]
bonus_multiplier = [1.0, 2.0]

[posterior]
file = "wide.parquet"
draws = 3

[timeseries]
columns = ["new_contracts", "killed_total"]
"""


def draftsim(argv: list[str], capsys) -> tuple[int, str]:
    """`draftsim ARGV` in this process: the exit code and the last line on stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:           # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    return code, err[-1] if err else ""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    d = tmp_path_factory.mktemp("ensemble")
    WIDE.to_parquet(d / "wide.parquet", index=False)
    NARROW.to_parquet(d / "narrow.parquet", index=False)
    cwd = os.getcwd()
    os.chdir(d)
    try:
        for name, posterior in (("wide", "wide.parquet"), ("narrow", "narrow.parquet")):
            assert main(["run", "--posterior", posterior, "--draws", str(DRAWS), *TINY, "--workers", "1",
                         "--out", name, *(["--figures"] if name == "wide" else [])]) == 0
        assert main(["run", "--posterior", "wide.parquet", "--draws", str(DRAWS), *TINY, "--workers", "2", "--out", "wide2"]) == 0
        (d / "exp.toml").write_text(SWEEP, encoding="utf-8")
        assert main(["sweep", "exp.toml", "--workers", "1", "--out", "sweep"]) == 0
    finally:
        os.chdir(cwd)
    return d


# --- the draws --------------------------------------------------------------------------------------------
def test_the_draws_follow_the_weights_and_are_recorded(lab):
    draws = pd.read_csv(lab / "wide" / "draws.csv")
    assert list(draws.columns) == ["run_id", "point", "draw", "replicate", "seed", "kill_hazard_per_week", "bonus_elasticity"]
    assert draws["draw"].tolist() == list(range(DRAWS)) and draws["seed"].nunique() == DRAWS   # a seed of its own each
    counts = draws.groupby("kill_hazard_per_week").size().to_dict()
    assert counts == {0.0002: 4, 0.0012: 2, 0.005: 2}      # the weight-0 row never runs
    manifest = json.loads((lab / "wide" / "manifest.json").read_text())
    assert manifest["posterior"]["sha256"] == __import__("hashlib").sha256((lab / "wide.parquet").read_bytes()).hexdigest()
    assert manifest["posterior"]["file"] == str((lab / "wide.parquet").resolve())
    assert [v["kill_hazard_per_week"] for v in manifest["draw_values"]] == draws["kill_hazard_per_week"].tolist()
    assert manifest["draws"] == DRAWS and manifest["seeds"] == 1 and manifest["runs"] == DRAWS
    assert {"code", "packages", "command_line", "files"} <= set(manifest)
    runs = pd.read_parquet(lab / "wide" / "runs.parquet")
    assert (runs["status"] == "ok").all() and runs["kill_hazard_per_week"].tolist() == draws["kill_hazard_per_week"].tolist()


def test_the_per_run_tables_are_long_with_draw_and_seed(lab):
    national = pd.read_parquet(lab / "wide" / "national.parquet")
    assert list(national.columns[:6]) == ["run_id", "point", "draw", "replicate", "seed", "date"]
    assert len(national) == DRAWS * STEPS and national.groupby("draw").size().eq(STEPS).all()
    regions = pd.read_parquet(lab / "wide" / "regions.parquet")
    assert list(regions.columns) == ["run_id", "point", "draw", "replicate", "seed", "region", "killed_total",
                                     "recruits_total", "men_census"]
    assert len(regions) == DRAWS * 85
    last = national[national["date"] == national["date"].max()].set_index("draw")["killed_total"]
    assert np.allclose(regions.groupby("draw")["killed_total"].sum(), last)      # the regions add up to the nation


# --- the bands -------------------------------------------------------------------------------------------
def test_the_bands_are_ordered_and_hold_the_runs(lab):
    bands = pd.read_csv(lab / "wide" / "national_bands.csv")
    assert list(bands.columns) == ["date", "column", "runs", "q05", "q50", "q95"]
    assert (bands["runs"] == DRAWS).all() and bands.groupby("column").size().eq(STEPS).all()
    ok = bands.dropna(subset=["q05"])
    assert ((ok["q05"] <= ok["q50"]) & (ok["q50"] <= ok["q95"])).all()
    national = pd.read_parquet(lab / "wide" / "national.parquet")
    final = national[national["date"] == national["date"].max()]["killed_total"]
    band = bands[(bands["column"] == "killed_total") & (bands["date"] == bands["date"].max())].iloc[0]
    assert final.min() <= band["q05"] <= band["q50"] <= band["q95"] <= final.max()
    assert band["q50"] == pytest.approx(np.median(final))
    regions = pd.read_csv(lab / "wide" / "regions_bands.csv")
    assert list(regions.columns) == ["region", "name", "men_census", "runs", "killed_per_10k_q05", "killed_per_10k_q50",
                                     "killed_per_10k_q95", "recruits_per_10k_q05", "recruits_per_10k_q50", "recruits_per_10k_q95"]
    assert len(regions) == 85 and regions["name"].str.len().gt(0).all()
    for what in ("killed", "recruits"):
        q = regions[[f"{what}_per_10k_{s}" for s in ("q05", "q50", "q95")]].to_numpy()
        assert (q[:, 0] <= q[:, 1]).all() and (q[:, 1] <= q[:, 2]).all()
    moscow = pd.read_parquet(lab / "wide" / "regions.parquet").query("region == 'MOW'")
    per_10k = moscow["killed_total"] / moscow["men_census"] * 1e4
    assert regions.set_index("region").loc["MOW", "killed_per_10k_q50"] == pytest.approx(per_10k.median())


def test_a_wider_posterior_gives_wider_bands(lab):
    def width(folder: str) -> float:
        b = pd.read_csv(lab / folder / "national_bands.csv")
        last = b[(b["column"] == "killed_total") & (b["date"] == b["date"].max())].iloc[0]
        return last["q95"] - last["q05"]

    # nationally only: at 1:5000 a region's killed are a handful of agents, so its band is mostly their noise;
    # the wide posterior's hazards span 10x so that its spread, not the luck of 8 seeds, sets its band
    assert width("wide") > 2 * width("narrow") > 0          # the narrow band is the model's noise alone


def test_one_and_two_workers_write_the_same_tables(lab):
    for name in ("national_bands.csv", "regions_bands.csv", "draws.csv"):
        assert (lab / "wide" / name).read_bytes() == (lab / "wide2" / name).read_bytes(), name
    for name in ("national.parquet", "regions.parquet"):
        assert pq.read_table(lab / "wide" / name).equals(pq.read_table(lab / "wide2" / name)), name
    assert json.loads((lab / "wide2" / "manifest.json").read_text())["workers"] == 2


def test_the_figures_are_drawn(lab):
    for name in ("national_bands.png", "regional_deaths_bands.png"):
        assert (lab / "wide" / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (lab / "narrow" / "figures").exists()


# --- a sweep with a posterior ----------------------------------------------------------------------------
def test_a_sweep_runs_every_draw_at_every_design_point_and_bands_each_point(lab):
    runs = pd.read_parquet(lab / "sweep" / "runs.parquet")
    assert len(runs) == 2 * 3 and runs["run_id"].iloc[0] == "p00000-d0000-r000"
    assert list(runs.columns[:5]) == ["run_id", "point", "draw", "replicate", "seed"]
    by_draw = runs.pivot(index="draw", columns="point", values="seed")
    assert (by_draw[0] == by_draw[1]).all() and by_draw[0].nunique() == 3    # paired across points, one seed per draw
    assert (runs.groupby("draw")["kill_hazard_per_week"].nunique() == 1).all()
    draws = pd.read_csv(lab / "sweep" / "draws.csv")
    assert list(draws.columns) == ["draw", "replicate", "seed", "kill_hazard_per_week", "bonus_elasticity"] and len(draws) == 3
    bands = pd.read_csv(lab / "sweep" / "national_bands.csv")
    assert list(bands.columns[:4]) == ["point", "bonus_multiplier", "date", "column"]
    assert sorted(set(bands["column"])) == ["killed_total", "new_contracts"] and (bands["runs"] == 3).all()
    assert bands.groupby(["point", "bonus_multiplier"]).size().to_dict() == {(0, 1.0): 2 * STEPS, (1, 2.0): 2 * STEPS}
    regions = pd.read_csv(lab / "sweep" / "regions_bands.csv")
    assert len(regions) == 2 * 85 and list(regions.columns[:3]) == ["point", "bonus_multiplier", "region"]
    for point in (0, 1):                             # each design point's bands drawn, as a run ensemble's are
        for name in ("national_bands.png", "regional_deaths_bands.png"):
            assert (lab / "sweep" / "figures" / f"bands-p{point:05d}" / name).stat().st_size > 10_000
    manifest = json.loads((lab / "sweep" / "manifest.json").read_text())
    assert manifest["posterior"]["draws"] == 3 and len(manifest["seeding"]["draw_seeds"]) == 3
    dictionary = pd.read_csv(lab / "sweep" / "columns.csv", keep_default_na=False)
    assert dictionary.set_index(["table", "name"]).loc[("runs", "kill_hazard_per_week"), "kind"] == "posterior"
    assert set(dictionary["table"]) == {"runs", "timeseries", "regions"}


def test_without_a_design_the_draws_are_the_design(lab):
    text = SWEEP.split("[design]")[0] + '[posterior]\nfile = "wide.parquet"\ndraws = 5\n'
    exp = experiment_from_text(text, "e.toml", lab)
    assert exp.points() == [{}] and len(exp.posterior_draws) == 5
    from draftsim.experiments.runs import plan

    assert [r.run_id for r in plan(exp)][-1] == "p00000-d0004-r000"


# --- bad input -------------------------------------------------------------------------------------------
def _posterior_file(d: Path, name: str, frame: pd.DataFrame | None = None, text: str | None = None) -> str:
    if frame is not None:
        frame.to_parquet(d / name, index=False)
    elif text is not None:
        (d / name).write_text(text)
    return str(d / name)


BAD_POSTERIORS = [
    ("missing", None, None, ["--posterior", "no such file", "draftsim calibrate"]),
    ("not-parquet", None, "kill_hazard_per_week,weight\n0.1,1\n", ["--posterior", "not a Parquet table"]),
    ("no-weight", WIDE.drop(columns="weight"), None, ["--posterior", "without a 'weight' column", "kill_hazard_per_week"]),
    ("weight-only", WIDE[["weight"]], None, ["--posterior", "at least one parameter"]),
    ("not-a-parameter", WIDE.rename(columns={"bonus_elasticity": "bonus_elastic"}), None,
     ["--posterior", "'bonus_elastic', not a model parameter", "did you mean 'bonus_elasticity'", "draftsim params"]),
    ("a-switch", WIDE.assign(exit_ban_enabled=1.0), None, ["--posterior", "exit_ban_enabled", "bool", "float or int"]),
    ("negative-weight", WIDE.assign(weight=[1.0, -1.0, 0.5, 0.5]), None, ["--posterior", "negative", "weights >= 0"]),
    ("out-of-range", WIDE.assign(kill_hazard_per_week=0.5), None, ["--posterior", "draw 0", "kill_hazard_per_week", "0.2"]),
]


@pytest.mark.parametrize("case, frame, text, words", BAD_POSTERIORS, ids=[c[0] for c in BAD_POSTERIORS])
def test_a_bad_posterior_file_is_one_line_and_writes_nothing(tmp_path, capsys, case, frame, text, words):
    path = _posterior_file(tmp_path, f"{case}.parquet", frame, text)
    code, err = draftsim(["run", "--posterior", path, "--draws", "2", *TINY, "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.startswith("draftsim: error: ")
    for w in words:
        assert w in err, (w, err)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))


BAD_OPTIONS = [
    ("draws-without-posterior", ["--draws", "3"], ["--draws", "only with --posterior"]),
    ("seeds-without-posterior", ["--seeds", "2"], ["--seeds", "only with --posterior"]),
    ("workers-without-posterior", ["--workers", "2"], ["--workers", "only with --posterior"]),
    ("posterior-without-draws", ["--posterior", "{wide}"], ["--draws", "missing", "[1, 10000]"]),
    ("draws-zero", ["--posterior", "{wide}", "--draws", "0"], ["--draws", "got 0", "integer >= 1"]),
    ("too-many-draws", ["--posterior", "{wide}", "--draws", "10001"], ["--draws", "10001", "[1, 10000]"]),
    ("seeds-zero", ["--posterior", "{wide}", "--draws", "2", "--seeds", "0"], ["--seeds", "integer >= 1"]),
    ("set-what-the-posterior-sets", ["--posterior", "{wide}", "--draws", "2", "--set", "kill_hazard_per_week=0.002"],
     ["--set", "kill_hazard_per_week=0.002", "the posterior sets", "bonus_elasticity"]),
    ("scheduler-with-local", ["--posterior", "{wide}", "--draws", "2", "--executor", "local", "--scheduler", "tcp://x:1"],
     ["--scheduler", "only with --executor dask"]),
]


@pytest.mark.parametrize("case, args, words", BAD_OPTIONS, ids=[c[0] for c in BAD_OPTIONS])
def test_a_bad_option_is_one_line_and_writes_nothing(tmp_path, capsys, case, args, words):
    wide = _posterior_file(tmp_path, "wide.parquet", WIDE)
    argv = ["run", *[a.format(wide=wide) for a in args], *TINY, "--out", str(tmp_path / "out")]
    code, err = draftsim(argv, capsys)
    assert code == 2 and err.startswith("draftsim: error: ")
    for w in words:
        assert w in err, (w, err)
    assert not (tmp_path / "out").exists()


BAD_TABLES = [
    ("no-file", '[posterior]\ndraws = 2\n', ["posterior.file", "got nothing"]),
    ("missing-file", '[posterior]\nfile = "gone.parquet"\ndraws = 2\n', ["posterior.file", "no such file"]),
    ("no-draws", '[posterior]\nfile = "wide.parquet"\n', ["posterior.draws", "got nothing", "[1, 10000]"]),
    ("zero-draws", '[posterior]\nfile = "wide.parquet"\ndraws = 0\n', ["posterior.draws", "got 0"]),
    ("unknown-key", '[posterior]\nfile = "wide.parquet"\ndraws = 2\nweights = "w"\n', ["posterior.weights", "file, draws"]),
    ("design-clash", '[design]\nkind = "grid"\n[design.parameters]\nkill_hazard_per_week = [0.001, 0.002]\n'
                     '[posterior]\nfile = "wide.parquet"\ndraws = 2\n', ["posterior.file", "design parameter kill_hazard_per_week"]),
    ("outcome-named-like-a-posterior-parameter", '[posterior]\nfile = "wide.parquet"\ndraws = 2\n[[outcomes]]\n'
     'name = "bonus_elasticity"\nmetric = "total"\ncolumn = "new_contracts"\n', ["outcomes[0].name", "bonus_elasticity"]),
    ("neither-design-nor-posterior", "", ["design", "got nothing", "[design] table"]),
]


@pytest.mark.parametrize("case, table, words", BAD_TABLES, ids=[c[0] for c in BAD_TABLES])
def test_a_bad_posterior_table_is_one_line(tmp_path, case, table, words):
    WIDE.to_parquet(tmp_path / "wide.parquet", index=False)
    text = 'until = 2022-05-15\nscale = 5000\n' + table
    with pytest.raises(ExperimentError) as err:
        experiment_from_text(text, "e.toml", tmp_path)
    message = str(err.value)
    assert "\n" not in message and message.startswith("experiment e.toml: ")
    for w in words:
        assert w in message, (w, message)


# --- heavier: Dask, seeds, resume ------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.subprocess
def test_dask_writes_the_same_tables(lab, run_cli):
    pytest.importorskip("distributed")
    res = run_cli(["run", "--posterior", "wide.parquet", "--draws", str(DRAWS), *TINY, "--executor", "dask",
                   "--workers", "2", "--out", "dask"], lab)
    assert res.returncode == 0, res.stderr
    for name in ("national_bands.csv", "regions_bands.csv", "draws.csv"):
        assert (lab / "wide" / name).read_bytes() == (lab / "dask" / name).read_bytes(), name
    for name in ("national.parquet", "regions.parquet"):
        assert pq.read_table(lab / "wide" / name).equals(pq.read_table(lab / "dask" / name)), name


@pytest.mark.slow
def test_seeds_per_draw_multiply_the_runs(lab, capsys):
    out = lab / "seeds"
    code, err = draftsim(["run", "--posterior", str(lab / "narrow.parquet"), "--draws", "2", "--seeds", "3", *TINY,
                          "--workers", "1", "--out", str(out)], capsys)
    assert code == 0, err
    draws = pd.read_csv(out / "draws.csv")
    assert len(draws) == 6 and draws["seed"].nunique() == 6 and draws.groupby("draw").size().eq(3).all()
    assert (pd.read_csv(out / "national_bands.csv")["runs"] == 6).all()


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_killed_then_resumed_sweep_with_a_posterior_gives_the_same_tables(lab):
    import signal

    from test_sweep import draftsim as sweep_cli
    from test_sweep import interrupt_when

    args = ["sweep", "exp.toml", "--workers", "1", "--out", "killed"]
    killed, n_parts, _ = interrupt_when(lab / "killed", args, lab, 2, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL and 2 <= n_parts < 6
    res = sweep_cli([*args, "--resume"], lab)
    assert res.returncode == 0, res.stderr
    for name in ("national_bands.csv", "regions_bands.csv", "draws.csv"):
        assert (lab / "sweep" / name).read_bytes() == (lab / "killed" / name).read_bytes(), name
    for name in ("timeseries.parquet", "regions.parquet"):
        assert pq.read_table(lab / "sweep" / name).equals(pq.read_table(lab / "killed" / name)), name
