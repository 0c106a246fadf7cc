"""``draftsim report``: the publication bundle built from small, real, finished sweeps.

Each sweep is made the way a user makes it: an experiment file run by ``draftsim sweep`` (in this
process, one worker) over the real model at 5,000 men per agent from 24 Feb to 30 Jun 2022
(19 weekly steps, ~0.05 s a run).  Module-scoped fixtures build each sweep and its report once;
the tests read the files.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from test_sweep import BRIGADE  # the scenario whose foreign contingent makes runs raise

from draftsim.experiments import cli
from draftsim.experiments.errors import UsageError
from draftsim.experiments.report import build_report

pytestmark = [pytest.mark.slow]

KEEP = ("new_contracts", "deployed")
HEAD = """\
name = "{name}"
description = "report test: {name}"
scenario = "{scenario}"
until = 2022-06-30
scale = 5000
replicates = {replicates}
seed = 7

"""
OUTCOMES = """
[[outcomes]]
name = "contracts"
metric = "total"
column = "new_contracts"

[[outcomes]]
name = "killed"
metric = "final"
column = "killed_total"
"""
DESIGNS = {
    "grid": """[design]
kind = "grid"
[design.parameters]
bonus_multiplier = [1.0, 3.0]
e_register_enabled = [true, false]
""",
    # the middle point enables the brigade: both its replicates fail
    "list": """[design]
kind = "list"
points = [{bonus_multiplier = 0.5, foreign_troops_enabled = false},
          {bonus_multiplier = 1.0, foreign_troops_enabled = true},
          {bonus_multiplier = 4.0, foreign_troops_enabled = false}]
""",
    "sobol": """[design]
kind = "sobol"
samples = 4
second_order = false
[design.parameters]
bonus_multiplier = [0.5, 4.0]
hazing_weight = [0.0, 2.0]
""",
    "morris": """[design]
kind = "morris"
trajectories = 4
levels = 4
[design.parameters]
bonus_multiplier = [0.5, 4.0]
hazing_weight = [0.0, 2.0]
""",
    "grid3": """[design]
kind = "grid"
[design.parameters]
bonus_multiplier = [1.0, 3.0]
e_register_enabled = [true, false]
exit_ban_enabled = [true, false]
""",
    "lhs": """[design]
