"""What a region's men feel: its recent deaths and recruits, as expected rates in real men.

The men of a region react to the deaths and the recruits of the last 13 weeks (the fear and peer
terms of agents/rules/enlistment.py).  They feel the region's *expected* flows — the deployed men of
the region times the front's hazard, the idle men's contract hazards summed — not the week's random
count of agents.  At a coarse scale one agent is hundreds of men, so a realised count would jump from
zero to a lump, and the fear term, which is convex in it, would deter less on average: the scale
would leak into the behaviour.  Expected flows are the same at every scale up to the sampling of the
men themselves.
"""

from __future__ import annotations

from collections import deque

import numpy as np

MEMORY_WEEKS = 13


class RegionalSignals:
    def __init__(self, men_census: np.ndarray, men_per_agent: np.ndarray):
        self._per_man = np.asarray(men_per_agent, dtype=float) / np.asarray(men_census, dtype=float)  # agents -> share of its men
        self._deaths: deque[np.ndarray] = deque(maxlen=MEMORY_WEEKS)
        self._recruits: deque[np.ndarray] = deque(maxlen=MEMORY_WEEKS)
        self._week_deaths = np.zeros(len(self._per_man))
        self._week_recruits = np.zeros(len(self._per_man))

    def expect_deaths(self, agents: np.ndarray) -> None:
        self._week_deaths = self._week_deaths + agents

    def expect_recruits(self, agents: np.ndarray) -> None:
        self._week_recruits = self._week_recruits + agents

    def expect_recruit(self, region_index: int, agents: float) -> None:
        self._week_recruits[region_index] += agents

    def close_week(self) -> None:
        self._deaths.append(self._week_deaths)
        self._recruits.append(self._week_recruits)
        self._week_deaths = np.zeros(len(self._per_man))
        self._week_recruits = np.zeros(len(self._per_man))

    def deaths_per_10k(self) -> np.ndarray:
        """Expected deaths of the last 13 closed weeks per 10,000 of the region's census men."""
        return sum(self._deaths, np.zeros(len(self._per_man))) * self._per_man * 1e4

    def recruits_per_1k(self) -> np.ndarray:
        """Expected contract and prisoner recruits of the last 13 closed weeks per 1,000 census men."""
        return sum(self._recruits, np.zeros(len(self._per_man))) * self._per_man * 1e3
