"""What every individually represented man shares: his region, his place in the pool, his path.

Idle civilians live as rows of the vectorised pool (model.population); a man becomes an agent
when something happens to him (a notice, a contract, emigration, a pardon offer taken) and,
when he goes back to civilian life, returns to the pool.  His attributes stay in the pool's
arrays, read through ``pool_index``; prisoner recruits have no pool row (``pool_index == -1``).
"""

from __future__ import annotations

import mesa

from draftsim.agents.states import Channel, NoticeKind, Status


class Person(mesa.Agent):
    # who plays a man, by whether his status is an evasion: Man or Evader, each registered by its own
    # class statement, so that a hand-over between the two needs neither module to import the other
    _played_by: dict[bool, type[Person]] = {}

    def __init_subclass__(cls, evading: bool | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if evading is not None:
            Person._played_by[evading] = cls

    def __init__(self, model, region, pool_index: int, status: Status, channel: Channel | None = None,
                 notice_kind: NoticeKind | None = None, notice_step: int | None = None, history=None):
        super().__init__(model)
        self.region = region
        self.pool_index = pool_index
        self.channel = channel
        self.notice_kind = notice_kind
        self.notice_step = notice_step
        self.history: list[tuple[int, Status]] = history if history is not None else []
        self.status: Status | None = None
        model.enter(self, status)

    @property
    def is_prisoner(self) -> bool:
        return self.pool_index < 0

    @property
    def footprint(self) -> float:
        return 0.0 if self.is_prisoner else float(self.model.population.footprint[self.pool_index])

    @property
    def weeks_since_notice(self) -> int:
        return 0 if self.notice_step is None else self.model.step_index - self.notice_step

    def become(self, status: Status) -> None:
        self.model.move(self, status)

    def hand_over(self, status: Status, **kwargs):
        """Replace this agent by the one who plays ``status`` (Man <-> Evader), carrying the same life."""
        cls = Person._played_by[status.is_evading]
        self.model.leave(self)
        self.remove()
        kwargs.setdefault("channel", self.channel)
        return cls(self.model, self.region, self.pool_index, status, notice_kind=self.notice_kind,
                   notice_step=self.notice_step, history=self.history, **kwargs)

    def return_to_pool(self, served: bool = False) -> None:
        """Back to civilian life: the man becomes a row of the pool again."""
        self.model.leave(self, to_pool=True)
        self.model.population.reactivate(self.pool_index, served=served)
        self.remove()
