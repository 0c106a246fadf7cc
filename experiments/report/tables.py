"""Tables of a sweep report: statistics over replicates, written as CSV, Markdown and LaTeX.

Statistics use only the runs whose status is ``ok`` and whose outcome is a finite number; failed
runs are counted and listed by the report, never averaged.  The 95% interval is Student's t
interval of the mean over replicates; with fewer than two values there is none (NaN).

Markdown and LaTeX are written here rather than by ``DataFrame.to_markdown`` / ``to_latex``:
those need ``tabulate`` and ``jinja2``, which draftsim does not depend on, and the same input
must give the same bytes wherever the report is built.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # the t quantile; scipy.stats takes ~2 s to import

from draftsim.model.formats import significant

if TYPE_CHECKING:
    from draftsim.experiments.report.load import Sweep

STAT_COLUMNS = ("n", "mean", "sd", "ci95_low", "ci95_high")


# --- statistics ------------------------------------------------------------------------------------
def describe(values) -> dict[str, float]:
    """n, mean, sd (n-1) and the 95% t interval of the finite ``values``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    mean = float(v.mean()) if n else math.nan
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    if n > 1:
        half = float(stdtrit(n - 1, 0.975)) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
    else:
        low = high = math.nan
    return {"n": n, "mean": mean, "sd": sd, "ci95_low": low, "ci95_high": high}


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"]


def group_stats(runs: pd.DataFrame, by: list[str], outcome: str) -> pd.DataFrame:
    """One row per combination of ``by`` (in order of first appearance over the design points),
    with the statistics of ``outcome`` over the ok runs in it; groups with no ok run get n = 0."""
    keys = runs[by].drop_duplicates()
    ok = ok_runs(runs)
    rows = []
    for key in keys.itertuples(index=False, name=None):
        mask = np.ones(len(ok), dtype=bool)
        for col, value in zip(by, key):
            mask &= (ok[col] == value).to_numpy()
        rows.append({**dict(zip(by, key)), **describe(ok.loc[mask, outcome])})
    return pd.DataFrame(rows, columns=[*by, *STAT_COLUMNS])


def point_summary(runs: pd.DataFrame, factors: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Per design point and outcome: the factor values, n, mean, sd and 95% CI over replicates."""
    points = runs.drop_duplicates("point").sort_values("point")[["point", *factors]]
    ok = ok_runs(runs)
    by_point = dict(tuple(ok.groupby("point", sort=True)))
    rows = []
    for values in points.to_dict("records"):
        group = by_point.get(values["point"])
        for outcome in outcomes:
            data = group[outcome] if group is not None else []
            rows.append({**values, "outcome": outcome, **describe(data)})
    return pd.DataFrame(rows, columns=["point", *factors, "outcome", *STAT_COLUMNS])


def point_means(runs: pd.DataFrame, factors: list[str], outcome: str) -> pd.DataFrame:
    """Replicate mean of ``outcome`` per design point (ok runs), with the point's factor values."""
    points = runs.drop_duplicates("point").sort_values("point")[["point", *factors]]
    means = ok_runs(runs).groupby("point")[outcome].mean()
    return points.assign(mean=points["point"].map(means)).reset_index(drop=True)


def _cells(df: pd.DataFrame) -> list[list[str]]:
    return [[significant(v) for v in row] for row in df.itertuples(index=False, name=None)]


def _numeric(df: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]


# --- Markdown --------------------------------------------------------------------------------------
def to_markdown(df: pd.DataFrame) -> str:
    def esc(text: str) -> str:
        return str(text).replace("|", "\\|")

    header = "| " + " | ".join(esc(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---:" if num else ":---" for num in _numeric(df)) + "|"
    body = ["| " + " | ".join(esc(c) for c in row) + " |" for row in _cells(df)]
    return "\n".join([header, rule, *body]) + "\n"


# --- LaTeX (booktabs; longtable when it would not fit a page) ----------------------------------------
LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
LONG_TABLE_ROWS = 40


def latex_escape(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def to_latex(df: pd.DataFrame, caption: str, label: str) -> str:
    align = "".join("r" if num else "l" for num in _numeric(df))
    header = " & ".join(latex_escape(c) for c in df.columns) + r" \\"
    body = [" & ".join(latex_escape(c) for c in row) + r" \\" for row in _cells(df)]
    cap, lab = latex_escape(caption), latex_escape(label)
    if len(body) > LONG_TABLE_ROWS:
        lines = [r"% needs \usepackage{booktabs,longtable}", rf"\begin{{longtable}}{{{align}}}",
                 rf"\caption{{{cap}}}\label{{{lab}}} \\", r"\toprule", header, r"\midrule", r"\endfirsthead",
                 r"\toprule", header, r"\midrule", r"\endhead", r"\bottomrule", r"\endlastfoot",
                 *body, r"\end{longtable}"]
    else:
        lines = [r"% needs \usepackage{booktabs}", r"\begin{table}[htbp]", r"\centering",
                 rf"\caption{{{cap}}}\label{{{lab}}}", rf"\begin{{tabular}}{{{align}}}", r"\toprule", header,
                 r"\midrule", *body, r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def write_table(df: pd.DataFrame, folder: Path, stem: str, caption: str) -> list[Path]:
    """``<stem>.csv`` (full precision), ``<stem>.md`` and ``<stem>.tex`` (rounded for reading)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv, md, tex = (folder / f"{stem}.{ext}" for ext in ("csv", "md", "tex"))
    df.to_csv(csv, index=False, lineterminator="\n")
    md.write_text(to_markdown(df), encoding="utf-8")
    tex.write_text(to_latex(df, caption, f"tab:{stem}"), encoding="utf-8")
    return [csv, md, tex]


# --- the report's tables ---------------------------------------------------------------------------
def write_tables(sweep: Sweep, folder: Path) -> dict[str, pd.DataFrame]:
    """tables/summary (and tables/sensitivity, when the sweep has indices) as CSV, Markdown and LaTeX."""
    summary = point_summary(sweep.runs, sweep.factors, sweep.outcomes)
    write_table(summary, folder, "summary",
               f"{sweep.experiment.get('name', 'sweep')}: outcomes per design point over replicates "
               f"(ok runs only; 95% t-interval)")
    out = {"summary": summary}
    if sweep.sensitivity is not None:
        write_table(sweep.sensitivity, folder, "sensitivity",
                    f"{sweep.experiment.get('name', 'sweep')}: {sweep.kind} sensitivity indices")
        out["sensitivity"] = sweep.sensitivity
    return out
