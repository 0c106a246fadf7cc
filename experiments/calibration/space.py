"""The parameter space of a calibration: each parameter's prior range, and the unit cube the emulators see.

A parameter is uniform on [low, high] or log-uniform (uniform in log) on [low, high] with low > 0.
Points are mapped to the unit cube [0, 1]^d and back, so that emulator length scales and samplers do
not depend on the parameters' units, and a log-uniform prior is sampled evenly in its log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PRIORS = ("uniform", "log-uniform")


@dataclass(frozen=True)
class Prior:
    name: str
    low: float
    high: float
    kind: str = "uniform"

    def __post_init__(self):
        if self.kind not in PRIORS:
            raise ValueError(f"prior {self.name}: kind {self.kind!r}; allowed: {', '.join(PRIORS)}")
        if not self.low < self.high or (self.kind == "log-uniform" and self.low <= 0):
            raise ValueError(f"prior {self.name}: [{self.low}, {self.high}] is not a range of its kind {self.kind}")

    def to_unit(self, x):
        x = np.asarray(x, dtype=float)
        if self.kind == "log-uniform":
            return (np.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)

    def from_unit(self, u):
        u = np.asarray(u, dtype=float)
        if self.kind == "log-uniform":
            return np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class Space:
    priors: tuple[Prior, ...]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.priors]

    @property
    def dim(self) -> int:
        return len(self.priors)

    def to_unit(self, points: np.ndarray) -> np.ndarray:
        """(n, d) parameter values -> (n, d) unit-cube coordinates."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        return np.column_stack([p.to_unit(points[:, j]) for j, p in enumerate(self.priors)])

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        return np.column_stack([p.from_unit(unit[:, j]) for j, p in enumerate(self.priors)])

    def as_dicts(self, points: np.ndarray) -> list[dict[str, float]]:
        return [{name: float(v) for name, v in zip(self.names, row)} for row in np.atleast_2d(points)]

    def sample_unit(self, n: int, seed: int, method: str = "lhs") -> np.ndarray:
        """``n`` points of the unit cube from the prior: a Latin hypercube or a scrambled Sobol' sequence (scipy.stats.qmc)."""
        from scipy.stats import qmc

        if method == "sobol":
            return qmc.Sobol(self.dim, scramble=True, rng=np.random.default_rng(seed)).random(n)
        if method == "lhs":
            return qmc.LatinHypercube(self.dim, rng=np.random.default_rng(seed)).random(n)
        raise ValueError(f"sampling method {method!r}; allowed: lhs, sobol")
