"""One browser session's run: the model, the levers moved so far and what the page reads.

Everything here is plain Python (no Solara), so the page's behaviour is tested without a browser.
Each browser session owns one ``LiveSession``; its lock keeps the Play thread and a slider moved
at the same moment from touching the model together.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np

from draftsim.model import DraftModel, ParameterError, builtin_scenarios, load_scenario
from draftsim.model.reporting import NATIONAL_FLOWS
from draftsim.viz.levers import LEVERS, LeverError, lever, lever_values
from draftsim.viz.lives import LifeTracker

SCALES = (10, 30, 100, 300, 1000, 3000)   # men per agent offered on the page (1:10: ~50 ms a week)
DEFAULT_SCALE = 100               # the live default: the finest scale whose weeks stay well under 50 ms on the server
SEED_MAX = 2**31 - 1


@dataclass(frozen=True)
class LeverChange:
    """A lever moved mid-run: it acts from the week after ``date``."""

    step: int
    date: str
    parameter: str
    label: str
    old: float | bool
    new: float | bool

    @property
    def text(self) -> str:
        lv = lever(self.parameter)
        return f"{self.label}: {lv.describe(self.old)} → {lv.describe(self.new)}"


def check_setup(scenario: str, seed, scale) -> tuple[str, int, int]:
    """Validate what the Reset button applies; one-line LeverError naming the field otherwise."""
    names = builtin_scenarios()
    if scenario not in names:
        raise LeverError(f"scenario: got {scenario!r}; allowed: {', '.join(names)}")
    if isinstance(seed, str):
        seed = seed.strip()
        if not seed.isdigit():
            raise LeverError(f"seed: got {seed!r}; allowed: an integer in [0, {SEED_MAX}]")
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= SEED_MAX:
        raise LeverError(f"seed: got {seed!r}; allowed: an integer in [0, {SEED_MAX}]")
    if isinstance(scale, str) and scale.strip().isdigit():
        scale = int(scale)
    if scale not in SCALES:
        raise LeverError(f"scale: got {scale!r}; allowed: {', '.join(map(str, SCALES))} men per agent")
    return scenario, int(seed), int(scale)


class LiveSession:
    def __init__(self, scenario: str = "baseline", seed: int = 1, scale: int = DEFAULT_SCALE):
        self.lock = threading.RLock()
        self.reset(scenario, seed, scale)

    # --- what the buttons do -------------------------------------------------------------------
    def reset(self, scenario: str, seed, scale) -> None:
        """A new model; the first week (the invasion) is simulated so the page has something to show."""
        scenario, seed, scale = check_setup(scenario, seed, scale)
        sc = load_scenario(scenario)
        with self.lock:
            self.scenario, self.seed, self.scale = scenario, seed, scale
            self.started = dt.datetime.now(dt.UTC)       # for setup.json's provenance: this run began here
            self.description = sc.description
            self.model = DraftModel(sc.params, seed=seed, scale=scale, events=sc.events)
            self.tracker = LifeTracker(self.model, seed)
            self.changes: list[LeverChange] = []
            self.levers_by_week: list[dict] = []
            self.totals = dict.fromkeys(NATIONAL_FLOWS, 0.0)
            self._step_once()

    def step(self, weeks: int = 1) -> int:
        """Advance up to ``weeks`` weeks; returns how many were simulated (0 at the scenario's end)."""
        if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 520:
            raise LeverError(f"weeks: got {weeks!r}; allowed: an integer in [1, 520]")
        done = 0
        with self.lock:
            while done < weeks and not self.finished:
                self._step_once()
                done += 1
        return done

    def set_lever(self, parameter: str, value) -> bool:
        """Move a lever; it acts from the next simulated week.  Returns whether anything changed."""
        lv = lever(parameter)
        value = lv.check(value)
        with self.lock:
            old = getattr(self.model.p, parameter)
            if old == value:
                return False
            try:
                self.model.update_parameters(**{parameter: value})
            except ParameterError as exc:   # the lever bounds lie inside the model's; kept as a second guard
                raise LeverError(str(exc)) from None
            self.changes.append(LeverChange(self.model.step_index, self.model.date.isoformat(), parameter,
                                            lv.label, old, value))
        return True

    def _step_once(self) -> None:
        self.model.step()
        self.tracker.record(self.model)
        row = self.model.latest
        for f in NATIONAL_FLOWS:
            self.totals[f] += row[f"new_{f}"]
        self.levers_by_week.append(lever_values(self.model.p))

    # --- what the page reads -------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.model.finished

    @property
    def date(self) -> str:
        return self.model.date.isoformat()

    @property
    def week(self) -> int:
        return self.model.step_index

    @property
    def levers(self) -> dict:
        return lever_values(self.model.p)

    @property
    def history(self) -> list[dict]:
        return self.model.history

    def national_series(self, column: str) -> np.ndarray:
        return np.array([row[column] for row in self.model.history], dtype=float)

    def dates(self) -> list[str]:
        return [row["date"] for row in self.model.history]

    def region_series(self, region_index: int, column: str) -> np.ndarray:
        return np.array([week[column][region_index] for week in self.model.region_history], dtype=float)

    def region_latest(self) -> dict:
        return self.model.region_history[-1]

    def region_names(self) -> list[str]:
        return [r.name for r in self.model.regions]

    def region_index(self, iso: str) -> int:
        for r in self.model.regions:
            if r.iso == iso:
                return r.index
        raise LeverError(f"region: got {iso!r}; allowed: one of the 85 region codes")

    def lives(self, region_index: int, touched_only: bool = False):
        with self.lock:
            return self.tracker.lives(self.model, region_index, touched_only)

    def setup(self) -> dict:
        """What reproduces this run: the scenario, seed, scale and every lever change."""
        return {"scenario": self.scenario, "seed": self.seed, "scale": self.scale, "weeks": self.week + 1,
                "levers_at_start": self.levers_by_week[0] if self.levers_by_week else {},
                "lever_changes": [c.__dict__ for c in self.changes]}


__all__ = ["LEVERS", "LeverChange", "LeverError", "LiveSession", "SCALES", "DEFAULT_SCALE", "check_setup"]
