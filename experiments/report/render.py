"""REPORT.md: one function per section, each returning its lines, in the order :func:`render` joins them."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from draftsim.experiments.report.draw import levels, value_label
from draftsim.experiments.report.figures import SAMPLED, SECTIONS, Drawn
from draftsim.experiments.report.load import Sweep, dig
from draftsim.experiments.report.tables import to_markdown

MAX_LISTED_FAILURES = 50
INLINE_SUMMARY_ROWS = 60


def render(sweep: Sweep, drawn: list[Drawn], tables: dict[str, Any], final: Path) -> str:
    """The text of REPORT.md; ``final`` is where the report folder will be (for the link to the ODD)."""
    return "\n".join([*heading(sweep), *what_was_run(sweep), *failures(sweep), *provenance(sweep),
                      *the_model(sweep, final), *figures(drawn), *tables_section(sweep, tables), *reproduce(sweep)])


# --- what the sections share ----------------------------------------------------------------------------
def _code(x: Any) -> str:
    return f"`{x}`" if x not in (None, "") else "unknown"


def _seconds(s: Any) -> str:
    if s is None or (isinstance(s, float) and not math.isfinite(s)):
        return "unknown"
    s = float(s)
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def _name(sweep: Sweep) -> str:
    return sweep.experiment.get("name") or dig(sweep.manifest, "experiment.name", default=sweep.folder.name)


def _counts(sweep: Sweep) -> tuple[int, int, int, int]:
    """Runs in all, ok, failed, and design points."""
    runs = sweep.runs
    total, failed = len(runs), int((runs["status"] != "ok").sum())
    return total, total - failed, failed, int(runs["point"].nunique())


def _code_version(sweep: Sweep) -> dict:
    code = dig(sweep.manifest, "code", "code_version", default={}) or {}     # code_version: older sweep folders
    return code if isinstance(code, dict) else {"git_commit": str(code)}


def _sha(sweep: Sweep) -> str | None:
    return dig(sweep.manifest, "experiment.sha256", "experiment_sha256")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# --- the sections -----------------------------------------------------------------------------------------
def heading(sweep: Sweep) -> list[str]:
    total, ok, failed, n_points = _counts(sweep)
    description = sweep.experiment.get("description") or dig(sweep.manifest, "experiment.description", default="")
    lines = [f"# Sweep report: {_name(sweep)}", ""]
    if description:
        lines += [description, ""]
    return lines + [f"**{total} runs: {ok} ok, {failed} failed** ({_plural(n_points, 'design point')} x "
                    f"{_plural(sweep.replicates, 'replicate')}). Built by `draftsim report` from the sweep "
                    f"folder `{sweep.folder.name}`.", ""]


def what_was_run(sweep: Sweep) -> list[str]:
    m, exp = sweep.manifest, sweep.experiment
    total, ok, failed, n_points = _counts(sweep)
    seeding = dig(m, "seeding")
    seeding_text = (seeding if isinstance(seeding, str) else dig(seeding, "rule", "description")) if seeding else None
    lines = ["## What was run", "", "| | |", "|:---|:---|",
             f"| experiment | {_name(sweep)} (file sha256 {_code(_sha(sweep))}) |",
             f"| scenario | {exp.get('scenario', dig(m, 'experiment.scenario', default='baseline'))} |",
             f"| simulated until | {exp.get('until', dig(m, 'experiment.until', default='the scenario end date'))} |",
             f"| scale | {exp.get('scale', dig(m, 'experiment.scale', default='?'))} men per agent |",
             f"| design | {sweep.kind}, {_plural(len(sweep.factors), 'factor')}, {n_points} design points |",
             f"| replicates | {sweep.replicates} per design point |",
             f"| root seed | {exp.get('seed', dig(m, 'experiment.seed', default='?'))} |",
             f"| runs | {total} in all: {ok} ok, {failed} failed |",
             f"| outcomes | {', '.join(sweep.outcomes) or 'none'} |",
             f"| kept time series | {', '.join(sweep.kept) or 'none'} |"]
    if seeding_text:
        lines.append(f"| seeding | {seeding_text} |")
    lines += ["", *(_factor_rows(sweep) if sweep.factors else ["The design has no factors."]), ""]
    if sweep.replicates == 1:
        return lines + ["Each design point was run once, so there are no confidence intervals: figures show the values "
                        "of single runs and the tables leave sd and the interval empty.", ""]
    return lines + ["Statistics are over the replicates of a design point: mean, sample sd (n-1) and the 95% "
                    "Student t-interval of the mean. Replicate r uses the same seed at every design point (common "
                    "random numbers), so differences between points are paired.", ""]


def _factor_rows(sweep: Sweep) -> list[str]:
    params = dig(sweep.experiment, "design.parameters", default={})
    rows = ["| factor | type | values |", "|:---|:---|:---|"]
    for f in sweep.factors:
        col = sweep.runs[f]
        typ = ("bool" if pd.api.types.is_bool_dtype(col) else "integer" if pd.api.types.is_integer_dtype(col)
               else "number" if pd.api.types.is_numeric_dtype(col)
               else "date" if all(isinstance(v, dt.date) for v in col) else "text")
        spec = params.get(f) if isinstance(params, dict) else None
        if sweep.kind in SAMPLED and isinstance(spec, list) and len(spec) == 2:
            seen = f"sampled {col.min():g} to {col.max():g}" if pd.api.types.is_numeric_dtype(col) else ""
            values = f"range [{spec[0]}, {spec[1]}]; {seen}"
        else:
            values = ", ".join(value_label(v) for v in levels(col))
        rows.append(f"| {f} | {typ} | {values} |")
    return rows


def failures(sweep: Sweep) -> list[str]:
    runs = sweep.runs
    total, _, failed, _ = _counts(sweep)
    if failed == 0:
        return ["## Failures", "", "No run failed.", ""]
    lines = ["## Failures", "",
             f"{failed} of {total} runs failed. They are left out of every statistic and figure "
             f"(n in the tables counts ok runs only). Full tracebacks: `failures.jsonl` in the sweep folder.", "",
             "| run | point | replicate | seed | error |", "|:---|---:|---:|---:|:---|"]
    for row in runs[runs["status"] != "ok"].head(MAX_LISTED_FAILURES).to_dict("records"):
        error = dig(sweep.failures.get(str(row["run_id"]), {}), "error", default="(not recorded)")
        error = " ".join(str(error).split())[:160].replace("|", "\\|")
        lines.append(f"| {row['run_id']} | {row['point']} | {row['replicate']} | {row.get('seed', '')} | {error} |")
    if failed > MAX_LISTED_FAILURES:
        lines.append(f"| ... | | | | and {failed - MAX_LISTED_FAILURES} more |")
    return lines + [""]


def provenance(sweep: Sweep) -> list[str]:
    m, runs = sweep.manifest, sweep.runs
    code = _code_version(sweep)
    commit, dirty = code.get("git_commit"), code.get("git_dirty")
    packages = dig(m, "packages", default={}) or {}
    pk = ", ".join(f"{k} {v}" for k, v in packages.items() if v) or "unknown"
    durations = pd.to_numeric(runs.get("duration_s"), errors="coerce") if "duration_s" in runs else None
    run_times = (f"mean {_seconds(durations.mean())}, max {_seconds(durations.max())}, total {_seconds(durations.sum())}"
                 if durations is not None and durations.notna().any() else "unknown")
    workers = dig(m, "workers")
    workers_text = "" if workers is None else f", {_plural(workers, 'worker')}"
    lines = ["## Provenance (from the sweep manifest)", "", "| | |", "|:---|:---|",
             f"| code version | draftsim {packages.get('draftsim') or '?'}, git commit {_code(commit)}, "
             f"uncommitted changes: {'yes' if dirty else 'no' if dirty is False else 'unknown'} |",
             f"| python | {dig(m, 'python', default='unknown')} on {dig(m, 'platform', default='unknown')} |",
             f"| packages | {pk} |",
             f"| executor | {dig(m, 'executor', default='unknown')}{workers_text} |",
             f"| started | {dig(m, 'started', 'started_utc', default='unknown')} |",
             f"| finished | {dig(m, 'finished', 'finished_utc', default='unknown')} |",
             f"| wall time | {_seconds(dig(m, 'wall_time_s'))} |",
             f"| model run time per run | {run_times} |",
             f"| experiment sha256 | {_code(_sha(sweep))} |", ""]
    if dirty:
        lines += ["**The code had uncommitted changes when the sweep ran**, so the commit alone may not reproduce it.", ""]
    return lines


def the_model(sweep: Sweep, final: Path) -> list[str]:
    # a repository path and a commit: unlike a file link, they stay true wherever the report is moved
    code = _code_version(sweep)
    commit = code.get("git_commit")
    where = f"at commit `{commit}`" if commit else "(the commit is unknown)"
    lines = ["## The model", "",
             f"The model is described by its ODD protocol, `docs/ODD.md` in the draftsim repository {where}"
             + (f"; `git show {commit}:docs/ODD.md` prints that version." if commit else ".")]
    odd = _local_odd(code, final)
    if odd:
        lines.append(f"In the checkout the sweep ran from: [{odd}]({odd}) (relative to where this report was "
                     f"written; the link breaks if the report is moved, the path and commit above do not).")
    return lines + ["Cite draftsim as described in `CITATION.cff` at the repository root.", ""]


def _local_odd(code: dict, final: Path) -> str | None:
    """docs/ODD.md of the checkout that ran the sweep, relative to the report folder, when the report
    lies inside that checkout (a link climbing out of it to elsewhere on this machine would help no one)."""
    root = code.get("package_dir")
    odd = Path(root) / "docs" / "ODD.md" if root else None
    if odd is None or not odd.is_file() or not Path(final).resolve().is_relative_to(Path(root).resolve()):
        return None
    return Path(os.path.relpath(odd, final)).as_posix()


def figures(drawn: list[Drawn]) -> list[str]:
    lines, n = [], 0
    for section, title in SECTIONS.items():
        items = [d for d in drawn if d.section == section]
        if not items:
            continue
        lines += [f"## {title}", ""]
        for d in items:
            n += 1
            lines += [f"![Figure {n}](figures/{d.stem}.png)", "",
                      f"*Figure {n}.* {d.caption} Vector: [SVG](figures/{d.stem}.svg), [PDF](figures/{d.stem}.pdf).", ""]
    return lines


def tables_section(sweep: Sweep, tables: dict[str, Any]) -> list[str]:
    lines = ["## Tables", "",
             "- `tables/summary.csv`, [`.md`](tables/summary.md), `.tex`: per design point and outcome, n (ok runs), "
             "mean, sd, ci95_low, ci95_high."]
    if "sensitivity" in tables:
        lines.append("- `tables/sensitivity.csv`, [`.md`](tables/sensitivity.md), `.tex`: the sensitivity indices.")
    lines.append("")
    if "sensitivity" in tables:
        lines += [f"### Sensitivity indices ({sweep.kind})", "", to_markdown(tables["sensitivity"])]
    summary = tables["summary"]
    if len(summary) <= INLINE_SUMMARY_ROWS:
        return lines + ["### Summary per design point", "", to_markdown(summary)]
    return lines + [f"The summary has {len(summary)} rows; see `tables/summary.md`.", ""]


def reproduce(sweep: Sweep) -> list[str]:
    commit, sha = _code_version(sweep).get("git_commit"), _sha(sweep)
    executor = dig(sweep.manifest, "executor", default="local")
    lines = ["## How to reproduce", "",
             "The experiment file is copied here as `experiment.toml` and the sweep's manifest as "
             "`sweep_manifest.json`. Results do not depend on the number of workers or the executor.", "", "```sh"]
    if commit:
        lines.append(f"git checkout {commit}")
    lines += ["python -m pip install -e .", f"draftsim sweep experiment.toml --out sweep --executor {executor}",
              "draftsim report sweep", "```", ""]
    if sha:
        lines += [f"Check the experiment file first: its sha256 must be `{sha}`.", ""]
    return lines
