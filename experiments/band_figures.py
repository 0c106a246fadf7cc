"""The figures of an ensemble: 5-95% bands with their median, drawn from the bands tables (experiments/bands.py).

- ``national_bands.png``: six main national series by week, each in its own panel (their scales differ by
  orders of magnitude), the 5-95% band shaded and the median as a line;
- ``regional_deaths_bands.png``: killed per 10,000 census men by region at the end of the run, regions
  sorted by the median, the 5-95% band as an error bar.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from draftsim.model import columns as schema
from draftsim.model.formats import compact

DPI = 110
MAIN_SERIES = ("new_contracts", "new_mobilised", "new_emigrants", "deployed", "killed_total", "recruits_total")


def _subtitle(meta: dict) -> str:
    seeds = meta.get("seeds", 1)
    return (f"scenario {meta.get('scenario', '?')} | {meta.get('draws', '?')} posterior draws x {seeds} "
            f"seed{'s' if seeds != 1 else ''} from {meta.get('posterior', '?')} | {meta.get('scale', 0):g} men per agent")


def _save(fig: Figure, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=DPI, format="png")
    os.replace(tmp, path)            # a figure is complete or absent
    return path


def _unit(col: str) -> str:
    return "men per week" if schema.column(col).kind == "flow" else "men"


def national_bands(bands: pd.DataFrame, path: Path, meta: dict) -> Path:
    present = [c for c in MAIN_SERIES if c in set(bands["column"])]
    rows = max(1, (len(present) + 1) // 2)
    fig = Figure(figsize=(12, 3.1 * rows + 1.0), layout="constrained")
    axes = fig.subplots(rows, 2, sharex=True, squeeze=False).ravel()
    for ax, col in zip(axes, present):
        b = bands[bands["column"] == col]
        dates = pd.to_datetime(b["date"])
        colour = schema.colour(col) or "#0072b2"
        ax.fill_between(dates, b["q05"], b["q95"], color=colour, alpha=0.25, linewidth=0, label="5-95% of runs")
        ax.plot(dates, b["q50"], color=colour, linewidth=1.6, label="median")
        label = schema.label(col)
        ax.set_title(col if label == col else f"{label}  [{col}]", fontsize=10)
        ax.set_ylabel(_unit(col))
        loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax.yaxis.set_major_formatter(FuncFormatter(compact))
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    for ax in axes[len(present):]:
        ax.set_visible(False)
    fig.suptitle(f"Ensemble over the posterior: median and 5-95% band of the runs, by week\n{_subtitle(meta)}")
    return _save(fig, path)


def regional_deaths(regions: pd.DataFrame, path: Path, meta: dict) -> Path:
    # drawn bottom up: the highest median on top, ties in alphabetical order from the top down
    d = regions.sort_values(["killed_per_10k_q50", "name"], ascending=[True, False], na_position="first").reset_index(drop=True)
    n = len(d)
    height = max(6.0, 0.16 * n + 1.8)
    fig = Figure(figsize=(9, height))
    fig.subplots_adjust(left=0.3, right=0.97, bottom=0.9 / height, top=1 - 1.1 / height)
    ax = fig.subplots()
    median = d["killed_per_10k_q50"]
    lower, upper = (median - d["killed_per_10k_q05"]).clip(lower=0), (d["killed_per_10k_q95"] - median).clip(lower=0)
    ax.errorbar(median, range(n), xerr=[lower, upper], fmt="o", markersize=3, color="#b71c1c", ecolor="#ef9a9a",
                elinewidth=2.5, capsize=0)
    ax.set_yticks(range(n), d["name"].fillna(d["region"]), fontsize=7)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(left=0)
    ax.set_xlabel("killed per 10,000 men (2021 census, ages 16-61), cumulative at the end of the run")
    ax.grid(True, axis="x", alpha=0.3)
    ax.tick_params(axis="y", length=0)
    # no legend box: with 85 rows every corner of the axes holds a bar it would hide
    fig.suptitle(f"Killed per 10,000 men by region (dot: median of the runs; bar: their 5-95% band), sorted by the median\n"
                 f"{_subtitle(meta)}", fontsize=10)
    return _save(fig, path)


def draw_all(national: pd.DataFrame, regions: pd.DataFrame, folder: Path, meta: dict) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [national_bands(national, folder / "national_bands.png", meta),
            regional_deaths(regions, folder / "regional_deaths_bands.png", meta)]