kind = "lhs"
samples = 6
[design.parameters]
bonus_multiplier = [0.5, 4.0]
hazing_weight = [0.0, 2.0]
""",
}
FACTORS = {"grid": ["bonus_multiplier", "e_register_enabled"], "list": ["bonus_multiplier", "foreign_troops_enabled"],
           "sobol": ["bonus_multiplier", "hazing_weight"], "morris": ["bonus_multiplier", "hazing_weight"],
           "grid3": ["bonus_multiplier", "e_register_enabled", "exit_ban_enabled"],
           "lhs": ["bonus_multiplier", "hazing_weight"]}


def draftsim_sweep(folder: Path, kind: str, replicates: int, keep=KEEP, outcomes: str = OUTCOMES,
                   scenario: str = "baseline") -> Path:
    """Write the experiment file, run ``draftsim sweep`` on it; return the finished sweep folder."""
    (folder / "brigade.toml").write_text(BRIGADE, encoding="utf-8")
    columns = ", ".join(f'"{c}"' for c in keep)
    text = (HEAD.format(name=f"{kind}_test", scenario=scenario, replicates=replicates) + DESIGNS[kind] + outcomes
            + f"\n[timeseries]\ncolumns = [{columns}]\n")
    (folder / "experiment.toml").write_text(text, encoding="utf-8")
    failures_expected = kind == "list"
    code = cli.main(["sweep", str(folder / "experiment.toml"), "--out", str(folder / "sweep"), "--workers", "1"])
    assert code == (1 if failures_expected else 0)
    return folder / "sweep"


ONE_OUTCOME = OUTCOMES.split("\n[[outcomes]]\nname = \"killed\"")[0]


# --- fixtures: one sweep and one report each -------------------------------------------------------
@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """2 x 2 grid x 2 replicates; the report through the command line, to its default folder."""
    sweep = draftsim_sweep(tmp_path_factory.mktemp("grid"), "grid", 2)
    assert cli.main(["report", str(sweep)]) == 0
    return sweep, sweep / "report"


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    sweep = draftsim_sweep(tmp_path_factory.mktemp("list"), "list", 2, keep=KEEP[:1], scenario="brigade.toml")
    return sweep, build_report(sweep, sweep.parent / "bundle")


@pytest.fixture(scope="module")
def sobol(tmp_path_factory):
    sweep = draftsim_sweep(tmp_path_factory.mktemp("sobol"), "sobol", 1, keep=(), outcomes=ONE_OUTCOME)
    return sweep, build_report(sweep)


@pytest.fixture(scope="module")
def morris(tmp_path_factory):
    sweep = draftsim_sweep(tmp_path_factory.mktemp("morris"), "morris", 1, keep=(), outcomes=ONE_OUTCOME)
    return sweep, build_report(sweep)


@pytest.fixture(scope="module", params=["grid3", "lhs"])
def small(request, tmp_path_factory):
    """Single-outcome sweeps with no kept time series: a 3-factor grid once each, and a Latin hypercube."""
    kind = request.param
    sweep = draftsim_sweep(tmp_path_factory.mktemp(kind), kind, 1, keep=(), outcomes=ONE_OUTCOME)
    return kind, sweep, build_report(sweep)


# --- checks ----------------------------------------------------------------------------------------
def figure_stems(kind: str, factors: list[str], outcomes: tuple[str, ...], keep: tuple[str, ...]) -> list[str]:
    stems = [f"fan_{c}" for c in keep]
    for o in outcomes:
        stems += [f"response_{o}_by_point"] if kind == "list" else [f"response_{o}_vs_{f}" for f in factors]
        stems += {"grid": [f"heatmap_{o}"], "grid3": [f"heatmap_{o}"], "sobol": [f"sobol_{o}"],
                  "morris": [f"morris_mu-star_{o}", f"morris_sigma_{o}"]}.get(kind, [])
    return stems


def check_bundle(report: Path, kind: str, outcomes=("contracts", "killed"), keep=KEEP) -> str:
    """Every file the report must have exists and is not empty, PNGs are 300 dpi, REPORT.md shows them all."""
    stems = figure_stems(kind, FACTORS[kind], outcomes, keep)
    expected = ["REPORT.md", "experiment.toml", "sweep_manifest.json",
                *(f"tables/summary.{e}" for e in ("csv", "md", "tex")),
                *(f"figures/{s}.{e}" for s in stems for e in ("png", "svg", "pdf"))]
    if kind in ("sobol", "morris"):
        expected += [f"tables/sensitivity.{e}" for e in ("csv", "md", "tex")]
    missing = [f for f in expected if not (report / f).is_file() or (report / f).stat().st_size == 0]
    assert not missing, f"missing or empty: {missing}; have {sorted(p.name for p in report.rglob('*'))}"
    figures = {p.relative_to(report).as_posix() for p in report.glob("figures/*")}
    assert figures == {f for f in expected if f.startswith("figures/")}      # and nothing else
    for png in report.glob("figures/*.png"):
        dpi = Image.open(png).info.get("dpi")
        assert dpi is not None and all(round(d) == 300 for d in dpi), (png.name, dpi)
    text = (report / "REPORT.md").read_text(encoding="utf-8")
    links = set(re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text))
    assert links == {p.relative_to(report).as_posix() for p in report.glob("figures/*.png")}
    manifest = json.loads((report / "sweep_manifest.json").read_text())
    commit = manifest["code"]["git_commit"]
    assert f"`docs/ODD.md` in the draftsim repository at commit `{commit}`" in text
    assert "draftsim sweep experiment.toml" in text and manifest["experiment"]["sha256"] in text
    assert (report / "experiment.toml").read_text() == manifest["experiment"]["text"]
    return text


def test_grid_report_has_every_figure_and_table(grid):
    sweep, report = grid
    text = check_bundle(report, "grid")
    assert "**8 runs: 8 ok, 0 failed** (4 design points x 2 replicates)" in text and "No run failed." in text
    assert "95% t-interval" in text and "| executor | local, 1 worker |" in text
    summary = pd.read_csv(report / "tables/summary.csv")
    assert list(summary.columns) == ["point", "bonus_multiplier", "e_register_enabled", "outcome", "n", "mean", "sd",
                                     "ci95_low", "ci95_high"]
    assert len(summary) == 4 * 2 and (summary["n"] == 2).all()
    runs = pd.read_parquet(sweep / "runs.parquet")
    for point in range(4):
        killed = runs.loc[runs.point == point, "killed"]
        row = summary[(summary.point == point) & (summary.outcome == "killed")].iloc[0]
        assert row["mean"] == pytest.approx(killed.mean()) and row["sd"] == pytest.approx(killed.std())
        half = 12.706204736174705 * killed.std() / 2 ** 0.5          # t(0.975, 1 df) s / sqrt(n)
        assert (row["ci95_low"], row["ci95_high"]) == pytest.approx((killed.mean() - half, killed.mean() + half))
    tex = (report / "tables/summary.tex").read_text()
    assert r"\toprule" in tex and r"bonus\_multiplier" in tex and "True" in tex and tex.count(r" \\") == 9
    md = (report / "tables/summary.md").read_text().splitlines()
    assert md[0].startswith("| point | bonus_multiplier |") and len(md) == 2 + 8
    assert "heatmap_killed.png" in text and "one line per e_register_enabled" in text


def test_list_report_counts_lists_and_excludes_failed_runs(listed):
    sweep, report = listed
    assert report == sweep.parent / "bundle"
    text = check_bundle(report, "list", keep=KEEP[:1])
    assert "**6 runs: 4 ok, 2 failed**" in text and "2 of 6 runs failed" in text
    failures = text.split("## Failures")[1].split("##")[0]
    assert "| p00001-r000 | 1 | 0 |" in failures and "| p00001-r001 | 1 | 1 |" in failures
    assert "a brigade" in failures
    summary = pd.read_csv(report / "tables/summary.csv")
    assert summary.loc[summary.point == 1, "n"].eq(0).all() and summary.loc[summary.point != 1, "n"].eq(2).all()
    assert summary.loc[summary.point == 1, "mean"].isna().all()


def test_sobol_report_single_replicate(sobol):
    sweep, report = sobol
    text = check_bundle(report, "sobol", outcomes=("contracts",), keep=())
    assert "**16 runs: 16 ok, 0 failed** (16 design points x 1 replicate)" in text
    assert "no confidence intervals" in text and "value (one replicate)" in text
    table = pd.read_csv(report / "tables/sensitivity.csv")
    assert table.equals(pd.read_csv(sweep / "sensitivity.csv"))
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    summary = pd.read_csv(report / "tables/summary.csv")
    assert summary["n"].eq(1).all() and summary[["sd", "ci95_low", "ci95_high"]].isna().all().all()
    assert "### Sensitivity indices (sobol)" in text


def test_morris_report(morris):
    _, report = morris
    text = check_bundle(report, "morris", outcomes=("contracts",), keep=())
    assert "**12 runs: 12 ok, 0 failed**" in text
    assert "mu_star" in (report / "tables/sensitivity.md").read_text()


def test_three_factor_grid_and_lhs(small):
    kind, _, report = small
    text = check_bundle(report, kind, outcomes=("contracts",), keep=())
    if kind == "grid3":
        assert "averaged over the design points of exit_ban_enabled" in text
        assert "one line per e_register_enabled, exit_ban_enabled" in text
    else:
        assert "quantile bins" in text and "heatmap" not in text


def test_report_is_deterministic(listed, tmp_path):
    sweep, first = listed
    second = build_report(sweep, tmp_path / "again")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    differ = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert not differ


def test_existing_report_is_never_overwritten(listed):
    sweep, report = listed
    before = (report / "REPORT.md").read_bytes()
    with pytest.raises(UsageError, match="not empty"):
        build_report(sweep, report)
    assert (report / "REPORT.md").read_bytes() == before


@pytest.mark.parametrize("case", ["missing", "file", "empty", "parts", "unfinished"])
def test_not_a_sweep_is_a_one_line_usage_error(tmp_path, case, capsys):
    target = tmp_path / "dir"
    if case == "file":
        target.write_text("x")
    elif case != "missing":
        target.mkdir()
        if case == "parts":
            (target / ".parts").mkdir()
        if case == "unfinished":                   # what an interrupted `draftsim sweep` leaves
            (target / ".sweep.json").write_text("{}")
            (target / "manifest.json").write_text("{}")
    with pytest.raises(UsageError) as err:
        build_report(target)
    message = str(err.value)
    assert "\n" not in message and str(target) in message
    assert ("--resume" if case in ("parts", "unfinished") else "allowed: a finished sweep folder") in message
    assert not (target / "report").exists()
    assert cli.main(["report", str(target)]) == 2                     # the command: one line, exit 2
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("draftsim: error: DIR:")


def test_citation_file_names_the_release_and_the_references():
    root = Path(__file__).resolve().parents[1]
    text = "\n" + (root / "CITATION.cff").read_text(encoding="utf-8")
    version = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for line in ("cff-version: 1.2.0", "title: draftsim", f"version: {version}", "license: MIT",
                 'date-released: "2026-11-24"', "  - name: draftsim contributors", "abstract: >-",
                 "    doi: 10.18564/jasss.4259", "    doi: 10.21105/joss.07668"):
        assert f"\n{line}\n" in text, line
    assert "repository-code" not in text
