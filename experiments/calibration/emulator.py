"""A Gaussian-process emulator of one model output over the unit cube of the calibrated parameters.

scikit-learn's ``GaussianProcessRegressor`` with a constant times an anisotropic Matérn-5/2 kernel (one
length scale per parameter: inactive parameters get long ones) plus a white-noise term.  It is fitted
to the replicate means of a wave's design points, with each point's own sampling variance of that
mean (the replicates' variance over their number) given as a known nugget (``alpha``): the seed noise
is data, not something the kernel has to learn.  The white-noise term takes what is left (a point
scatter the smooth kernel cannot follow).

``predict`` returns the emulator's mean and its variance *for the expected model output*, without
the white-noise term: that is the ``var_emulator`` of the implausibility (history_matching.py).  The
seed noise of one run (``var_stochastic``) and the observation's error enter the implausibility
separately.

``validate`` is the leave-out check of Bastos & O'Hagan (2009): k-fold predictions of held-out points
(with the full fit's hyperparameters when it is given one),
standardised by the predictive and sampling variance; a well-calibrated emulator has about 99.7% of
them within ±3.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

TINY = 1e-12


@dataclass
class Fit:
    """What a fitted emulator says about itself."""

    kernel: str
    log_marginal_likelihood: float
    length_scales: tuple[float, ...]
    noise_share: float      # white noise over the output's variance (0: the kernel explains it all)


class Emulator:
    def __init__(self, seed: int = 0, restarts: int = 3):
        self.seed, self.restarts = seed, restarts
        self._gp = None
        self._white = 0.0          # the fitted white-noise variance, in the output's units squared

    def fit(self, unit_x: np.ndarray, y: np.ndarray, var_of_mean: np.ndarray | None = None, kernel=None) -> Emulator:
        """Fit to replicate means ``y`` at ``unit_x``; with ``kernel`` (another fit's ``kernel_``) the
        hyperparameters are kept as they are and only the data are conditioned on (the leave-out check)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        x = np.atleast_2d(np.asarray(unit_x, dtype=float))
        y = np.asarray(y, dtype=float)
        if len(y) < 3:
            raise ValueError(f"an emulator needs at least 3 design points, got {len(y)}")
        sd = float(np.std(y)) or 1.0
        nugget = (np.zeros(len(y)) if var_of_mean is None else np.asarray(var_of_mean, dtype=float)) / sd**2
        fixed = kernel is not None
        if not fixed:
            kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(np.full(x.shape[1], 0.5), (1e-2, 1e2), nu=2.5)
                      + WhiteKernel(1e-3, (1e-8, 1.0)))
        self._gp = GaussianProcessRegressor(kernel=kernel, alpha=np.maximum(nugget, 1e-10), normalize_y=True,
                                            optimizer=None if fixed else "fmin_l_bfgs_b",
                                            n_restarts_optimizer=0 if fixed else self.restarts, random_state=self.seed)
        with warnings.catch_warnings():
            # a length scale at its bound means "this parameter does not matter": that is an answer, not a failure
            warnings.simplefilter("ignore", ConvergenceWarning)
            self._gp.fit(x, y)
        self._white = float(self._gp.kernel_.k2.noise_level) * float(self._gp._y_train_std) ** 2
        return self

    @property
    def fitted(self) -> bool:
        return self._gp is not None

    def describe(self) -> Fit:
        k = self._gp.kernel_
        scales = np.atleast_1d(k.k1.k2.length_scale)
        total = float(k.k1.k1.constant_value) + float(k.k2.noise_level)
        return Fit(str(k), float(self._gp.log_marginal_likelihood_value_), tuple(float(s) for s in scales),
                   float(k.k2.noise_level) / total if total > 0 else 0.0)

    def predict(self, unit_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, variance) of the expected model output at these points, white noise excluded."""
        mean, sd = self._gp.predict(np.atleast_2d(np.asarray(unit_x, dtype=float)), return_std=True)
        return mean, np.maximum(sd**2 - self._white, TINY)


@dataclass(frozen=True)
class Validation:
    standardised_errors: np.ndarray     # one per held-out point
    share_within_3: float

    @property
    def ok(self) -> bool:
        """At most 5% of held-out points beyond ±3 (the usual rule: Vernon et al. 2010)."""
        return self.share_within_3 >= 0.95


def validate(unit_x: np.ndarray, y: np.ndarray, var_of_mean: np.ndarray | None = None, folds: int = 10,
             seed: int = 0, emulator: Emulator | None = None) -> Validation:
    """k-fold leave-out check: each point predicted by an emulator conditioned on the other folds only.  With
    ``emulator`` (fitted to all the points) its hyperparameters are kept for every fold, as in Bastos &
    O'Hagan's leave-out diagnostics, and only the data change: ten times faster than refitting each fold."""
    x = np.atleast_2d(np.asarray(unit_x, dtype=float))
    y = np.asarray(y, dtype=float)
    v = np.zeros(len(y)) if var_of_mean is None else np.asarray(var_of_mean, dtype=float)
    folds = max(2, min(folds, len(y)))
    order = np.random.default_rng(seed).permutation(len(y))
    errors = np.empty(len(y))
    for k in range(folds):
        held = order[k::folds]
        kept = np.setdiff1d(order, held)
        em = Emulator(seed=seed, restarts=1).fit(x[kept], y[kept], v[kept],
                                                 kernel=None if emulator is None else emulator._gp.kernel_)
        mean, var = em.predict(x[held])
        errors[held] = (y[held] - mean) / np.sqrt(var + em._white + v[held])
    return Validation(errors, float(np.mean(np.abs(errors) <= 3.0)))
