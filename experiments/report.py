"""``draftsim report DIR``: a publication bundle from a finished sweep folder.

Reads the sweep's ``runs.parquet``, ``timeseries.parquet``, ``manifest.json``, ``failures.jsonl`` and
``sensitivity.csv`` (sobol/morris) and writes, into a new folder (default ``DIR/report``)::

    REPORT.md                     what was run, provenance, figures inline, how to reproduce
    figures/<stem>.{png,svg,pdf}  PNG at 300 dpi; stems: response_<outcome>_vs_<factor>,
                                  response_<outcome>_by_point (list designs), heatmap_<outcome>,
                                  sobol_<outcome>, morris_mu_star_<outcome>, morris_sigma_<outcome>,
                                  fan_<column>
    tables/summary.{csv,md,tex}   per design point and outcome: n, mean, sd, 95% CI over replicates
    tables/sensitivity.{csv,md,tex}   sobol/morris indices, when the sweep has them
    experiment.toml, sweep_manifest.json   copies, so the bundle stands alone

Failed runs are left out of every statistic and figure, and counted and listed in REPORT.md.
The folder is staged and renamed into place (see :class:`experiments.outdir.StagedDir`), so an
existing report is never overwritten and a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import StagedDir

RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "duration_s", "error")
SERIES_KEYS = ("run_id", "point", "replicate", "date", "seed", "status")
SAMPLED = ("lhs", "sobol", "morris")       # designs whose factors take many values: scatter, not curves
MAX_LISTED_FAILURES = 50
INLINE_SUMMARY_ROWS = 60
ALLOWED = "allowed: a finished sweep folder (with runs.parquet and manifest.json, as written by `draftsim sweep`)"


@dataclass
class Sweep:
    folder: Path
    manifest: dict
    runs: Any                                  # pandas DataFrame, one row per run, sorted by run_id
    timeseries: Any | None                     # long DataFrame or None
    sensitivity: Any | None
    failures: dict[str, dict]                  # run_id -> record from failures.jsonl
    experiment: dict                           # the parsed experiment file ({} if unreadable)
    experiment_text: str | None
    kind: str
    factors: list[str]
    outcomes: list[str]
    kept: list[str]
    replicates: int = field(init=False)

    def __post_init__(self):
        self.replicates = int(self.runs["replicate"].nunique()) if len(self.runs) else 0


@dataclass(frozen=True)
class Drawn:
    stem: str
    caption: str
    section: str


# in this order in REPORT.md: the indices, when there are any, are what a sobol/morris design is for
SECTIONS = {"sensitivity": "Sensitivity indices", "response": "Response to the design factors",
            "heatmap": "Two-factor heatmaps", "timeseries": "Time series by design point (fan charts)"}


# --- reading the sweep -------------------------------------------------------------------------------
def dig(d: Any, *paths: str, default: Any = None) -> Any:
    """The first of the dotted ``paths`` present (and not None) in nested dicts ``d``."""
    for path in paths:
        cur = d
        for key in path.split("."):
            if not isinstance(cur, dict) or key not in cur:
                break
            cur = cur[key]
        else:
            if cur is not None:
                return cur
    return default


def _not_a_sweep(folder: Path, why: str) -> UsageError:
    return UsageError(f"DIR: '{folder}' {why}; {ALLOWED}")


def load_sweep(folder: Path | str) -> Sweep:
    import pandas as pd

    folder = Path(folder)
    if not folder.exists():
        raise _not_a_sweep(folder, "does not exist")
    if not folder.is_dir():
        raise _not_a_sweep(folder, "is not a folder")
    # .sweep.json marks a sweep that has not finished (experiments.store); .parts/ holds its runs so far
    if (folder / ".sweep.json").exists() or ((folder / ".parts").is_dir() and not (folder / "runs.parquet").is_file()):
        raise UsageError(f"DIR: '{folder}' holds an unfinished sweep; finish it with "
                         f"`draftsim sweep EXPERIMENT.toml --out {folder} --resume`, then build the report")
    if not (folder / "runs.parquet").is_file():
        raise _not_a_sweep(folder, "has no runs.parquet")
    if not (folder / "manifest.json").is_file():
        raise _not_a_sweep(folder, "has no manifest.json")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        runs = pd.read_parquet(folder / "runs.parquet")
    except (OSError, ValueError) as exc:
        raise _not_a_sweep(folder, f"cannot be read ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(manifest, dict):
        raise _not_a_sweep(folder, "has a manifest.json that is not a JSON object")
    missing = [c for c in ("run_id", "point", "replicate", "status") if c not in runs.columns]
    if missing:
        raise _not_a_sweep(folder, f"has a runs.parquet without the column{'s' if len(missing) > 1 else ''} "
                                   f"{', '.join(missing)}")
    runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)

    text = dig(manifest, "experiment.text")
    if text is None and (folder / "experiment.toml").is_file():
        text = (folder / "experiment.toml").read_text(encoding="utf-8")
    try:
        experiment = tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        experiment = {}
    design = experiment.get("design", {}) if isinstance(experiment.get("design"), dict) else {}
    entry = dig(manifest, "experiment.design")          # a table, or just the kind
    kind = str(dig(manifest, "experiment.design_kind", "experiment.design.kind")
               or (entry if isinstance(entry, str) else None) or design.get("kind") or "unknown")
    factors = [f for f in _factor_names(manifest, design) if f in runs.columns]
    outcomes = _outcome_names(manifest, experiment, runs, factors)

    series = pd.read_parquet(folder / "timeseries.parquet") if (folder / "timeseries.parquet").is_file() else None
    kept = [c for c in series.columns if c not in SERIES_KEYS] if series is not None else []
    if series is not None and "date" in series.columns:
        series = series.assign(date=pd.to_datetime(series["date"]))
    sensitivity = pd.read_csv(folder / "sensitivity.csv") if (folder / "sensitivity.csv").is_file() else None
    return Sweep(folder=folder, manifest=manifest, runs=runs, timeseries=series, sensitivity=sensitivity,
                 failures=_read_failures(folder / "failures.jsonl"), experiment=experiment, experiment_text=text,
                 kind=kind, factors=factors, outcomes=outcomes, kept=kept)


def _factor_names(manifest: dict, design: dict) -> list[str]:
    """Factor names from the manifest (a list of names or of {name: ...}, or a dict), else from the file."""
    listed = dig(manifest, "experiment.factors", "experiment.design.factors")
    if isinstance(listed, dict):
        return list(listed)
    if isinstance(listed, list) and listed:
        return [f["name"] if isinstance(f, dict) else str(f) for f in listed]
    if isinstance(design.get("parameters"), dict):
        return list(design["parameters"])
    if isinstance(design.get("points"), list):
        return list(dict.fromkeys(k for p in design["points"] if isinstance(p, dict) for k in p))
    return []


def _outcome_names(manifest: dict, experiment: dict, runs, factors: list[str]) -> list[str]:
    """The outcomes the manifest or the file names (in their order), else every numeric column that is
    neither bookkeeping nor a factor."""
    import pandas as pd

    listed = dig(manifest, "experiment.outcomes") or experiment.get("outcomes") or []
    named = [o.get("name") if isinstance(o, dict) else o for o in listed if isinstance(o, (dict, str))]
    named = [n for n in named if n in runs.columns]
    if named:
        return named
    return [c for c in runs.columns if c not in RUN_COLUMNS and c not in factors
            and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])]


def _read_failures(path: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue                       # a torn last line is no reason to lose the report
            if isinstance(record, dict) and "run_id" in record:
                out[str(record["run_id"])] = record
    return out


# --- figures -----------------------------------------------------------------------------------------
def _stem(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p).strip("-") or "x" for p in parts)


def _point_labels(sweep: Sweep) -> dict[int, str]:
    from draftsim.experiments.report_figures import _combo_label

    points = sweep.runs.drop_duplicates("point").sort_values("point")
    return {int(row["point"]): f"p{int(row['point'])}: " + _combo_label(sweep.factors, [row[f] for f in sweep.factors])
            for row in points.to_dict("records")}


def _is_sampled(sweep: Sweep) -> bool:
    if sweep.kind in SAMPLED:
        return True
    if sweep.kind in ("grid", "list"):
        return False
    return any(sweep.runs[f].nunique() > 12 for f in sweep.factors)     # unknown kind: judge by the values


def _ci_words(sweep: Sweep) -> str:
    if sweep.replicates > 1:
        return f"mean over {sweep.replicates} replicates with its 95% t-interval"
    return "a single replicate per design point, so the value of that run and no interval"


def response_figures(sweep: Sweep, folder: Path) -> list[Drawn]:
    from draftsim.experiments import report_figures as rf
    from draftsim.experiments import report_tables as rt

    runs, show_ci, drawn = sweep.runs, sweep.replicates > 1, []
    for outcome in sweep.outcomes:
        if sweep.kind == "list" or not sweep.factors:
            stats = rt.group_stats(runs, ["point"], outcome).sort_values("point")
            labels = _point_labels(sweep)
            stem = rf.response_by_point(stats, [labels[int(p)] for p in stats["point"]], outcome, show_ci,
                                        f"{outcome} by design point", folder, _stem("response", outcome, "by", "point"))
            drawn.append(Drawn(stem, f"{outcome} at each design point ({_ci_words(sweep)}); the x axis is the "
                                     f"point index, labelled with its factor values.", "response"))
            continue
        for factor in sweep.factors:
            stem = _stem("response", outcome, "vs", factor)
            if _is_sampled(sweep):
                means = rt.point_means(runs, sweep.factors, outcome)
                per_point = "replicate mean" if sweep.replicates > 1 else "value (one replicate)"
                rf.response_scatter(means, factor, outcome, f"design point ({per_point})", f"{outcome} vs {factor}",
                                    folder, stem)
                caption = (f"{outcome} against {factor} over the {sweep.kind} sample: one dot per design point "
                           f"({per_point}), the line joins the means within quantile bins of {factor}"
                           + ("; the other factors vary too." if len(sweep.factors) > 1 else "."))
            else:
                others = [f for f in sweep.factors if f != factor]
                combos = len(runs[others].drop_duplicates()) if others else 1
                groups = others if combos <= rf.MAX_LINES else others[:1]
                pooled = [f for f in others if f not in groups]
                stats = rt.group_stats(runs, [factor, *groups], outcome)
                rf.response_curve(stats, factor, groups, outcome, show_ci, f"{outcome} vs {factor}", folder, stem)
                caption = f"{outcome} against {factor}: {_ci_words(sweep)}"
                if groups:
                    caption += f"; one line per {', '.join(groups)}"
                if pooled:
                    caption += (f"; pooled over the runs at every level of {', '.join(pooled)} (the mean and "
                                 f"interval are over all those runs)")
                caption += "."
            drawn.append(Drawn(stem, caption, "response"))
    return drawn


def heatmap_figures(sweep: Sweep, folder: Path) -> list[Drawn]:
    from draftsim.experiments import report_figures as rf
    from draftsim.experiments import report_tables as rt

    if sweep.kind != "grid" or len(sweep.factors) < 2:
        return []
    fx, fy, rest = sweep.factors[0], sweep.factors[1], sweep.factors[2:]
    drawn = []
    for outcome in sweep.outcomes:
        means = rt.point_means(sweep.runs, sweep.factors, outcome)
        cells = means.groupby([fx, fy], sort=False, dropna=False)["mean"].mean().reset_index()
        stem = rf.heatmap(cells, fx, fy, outcome, f"{outcome}: mean over the {fx} x {fy} grid", folder,
                          _stem("heatmap", outcome))
        caption = f"Mean of {outcome} over replicates in each cell of the {fx} x {fy} grid"
        if rest:
            caption += f", averaged over the design points of {', '.join(rest)} (equal weight per point)"
        drawn.append(Drawn(stem, caption + ".", "heatmap"))
    return drawn


def sensitivity_figures(sweep: Sweep, folder: Path) -> list[Drawn]:
    from draftsim.experiments import report_figures as rf

    table, drawn = sweep.sensitivity, []
    if table is None or "outcome" not in table.columns:
        return drawn
    for outcome, part in table.groupby("outcome", sort=False):
        if {"S1", "S1_conf", "ST", "ST_conf"} <= set(part.columns):
            stem = rf.sobol_bars(part, outcome, f"Sobol indices of {outcome}", folder, _stem("sobol", outcome))
            drawn.append(Drawn(stem, f"Sobol first-order (S1) and total (ST) indices of {outcome}, with their "
                                     f"95% bootstrap confidence half-widths as whiskers.", "sensitivity"))
        if {"mu_star", "mu_star_conf", "sigma"} <= set(part.columns):
            stem = rf.morris_bars(part, outcome, f"Morris mu* of {outcome}", folder, _stem("morris", "mu-star", outcome))
            drawn.append(Drawn(stem, f"Morris mu* (mean absolute elementary effect) of {outcome} per parameter, "
                                     f"with its 95% bootstrap confidence as whiskers.", "sensitivity"))
            stem = rf.morris_scatter(part, outcome, f"Morris mu* vs sigma of {outcome}", folder,
                                     _stem("morris", "sigma", outcome))
            drawn.append(Drawn(stem, f"Morris mu* against sigma for {outcome}: to the right, influential "
                                     f"parameters; above the dashed line, effects that are non-linear or interact.",
                               "sensitivity"))
    return drawn


def fan_figures(sweep: Sweep, folder: Path) -> list[Drawn]:
    from draftsim.experiments import report_figures as rf

    series = sweep.timeseries
    if series is None or not sweep.kept or len(series) == 0:
        return []
    ok_ids = set(sweep.runs.loc[sweep.runs["status"] == "ok", "run_id"])
    series = series[series["run_id"].isin(ok_ids)]
    points = sorted(int(p) for p in series["point"].unique())
    shown = points[:rf.FAN_POINTS]
    labels = _point_labels(sweep)
    panels = [(p, labels.get(p, f"p{p}")) for p in shown]
    which = (f"the first {len(shown)} of {len(points)} design points" if len(points) > len(shown)
             else f"all {len(shown)} design point{'s' if len(shown) > 1 else ''}")
    drawn = []
    for column in sweep.kept:
        stem = rf.fan_chart(series, column, panels, sweep.replicates > 1, f"{column} by design point", folder,
                            _stem("fan", column))
        if sweep.replicates > 1:
            what = f"median over {sweep.replicates} replicates (line), 50% and 90% bands (shaded)"
        else:
            what = "the single replicate's run (no bands)"
        drawn.append(Drawn(stem, f"Weekly {column}, {what}, for {which}.", "timeseries"))
    return drawn


# --- tables ------------------------------------------------------------------------------------------
def write_tables(sweep: Sweep, folder: Path) -> dict[str, Any]:
    from draftsim.experiments import report_tables as rt

    summary = rt.point_summary(sweep.runs, sweep.factors, sweep.outcomes)
    rt.write_table(summary, folder, "summary",
                   f"{sweep.experiment.get('name', 'sweep')}: outcomes per design point over replicates "
                   f"(ok runs only; 95% t-interval)")
    out = {"summary": summary}
    if sweep.sensitivity is not None:
        rt.write_table(sweep.sensitivity, folder, "sensitivity",
                       f"{sweep.experiment.get('name', 'sweep')}: {sweep.kind} sensitivity indices")
        out["sensitivity"] = sweep.sensitivity
    return out


# --- REPORT.md -----------------------------------------------------------------------------------------
def _code(x: Any) -> str:
    return f"`{x}`" if x not in (None, "") else "unknown"


def _seconds(s: Any) -> str:
    if s is None or (isinstance(s, float) and not math.isfinite(s)):
        return "unknown"
    s = float(s)
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def _factor_rows(sweep: Sweep) -> list[str]:
    import pandas as pd

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
            from draftsim.experiments.report_figures import _label, levels
            values = ", ".join(_label(v) for v in levels(col))
        rows.append(f"| {f} | {typ} | {values} |")
    return rows


def _local_odd(code: dict, final: Path) -> str | None:
    """docs/ODD.md of the checkout that ran the sweep, relative to the report folder, when the report
    lies inside that checkout (a link climbing out of it to elsewhere on this machine would help no one)."""
    root = code.get("package_dir")
    odd = Path(root) / "docs" / "ODD.md" if root else None
    if odd is None or not odd.is_file() or not Path(final).resolve().is_relative_to(Path(root).resolve()):
        return None
    return Path(os.path.relpath(odd, final)).as_posix()


def render(sweep: Sweep, drawn: list[Drawn], tables: dict[str, Any], final: Path) -> str:
    import pandas as pd

    from draftsim.experiments.report_tables import to_markdown

    m, runs, exp = sweep.manifest, sweep.runs, sweep.experiment
    name = exp.get("name") or dig(m, "experiment.name", default=sweep.folder.name)
    description = exp.get("description") or dig(m, "experiment.description", default="")
    total, failed = len(runs), int((runs["status"] != "ok").sum())
    ok = total - failed
    n_points = int(runs["point"].nunique())
    code = dig(m, "code_version", "code", default={}) or {}
    code = code if isinstance(code, dict) else {"git_commit": str(code)}
    commit, dirty = code.get("git_commit"), code.get("git_dirty")
    sha = dig(m, "experiment.sha256", "experiment_sha256")
    L: list[str] = [f"# Sweep report: {name}", ""]
    if description:
        L += [description, ""]
    L += [f"**{total} runs: {ok} ok, {failed} failed** ({n_points} design point{'s' if n_points != 1 else ''} x "
          f"{sweep.replicates} replicate{'s' if sweep.replicates != 1 else ''}). Built by `draftsim report` from the sweep "
          f"folder `{sweep.folder.name}`.", ""]

    # what was run
    seeding = dig(m, "seeding")
    seeding_text = (seeding if isinstance(seeding, str) else dig(seeding, "rule", "description")) if seeding else None
    L += ["## What was run", "", "| | |", "|:---|:---|",
          f"| experiment | {name} (file sha256 {_code(sha)}) |",
          f"| scenario | {exp.get('scenario', dig(m, 'experiment.scenario', default='baseline'))} |",
          f"| simulated until | {exp.get('until', dig(m, 'experiment.until', default='the scenario end date'))} |",
          f"| scale | {exp.get('scale', dig(m, 'experiment.scale', default='?'))} men per agent |",
          f"| design | {sweep.kind}, {len(sweep.factors)} factor{'s' if len(sweep.factors) != 1 else ''}, "
          f"{n_points} design points |",
          f"| replicates | {sweep.replicates} per design point |",
          f"| root seed | {exp.get('seed', dig(m, 'experiment.seed', default='?'))} |",
          f"| runs | {total} in all: {ok} ok, {failed} failed |",
          f"| outcomes | {', '.join(sweep.outcomes) or 'none'} |",
          f"| kept time series | {', '.join(sweep.kept) or 'none'} |"]
    if seeding_text:
        L.append(f"| seeding | {seeding_text} |")
    L += ["", *(_factor_rows(sweep) if sweep.factors else ["The design has no factors."]), ""]
    if sweep.replicates == 1:
        L += ["Each design point was run once, so there are no confidence intervals: figures show the values "
              "of single runs and the tables leave sd and the interval empty.", ""]
    else:
        L += ["Statistics are over the replicates of a design point: mean, sample sd (n-1) and the 95% "
              "Student t-interval of the mean. Replicate r uses the same seed at every design point (common "
              "random numbers), so differences between points are paired.", ""]

    # failures
    L += ["## Failures", ""]
    if failed == 0:
        L += ["No run failed.", ""]
    else:
        bad = runs[runs["status"] != "ok"]
        L += [f"{failed} of {total} runs failed. They are left out of every statistic and figure "
              f"(n in the tables counts ok runs only). Full tracebacks: `failures.jsonl` in the sweep folder.", "",
              "| run | point | replicate | seed | error |", "|:---|---:|---:|---:|:---|"]
        for row in bad.head(MAX_LISTED_FAILURES).to_dict("records"):
            error = dig(sweep.failures.get(str(row["run_id"]), {}), "error", default="(not recorded)")
            error = " ".join(str(error).split())[:160].replace("|", "\\|")
            L.append(f"| {row['run_id']} | {row['point']} | {row['replicate']} | {row.get('seed', '')} | {error} |")
        if failed > MAX_LISTED_FAILURES:
            L.append(f"| ... | | | | and {failed - MAX_LISTED_FAILURES} more |")
        L.append("")

    # provenance
    packages = dig(m, "packages", default={}) or {}
    pk = ", ".join(f"{k} {v}" for k, v in packages.items() if v) or "unknown"
    durations = pd.to_numeric(runs.get("duration_s"), errors="coerce") if "duration_s" in runs else None
    run_times = (f"mean {_seconds(durations.mean())}, max {_seconds(durations.max())}, total {_seconds(durations.sum())}"
                 if durations is not None and durations.notna().any() else "unknown")
    workers = dig(m, "workers")
    workers_text = "" if workers is None else f", {workers} worker{'s' if workers != 1 else ''}"
    L += ["## Provenance (from the sweep manifest)", "", "| | |", "|:---|:---|",
          f"| code version | draftsim {packages.get('draftsim') or '?'}, git commit {_code(commit)}, "
          f"uncommitted changes: {'yes' if dirty else 'no' if dirty is False else 'unknown'} |",
          f"| python | {dig(m, 'python', default='unknown')} on {dig(m, 'platform', default='unknown')} |",
          f"| packages | {pk} |",
          f"| executor | {dig(m, 'executor', default='unknown')}"
          f"{workers_text} |",
          f"| started | {dig(m, 'started', 'started_utc', default='unknown')} |",
          f"| finished | {dig(m, 'finished', 'finished_utc', default='unknown')} |",
          f"| wall time | {_seconds(dig(m, 'wall_time_s'))} |",
          f"| model run time per run | {run_times} |",
          f"| experiment sha256 | {_code(sha)} |", ""]
    if dirty:
        L += ["**The code had uncommitted changes when the sweep ran**, so the commit alone may not reproduce it.", ""]

    # model documentation
    # (a repository path and a commit: unlike a file link, they stay true wherever the report is moved)
    where = f"at commit `{commit}`" if commit else "(the commit is unknown)"
    L += ["## The model", "",
          f"The model is described by its ODD protocol, `docs/ODD.md` in the draftsim repository {where}"
          + (f"; `git show {commit}:docs/ODD.md` prints that version." if commit else ".")]
    odd = _local_odd(code, final)
    if odd:
        L.append(f"In the checkout the sweep ran from: [{odd}]({odd}) (relative to where this report was "
                 f"written; the link breaks if the report is moved, the path and commit above do not).")
    L += ["Cite draftsim as described in `CITATION.cff` at the repository root.", ""]

    # figures
    n = 0
    for section, title in SECTIONS.items():
        items = [d for d in drawn if d.section == section]
        if not items:
            continue
        L += [f"## {title}", ""]
        for d in items:
            n += 1
            L += [f"![Figure {n}](figures/{d.stem}.png)", "",
                  f"*Figure {n}.* {d.caption} Vector: [SVG](figures/{d.stem}.svg), [PDF](figures/{d.stem}.pdf).", ""]

    # tables
    L += ["## Tables", "",
          "- `tables/summary.csv`, [`.md`](tables/summary.md), `.tex`: per design point and outcome, n (ok runs), "
          "mean, sd, ci95_low, ci95_high."]
    if "sensitivity" in tables:
        L.append("- `tables/sensitivity.csv`, [`.md`](tables/sensitivity.md), `.tex`: the sensitivity indices.")
    L.append("")
    if "sensitivity" in tables:
        L += [f"### Sensitivity indices ({sweep.kind})", "", to_markdown(tables["sensitivity"])]
    summary = tables["summary"]
    if len(summary) <= INLINE_SUMMARY_ROWS:
        L += ["### Summary per design point", "", to_markdown(summary)]
    else:
        L += [f"The summary has {len(summary)} rows; see `tables/summary.md`.", ""]

    # reproduce
    executor = dig(m, "executor", default="local")
    L += ["## How to reproduce", "",
          "The experiment file is copied here as `experiment.toml` and the sweep's manifest as "
          "`sweep_manifest.json`. Results do not depend on the number of workers or the executor.", "", "```sh"]
    if commit:
        L.append(f"git checkout {commit}")
    L += ["python -m pip install -e .", f"draftsim sweep experiment.toml --out sweep --executor {executor}",
          "draftsim report sweep", "```", ""]
    if sha:
        L += [f"Check the experiment file first: its sha256 must be `{sha}`.", ""]
    return "\n".join(L)


# --- entry point -----------------------------------------------------------------------------------------
def build_report(sweep_dir: Path | str, out_dir: Path | str | None = None) -> Path:
    """Write the report of the finished sweep in ``sweep_dir`` to ``out_dir`` (default ``sweep_dir/report``,
    which must be new or empty) and return the report folder."""
    sweep_dir = Path(sweep_dir)
    out = Path(out_dir) if out_dir is not None else sweep_dir / "report"
    sweep = load_sweep(sweep_dir)
    staged = StagedDir(out, option="--out")
    staged.check()                                      # fail before drawing anything
    with staged as tmp:
        figures = tmp / "figures"
        drawn = [*response_figures(sweep, figures), *heatmap_figures(sweep, figures),
                 *sensitivity_figures(sweep, figures), *fan_figures(sweep, figures)]
        tables = write_tables(sweep, tmp / "tables")
        if sweep.experiment_text:
            (tmp / "experiment.toml").write_text(sweep.experiment_text, encoding="utf-8")
        (tmp / "sweep_manifest.json").write_bytes((sweep_dir / "manifest.json").read_bytes())
        (tmp / "REPORT.md").write_text(render(sweep, drawn, tables, staged.path), encoding="utf-8")
    return staged.path
