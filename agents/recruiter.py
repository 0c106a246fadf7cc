"""A military commissariat: runs conscription campaigns and mobilisation waves, serves notices.

Paper notices are limited by the commissariat's weekly capacity and fail when the man does not
live at his registered address.  Electronic notices (once the register is on) reach every man
with a digital footprint, cost nothing, and are served ``e_notice_service_days`` after entry
whether or not he is at home.  The commissariat aims to have its share of the call-up report by each week
of the campaign and sends notices, as many as its running estimate of the yield requires,
until the week's need has reported.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from draftsim.agents.man import Man
from draftsim.agents.rules.evasion import OPTIONS, EvasionContext, choice_probabilities, choose, evasion_utilities
from draftsim.agents.states import NoticeKind, Status, Tactic


class Recruiter(mesa.Agent):
    def __init__(self, model, region, share_of_region: float):
        super().__init__(model)
        self.region = region
        self.share = share_of_region
        self.yield_estimate = {NoticeKind.CONSCRIPTION: 0.5, NoticeKind.MOBILISATION: 0.5}
        self.reported: dict = {}    # campaign -> men (agents) who reported on notice
        self.share_agents: dict = {}  # campaign -> this commissariat's share, in whole agents

    @property
    def paper_capacity(self) -> float:
        """Paper notices a week, in agents."""
        return self.model.p.paper_capacity_per_10k_men * self.region.men_census / 1e4 * self.share / self.model.scale

    def run_campaigns(self) -> None:
        pol = self.model.policy
        capacity = self.model.stochastic_round(self.paper_capacity)
        for campaign, kind in ((pol.mobilisation, NoticeKind.MOBILISATION), (pol.conscription, NoticeKind.CONSCRIPTION)):
            if campaign is not None:
                capacity = self._campaign_week(campaign, kind, capacity)

    def _campaign_week(self, campaign, kind: NoticeKind, capacity: int) -> int:
        """Send this week's notices; returns the paper capacity left.

        Notices go out one after another through the week and stop once the week's need has
        reported, so compliers never exceed the week's need.
        """
        model = self.model
        need = self._due(campaign) - self.reported.get(campaign, 0)
        if need <= 0:
            return capacity
        wanted = model.stochastic_round(need / max(self.yield_estimate[kind], 0.05))
        chosen = model.population.eligible_sample(self.region.index, kind, wanted, model)
        if len(chosen) == 0:
            return capacity
        pop, pol, p = model.population, model.policy, model.p
        electronic = pop.footprint[chosen] >= p.e_notice_min_footprint if pol.e_register else np.zeros(len(chosen), bool)
        sendable = electronic | (np.cumsum(~electronic) <= capacity)
        chosen, electronic = chosen[sendable], electronic[sendable]
        if len(chosen) == 0:
            return capacity
        reached = electronic | pop.at_address[chosen]
        picks = self._choices(chosen, kind)
        reported = np.cumsum(reached & (picks == 0))
        sent = min(int(np.searchsorted(reported, need)) + 1, len(chosen))
        chosen, electronic, reached, picks = chosen[:sent], electronic[:sent], reached[:sent], picks[:sent]

        n_electronic = int(electronic.sum())
        capacity -= sent - n_electronic
        complied = int(reported[sent - 1])
        ledger = model.ledger
        ledger.add("notices_sent", self.region.index, sent)
        ledger.add("notices_electronic", self.region.index, n_electronic)
        ledger.add("notices_failed", self.region.index, int((~reached).sum()))
        self._serve(chosen[reached], electronic[reached], picks[reached], kind)
        self.yield_estimate[kind] = 0.5 * self.yield_estimate[kind] + 0.5 * max(complied / sent, 0.02)
        self.reported[campaign] = self.reported.get(campaign, 0) + complied
        return capacity

    def _due(self, campaign) -> int:
        """Whole agents of this commissariat's share that should have reported by now.

        At coarse scales the share is a fraction of an agent, so it is rounded once per campaign
        against a random offset (unbiased over regions: E[floor(x + U)] = x); the whole-agent
        share then ramps up evenly over the campaign, rounded up so that a one-agent share is
        chased from the first week, not only in the last.
        """
        model = self.model
        if campaign not in self.share_agents:
            share = campaign.target_men / model.scale * self.region.men_census / model.men_census_total * self.share
            self.share_agents[campaign] = math.floor(share + float(model.rng.random()))
        elapsed = (model.date - campaign.start).days / 7.0 + 1.0
        return math.ceil(self.share_agents[campaign] * min(elapsed / campaign.weeks(), 1.0) - 1e-9)

    def _choices(self, men: np.ndarray, kind: NoticeKind) -> np.ndarray:
        """Each man's pick among OPTIONS (agents.rules.evasion) were the notice to reach him."""
        model, pop, pol, p = self.model, self.model.population, self.model.policy, self.model.p
        ctx = EvasionContext(
            danger=p.danger_mobilisation if kind is NoticeKind.MOBILISATION else p.danger_conscription,
            exit_ban=pol.exit_ban, e_register=pol.e_register, exclusion_law=pol.exclusion_law,
            fine_rub=pol.no_show_fine_rub, enforcement=p.enforcement)
        utilities = evasion_utilities(
            p, ctx, pop.risk_aversion[men], pop.income0[men] * model.wage_index,
            self.region.subsistence_rub * model.wage_index, pop.urban[men], pop.footprint[men])
        return choose(choice_probabilities(utilities), model.rng.random(len(men)))

    def _serve(self, served: np.ndarray, electronic: np.ndarray, picks: np.ndarray, kind: NoticeKind) -> None:
        """Served men become agents and comply or evade as picked.

        A man with an electronic notice sees it at once but it counts as served only
        ``e_notice_service_days`` later, so he acts then; only flight abroad (if no exit ban binds
        from the day it is sent) can happen before.
        """
        model = self.model
        service_weeks = math.ceil(model.p.e_notice_service_days / 7)
        for idx, is_electronic, pick in zip(served.tolist(), electronic.tolist(), picks.tolist()):
            man = Man.notify(model, self.region, idx, kind)
            tactic = OPTIONS[pick]
            if is_electronic and service_weeks and tactic is not Tactic.EMIGRATE:
                man.notice_step += service_weeks
                model.calendar.schedule(service_weeks, man.respond, Status.NOTIFIED, tactic)
            else:
                man.respond(tactic)
