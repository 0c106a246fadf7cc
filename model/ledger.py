"""Weekly flows by region, their running totals and the recent history the agents react to.

Counts are in agents; the model multiplies by ``scale`` when it reports real men.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from draftsim.model.columns import LEDGER_FLOWS

FLOWS = LEDGER_FLOWS          # declared with their columns in model/columns.py
MEMORY_WEEKS = 13


class Ledger:
    def __init__(self, n_regions: int):
        self.n = n_regions
        self.week = {f: np.zeros(n_regions) for f in FLOWS}
        self.total = {f: np.zeros(n_regions) for f in FLOWS}
        self.past: deque[dict[str, np.ndarray]] = deque(maxlen=MEMORY_WEEKS)

    def add(self, flow: str, region_index: int, n: float = 1.0) -> None:
        self.week[flow][region_index] += n
        self.total[flow][region_index] += n

    def close_week(self) -> None:
        """Keep this week's flows in memory and start a new week."""
        self.past.append({f: self.week[f] for f in ("contracts", "prisoner_recruits", "killed")})
        self.week = {f: np.zeros(self.n) for f in FLOWS}

    def recent(self, flow: str, weeks: int = MEMORY_WEEKS) -> np.ndarray:
        """Per-region sum over the last ``weeks`` closed weeks."""
        out = np.zeros(self.n)
        for w in list(self.past)[-weeks:]:
            out += w[flow]
        return out

    def last_weeks(self, flow: str, region_index: int, weeks: int) -> float:
        return float(sum(w[flow][region_index] for w in list(self.past)[-weeks:]))
