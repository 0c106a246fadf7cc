"""What every individually represented man shares: his region, his place in the pool, his path.

Idle civilians live as rows of the pool (model.population); a man becomes an agent when something
happens to him (a notice, a contract, emigration, a pardon offer taken) and, when he goes back to
civilian life, returns to the pool.  His attributes stay in the pool's columns, read through
``pool_index``; prisoner recruits have no pool row (``pool_index == -1``).

Men are plain objects with ``__slots__``, not Mesa agents: millions of them pass through a full-scale
run, and Mesa's per-agent registry would cost more than everything they do.  A man in a final state
(killed, discharged, registered as a drug user, self-harmed) is only a count in the model's books; his
object is dropped.  Only watched men (the live view's "Lives") keep their history.  Regions and
commissariats stay Mesa agents.
"""

from __future__ import annotations

from draftsim.agents.states import Channel, NoticeKind, Status

SEASONED = -(10 ** 9)   # first_deployed_step of a man who is no newcomer at the front


class Person:
    __slots__ = ("model", "region", "pool_index", "is_prisoner", "channel", "notice_kind", "notice_step", "status",
                 "history", "pardon_due", "pardon_step", "first_deployed_step")

    # who plays a man, by whether his status is an evasion: Man or Evader, each registered by its own
    # class statement, so that a hand-over between the two needs neither module to import the other
    _played_by: dict[bool, type[Person]] = {}

    def __init_subclass__(cls, evading: bool | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if evading is not None:
            Person._played_by[evading] = cls

    def __init__(self, model, region, pool_index: int, status: Status | None, channel: Channel | None = None,
                 notice_kind: NoticeKind | None = None, notice_step: int | None = None):
        """A new agent in ``status`` (None: the caller enters a batch of new men at once, DraftModel.spawn)."""
        self.model = model
        self.region = region
        self.pool_index = pool_index
        self.is_prisoner = int(pool_index < 0)   # 0/1: an index into the model's books
        self.channel = channel
        self.notice_kind = notice_kind
        self.notice_step = notice_step
        self.history: list[tuple[int, Status]] | None = model.history_of(self)
        self.status: Status | None = None
        self.pardon_due = False
        self.pardon_step: int | None = None
        # when a recruit first reached the front: his first weeks there are the deadliest (agents.rules.front);
        # the regulars of the invasion force, never deployed from training, count as seasoned
        self.first_deployed_step = SEASONED
        if status is not None:
            model.enter(self, status)

    @property
    def footprint(self) -> float:
        return 0.0 if self.is_prisoner else float(self.model.population.footprint[self.pool_index])

    @property
    def weeks_since_notice(self) -> int:
        return 0 if self.notice_step is None else self.model.step_index - self.notice_step

    def become(self, status: Status) -> None:
        self.model.move(self, status)

    def hand_over(self, status: Status, channel: Channel | None = None):
        """The same man, now played by the class of ``status`` (Man <-> Evader): his life carries on."""
        self.model.leave(self)
        self.__class__ = Person._played_by[status.is_evading]
        if channel is not None:
            self.channel = channel
        self.model.enter(self, status)
        return self

    def return_to_pool(self, served: bool = False) -> None:
        """Back to civilian life: the man becomes a row of the pool again."""
        self.model.leave(self, to_pool=True)
        self.model.population.reactivate(self.pool_index, served=served)
