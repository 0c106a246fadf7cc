"""The figures of a sweep report, one function per kind, drawn with matplotlib's Agg renderer.

Every figure is saved three times under the same stem: PNG at 300 dpi (for documents), SVG and PDF
(vector, for journals).  Dates and software versions are left out of the files' metadata and SVG ids
are salted with a constant, so the same sweep always gives the same bytes.

The functions take tables already reduced by :mod:`.tables` (means and intervals)
and only draw; the captions, which say what was averaged, are the report's business.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from draftsim.model.formats import compact

DPI = 300
FORMATS = ("png", "svg", "pdf")
METADATA = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}
FAN_POINTS = 8          # fan charts show at most this many design points (the first ones)
MAX_LINES = 6           # response curves draw one line per combination of the other factors up to this many


def save(fig: Figure, folder: Path, stem: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "draftsim-report"}):
        for ext in FORMATS:
            fig.savefig(folder / f"{stem}.{ext}", dpi=DPI, metadata=METADATA[ext])
            # the layout is settled by the first save: keep it (the same in all three files, and faster)
            fig.set_layout_engine("none")
    return stem


# --- axes helpers ----------------------------------------------------------------------------------
def is_categorical(values: pd.Series) -> bool:
    """Bools and text are categories (evenly spaced, labelled); numbers get a numeric axis."""
    return pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values)


def levels(values: pd.Series) -> list:
    """Distinct values: numbers sorted, categories in order of first appearance (the design's order)."""
    distinct = list(dict.fromkeys(values.tolist()))
    return distinct if is_categorical(values) else sorted(distinct)


def _value_axis(ax, axis: str = "y") -> None:
    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(compact))
    ax.grid(True, alpha=0.3)


