"""A military commissariat: runs conscription campaigns and mobilisation waves, serves notices.

Paper notices are limited by the commissariat's weekly capacity and fail when the man does not
live at his registered address.  Electronic notices (once the register is on) reach every man
with a digital footprint, cost nothing, and are served seven days after entry whether or not
he is at home.  The commissariat aims to have its share of the call-up report by each week
of the campaign and sends as many notices as its running estimate of the yield requires.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from agents.man import Man
from agents.rules.evasion import OPTIONS, EvasionContext, choice_probabilities, choose, evasion_utilities
from agents.states import NoticeKind, Status, Tactic


class Recruiter(mesa.Agent):
    def __init__(self, model, region, share_of_region: float):
        super().__init__(model)
        self.region = region
        self.share = share_of_region
        self.yield_estimate = {NoticeKind.CONSCRIPTION: 0.5, NoticeKind.MOBILISATION: 0.5}
        self.reported: dict = {}    # campaign -> men (agents) who reported on notice

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
        model = self.model
        target = campaign.target_men / model.scale * self.region.men_census / model.men_census_total * self.share
        elapsed = (model.date - campaign.start).days / 7.0 + 1.0
        due = target * min(elapsed / campaign.weeks(), 1.0)
        need = due - self.reported.get(campaign, 0)
        if need <= 0:
            return capacity
        wanted = model.stochastic_round(need / max(self.yield_estimate[kind], 0.05))
        chosen = model.population.eligible_sample(self.region.index, kind, wanted, model)
        if len(chosen) == 0:
            return capacity
        pop, pol, p = model.population, model.policy, model.p
        if pol.e_register:
            electronic = chosen[pop.footprint[chosen] >= p.e_notice_min_footprint]
            paper = chosen[pop.footprint[chosen] < p.e_notice_min_footprint]
        else:
            electronic, paper = chosen[:0], chosen
        paper = paper[:capacity]
        capacity -= len(paper)
        delivered = paper[pop.at_address[paper]]
        served = np.concatenate([electronic, delivered])
        ledger = model.ledger
        ledger.add("notices_sent", self.region.index, len(electronic) + len(paper))
        ledger.add("notices_electronic", self.region.index, len(electronic))
        ledger.add("notices_failed", self.region.index, len(paper) - len(delivered))
        complied = self._serve(served, len(electronic), kind)
        sent = len(electronic) + len(paper)
        if sent:
            observed = complied / sent
            self.yield_estimate[kind] = 0.5 * self.yield_estimate[kind] + 0.5 * max(observed, 0.02)
        self.reported[campaign] = self.reported.get(campaign, 0) + complied
        return capacity

    def _serve(self, served: np.ndarray, n_electronic: int, kind: NoticeKind) -> int:
        """Each served man complies or evades (agents.rules.evasion); returns how many comply.

        The first ``n_electronic`` men got an electronic notice: they see it at once but it counts as
        served only ``e_notice_service_days`` later, so they act then; only flight abroad (if no exit
        ban binds from the day it is sent) can happen before.
        """
        if len(served) == 0:
            return 0
        model, pop, pol, p = self.model, self.model.population, self.model.policy, self.model.p
        ctx = EvasionContext(
            danger=p.danger_mobilisation if kind is NoticeKind.MOBILISATION else p.danger_conscription,
            exit_ban=pol.exit_ban, e_register=pol.e_register, exclusion_law=pol.exclusion_law,
            fine_rub=pol.no_show_fine_rub, enforcement=p.enforcement)
        utilities = evasion_utilities(
            p, ctx, pop.risk_aversion[served], pop.income0[served] * model.wage_index,
            self.region.subsistence_rub * model.wage_index, pop.urban[served], pop.footprint[served])
        picks = choose(choice_probabilities(utilities), model.rng.random(len(served)))
        service_weeks = math.ceil(p.e_notice_service_days / 7)
        complied = 0
        for i, (idx, pick) in enumerate(zip(served.tolist(), picks.tolist())):
            man = Man.notify(model, self.region, idx, kind)
            tactic = OPTIONS[pick]
            if i < n_electronic and service_weeks and tactic is not Tactic.EMIGRATE:
                man.notice_step += service_weeks
                model.calendar.schedule(service_weeks, man.respond, Status.NOTIFIED, tactic)
            else:
                man.respond(tactic)
            complied += pick == 0
        return complied
