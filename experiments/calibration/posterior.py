"""The posterior inside the final NROY space, by the emulators: a weighted sample of parameter values.

Without pyabc (the optional extra ``draftsim[calibrate]``, still to come) the posterior is emulator-based
importance sampling (Vernon et al. 2010, "Bayes linear" made probabilistic): points drawn from the prior
and kept if no wave rules them out are weighted by the likelihood the last wave's emulators give the
observations,

    w(x) ∝ Π_t N(z_t; E[f_t(x)], var_obs_t + var_discrepancy_t + var_emulator_t(x) + var_stochastic_t),

that is, a Gaussian observation error around the emulated model output, the same variances as the
implausibility.  The weights are normalised; their effective sample size says how many independent
draws they are worth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Posterior:
    names: tuple[str, ...]
    points: np.ndarray        # (n, d) parameter values
    weights: np.ndarray       # (n,), summing to 1

    @property
    def effective_size(self) -> float:
        return float(1.0 / np.sum(self.weights**2)) if len(self.weights) else 0.0

    def quantiles(self, qs=(0.05, 0.5, 0.95)) -> dict[str, tuple[float, ...]]:
        """Weighted quantiles of each parameter."""
        out = {}
        for j, name in enumerate(self.names):
            order = np.argsort(self.points[:, j])
            cdf = np.cumsum(self.weights[order])
            out[name] = tuple(float(self.points[order, j][min(np.searchsorted(cdf, q), len(cdf) - 1)]) for q in qs)
        return out


def emulator_posterior(cal, waves, n: int, seed: int) -> Posterior:
    """``n`` prior draws (a Latin hypercube), those in the NROY space weighted by the last wave's emulators."""
    from draftsim.experiments.calibration import waves as wv

    unit = cal.space.sample_unit(n, seed=seed, method="lhs")
    unit = unit[wv.nroy_mask(cal, waves, unit)]
    names = tuple(cal.space.names)
    if not len(unit):
        return Posterior(names, np.empty((0, cal.space.dim)), np.empty(0))
    log_w = np.zeros(len(unit))
    last = waves[-1]
    for t, fit in zip(cal.targets, last.fits):
        mean, var = fit.emulator.predict(unit)
        total = t.sd**2 + t.discrepancy**2 + var + fit.var_stochastic
        log_w += -0.5 * (t.target.observed - mean) ** 2 / total - 0.5 * np.log(total)
    w = np.exp(log_w - log_w.max())
    return Posterior(names, cal.space.from_unit(unit), w / w.sum())


def read_posterior(path) -> Posterior:
    """A ``posterior.parquet`` (parameter columns and ``weight``) as written by ``draftsim calibrate``."""
    import pandas as pd

    frame = pd.read_parquet(path)
    if "weight" not in frame.columns:
        raise ValueError(f"{path}: no 'weight' column; allowed: a posterior.parquet written by draftsim calibrate")
    names = tuple(c for c in frame.columns if c != "weight")
    w = frame["weight"].to_numpy(dtype=float)
    if not len(w) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"{path}: the weights are empty, negative or not finite; allowed: a non-empty posterior sample")
    return Posterior(names, frame[list(names)].to_numpy(dtype=float), w / w.sum())


def draw(posterior: Posterior, n: int, seed: int) -> np.ndarray:
    """``n`` parameter sets drawn from the weighted sample by systematic resampling: each point appears
    about ``n * weight`` times (a point with weight >= 1/n surely appears), the order is the sample's, and
    the same seed gives the same draws."""
    if not len(posterior.weights):
        raise ValueError("the posterior is empty: no parameter values to draw")
    u = (np.random.default_rng(seed).random() + np.arange(n)) / n
    idx = np.searchsorted(np.cumsum(posterior.weights), u, side="right")
    return posterior.points[np.minimum(idx, len(posterior.weights) - 1)]
