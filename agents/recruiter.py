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
        self.paper_tokens = 0.0       # paper notices it may still deliver (agents; see week_capacity)

    @property
    def paper_capacity(self) -> float:
        """Paper notices a week, in agents."""
        return self.model.p.paper_capacity_per_10k_men * self.region.men_census / 1e4 * self.share / self.region.men_per_agent

    @classmethod
    def run_campaigns(cls, model, recruiters: list[Recruiter]) -> None:
        """Every commissariat's notices of the week.

        Each commissariat acts on its own share, estimate and capacity, but the draws are made for all
        of them together, one vectorised pass per campaign: a region's k-th commissariat acts in round
        k, so that no two in a round sample the same men.
        """
        pol = model.policy
        campaigns = [(c, k) for c, k in ((pol.mobilisation, NoticeKind.MOBILISATION), (pol.conscription, NoticeKind.CONSCRIPTION))
                     if c is not None]
        if not campaigns:
            return
        rounds: dict[int, list[Recruiter]] = {}
        seen: dict[int, int] = {}
        for r in recruiters:
            k = seen.get(r.region.index, 0)
            seen[r.region.index] = k + 1
            rounds.setdefault(k, []).append(r)
        for group in rounds.values():
            start = np.array([r.week_capacity() for r in group], dtype=np.int64)
            capacity = start
            for campaign, kind in campaigns:
                capacity = cls._campaign_week(model, group, campaign, kind, capacity)
            for r, used in zip(group, (start - capacity).tolist()):
                r.paper_tokens -= used

    def week_capacity(self) -> int:
        """Whole paper notices this commissariat can deliver this week.

        Capacity is a rate, and at a coarse scale it is a fraction of an agent a week (0.4 in a region of
        100,000 men at 1:1000).  Rounding it afresh each week would leave the commissariat short when it
        rounds to 0 and waste it when nothing is needed, so the mobilisation would fall short at coarse
        scales only (by ~3% at 1:1000).  Unused capacity is kept instead, up to one week's worth plus two
        agents: at 1:1 that is two men more, at 1:1000 it lets a fraction of a notice a week add up.
        """
        rate = self.paper_capacity
        self.paper_tokens = min(self.paper_tokens + rate, rate + 2.0)
        return int(self.paper_tokens)

    @classmethod
    def _campaign_week(cls, model, recruiters: list[Recruiter], campaign, kind: NoticeKind, capacity: np.ndarray) -> np.ndarray:
        """Send this week's notices of one campaign; returns the paper capacity left, per commissariat.

        Notices go out one after another through the week and stop once the week's need has
        reported, so compliers never exceed the week's need.
        """
        need = np.array([r._due(campaign, kind) - r.reported.get(campaign, 0) for r in recruiters], dtype=np.int64)
        acting = np.flatnonzero(need > 0)
        if len(acting) == 0:
            return capacity
        wanted = np.array([model.stochastic_round(need[i] / max(recruiters[i].yield_estimate[kind], 0.05)) for i in acting],
                          dtype=np.int64)
        regions = np.array([recruiters[i].region.index for i in acting], dtype=np.int64)
        pop, pol, p = model.population, model.policy, model.p
        chosen, g = pop.sample_many(regions, wanted, model.rng, pop.liability(kind, pol.draft_age_max))
        if len(chosen) == 0:
            return capacity
        electronic = pop.footprint[chosen] >= p.e_notice_min_footprint if pol.e_register else np.zeros(len(chosen), bool)
        sendable = electronic | (_cumsum_by(~electronic, g) <= capacity[acting][g])
        chosen, electronic, g = chosen[sendable], electronic[sendable], g[sendable]
        if len(chosen) == 0:
            return capacity
        reached = electronic | pop.at_address[chosen]
        picks = cls._choices(model, chosen, kind)
        reported = _cumsum_by(reached & (picks == 0), g)
        rank = np.arange(len(g)) - np.searchsorted(g, g)
        # sent: up to and including the notice that met the need, or all of them
        met = np.where(reported >= need[acting][g], rank, np.iinfo(np.int64).max)
        first_met = np.full(len(acting), np.iinfo(np.int64).max)
        np.minimum.at(first_met, g, met)
        size = np.bincount(g, minlength=len(acting))
        sent = np.minimum(np.where(first_met < np.iinfo(np.int64).max, first_met + 1, size), size)
        keep = rank < sent[g]
        chosen, electronic, reached, picks, g = chosen[keep], electronic[keep], reached[keep], picks[keep], g[keep]

        n_electronic = np.bincount(g, weights=electronic, minlength=len(acting)).astype(np.int64)
        complied = np.bincount(g, weights=reached & (picks == 0), minlength=len(acting)).astype(np.int64)
        capacity = capacity.copy()
        capacity[acting] -= sent - n_electronic
        ledger = model.ledger
        ledger.add_many("notices_sent", regions, sent.astype(float))
        ledger.add_many("notices_electronic", regions, n_electronic.astype(float))
        ledger.add_many("notices_failed", regions[g[~reached]])
        cls._serve(model, chosen[reached], electronic[reached], picks[reached], kind)
        for j, i in enumerate(acting.tolist()):
            if sent[j] > 0:
                r = recruiters[i]
                r.yield_estimate[kind] = 0.5 * r.yield_estimate[kind] + 0.5 * max(complied[j] / sent[j], 0.02)
                r.reported[campaign] = r.reported.get(campaign, 0) + int(complied[j])
        return capacity

    def _due(self, campaign, kind: NoticeKind) -> int:
        """Whole agents of this commissariat's share that should have reported by now.

        At coarse scales the share is a fraction of an agent, so it is rounded once per campaign
        against a random offset (unbiased over regions: E[floor(x + U)] = x); the whole-agent
        share then ramps up evenly over the campaign, rounded up so that a one-agent share is
        chased from the first week, not only in the last.
        """
        model = self.model
        if campaign not in self.share_agents:
            share = campaign.target_men / self.region.men_per_agent * self.region.call_up_share(kind) * self.share
            self.share_agents[campaign] = math.floor(share + float(model.rng.random()))
        elapsed = (model.date - campaign.start).days / 7.0 + 1.0
        return math.ceil(self.share_agents[campaign] * min(elapsed / campaign.weeks(), 1.0) - 1e-9)

    @staticmethod
    def _choices(model, men: np.ndarray, kind: NoticeKind) -> np.ndarray:
        """Each man's pick among OPTIONS (agents.rules.evasion) were the notice to reach him."""
        pop, pol, p = model.population, model.policy, model.p
        ctx = EvasionContext(
            danger=p.danger_mobilisation if kind is NoticeKind.MOBILISATION else p.danger_conscription,
            exit_ban=pol.exit_ban, e_register=pol.e_register, exclusion_law=pol.exclusion_law,
            fine_rub=pol.no_show_fine_rub, enforcement=p.enforcement)
        subsistence = np.array([r.subsistence_rub for r in model.regions])[pop.region[men]]
        utilities = evasion_utilities(
            p, ctx, pop.risk_aversion(men), pop.income0[men].astype(float) * model.wage_index,
            subsistence * model.wage_index, pop.urban[men], pop.footprint[men])
        return choose(choice_probabilities(utilities), model.rng.random(len(men)))

    @staticmethod
    def _serve(model, served: np.ndarray, electronic: np.ndarray, picks: np.ndarray, kind: NoticeKind) -> None:
        """Served men become agents and comply or evade as picked.

        A man with an electronic notice sees it at once but it counts as served only
        ``e_notice_service_days`` later, so he acts then; only flight abroad (if no exit ban binds
        from the day it is sent) can happen before.
        """
        service_weeks = math.ceil(model.p.e_notice_service_days / 7)
        men = Man.notify(model, served, kind)
        compliers = []
        for man, is_electronic, pick in zip(men, electronic.tolist(), picks.tolist()):
            tactic = OPTIONS[pick]
            if is_electronic and service_weeks and tactic is not Tactic.EMIGRATE:
                man.notice_step += service_weeks
                model.calendar.schedule(service_weeks, man.respond, Status.NOTIFIED, tactic)
            elif tactic is Tactic.COMPLY:
                compliers.append(man)
            else:
                man.respond(tactic)
        Man.report_many(model, compliers, kind)


def _cumsum_by(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` within each group (``group`` sorted)."""
    c = np.cumsum(values, dtype=np.int64)
    first = np.searchsorted(group, group)
    return c - np.where(first > 0, c[first - 1], 0)
