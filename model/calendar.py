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
        self._due[self.model.step_index + max(int(weeks), 1)].append((action, expected_status, args, None))

    def schedule_many(self, weeks: int, verb, expected_status, people: list, *args) -> None:
        """Run ``verb(model, men, *args)`` in ``weeks`` weeks for those of ``people`` still in ``expected_status``
        then: one entry for a week's cohort (men who enlisted together finish training together)."""
        if people:
            self._due[self.model.step_index + max(int(weeks), 1)].append((verb, expected_status, args, people))

    def fire(self) -> None:
        for action, expected, args, people in self._due.pop(self.model.step_index, ()):
            if people is None:
                if action.__self__.status is expected:
                    action(*args)
            else:
                still = [man for man in people if man.status is expected]
                if still:
                    action(self.model, still, *args)