def value_label(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def combo_label(names: list[str], values) -> str:
    return ", ".join(f"{n}={value_label(v)}" for n, v in zip(names, values))


# --- response curves --------------------------------------------------------------------------------
def response_curve(stats: pd.DataFrame, factor: str, groups: list[str], outcome: str, show_ci: bool,
                   title: str, folder: Path, stem: str) -> str:
    """Mean of ``outcome`` (with its 95% interval when ``show_ci``) against the levels of ``factor``,
    one line per combination of ``groups``.  ``stats``: columns factor, *groups, n, mean, ci95_low/high."""
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    xlevels = levels(stats[factor])
    categorical = is_categorical(stats[factor])
    combos = list(dict.fromkeys(stats[groups].itertuples(index=False, name=None))) if groups else [()]
    span = (max(xlevels) - min(xlevels)) if not categorical and len(xlevels) > 1 else 1.0
    for i, combo in enumerate(combos):
        sub = stats
        for col, value in zip(groups, combo):
            sub = sub[sub[col] == value]
        sub = sub.set_index(factor).reindex(xlevels)
        # a small sideways shift keeps the intervals of different lines apart
        shift = (i - (len(combos) - 1) / 2) * (0.06 if categorical else 0.012 * span)
        x = np.arange(len(xlevels), dtype=float) if categorical else np.asarray(xlevels, dtype=float)
        x = x + shift
        y = sub["mean"].to_numpy(dtype=float)
        label = combo_label(groups, combo) if groups else None
        if show_ci:
            err = np.vstack([y - sub["ci95_low"].to_numpy(dtype=float), sub["ci95_high"].to_numpy(dtype=float) - y])
            ax.errorbar(x, y, yerr=err, marker="o", markersize=4, capsize=3, label=label)
        else:
            ax.plot(x, y, marker="o", markersize=4, label=label)
    if categorical:
        ax.set_xticks(range(len(xlevels)), [value_label(v) for v in xlevels])
        ax.set_xlim(-0.5, len(xlevels) - 0.5)
    ax.set_xlabel(factor)
    ax.set_ylabel(outcome)
    _value_axis(ax)
    if groups:
        ax.legend(fontsize=7, title=", ".join(groups), title_fontsize=7)
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


def response_by_point(stats: pd.DataFrame, labels: list[str], outcome: str, show_ci: bool,
                      title: str, folder: Path, stem: str) -> str:
    """A list design: the mean per design point, the x axis being the point index labelled by its values."""
    n = len(stats)
    fig = Figure(figsize=(max(6.4, 0.45 * n + 2.5), 5.0), layout="constrained")
    ax = fig.subplots()
    x = np.arange(n, dtype=float)
    y = stats["mean"].to_numpy(dtype=float)
    if show_ci:
        err = np.vstack([y - stats["ci95_low"].to_numpy(dtype=float), stats["ci95_high"].to_numpy(dtype=float) - y])
        ax.errorbar(x, y, yerr=err, marker="o", linestyle="none", markersize=5, capsize=3)
    else:
        ax.plot(x, y, marker="o", linestyle="none", markersize=5)
    for i in np.flatnonzero(stats["n"].to_numpy() == 0):
        ax.annotate("no ok run", (x[i], 0.02), xycoords=("data", "axes fraction"), ha="center", fontsize=7,
                    color="tab:red")
    if n <= 6:      # few points: one factor per line, upright
        ax.set_xticks(x, [label.replace(": ", "\n").replace(", ", "\n") for label in labels], fontsize=7)
    else:
        ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_xlabel("design point")
    ax.set_ylabel(outcome)
    _value_axis(ax)
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


def binned_means(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Means of x and y within quantile bins of x: a trend line with no smoothing parameter to tune."""
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        return x, y
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    if edges.size < 2:
        return np.array([x.mean()]), np.array([y.mean()])
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    xs = [x[which == b].mean() for b in range(edges.size - 1) if np.any(which == b)]
    ys = [y[which == b].mean() for b in range(edges.size - 1) if np.any(which == b)]
    return np.asarray(xs), np.asarray(ys)


def response_scatter(means: pd.DataFrame, factor: str, outcome: str, dots: str, title: str, folder: Path,
                     stem: str) -> str:
    """A sampled design (lhs, sobol, morris): each point's replicate mean against one factor, with the
    mean within quantile bins of the factor as a line."""
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    x = means[factor].to_numpy(dtype=float)
    y = means["mean"].to_numpy(dtype=float)
    ax.scatter(x, y, s=10, alpha=0.6, color="tab:blue", label=dots)
    bins = int(min(10, max(3, math.isqrt(max(1, len(means))))))
    bx, by = binned_means(x, y, bins)
    ax.plot(bx, by, color="tab:red", marker="s", markersize=4, label=f"mean within {len(bx)} quantile bins")
    ax.set_xlabel(factor)
    ax.set_ylabel(outcome)
    _value_axis(ax)
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


# --- heatmap ---------------------------------------------------------------------------------------
def heatmap(cells: pd.DataFrame, fx: str, fy: str, outcome: str, title: str, folder: Path, stem: str) -> str:
    """Mean of ``outcome`` on the grid of two factors; ``cells``: columns fx, fy, mean."""
    xl, yl = levels(cells[fx]), levels(cells[fy])
    grid = np.full((len(yl), len(xl)), np.nan)
    for row in cells.to_dict("records"):
        grid[yl.index(row[fy]), xl.index(row[fx])] = row["mean"]
    fig = Figure(figsize=(max(4.8, 0.9 * len(xl) + 2.8), max(3.6, 0.6 * len(yl) + 2.0)), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xl)), [value_label(v) for v in xl])
    ax.set_yticks(range(len(yl)), [value_label(v) for v in yl])
    finite = grid[np.isfinite(grid)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), value in np.ndenumerate(grid):
        text = compact(value) if np.isfinite(value) else "no runs"
        ax.text(j, i, text, ha="center", va="center", fontsize=8,
                color="black" if np.isfinite(value) and value > middle else "white")
    ax.set_xlabel(fx)
    ax.set_ylabel(fy)
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(outcome)
    bar.formatter = FuncFormatter(compact)
    bar.update_ticks()
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


# --- sensitivity ------------------------------------------------------------------------------------
def _bar_height(n: int) -> float:
    return max(3.0, 0.45 * n + 1.5)


def sobol_bars(table: pd.DataFrame, outcome: str, title: str, folder: Path, stem: str) -> str:
    """First-order (S1) and total (ST) Sobol indices per parameter with their confidence half-widths."""
    t = table.sort_values("ST", ascending=True, kind="stable")
    n = len(t)
    fig = Figure(figsize=(6.4, _bar_height(n)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(n)
    ax.barh(y + 0.2, t["ST"], height=0.4, xerr=t["ST_conf"], capsize=3, color="tab:orange", label="ST (total)")
    ax.barh(y - 0.2, t["S1"], height=0.4, xerr=t["S1_conf"], capsize=3, color="tab:blue", label="S1 (first order)")
    ax.set_yticks(y, t["parameter"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"Sobol index of {outcome}")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


def morris_bars(table: pd.DataFrame, outcome: str, title: str, folder: Path, stem: str) -> str:
    """Morris mu* (mean absolute elementary effect) per parameter with its bootstrap confidence."""
    t = table.sort_values("mu_star", ascending=True, kind="stable")
    n = len(t)
    fig = Figure(figsize=(6.4, _bar_height(n)), layout="constrained")
    ax = fig.subplots()
    ax.barh(np.arange(n), t["mu_star"], xerr=t["mu_star_conf"], capsize=3, color="tab:blue")
    ax.set_yticks(np.arange(n), t["parameter"])
    ax.set_xlabel(f"mu* of {outcome}")
    _value_axis(ax, "x")
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


def morris_scatter(table: pd.DataFrame, outcome: str, title: str, folder: Path, stem: str) -> str:
    """mu* against sigma: far right = influential; high = non-linear or interacting."""
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    ax.scatter(table["mu_star"], table["sigma"], color="tab:blue")
    for row in table.to_dict("records"):
        ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), xytext=(4, 3), textcoords="offset points", fontsize=7)
    top = float(np.nanmax([table["mu_star"].max(), table["sigma"].max(), 0.0])) or 1.0
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=0.8, label="sigma = mu*")
    ax.set_xlim(0, top * 1.2)          # room for the labels of the rightmost points
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"mu* of {outcome}")
    ax.set_ylabel("sigma")
    _value_axis(ax, "x")
    _value_axis(ax, "y")
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=9)
    return save(fig, folder, stem)


# --- fan charts ------------------------------------------------------------------------------------
def fan_chart(series: pd.DataFrame, column: str, panels: list[tuple[int, str]], show_bands: bool,
              title: str, folder: Path, stem: str) -> str:
    """One panel per design point: the median over replicates of ``column`` by date, with the 50% and
    90% bands.  ``series``: long table with columns point, replicate, date, column; ``panels``: (point, label)."""
    n = len(panels)
    ncols = 1 if n == 1 else 2 if n <= 4 else 4
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.4 * ncols + 0.6, 2.6 * nrows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    for ax, (point, label) in zip(axes, panels):
        wide = (series[series["point"] == point]
                .pivot_table(index="date", columns="replicate", values=column, aggfunc="first").sort_index())
        q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        if show_bands:
            ax.fill_between(q.index, q[0.05], q[0.95], color="tab:blue", alpha=0.18, linewidth=0, label="90%")
            ax.fill_between(q.index, q[0.25], q[0.75], color="tab:blue", alpha=0.35, linewidth=0, label="50%")
        ax.plot(q.index, q[0.5], color="tab:blue", linewidth=1.2, label="median")
        ax.set_title(label, fontsize=7)
        _value_axis(ax)
        ax.tick_params(labelsize=7)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=6, loc="upper left")
    fig.supylabel(column, fontsize=9)
    fig.suptitle(title, fontsize=9)
    return save(fig, folder, stem)
