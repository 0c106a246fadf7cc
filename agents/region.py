"""A federal subject: its men, its economy, its governor's bonus, its quota and its prisons."""

from __future__ import annotations

import mesa
import numpy as np

from draftsim.agents.man import Man
from draftsim.agents.rules.governor import next_regional_bonus
from draftsim.agents.rules.prisons import weekly_acceptance
from draftsim.agents.states import NoticeKind


class Region(mesa.Agent):
    def __init__(self, model, index: int, row: dict, men_per_agent: float, prison_population: float):
        super().__init__(model)
        self.index = index
        self.men_per_agent = float(men_per_agent)   # real men each of the region's agents stands for
        self.iso: str = row["iso"]
        self.name: str = row["region_en"]
        self.name_ru: str = row["region_ru"]
        self.federal_district: str = row["federal_district"]
        self.men_census = float(row["men_16_61_census2021"])
        self.poverty_share = float(row["pct_below_subsistence_2020"]) / 100.0
        self.unemployment = float(row["unemployment_rate_2020"]) / 100.0
        self.subsistence_rub = float(row["subsistence_level_rub_2020q4"])
        self.mean_income_rub = float(row["mean_income_per_capita_rub_2020"])
        self.urban_share = float(row["urban_pct_2017"]) / 100.0
        self.republic = row["ethnic_republic"] == "1"
        self.dist_moscow_km = float(row["dist_moscow_km"])
        self.lat = float(row["capital_lat"])
        self.lon = float(row["capital_lon"])
        self.capital: str = row["capital"]
        self.regional_bonus_rub = model.p.initial_regional_bonus_rub
        self.quota_per_month = 0.0          # real men
        self.bonus_cut = False              # the governor's one budget cut is spent
        self.prison_population = prison_population  # agents (men / men_per_agent)

    def call_up_share(self, kind: NoticeKind) -> float:
        """The region's share of a national call-up: mobilisations by remoteness, conscription by men."""
        if kind is NoticeKind.MOBILISATION:
            return float(self.model.mobilisation_shares()[self.index])
        return self.men_census / self.model.men_census_total

    @property
    def budget_cap_rub(self) -> float:
        return self.model.p.bonus_cap_income_years * 12 * self.mean_income_rub * self.model.wage_index

    def govern(self) -> None:
        """Monthly: raise the bonus on a shortfall, lower it slowly on a surplus, cut it once under budget pressure."""
        if not self.model.new_month:
            return
        pol, p = self.model.policy, self.model.p
        if self.iso == "MOW" and pol.moscow_bonus_rub is not None:
            self.regional_bonus_rub = max(self.regional_bonus_rub, pol.moscow_bonus_rub)
            return
        if self.quota_per_month <= 0 or self.model.step_index < 4:
            return  # no month of recruitment to judge yet
        before = self.regional_bonus_rub
        self.regional_bonus_rub = next_regional_bonus(
            self.regional_bonus_rub, self.expected_recruits_per_month() / self.quota_per_month, pol.budget_pressure,
            self.budget_cap_rub, p.governor_raise_share, p.governor_raise_floor_rub, p.governor_cut_share,
            already_cut=self.bonus_cut, lower_share=p.governor_lower_share)
        self.bonus_cut |= pol.budget_pressure and self.regional_bonus_rub < before

    def expected_recruits_per_month(self) -> float:
        """The contract recruits the region is on course for at the offer in force when the week began (real men).

        Governors judge by the recruiting rate, not by one month's count: a month's count in a
        small region is mostly noise (and would make the rule depend on the model's scale).
        """
        weekly = self.model.expected_contracts_per_week()[self.index]
        return weekly * 52.0 / 12.0 * self.men_per_agent

    @classmethod
    def offer_pardons(cls, model, regions: list[Region]) -> None:
        """Recruiters in the colonies: in every region some prisoners take the pardon-for-service offer.

        One binomial draw for all regions together: the weekly offer reaches each prisoner alike.
        """
        acceptance = weekly_acceptance(model.p.prisoner_acceptance_per_week, model.policy.prisoner_recruitment)
        if acceptance == 0.0:
            return
        prisoners = np.fromiter((int(r.prison_population) for r in regions), np.int64, len(regions))
        model.signals.expect_recruits(prisoners * acceptance)
        taking = model.rng.binomial(prisoners, acceptance)
        for region, n in zip(regions, taking.tolist()):
            if n:
                region.prison_population -= n
                for _ in range(n):
                    Man.pardon(model, region)
