"""The figures of ``docs/VALIDATION.md`` (:mod:`draftsim.experiments.validation`), drawn from its runs' results.

- ``regional_deaths_scatter.png``: the model's deaths per 10,000 men by region on 12 April 2023 (median of
  the runs, 5-95% as a bar) against the named deaths per 10,000 men, log-log, the five highest and lowest
  observed regions and the model's own extremes labelled, Spearman's rho of the medians in the title;
- ``deaths_by_month.png``: the model's killed per calendar month and the named deaths by month of death, each
  divided by its own mean over the compared months (the list's coverage cancels), the months still being
  filled in shaded;
- ``deaths_by_channel.png``: the composition of the dead on 12 April 2023 by channel, model against the table.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

DPI = 110
MODEL, OBSERVED = "#b71c1c", "#37474f"
CHANNEL_LABELS = {"professional": "professional\n(model: regulars + conscripts)", "volunteers": "volunteers\n(model: contracts)",
                  "mobilised": "mobilised", "prisoners": "inmates + PMC\n(model: prisoner recruits)"}


def _subtitle(meta: dict) -> str:
    return f"scenario {meta.get('scenario', '?')} | {meta.get('scale', 0):g} men per agent | {meta.get('runs_text', '')}"


def _save(fig: Figure, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=DPI, format="png")
    os.replace(tmp, path)
    return path


def _package_table(name: str) -> pd.DataFrame:
    from importlib import resources

    return pd.read_csv(resources.files("draftsim.model").joinpath("data", name).open(encoding="utf-8"))


def regional_scatter(results: list[dict], path: Path, meta: dict) -> Path:
    from scipy.stats import spearmanr

    observed = _package_table("regional_deaths_2023_04.csv").set_index("iso")
    runs = pd.DataFrame([r["regional_rate"] for r in results])
    d = pd.DataFrame({"observed": observed["deaths_per_10k_men_2023_04"], "name": observed["region_en"],
                      "q50": runs.median(), "q05": runs.quantile(0.05), "q95": runs.quantile(0.95)}).dropna(subset=["observed"])
    rho = spearmanr(d["q50"], d["observed"]).statistic if d["q50"].notna().sum() > 2 else math.nan
    floor = d.loc[d["q50"] > 0, "q50"].min() / 2 if (d["q50"] > 0).any() else 0.01
    y = d["q50"].clip(lower=floor)             # a region without deaths drawn on the floor, not lost off a log axis
    fig = Figure(figsize=(9.5, 7.5), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(d["observed"], y, yerr=[(y - d["q05"].clip(lower=floor)).clip(lower=0), (d["q95"].clip(lower=floor) - y).clip(lower=0)],
                fmt="o", markersize=4, color=MODEL, ecolor="#ef9a9a", elinewidth=1.2, capsize=0, label="region: model median, 5-95%")
    lo = min(d["observed"].min(), y.min()) / 1.5
    hi = max(d["observed"].max(), y.max()) * 1.5
    line = np.array([lo, hi])
    from draftsim.experiments.observation import observation

    coverage = observation("named_list").factor
    ax.plot(line, line / coverage, color=OBSERVED, linestyle="--", linewidth=1,
            label=f"model = named / {coverage:g} (the list's coverage)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    label = set(d["observed"].nlargest(5).index) | set(d["observed"].nsmallest(5).index) | \
        set(d["q50"].nlargest(3).index) | set(d["q50"].nsmallest(3).index)
    _labels(fig, ax, [(d.at[iso, "name"], d.at[iso, "observed"], y[iso]) for iso in sorted(label, key=lambda i: -y[i])])
    ax.set_xlabel("named deaths per 10,000 men to 12 April 2023 (Bessudnov 2023; log scale)")
    ax.set_ylabel("model: killed per 10,000 men by 12 April 2023 (log scale)")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="upper left", fontsize=9)
    fig.suptitle(f"Deaths per 10,000 men by region, model vs named list: Spearman's rho {rho:.2f} (goal >= 0.6)\n"
                 f"{_subtitle(meta)}", fontsize=11)
    return _save(fig, path)


def _labels(fig: Figure, ax, points: list[tuple[str, float, float]]) -> None:
    """Name each point beside it, on the first side where the name overlaps no name already placed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()                  # the axes' final limits and transforms
    renderer = canvas.get_renderer()
    placed = []
    sides = ((5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"), (-5, -3, "right", "top"),
             (5, 10, "left", "bottom"), (5, -10, "left", "top"))
    for name, x, y in points:
        for dx, dy, ha, va in sides:
            text = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=8, ha=ha, va=va)
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
            text.remove()
        else:
            placed.append(ax.annotate(name, (x, y), xytext=(5, 3), textcoords="offset points", fontsize=8)
                          .get_window_extent(renderer))


