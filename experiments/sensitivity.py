"""Global sensitivity analysis of a finished sobol or morris sweep, through SALib.

Each design point's outcome is the mean over its successful replicates: the replicates share
their seeds across points (common random numbers), so averaging them removes most of the noise
that would otherwise show up as spurious sensitivity.  SALib's bootstrap confidence intervals
are seeded, so the same sweep always gives the same table.

A point without a successful run, or an outcome that is NaN somewhere, leaves that outcome's
indices NaN rather than failing the whole analysis; so does, for Sobol' (whose indices are shares
of a variance), an outcome that does not vary at all.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from draftsim.experiments.designs import SENSITIVITY, Design, salib_problem

if TYPE_CHECKING:
    import pandas as pd

SOBOL_COLUMNS = ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("outcome", "parameter", "mu_star", "mu_star_conf", "sigma", "mu")
NUM_RESAMPLES = 100
CONF_LEVEL = 0.95


def point_means(runs: pd.DataFrame, n_points: int, outcome_names) -> pd.DataFrame:
    """Mean of each outcome over the successful replicates of each point (rows 0..n_points-1)."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    means = ok.groupby("point")[list(outcome_names)].mean()
    return means.reindex(range(n_points))


def analyse(design: Design, points: list[dict], runs: pd.DataFrame, outcome_names, seed: int = 0) -> pd.DataFrame:
    """Sobol' (S1, ST) or Morris (mu*, sigma) indices of each outcome, one row per outcome and parameter.

    ``points``: ``design_points(design, seed)``, in run order; ``runs``: one row per run with
    columns point, replicate, status and one per outcome.  ``seed`` seeds the bootstrap.
    grid, list and lhs designs raise ValueError: they have no sensitivity estimator.
    """
    import pandas as pd

    if design.kind not in SENSITIVITY:
        raise ValueError(f"sensitivity: design kind {design.kind!r} has no estimator; allowed: {', '.join(SENSITIVITY)}")
    outcome_names = list(outcome_names)
    means = point_means(runs, len(points), outcome_names)
    problem = salib_problem(design)
    # SALib's sobol.analyze ignores a seed of 0 ("if seed:"), so shift every seed by one
    salib_seed = int(seed) % (2**32 - 1) + 1
    rows = []
    for outcome in outcome_names:
        y = means[outcome].to_numpy(dtype=float)
        finite = bool(np.isfinite(y).all())
        if design.kind == "sobol":
            rows += _sobol_rows(design, problem, outcome, y if finite and float(np.var(y)) > 0.0 else None, salib_seed)
        else:
            rows += _morris_rows(design, problem, points, outcome, y if finite else None, salib_seed)
    columns = SOBOL_COLUMNS if design.kind == "sobol" else MORRIS_COLUMNS
    return pd.DataFrame(rows, columns=list(columns))


def _sobol_rows(design: Design, problem: dict, outcome: str, y, seed: int) -> list[dict]:
    if y is None:
        return [{"outcome": outcome, "parameter": name, "S1": np.nan, "S1_conf": np.nan, "ST": np.nan, "ST_conf": np.nan}
                for name in problem["names"]]
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol.analyze(problem, y, calc_second_order=design.second_order, num_resamples=NUM_RESAMPLES,
                           conf_level=CONF_LEVEL, seed=seed)
    return [{"outcome": outcome, "parameter": name, "S1": float(si["S1"][i]), "S1_conf": float(si["S1_conf"][i]),
             "ST": float(si["ST"][i]), "ST_conf": float(si["ST_conf"][i])} for i, name in enumerate(problem["names"])]


def _morris_rows(design: Design, problem: dict, points: list[dict], outcome: str, y, seed: int) -> list[dict]:
    if y is None:
        return [{"outcome": outcome, "parameter": name, "mu_star": np.nan, "mu_star_conf": np.nan, "sigma": np.nan, "mu": np.nan}
                for name in problem["names"]]
    from SALib.analyze import morris

    # SALib reads from x only which factor moved, and which way; rounding integers keeps both
    # (experiments.design_checks requires integer ranges wide enough for every level to differ)
    x = np.array([[float(p[name]) for name in problem["names"]] for p in points])
    si = morris.analyze(problem, x, y, num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                        num_levels=design.levels, seed=seed)
    return [{"outcome": outcome, "parameter": name, "mu_star": float(si["mu_star"][i]),
             "mu_star_conf": float(si["mu_star_conf"][i]), "sigma": float(si["sigma"][i]), "mu": float(si["mu"][i])}
            for i, name in enumerate(problem["names"])]
