"""Scheduled transitions (end of training, end of service, leaving hospital), paid per event."""

from __future__ import annotations

from collections import defaultdict


class Calendar:
    def __init__(self, model):
        self.model = model
        self._due: dict[int, list] = defaultdict(list)

    def schedule(self, weeks: int, action, expected_status) -> None:
        """Run ``action`` (a bound method of an agent) in ``weeks`` weeks, if he is still where he was."""
        self._due[self.model.step_index + max(int(weeks), 1)].append((action, expected_status))

    def fire(self) -> None:
        for action, expected in self._due.pop(self.model.step_index, ()):
            agent = action.__self__
            if agent.status is expected and agent.model is not None:
                action()
