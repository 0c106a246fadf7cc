"""History matching: which parameter values are not yet ruled out by the observed figures, wave by wave.

For a target t with observed value z_t and a point x of the parameter space, the implausibility is

    I_t(x) = |z_t − E[f_t(x)]| / sqrt(var_obs_t + var_discrepancy_t + var_emulator_t(x) + var_stochastic_t)

where E[f_t(x)] and var_emulator_t(x) are the emulator's mean and variance for the expected model
output, var_stochastic_t the seed-to-seed variance of one run (the world is one realisation), var_obs_t
the observation's error and var_discrepancy_t what the model cannot be expected to reproduce.  A
point is ruled out when its largest implausibility (or, more forgiving, its second largest: one
target may be off for reasons of its own) exceeds the cut-off, 3 by Pukelsheim's three-sigma rule.
The not-ruled-out-yet (NROY) space of wave k is what no wave's emulators 1..k rule out, so it can only
shrink; its share of the prior is estimated on a fixed sample of the prior.

The functions are pure (arrays in, arrays out) so that each can be tested on functions whose answer
is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CUTOFF = 3.0
RULES = ("max", "second_max")


def implausibility(observed, mean, var_obs, var_discrepancy, var_emulator, var_stochastic) -> np.ndarray:
    """I_t(x), elementwise (numpy broadcasting: a target's scalars against its points' arrays)."""
    total = np.asarray(var_obs) + np.asarray(var_discrepancy) + np.asarray(var_emulator) + np.asarray(var_stochastic)
    return np.abs(np.asarray(observed) - np.asarray(mean)) / np.sqrt(total)


def combined(implausibilities: np.ndarray, rule: str = "max") -> np.ndarray:
    """One implausibility per point from an (n_points, n_targets) array: the largest, or the second largest."""
    imp = np.atleast_2d(implausibilities)
    if rule == "max" or imp.shape[1] < 2:
        return imp.max(axis=1)
    if rule == "second_max":
        return np.sort(imp, axis=1)[:, -2]
    raise ValueError(f"implausibility rule {rule!r}; allowed: {', '.join(RULES)}")


def not_ruled_out(implausibilities: np.ndarray, cutoff: float = CUTOFF, rule: str = "max") -> np.ndarray:
    return combined(implausibilities, rule) <= cutoff


@dataclass(frozen=True)
class RuledOut:
    """Which targets rule out most of a sample of points, and which pairs cannot be met together."""

    targets: tuple[str, ...]
    share_ruled_out: dict[str, float]             # share of the points each target alone rules out
    share_met_alone: dict[str, float]             # share each target alone leaves
    conflicts: tuple[tuple[str, str, float, float], ...]  # (a, b, share meeting a, share meeting b) never met together
    share_meeting_all: float
    release: tuple[tuple[str, float], ...] = ()  # when none meets all: the targets to let go first (release_order)

    def worst(self, n: int = 3) -> list[str]:
        return sorted(self.targets, key=lambda t: -self.share_ruled_out[t])[:n]


def what_rules_out(implausibilities: np.ndarray, targets: Sequence[str], cutoff: float = CUTOFF) -> RuledOut:
    """Per target, the share of points it rules out on its own; and the pairs of targets that some points meet
    one at a time but no point meets both (a conflict: a finding about the model's structure, not the tool)."""
    imp = np.atleast_2d(implausibilities)
    met = imp <= cutoff
    alone = met.mean(axis=0)
    conflicts = []
    for i in range(len(targets)):
        for j in range(i + 1, len(targets)):
            if alone[i] > 0 and alone[j] > 0 and not np.any(met[:, i] & met[:, j]):
                conflicts.append((targets[i], targets[j], float(alone[i]), float(alone[j])))
    all_met = float(np.all(met, axis=1).mean())
    release = tuple(release_order(imp, targets, cutoff)) if all_met == 0.0 and len(imp) else ()
    return RuledOut(tuple(targets), {t: float(1 - a) for t, a in zip(targets, alone)},
                    {t: float(a) for t, a in zip(targets, alone)}, tuple(conflicts), all_met, release)


def release_order(implausibilities: np.ndarray, targets: Sequence[str], cutoff: float = CUTOFF,
                  most: int | None = None) -> list[tuple[str, float]]:
    """When no point meets every target: which targets to let go, one at a time, for some points to meet all the
    rest.  Greedy: each step drops the target whose release leaves the largest share of points meeting every
    remaining one (ties: the one met least often alone).  Returns (target released, share of points meeting all
    the others after it), up to the first step with a share above zero.  Three-way and larger conflicts, which no
    pair shows, are found this way."""
    met = np.atleast_2d(implausibilities) <= cutoff
    left = list(range(len(targets)))
    out: list[tuple[str, float]] = []
    while left and not np.all(met[:, left], axis=1).any() and (most is None or len(out) < most):
        shares = [(np.all(met[:, [k for k in left if k != j]], axis=1).mean(), -met[:, j].mean(), j) for j in left]
        share, _, j = max(shares)
        left.remove(j)
        out.append((targets[j], float(share)))
    return out


def next_wave(candidates: np.ndarray, keep: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` points for the next wave from the NROY candidates (``keep``), spread out: a greedy maximin pick
    starting from a random one, so that a wave does not spend its runs on one corner of the space."""
    pool = np.atleast_2d(candidates)[np.asarray(keep, dtype=bool)]
    if len(pool) <= n:
        return pool
    rng = np.random.default_rng(seed)
    pool = pool[rng.permutation(len(pool))[:max(20 * n, 2000)]]     # a bounded pool keeps the pick cheap
    chosen = [0]
    dist = np.sum((pool - pool[0]) ** 2, axis=1)
    for _ in range(n - 1):
        k = int(np.argmax(dist))
        chosen.append(k)
        dist = np.minimum(dist, np.sum((pool - pool[k]) ** 2, axis=1))
    return pool[chosen]


def replicate_summary(values: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """From one output of every run and each run's design point index: the points (sorted), their replicate
    means, the sampling variance of each mean (the replicates' variance / their number; pooled where a point
    has one replicate) and the pooled seed-to-seed variance of one run."""
    values = np.asarray(values, dtype=float)
    points = np.asarray(points)
    ids = np.unique(points)
    means, var_runs, counts = [], [], []
    for p in ids:
        v = values[points == p]
        v = v[np.isfinite(v)]
        means.append(v.mean() if len(v) else np.nan)
        var_runs.append(v.var(ddof=1) if len(v) > 1 else np.nan)
        counts.append(len(v))
    var_runs, counts = np.array(var_runs), np.array(counts)
    have = np.isfinite(var_runs)
    pooled = float(np.sum(var_runs[have] * (counts[have] - 1)) / max(np.sum(counts[have] - 1), 1)) if have.any() else 0.0
    var_runs = np.where(have, var_runs, pooled)
    return ids, np.array(means), var_runs / np.maximum(counts, 1), pooled
