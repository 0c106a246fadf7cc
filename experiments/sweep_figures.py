"""Quick look figures of a sweep: one PNG per outcome against the design's first factor.

Every successful run is a dot; the line joins the replicate means of each value.  These are for a
first look at a sweep folder; ``draftsim report`` draws the publication figures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

DPI = 110


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "outcome"


def _x(values: pd.Series) -> tuple[pd.Series, list | None]:
    """Numeric x positions and, for non-numeric factors (bools, dates, text), the tick labels."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        labels = sorted({str(v) for v in values})
        return values.astype(str).map({v: i for i, v in enumerate(labels)}), labels
    return values.astype(float), None


def draw(runs: pd.DataFrame, factors: list[str], outcomes: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ok = runs[runs["status"] == "ok"]
    factor = next((f for f in factors if f in ok and ok[f].notna().any()), None)
    written = []
    for outcome in outcomes:
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.subplots()
        xlabel = factor or "design point"
        if len(ok):
            x, labels = _x(ok[factor]) if factor else (ok["point"].astype(float), None)
            y = ok[outcome].astype(float)
            ax.scatter(x, y, s=12, alpha=0.45, color="#4477aa", label="runs")
            means = y.groupby(x).mean().sort_index()
            ax.plot(means.index, means.to_numpy(), "-o", color="#cc3311", ms=4, lw=1.2, label="mean")
            if labels is not None:
                ax.set_xticks(range(len(labels)), labels, rotation=30 if max(map(len, labels)) > 6 else 0)
            ax.legend(frameon=False, fontsize=8)
        else:
            ax.text(0.5, 0.5, "no successful runs", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(outcome)
        ax.set_title(f"{outcome} by {xlabel} ({len(ok)} runs)", fontsize=10)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = folder / f"{_safe(outcome)}.png"
        tmp = path.with_name(f".{path.name}.tmp")
        fig.savefig(tmp, dpi=DPI, format="png")
        os.replace(tmp, path)            # a figure is complete or absent
        written.append(path)
    return written