def deaths_by_month(results: list[dict], table: pd.DataFrame, path: Path, meta: dict) -> Path:
    from draftsim.experiments.targets import read_targets

    by_name = {t.name: t for t in read_targets()}
    target = by_name["named_deaths_monthly_changes_2022_2024"]
    target_ratio = by_name["named_deaths_bakhmut_ratio_2023"].observed
    first, last = target.start.strftime("%Y-%m"), target.end.strftime("%Y-%m")
    named = _package_table("named_deaths_by_month.csv").set_index("month").iloc[:, 0].astype(float)
    runs = pd.DataFrame([r["killed_by_month"] for r in results])
    compared = [m for m in runs.columns if first <= m <= last and m in named.index]
    scaled = runs.div(runs[compared].mean(axis=1), axis=0)      # each run over its own mean of the compared months
    named_scaled = named / named[compared].mean()
    months = pd.to_datetime(list(runs.columns))
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(months, scaled.quantile(0.05), scaled.quantile(0.95), color=MODEL, alpha=0.2, linewidth=0,
                    label="model: 5-95% of the runs")
    ax.plot(months, scaled.median(), color=MODEL, linewidth=1.8, label="model: killed per month (median)")
    ax.plot(pd.to_datetime(named.index), named_scaled, color=OBSERVED, marker="o", markersize=3, linewidth=1.4,
            label="named deaths by month of death")
    ax.axvspan(pd.Timestamp(last) + pd.offsets.MonthBegin(1), pd.to_datetime(named.index).max() + pd.offsets.MonthEnd(0),
               color="#9e9e9e", alpha=0.2, linewidth=0, label="months still being filled in (not compared)")
    ax.axvspan(pd.Timestamp("2023-01-01"), pd.Timestamp("2023-03-31"), color="#ffcc80", alpha=0.35, linewidth=0,
               label="Bakhmut, Jan-Mar 2023")
    by = table.set_index("target")["q50"]
    ax.set_title(f"Deaths by month, each divided by its own mean over {first} to {last}\n"
                 f"correlation of the month-on-month changes {by.get('named_deaths_monthly_changes_2022_2024', math.nan):.2f} "
                 f"(goal >= 0.5); Bakhmut ratio, Jan-Mar / Apr-Sep 2023, {by.get('named_deaths_bakhmut_ratio_2023', math.nan):.2f} "
                 f"(named {target_ratio:.2f}, goal >= 1.3)\n{_subtitle(meta)}", fontsize=10)
    ax.set_ylabel("deaths per month / mean of the compared months")
    ax.set_xlabel("month")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    return _save(fig, path)


def deaths_by_channel(results: list[dict], path: Path, meta: dict) -> Path:
    from draftsim.experiments.goals import SHARES
    from draftsim.experiments.targets import read_targets

    by = {t.name: t for t in read_targets()}
    keys = list(SHARES.values())
    observed = [by[name].observed for name in SHARES]
    runs = pd.DataFrame([r["shares"] for r in results])[keys]
    has_model = bool(runs.notna().all(axis=1).any())
    x = np.arange(len(keys))
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.bar(x - 0.2, observed, width=0.4, color=OBSERVED, label="named dead of a known type the model has (Bessudnov 2023)")
    ax.errorbar(x - 0.2, observed, yerr=0.08, fmt="none", ecolor="#90a4ae", capsize=6, label="goal: ±8 points")
    if has_model:
        q50, q05, q95 = runs.median(), runs.quantile(0.05), runs.quantile(0.95)
        ax.bar(x + 0.2, q50, width=0.4, color=MODEL, label="model (median of the runs; 5-95% as a bar)")
        ax.errorbar(x + 0.2, q50, yerr=[(q50 - q05).clip(lower=0), (q95 - q50).clip(lower=0)], fmt="none", ecolor="black", capsize=3)
    else:
        ax.text(0.5, 0.62, "model: this version does not report the dead by channel\n(no killed_total_<channel> columns)",
                transform=ax.transAxes, ha="center", va="center", fontsize=10, color=MODEL)
    ax.set_xticks(x, [CHANNEL_LABELS[k] for k in keys])
    ax.set_ylabel("share of the dead by 12 April 2023")
    ax.set_ylim(0, max(0.7, max(observed) + 0.25))
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.suptitle(f"Composition of the dead by channel (police, Rosgvardia, FSB and unknown units left out)\n{_subtitle(meta)}",
                 fontsize=11)
    return _save(fig, path)


def draw_all(results: list[dict], table: pd.DataFrame, folder: Path, meta: dict) -> list[tuple[Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        (regional_scatter(results, folder / "regional_deaths_scatter.png", meta),
         "Deaths per 10,000 men by region to 12 April 2023: model against the named list (log-log)"),
        (deaths_by_month(results, table, folder / "deaths_by_month.png", meta),
         "Deaths by month, model against the named list, each over its own mean"),
        (deaths_by_channel(results, folder / "deaths_by_channel.png", meta),
         "The dead by channel on 12 April 2023, model against the named list's unit types"),
    ]
