"""The posterior predictive check: real runs at posterior draws against every target, and the
scenario a calibration leaves behind (``calibrated.toml``).

The check is a sweep like the waves (``predictive.toml`` run into ``predictive/``: streamed, resumable,
Dask, the same seeds on any number of workers): an experiment with a ``[posterior]`` table and no design,
so its design is ``draws`` parameter sets drawn from ``posterior.parquet`` by systematic resampling, each
run at ``replicates`` seeds of its own (experiments/ensemble.py).  The spread over runs is then the
posterior predictive distribution: the parameters' uncertainty and the model's own noise.  For every target it
reports the 5-50-95% points of what the source would have counted (the model's figure through the
target's observation model) beside the observed value and its band, and the share of runs within
±2 sd of the observation (the observation's, the observation model's and the discrepancy's sd together).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

QUANTILES = (0.05, 0.5, 0.95)
FOLDER, FILE = "predictive", "predictive.toml"
MEDOID_POINTS = 2000          # the representative point is sought among this many heaviest draws
RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.5, 2, 3, 5, 10, 20, 50, 100)


def check_table(cal, runs):
    """One row per target: observed, its band, the runs' 5-50-95%, the share within ±2 sd, the verdict."""
    import pandas as pd

    from draftsim.experiments.calibration.waves import target_values

    values = target_values(cal, runs)
    rows = []
    for t in cal.targets:
        v = values[t.name][np.isfinite(values[t.name])]
        obs, sd = t.target.observed, math.hypot(t.sd, t.discrepancy)
        q = np.quantile(v, QUANTILES) if len(v) else np.full(3, np.nan)
        low, high = (t.target.low, t.target.high) if t.target.banded else (obs - 2 * t.sd, obs + 2 * t.sd)
        verdict = "no runs" if not len(v) else ("covers" if q[0] <= obs <= q[2] else ("above" if q[0] > obs else "below"))
        rows.append({"target": t.name, "observed": obs, "low": low, "high": high, "unit": t.target.unit,
                     "q05": q[0], "q50": q[1], "q95": q[2], "runs": len(v),
                     "share_within_2sd": float(np.mean(np.abs(v - obs) <= 2 * sd)) if len(v) else math.nan,
                     "verdict": verdict})
    return pd.DataFrame(rows)


def figure(table, path: Path, subtitle: str) -> Path:
    """Each target on one row: the observed band (grey), the observed value (black bar), the runs' 5-95%
    (line) and median (dot), all as a multiple of the observed value on a log axis, so that contracts per
    day, deaths and a rank correlation read on one scale."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    n = len(table)
    fig = Figure(figsize=(9.5, 1.6 + 0.36 * n), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    colours = {"covers": "#0072b2", "above": "#d55e00", "below": "#d55e00", "no runs": "#999999"}
    for i, r in enumerate(table.itertuples()):
        y = n - 1 - i
        scale = r.observed if r.observed else 1.0
        ax.barh(y, (r.high - r.low) / scale, left=r.low / scale, height=0.6, color="#dddddd", zorder=1)
        ax.plot([r.q05 / scale, r.q95 / scale], [y, y], color=colours[r.verdict], lw=2.5, zorder=2)
        ax.plot(r.q50 / scale, y, "o", color=colours[r.verdict], ms=6, zorder=3)
        ax.plot([1, 1], [y - 0.3, y + 0.3], color="black", lw=1.5, zorder=3)
    ax.axvline(1.0, color="black", lw=0.6, alpha=0.4)
    ax.set_yticks(range(n), list(table["target"])[::-1], fontsize=8)
    ax.set_xscale("log")
    # plain ratios (0.5, 1, 2), not powers of ten: the axis reads as "half", "as observed", "twice"
    ax.xaxis.set_major_locator(FixedLocator([x for x in RATIO_TICKS]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("model (what the source would count) / observed value, log scale")
    ax.grid(True, axis="x", alpha=0.3, which="both")
    ax.set_title("Posterior predictive check: 5-95% of the runs (line), median (dot), observed (black) and its band (grey)",
                 fontsize=9, loc="left")
    fig.suptitle(subtitle, fontsize=8, x=0.01, ha="left", color="#555555")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def representative(cal, posterior) -> dict[str, float]:
    """The posterior's medoid: the draw with the least weighted distance (in the prior's unit cube) to all the
    others.  A point of the sample, so a point of the NROY space, unlike the marginal medians."""
    from draftsim.experiments.calibration.waves import design_values

    order = np.argsort(-posterior.weights, kind="stable")[:MEDOID_POINTS]
    unit, w = cal.space.to_unit(posterior.points[order]), posterior.weights[order]
    dist = np.sqrt(((unit[:, None, :] - unit[None, :, :]) ** 2).sum(axis=2))
    best = int(np.argmin(dist @ w))
    return design_values(cal, unit[best:best + 1])[0]


def calibrated_scenario(cal, point: dict[str, float], posterior_file: str, quantiles: dict) -> str:
    """``calibrated.toml``: the base scenario extended with the representative point, naming the posterior."""
    from draftsim.experiments.calibration.waves import toml_string, toml_value

    lines = [f"# Written by draftsim calibrate ({cal.name}, sha256 {cal.sha256[:12]}): the base scenario with the posterior's",
             f"# representative point (its medoid), calibrated at 1:{cal.scale} men per agent. For the uncertainty run",
             f"#   draftsim run --scenario calibrated.toml --posterior {posterior_file} --draws 20",
             f"name = {toml_string(cal.name + '-calibrated')}",
             f"description = {toml_string(f'{Path(cal.scenario).stem} with the posterior medoid of calibration {cal.name}')}",
             f"extends = {toml_string(cal.scenario)}", f"posterior = {toml_string(posterior_file)}", "", "[parameters]"]
    for name, value in point.items():
        q = quantiles.get(name)
        band = f"  # posterior 5-95%: {q[0]:.4g} - {q[2]:.4g}" if q else ""
        lines.append(f"{name} = {toml_value(value)}{band}")
    lines.append("")
    return "\n".join(lines)
