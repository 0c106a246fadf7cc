"""A man on the military path: notified, in training, serving, deployed, wounded, killed, discharged.

His verbs are the transitions of that path; the decisions behind them are in agents/rules.
"""

from __future__ import annotations

from draftsim.agents.person import Person
from draftsim.agents.states import EVASION_STATUS, Channel, NoticeKind, Status, Tactic


class Man(Person, evading=False):
    # --- entering the army -------------------------------------------------------------------
    @classmethod
    def volunteer(cls, model, region, pool_index: int) -> Man:
        """A civilian signs a contract."""
        model.population.deactivate(pool_index)
        man = cls(model, region, pool_index, Status.TRAINING, channel=Channel.CONTRACT)
        model.ledger.add("contracts", region.index)
        model.ledger.add("bonus_paid_rub", region.index, model.offer_rub(region))
        man.start_training()
        return man

    @classmethod
    def notify(cls, model, region, pool_index: int, kind: NoticeKind) -> Man:
        model.population.deactivate(pool_index)
        return cls(model, region, pool_index, Status.NOTIFIED, notice_kind=kind, notice_step=model.step_index)

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

    def deploy(self) -> None:
        self.become(Status.DEPLOYED)
        if getattr(self, "pardon_due", False):
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
        self.become(Status.KILLED)

    def be_wounded(self) -> None:
        self.model.ledger.add("wounded", self.region.index)
        self.become(Status.WOUNDED)
        self.model.calendar.schedule(self.model.p.wound_recovery_weeks, self.leave_hospital, Status.WOUNDED)

    def leave_hospital(self) -> None:
        if getattr(self, "pardon_step", None) is not None and self.model.step_index >= self.pardon_step:
            self.be_pardoned()   # his six months ran out while he was in hospital
        elif self.model.rng.random() < self.model.p.wounded_return_share:
            self.model.ledger.add("returned_to_duty", self.region.index)
            self.become(Status.DEPLOYED)
        else:
            self.be_discharged()

    def be_discharged(self) -> None:
        self.model.ledger.add("discharged", self.region.index)
        self.become(Status.DISCHARGED)
