"""Which figures a report has and what their captions say; :mod:`.draw` draws them.

Each ``*_figures`` function draws one kind for every outcome (or kept column) and returns what it
drew as :class:`Drawn` items; REPORT.md shows them grouped by section, in :data:`SECTIONS` order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from draftsim.experiments.report import draw as rf
from draftsim.experiments.report import tables as rt
from draftsim.experiments.report.load import Sweep
from draftsim.model import columns as schema

SAMPLED = ("lhs", "sobol", "morris")       # designs whose factors take many values: scatter, not curves


@dataclass(frozen=True)
class Drawn:
    stem: str
    caption: str
    section: str


# in this order in REPORT.md: the indices, when there are any, are what a sobol/morris design is for
SECTIONS = {"sensitivity": "Sensitivity indices", "response": "Response to the design factors",
            "heatmap": "Two-factor heatmaps", "timeseries": "Time series by design point (fan charts)"}


def _stem(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p).strip("-") or "x" for p in parts)


def _point_labels(sweep: Sweep) -> dict[int, str]:

    points = sweep.runs.drop_duplicates("point").sort_values("point")
    return {int(row["point"]): f"p{int(row['point'])}: " + rf.combo_label(sweep.factors, [row[f] for f in sweep.factors])
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
        stem = rf.fan_chart(series, column, panels, sweep.replicates > 1, f"{_label(column)} by design point",
                            folder, _stem("fan", column))
        if sweep.replicates > 1:
            what = f"median over {sweep.replicates} replicates (line), 50% and 90% bands (shaded)"
        else:
            what = "the single replicate's run (no bands)"
        drawn.append(Drawn(stem, f"Weekly {_described(column)}, {what}, for {which}.", "timeseries"))
    return drawn


def _label(column: str) -> str:
    """A kept column as the schema labels it (a column the schema does not know keeps its bare name)."""
    declared = schema.BY_NAME.get(column)
    return declared.label if declared and declared.label else column


def _described(column: str) -> str:
    declared = schema.BY_NAME.get(column)
    return f"{declared.label} (`{column}`, {declared.unit})" if declared and declared.label else f"`{column}`"
