"""A man on the military path: notified, in training, serving, deployed, wounded, killed, discharged.

His verbs are the transitions of that path; the decisions behind them are in agents/rules.
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.person import Person
from draftsim.agents.states import EVASION_STATUS, Channel, NoticeKind, Status, Tactic


class Man(Person, evading=False):
    __slots__ = ()

    # --- entering the army -------------------------------------------------------------------
    @classmethod
    def volunteer(cls, model, pool_rows: np.ndarray) -> list[Man]:
        """Civilians sign contracts (this week's volunteers, together)."""
        pop = model.population
        pop.deactivate_many(pool_rows)
        region_of = pop.region[pool_rows].astype(np.int64)
        model.ledger.add_many("contracts", region_of)
        offers = model.offers_rub()
        model.ledger.add_many("bonus_paid_rub", region_of, offers[region_of])
        men = model.spawn(cls, pool_rows, Status.TRAINING, channel=Channel.CONTRACT)
        model.calendar.schedule_many(model.p.training_weeks, cls.deploy_many, Status.TRAINING, men)
        return men

    @classmethod
    def notify(cls, model, pool_rows: np.ndarray, kind: NoticeKind) -> list[Man]:
        """Men served a notice (a commissariat's week of notices, together)."""
        model.population.deactivate_many(pool_rows)
        return model.spawn(cls, pool_rows, Status.NOTIFIED, notice_kind=kind, notice_step=model.step_index)

    @classmethod
    def pardon(cls, model, region) -> Man:
        """A prisoner takes the pardon-for-service offer."""
        man = cls(model, region, -1, Status.TRAINING, channel=Channel.PRISONER)
        man.pardon_due = model.policy.prisoner_recruitment == "on"   # Wagner's terms; Storm-Z: until the war ends
        model.ledger.add("prisoner_recruits", region.index)
        model.calendar.schedule(model.p.prisoner_training_weeks, man.deploy, Status.TRAINING)
        return man

    def respond(self, tactic: Tactic):
        """Comply with the notice or evade it by a tactic (the choice is agents.rules.evasion)."""
        if tactic is Tactic.COMPLY:
            self.report()
            return self
        self.model.ledger.add("evaders", self.region.index)
        self.model.ledger.add(f"evaders_{tactic.value}", self.region.index)
        if tactic is Tactic.EMIGRATE:
            self.model.ledger.add("emigrants", self.region.index)
        return self.hand_over(EVASION_STATUS[tactic])

    def report(self) -> None:
        """Turn up at the commissariat: mobilised men train for the front, conscripts serve."""
        if self.notice_kind is NoticeKind.MOBILISATION:
            self.channel = Channel.MOBILISED
            self.model.ledger.add("mobilised", self.region.index)
            self.become(Status.TRAINING)
            self.start_training()
        else:
            self.channel = Channel.CONSCRIPT
            self.model.ledger.add("conscripts", self.region.index)
            self.become(Status.CONSCRIPT)
            self.model.calendar.schedule(self.model.p.conscript_service_weeks, self.finish_service, Status.CONSCRIPT)

    @classmethod
    def report_many(cls, model, men: list[Man], kind: NoticeKind) -> None:
        """Men who turn up on a notice of ``kind`` together (``report``, for a commissariat's week)."""
        if not men:
            return
        region_of = _regions_of(men)
        if kind is NoticeKind.MOBILISATION:
            for man in men:
                man.channel = Channel.MOBILISED
            model.ledger.add_many("mobilised", region_of)
            model.move_many(men, Status.TRAINING)
            model.calendar.schedule_many(model.p.training_weeks, cls.deploy_many, Status.TRAINING, men)
        else:
            for man in men:
                man.channel = Channel.CONSCRIPT
            model.ledger.add_many("conscripts", region_of)
            model.move_many(men, Status.CONSCRIPT)
            model.calendar.schedule_many(model.p.conscript_service_weeks, cls.finish_service_many, Status.CONSCRIPT, men)

    def start_training(self) -> None:
        self.model.calendar.schedule(self.model.p.training_weeks, self.deploy, Status.TRAINING)

    # --- serving ---------------------------------------------------------------------------------
    def sign_contract(self) -> None:
        """A serving conscript pressed by his commanders signs a contract."""
        self.channel = Channel.CONTRACT
        self.model.ledger.add("contracts", self.region.index)
        self.model.ledger.add("contracts_from_conscripts", self.region.index)
        self.model.ledger.add("bonus_paid_rub", self.region.index, self.model.offer_rub(self.region))
        self.become(Status.TRAINING)
        self.start_training()

    def finish_service(self) -> None:
        self.model.ledger.add("conscripts_released", self.region.index)
        self.return_to_pool(served=True)

    @classmethod
    def finish_service_many(cls, model, men: list[Man]) -> None:
        for man in men:
            man.finish_service()

    @classmethod
    def deploy_many(cls, model, men: list[Man]) -> None:
        """A cohort's training ends: to the front (``deploy``, together)."""
        model.move_many(men, Status.DEPLOYED)
        for man in men:
            man.first_deployed_step = model.step_index
            if man.pardon_due:
                man.pardon_due = False
                man.pardon_step = model.step_index + model.p.prisoner_service_weeks
                model.calendar.schedule(model.p.prisoner_service_weeks, man.be_pardoned, Status.DEPLOYED)

    def deploy(self) -> None:
        self.become(Status.DEPLOYED)
        self.first_deployed_step = self.model.step_index
        if self.pardon_due:
            self.pardon_due = False
            self.pardon_step = self.model.step_index + self.model.p.prisoner_service_weeks
            self.model.calendar.schedule(self.model.p.prisoner_service_weeks, self.be_pardoned, Status.DEPLOYED)

    def be_pardoned(self) -> None:
        """A Wagner prisoner who survived his six months goes free."""
        self.pardon_step = None
        self.model.ledger.add("pardoned", self.region.index)
        self.be_discharged()

    # --- the front ------------------------------------------------------------------------------
    def be_killed(self) -> None:
        self.model.ledger.add("killed", self.region.index)
        self.model.ledger.add(KILLED_BY[self.channel], self.region.index)
        self.become(Status.KILLED)

    def be_wounded(self) -> None:
        self.model.ledger.add("wounded", self.region.index)
        self.become(Status.WOUNDED)
        self.model.calendar.schedule(self.model.p.wound_recovery_weeks, self.leave_hospital, Status.WOUNDED)

    @classmethod
    def be_killed_many(cls, model, men: list[Man]) -> None:
        """The week's dead at the front (``be_killed``, together), booked by the channel each came in by."""
        by_channel: dict[Channel, list[Man]] = {}
        for man in men:
            by_channel.setdefault(man.channel, []).append(man)
        for channel, dead in by_channel.items():
            model.ledger.add_many(KILLED_BY[channel], _regions_of(dead))
        _book_and_move(model, men, "killed", Status.KILLED)

    @classmethod
    def desert_many(cls, model, men: list[Man]) -> None:
        """Soldiers who leave the front for good without leave: out of the forces, booked as discharged too."""
        if men:
            model.ledger.add_many("deserted", _regions_of(men))
        _book_and_move(model, men, "discharged", Status.DISCHARGED)

    @classmethod
    def be_wounded_many(cls, model, men: list[Man]) -> None:
        _book_and_move(model, men, "wounded", Status.WOUNDED)
        model.calendar.schedule_many(model.p.wound_recovery_weeks, cls.leave_hospital_many, Status.WOUNDED, men)

    @classmethod
    def leave_hospital_many(cls, model, men: list[Man]) -> None:
        for man in men:
            man.leave_hospital()

    def leave_hospital(self) -> None:
        if self.pardon_step is not None and self.model.step_index >= self.pardon_step:
            self.be_pardoned()   # his six months ran out while he was in hospital
        elif self.model.rng.random() < self.model.p.wounded_return_share:
            self.model.ledger.add("returned_to_duty", self.region.index)
            self.become(Status.DEPLOYED)
        else:
            self.model.ledger.add("invalided", self.region.index)
            self.be_discharged()

    def be_discharged(self) -> None:
        self.model.ledger.add("discharged", self.region.index)
        self.become(Status.DISCHARGED)


# the ledger flow of the dead of each recruitment channel (columns killed_total_<channel>)
KILLED_BY = {channel: f"killed_{channel.value}" for channel in Channel}


def _regions_of(men: list[Man]) -> np.ndarray:
    """The region index of each man, for the books of a week's cohort."""
    return np.fromiter((man.region.index for man in men), np.int64, len(men))


def _book_and_move(model, men: list[Man], flow: str, status: Status) -> None:
    """A week's cohort into ``status``: the flow booked by region, the men moved, in one pass each."""
    if men:
        model.ledger.add_many(flow, _regions_of(men))
        model.move_many(men, status)
