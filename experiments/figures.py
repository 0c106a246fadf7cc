"""The standard figures of a run, drawn with matplotlib's Agg renderer (no display needed).

Each function takes the run's tables and writes one PNG.  The national table has one row per
weekly step (``date`` is the first day of the week); flows are summed by calendar
month, so the first and last months may be partial.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from draftsim.model import columns as schema
from draftsim.model.formats import compact

DPI = 110
# the series drawn, labelled and coloured as model/columns.py declares them
CHANNELS = {c: schema.label(c) for c in ("new_contracts", "new_conscripts", "new_mobilised", "new_prisoner_recruits",
                                         "new_foreign")}
TACTICS = {c: schema.label(c) for c in ("new_evaders_emigrate", "new_evaders_hide", "new_evaders_medical",
                                        "new_evaders_drugs", "new_evaders_self_harm", "new_emigrants_pre_emptive")}
FORCE = ("deployed", "killed_total", "wounded_total")


def _monthly(national: pd.DataFrame, columns) -> pd.DataFrame:
    df = national.assign(date=pd.to_datetime(national["date"])).set_index("date")
    cols = [c for c in columns if c in df.columns]
    return df[cols].resample("MS").sum()


def _date_axis(ax) -> None:
    loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))
    ax.grid(True, alpha=0.3)
    ax.set_ylim(bottom=0)


def _subtitle(meta: dict) -> str:
    parts = [f"scenario {meta.get('scenario', '?')}", f"seed {meta.get('seed', '?')}",
             f"{meta.get('scale', 0):g} men per agent"]
    return " | ".join(parts)


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    return path


def recruits_by_channel(national: pd.DataFrame, path: Path, meta: dict) -> Path:
    m = _monthly(national, CHANNELS)
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.subplots()
    for col, label in CHANNELS.items():
        if col in m:
            ax.plot(m.index, m[col], marker="o", markersize=3, label=label, color=schema.colour(col))
    ax.set_title(f"Recruits by channel, per calendar month\n{_subtitle(meta)}")
    ax.set_xlabel("month")
    ax.set_ylabel("men per month")
    _date_axis(ax)
    ax.legend(loc="upper left")
    return _save(fig, path)


def evasion_by_tactic(national: pd.DataFrame, path: Path, meta: dict) -> Path:
    """Two panels: evasion of a notice by tactic (top) and pre-emptive emigration (bottom), whose
    September 2022 spike would otherwise flatten the rest."""
    m = _monthly(national, TACTICS)
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    for col, label in TACTICS.items():
        if col in m and col != "new_emigrants_pre_emptive":
            top.plot(m.index, m[col], marker="o", markersize=3, label=label, color=schema.colour(col))
    top.set_title("Men who evaded a call-up notice, by tactic", fontsize=10)
    top.set_ylabel("men per month")
    top.legend(loc="upper left")
    if "new_emigrants_pre_emptive" in m:
        bottom.plot(m.index, m["new_emigrants_pre_emptive"], marker="o", markersize=3, label=TACTICS["new_emigrants_pre_emptive"],
                    color=schema.colour("new_emigrants_pre_emptive"))
    bottom.set_title("Pre-emptive emigration: men who left before any notice", fontsize=10)
    bottom.set_ylabel("men per month")
    bottom.set_xlabel("month")
    bottom.legend(loc="upper left")
    for ax in (top, bottom):
        _date_axis(ax)
    fig.suptitle(f"Draft evasion by tactic, per calendar month\n{_subtitle(meta)}")
    return _save(fig, path)


def deployed_and_casualties(national: pd.DataFrame, path: Path, meta: dict) -> Path:
    dates = pd.to_datetime(national["date"])
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.subplots()
    for col in FORCE:
        if col in national:
            ax.plot(dates, national[col], label=schema.label(col), color=schema.colour(col))
    ax.set_title(f"Men deployed and casualties\n{_subtitle(meta)}")
    ax.set_xlabel("date (weekly steps)")
    ax.set_ylabel("men")
    _date_axis(ax)
    ax.legend(loc="upper left")
    return _save(fig, path)


def regional_burden(regions: pd.DataFrame, region_info: pd.DataFrame, path: Path, meta: dict) -> Path:
    """Recruits and killed per 10,000 men (2021 census men aged 16-61) by region, at the last step.

    ``region_info`` has columns ``region`` (iso code), ``name`` and ``men_census``.
    """
    last = regions[regions["step"] == regions["step"].max()]
    df = last.merge(region_info, on="region", how="left")
    df["name"] = df["name"].fillna(df["region"])
    denom = df["men_census"].where(df["men_census"] > 0)
    df["recruits_per_10k"] = df["recruits_total"] / denom * 1e4
    df["killed_per_10k"] = df["killed_total"] / denom * 1e4
    date = str(last["date"].iloc[0]) if len(last) else "?"
    d = df.sort_values("recruits_per_10k", ascending=True, na_position="first")
    n = len(d)
    height = max(6.0, 0.16 * n + 1.6)
    fig = Figure(figsize=(12, height))
    fig.subplots_adjust(left=0.2, right=0.98, bottom=0.9 / height, top=1 - 1.0 / height, wspace=0.05)
    axes = fig.subplots(1, 2, sharey=True)
    panels = (("recruits_per_10k", "Recruits (contract, conscript, mobilised, prisoner)", "tab:blue"),
              ("killed_per_10k", "Killed", "tab:red"))
    for ax, (col, what, color) in zip(axes, panels):
        values = d[col].fillna(0.0)
        ax.barh(range(n), values, color=color, height=0.75)
        hi = float(values.max()) if n else 0.0
        ax.set_xlim(0, hi * 1.04 if hi > 0 else 1.0)
        ax.set_xlabel("men per 10,000 men (2021 census, ages 16-61)")
        ax.set_title(f"{what}, cumulative", fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
        ax.tick_params(axis="y", length=0)
    axes[0].set_yticks(range(n), d["name"], fontsize=7)
    axes[0].set_ylim(-0.6, n - 0.4)
    fig.suptitle(f"Regional burden by {date}: recruits and killed per 10,000 men, regions sorted by recruits\n"
                 f"{_subtitle(meta)}")
    return _save(fig, path)


def draw_all(national: pd.DataFrame, regions: pd.DataFrame, region_info: pd.DataFrame,
             folder: Path, meta: dict) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        recruits_by_channel(national, folder / "recruits_by_channel.png", meta),
        evasion_by_tactic(national, folder / "evasion_by_tactic.png", meta),
        deployed_and_casualties(national, folder / "deployed_and_casualties.png", meta),
        regional_burden(regions, region_info, folder / "regional_burden.png", meta),
    ]
