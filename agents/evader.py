"""An evader: a man abroad, in hiding, or exempt by fraud, faked drug dependency or self-harm.

Evaders keep acting.  The weekly hazards (agents.rules.evader_fate) decide who is caught,
who gives up and reports, whose bought exemption is exposed, and who comes home from abroad.
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.person import Person
from draftsim.agents.states import NoticeKind, Status


class Evader(Person, evading=True):
    __slots__ = ()

    @classmethod
    def emigrate(cls, model, pool_rows: np.ndarray) -> list[Evader]:
        """Civilians leave the country before any notice reaches them (this week's, together)."""
        model.population.deactivate_many(pool_rows)
        region_of = model.population.region[pool_rows].astype(np.int64)
        model.ledger.add_many("emigrants", region_of)
        model.ledger.add_many("emigrants_pre_emptive", region_of)
        return model.spawn(cls, pool_rows, Status.ABROAD)

    def get_caught(self) -> None:
        """Found by the police (or at the border): fined and sent where his notice said."""
        self.model.ledger.add("caught", self.region.index)
        self._go_serve()

    def give_up(self) -> None:
        """Economic exclusion or fear wears him down: he reports."""
        self.model.ledger.add("gave_up", self.region.index)
        self._go_serve()

    def _go_serve(self) -> None:
        self.model.ledger.add("fines_rub", self.region.index, self.model.policy.no_show_fine_rub)
        man = self.hand_over(Status.NOTIFIED)
        if self.notice_kind is None:
            man.notice_kind = NoticeKind.CONSCRIPTION
        man.report()

    def come_home(self) -> None:
        """Returns from abroad.  A notice he fled has lapsed; he is a civilian again."""
        self.model.ledger.add("returned_home", self.region.index)
        self.return_to_pool()
