"""Weekly flows by region and their running totals (what men react to is in model/signals.py).

Counts are in agents; the model multiplies by their region's ``men_per_agent`` when it reports real men.
"""

from __future__ import annotations

import numpy as np

from draftsim.model.columns import LEDGER_FLOWS

FLOWS = LEDGER_FLOWS          # declared with their columns in model/columns.py


class Ledger:
    def __init__(self, n_regions: int):
        self.n = n_regions
        self.week = {f: np.zeros(n_regions) for f in FLOWS}
        self.total = {f: np.zeros(n_regions) for f in FLOWS}

    def add(self, flow: str, region_index: int, n: float = 1.0) -> None:
        self.week[flow][region_index] += n
        self.total[flow][region_index] += n

    def add_many(self, flow: str, region_indices: np.ndarray, amounts: np.ndarray | None = None) -> None:
        """One event per entry of ``region_indices`` (of ``amounts`` each, if given)."""
        if len(region_indices):
            n = np.bincount(region_indices, weights=amounts, minlength=self.n)
            self.week[flow] += n
            self.total[flow] += n

    def close_week(self) -> None:
        """Start a new week."""
        self.week = {f: np.zeros(self.n) for f in FLOWS}
