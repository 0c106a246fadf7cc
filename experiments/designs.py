"""Experimental designs: which parameter values each design point of a sweep runs.

- ``grid``: every combination of the listed values (full factorial), in ``itertools.product``
  order over the parameters as written, so the last parameter varies fastest;
- ``list``: explicit points, in the order written;
- ``lhs``: a Latin hypercube of ``samples`` points over [low, high] per parameter (scipy);
- ``sobol``: Saltelli's extension of the Sobol' sequence (SALib), ``samples`` = N, a power of two;
  N·(2D+2) points with second-order indices, N·(D+2) without;
- ``morris``: ``samples`` = N trajectories of D+1 points on a ``levels``-level grid (SALib).

Points are deterministic for a (design, seed) pair: the samplers take the seed, nothing else
draws random numbers.  Sampled values of integer parameters are rounded half up, so the same
design always runs the same integers; sampled designs never hold bools or dates (validated
in :mod:`draftsim.experiments.design_checks`).  This module does no validation: it trusts its input.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

KINDS = ("grid", "list", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")        # designs over ranges: numbers only
SENSITIVITY = ("sobol", "morris")           # designs that SALib can analyse


@dataclass(frozen=True)
class Factor:
    """A parameter the design varies: its values (grid, list) or its range (lhs, sobol, morris).

    For a ``list`` design, ``values`` are the distinct values the points take, in order of
    first appearance (the points themselves are in ``Design.options["points"]``).
    ``type`` is the parameter's type name in ``model.parameter_table()``: float, int, bool or date.
    """

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    type: str = "float"


@dataclass(frozen=True)
class Design:
    kind: str
    factors: tuple[Factor, ...]
    samples: int | None = None      # lhs: n; sobol: N (a power of two); morris: trajectories
    options: dict = field(default_factory=dict)   # sobol: calc_second_order; morris: levels; list: points

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    @property
    def second_order(self) -> bool:
        return bool(self.options.get("calc_second_order", True))

    @property
    def levels(self) -> int:
        return int(self.options.get("levels", 4))


def salib_problem(design: Design) -> dict:
    """The SALib problem dict: names and [low, high] bounds of the sampled factors."""
    return {"num_vars": len(design.factors), "names": design.names,
            "bounds": [[float(f.low), float(f.high)] for f in design.factors]}


def run_count(design: Design, replicates: int) -> int:
    """Runs the design needs, without sampling it."""
    d = len(design.factors)
    points = {
        "grid": lambda: math.prod(len(f.values) for f in design.factors),
        "list": lambda: len(design.options.get("points", ())),
        "lhs": lambda: design.samples,
        "sobol": lambda: design.samples * ((2 * d + 2) if design.second_order else (d + 2)),
        "morris": lambda: design.samples * (d + 1),
    }[design.kind]()
    return int(points) * int(replicates)


def design_points(design: Design, seed: int) -> list[dict[str, object]]:
    """The design's points, in run order: one {parameter: value} dict per point."""
    if design.kind == "grid":
        return [dict(zip(design.names, combo)) for combo in itertools.product(*(f.values for f in design.factors))]
    if design.kind == "list":
        return [dict(p) for p in design.options.get("points", ())]
    return [_coerce_row(design.factors, row) for row in sample_matrix(design, seed)]


def sample_matrix(design: Design, seed: int):
    """The raw (unrounded) sample of a sampled design: an array of shape (points, factors)."""
    import numpy as np

    if design.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(design.factors), rng=np.random.default_rng(seed)).random(design.samples)
        lo = np.array([f.low for f in design.factors], dtype=float)
        hi = np.array([f.high for f in design.factors], dtype=float)
        return lo + unit * (hi - lo)
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(salib_problem(design), design.samples, calc_second_order=design.second_order,
                            scramble=True, seed=seed)
    if design.kind == "morris":
        from SALib.sample import morris

        return morris.sample(salib_problem(design), design.samples, num_levels=design.levels, seed=seed)
    raise ValueError(f"design kind {design.kind!r} is not sampled; allowed: {', '.join(SAMPLED)}")


def round_half_up(x: float) -> int:
    # not round(): Python rounds half to even, which would map two Morris levels 1 apart (1.5, 2.5) to one integer
    return int(math.floor(x + 0.5))


def _coerce_row(factors: tuple[Factor, ...], row) -> dict[str, object]:
    point = {}
    for f, x in zip(factors, row):
        x = float(x)
        if f.type == "int":
            point[f.name] = min(max(round_half_up(x), int(f.low)), int(f.high))
        else:
            point[f.name] = min(max(x, float(f.low)), float(f.high))   # guard against 1-ulp overshoot
    return point
