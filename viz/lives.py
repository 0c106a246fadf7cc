"""Lives: a sample of individual men followed week by week — the agents behind the aggregates.

At reset the tracker draws a fixed sample of men from every region's pool (on its own random
stream, so watching never changes the model's course) and after each step records where each of
them is.  A man is a row of the pool while nothing happens to him and an agent while something
does; the model keeps the agent of every watched man (``DraftModel.watch``), and the tracker reads
whichever he is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from draftsim.agents.states import Status

PAST_AGE = -1           # left the draft-age pool (aged out) without anything else happening
WATCHED_PER_REGION = 60
SHOWN = 12

LABELS = {
    PAST_AGE: "past draft age", Status.CIVILIAN: "civilian", Status.NOTIFIED: "notified",
    Status.TRAINING: "in training", Status.CONSCRIPT: "conscript", Status.DEPLOYED: "at the front",
    Status.WOUNDED: "wounded", Status.KILLED: "killed", Status.DISCHARGED: "discharged",
    Status.ABROAD: "abroad", Status.HIDING: "hiding", Status.MEDICAL_EXEMPT: "medical exemption",
    Status.DRUG_EXEMPT: "drug registration", Status.SELF_HARMED: "self-harmed",
}
COLOURS = {
    PAST_AGE: "#d9d9d9", Status.CIVILIAN: "#eeeeee", Status.NOTIFIED: "#fdd835", Status.TRAINING: "#90caf9",
    Status.CONSCRIPT: "#64b5f6", Status.DEPLOYED: "#1e88e5", Status.WOUNDED: "#ff8a65", Status.KILLED: "#b71c1c",
    Status.DISCHARGED: "#8d6e63", Status.ABROAD: "#43a047", Status.HIDING: "#7cb342", Status.MEDICAL_EXEMPT: "#9ccc65",
    Status.DRUG_EXEMPT: "#c5e1a5", Status.SELF_HARMED: "#6d4c41",
}
CODES = sorted(LABELS)   # colour-scale order


@dataclass(frozen=True)
class Life:
    """One watched man: who he is and his status each week."""

    region: str
    age_at_start: float
    statuses: np.ndarray    # one code per recorded week

    def story(self, dates: list[str]) -> str:
        """'civilian until 2022-09-28 · notified 1 wk · in training 3 wk · at the front 20 wk · killed 2023-03-01'."""
        parts = []
        for code, first, last in _runs(self.statuses):
            label = LABELS[code]
            if code in (Status.KILLED, PAST_AGE):
                parts.append(f"{label} {dates[first]}")
            elif first == 0 and last == len(self.statuses) - 1:
                parts.append(f"{label} throughout")
            elif first == 0:
                parts.append(f"{label} until {dates[last]}")
            else:
                parts.append(f"{label} {last - first + 1} wk")
        return " · ".join(parts)

    @property
    def touched(self) -> bool:
        """Did anything happen to him (beyond ageing out)?"""
        return bool(np.any((self.statuses != Status.CIVILIAN) & (self.statuses != PAST_AGE)))


def _runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    if len(codes) == 0:
        return []
    cut = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut - 1, [len(codes) - 1]])
    return [(int(codes[s]), int(s), int(e)) for s, e in zip(starts, ends)]


class LifeTracker:
    def __init__(self, model, seed: int, per_region: int = WATCHED_PER_REGION):
        rng = np.random.default_rng([seed, 0x11FE])   # its own stream: the model's draws are untouched
        pop = model.population
        picks = [rng.permutation(pop.rows_of(r.index))[:per_region] for r in model.regions]
        self.watched = np.concatenate(picks).astype(np.int64)
        self.region_index = np.concatenate([np.full(len(p), i) for i, p in enumerate(picks)])
        self.first = np.concatenate([[0], np.cumsum([len(p) for p in picks])])
        self.age0 = pop.age_at_start(self.watched)
        self._rows = self.watched.tolist()
        model.watch(self._rows)
        self.weeks: list[np.ndarray] = []

    def record(self, model) -> None:
        codes = np.where(model.population.active[self.watched], Status.CIVILIAN, PAST_AGE).astype(np.int8)
        for k, row in enumerate(self._rows):
            man = model.watched.get(row)
            if man is not None and man.status is not None:
                codes[k] = man.status
        self.weeks.append(codes)

    def lives(self, model, region_index: int, touched_only: bool = False, n: int = SHOWN) -> list[Life]:
        """Up to ``n`` of the region's watched men, in the fixed random order of the sample."""
        lo, hi = self.first[region_index], self.first[region_index + 1]
        grid = np.stack(self.weeks, axis=1)[lo:hi] if self.weeks else np.empty((hi - lo, 0), dtype=np.int8)
        iso = model.regions[region_index].iso
        out = []
        for k in range(hi - lo):
            life = Life(iso, float(self.age0[lo + k]), grid[k])   # age0: his age at the start
            if not touched_only or life.touched:
                out.append(life)
            if len(out) == n:
                break
        return out
