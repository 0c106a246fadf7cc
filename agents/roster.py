"""A roster of agents with O(1) add, remove and random pick, for paying per event.

Most men do nothing in most weeks.  Instead of asking every deployed soldier or every evader
each week whether something happens to him, the model draws how many events happen
(binomial) and then picks who (uniformly, or by thinning when hazards differ between men).
"""

from __future__ import annotations


class Roster:
    __slots__ = ("_items", "_pos")

    def __init__(self):
        self._items: list = []
        self._pos: dict = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(list(self._items))

    def __contains__(self, item) -> bool:
        return item in self._pos

    def add(self, item) -> None:
        self._pos[item] = len(self._items)
        self._items.append(item)

    def add_many(self, items: list) -> None:
        n = len(self._items)
        self._items.extend(items)
        self._pos.update(zip(items, range(n, n + len(items))))

    def remove(self, item) -> None:
        i = self._pos.pop(item)
        last = self._items.pop()
        if last is not item:
            self._items[i] = last
            self._pos[last] = i

    def pick(self, rng, k: int) -> list:
        """``k`` distinct members chosen uniformly at random (all of them if k >= len)."""
        n = len(self._items)
        if k <= 0 or n == 0:
            return []
        if k >= n:
            return list(self._items)
        return [self._items[i] for i in rng.choice(n, size=k, replace=False)]

    def thin(self, rng, bound: float, hazard) -> list:
        """Members who have an event this week, each with probability ``hazard(member)``.

        ``bound`` must be >= every member's hazard.  Exact: a member is a candidate with
        probability ``bound`` and is kept with probability ``hazard/bound``.  Returns
        ``(member, x)`` pairs with ``x`` uniform on [0, hazard(member)), so that a caller with
        competing events can split the hazard between them (x < h1: first event, else second).
        """
        if bound <= 0 or not self._items:
            return []
        bound = min(bound, 1.0)
        candidates = self.pick(rng, int(rng.binomial(len(self._items), bound)))
        if not candidates:
            return []
        u = rng.random(len(candidates)) * bound
        return [(c, x) for c, x in zip(candidates, u) if x < hazard(c)]
