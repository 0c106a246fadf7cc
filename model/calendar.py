"""Scheduled transitions (end of training, end of service, leaving hospital), paid per event."""

from __future__ import annotations

from collections import defaultdict


class Calendar:
    def __init__(self, model):
        self.model = model
        self._due: dict[int, list] = defaultdict(list)

    def schedule(self, weeks: int, action, expected_status, *args) -> None:
        """Run ``action(*args)`` (a bound method of an agent) in ``weeks`` weeks (at least one),
        if the agent is still in ``expected_status`` then."""
        self._due[self.model.step_index + max(int(weeks), 1)].append((action, expected_status, args))

    def fire(self) -> None:
        for action, expected, args in self._due.pop(self.model.step_index, ()):
            if action.__self__.status is expected:
                action(*args)
