"""The pool of idle men of draft age, vectorised: one row per represented man.

Most men do nothing in most weeks, so civilians are rows of numpy arrays, not agents.  Each
week one vectorised pass draws who signs a contract and who leaves the country; recruiters
sample notice targets from the pool.  A man who is touched by an event leaves the pool
(``active`` False) and becomes an agent; a man who returns to civilian life is reactivated.
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.rules import emigration, enlistment
from draftsim.agents.rules.population import digital_footprint, lognormal_params
from draftsim.agents.states import NoticeKind


class Population:
    ATTRS = ("region", "age0", "urban", "income0", "footprint", "risk_aversion", "fit", "reservist",
             "at_address", "willingness", "active")

    def __init__(self, regions, params, scale: float, rng):
        self.p = params
        self.n_regions = len(regions)
        self._subsistence = np.array([r.subsistence_rub for r in regions])
        self._unemployment = np.array([r.unemployment for r in regions])
        men = np.array([r.men_census for r in regions])
        self._national_unemployment = float(np.sum(self._unemployment * men) / np.sum(men))
        self.pool_count = np.zeros(self.n_regions, dtype=np.int64)
        for a in self.ATTRS:
            setattr(self, a, np.empty(0))
        self.members: list[np.ndarray] = [np.empty(0, dtype=np.int64) for _ in regions]
        self._extend([(r, rng.uniform(16.0, 61.5, stochastic_round(rng, r.men_census / scale))) for r in regions], rng)
        mobilisable = self.reservist & (self.age0 >= 20.0) & (self.age0 < params.mobilisation_age_max + 1)
        self._emig_norm = float(np.mean(self._emig_static * np.where(mobilisable, np.e, 1.0)))

    # --- growing the pool ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.active)

    def _draw(self, region, rng, age0: np.ndarray) -> dict:
        """Attributes of ``len(age0)`` new men of a region (age0: their age at the start date)."""
        p, n = self.p, len(age0)
        mu, sigma = lognormal_params(region.mean_income_rub, region.subsistence_rub, region.poverty_share)
        urban = rng.random(n) < region.urban_share
        income0 = rng.lognormal(mu, sigma, n)
        age_at_entry = np.maximum(age0, 16.0)
        sigma_w = p.willingness_sigma
        return {
            "region": np.full(n, region.index, dtype=np.int16),
            "age0": age0.astype(np.float64),
            "urban": urban,
            "income0": income0,
            "footprint": digital_footprint(urban, age_at_entry, income0 / region.subsistence_rub, rng.normal(0.0, 0.6, n)),
            "risk_aversion": rng.beta(2.0, 2.0, n),
            "fit": rng.random(n) < p.fit_share,
            "reservist": (rng.random(n) < p.reservist_share) & (age_at_entry >= 20.0),
            "at_address": rng.random(n) < np.where(urban, p.at_address_share_urban, p.at_address_share_rural),
            "willingness": rng.lognormal(-sigma_w**2 / 2.0, sigma_w, n) if sigma_w > 0 else np.ones(n),
            "active": np.ones(n, dtype=bool),
        }

    def _extend(self, batches, rng) -> None:
        """Add the men of several regions at once (one copy of the arrays, not one per region)."""
        start = self.size
        drawn = [self._draw(region, rng, age0) for region, age0 in batches]
        for a in self.ATTRS:
            old = [getattr(self, a)] if start else []
            setattr(self, a, np.concatenate([*old, *[d[a] for d in drawn]]))
        pos = start
        for (region, _), d in zip(batches, drawn):
            n = len(d["active"])
            self.members[region.index] = np.concatenate([self.members[region.index], np.arange(pos, pos + n)])
            self.pool_count[region.index] += n
            pos += n
        contract_static, emig_static = self._static_terms(slice(start, self.size))
        if start:
            contract_static = np.concatenate([self._contract_static, contract_static])
            emig_static = np.concatenate([self._emig_static, emig_static])
        self._contract_static, self._emig_static = contract_static, emig_static
        self.hazards_stale = True

    def _static_terms(self, rows):
        """The parts of each man's hazards that never change, computed once per man."""
        p = self.p
        contract_static = self.willingness[rows] * self.fit[rows] * np.power(self.income0[rows], -p.pay_elasticity)
        emig_static = emigration.emigration_propensity(
            self.income0[rows] / self._subsistence[self.region[rows]], self.urban[rows], 0.0,
            p.wealth_weight, p.urban_weight_emigrate)
        return contract_static, emig_static

    def recompute_static_terms(self) -> None:
        """After a mid-run change of pay_elasticity, wealth_weight or urban_weight_emigrate."""
        self._contract_static, self._emig_static = self._static_terms(slice(0, self.size))
        self.hazards_stale = True

    def add_cohorts(self, regions_and_counts, rng, years_elapsed: float) -> None:
        """Men turning 16 join the pool (their age0 is back-dated so that age(t) = 16 now)."""
        batches = [(r, np.full(n, 16.0 - years_elapsed)) for r, n in regions_and_counts if n > 0]
        if batches:
            self._extend(batches, rng)

    def age_out(self, age_max: float, years_elapsed: float) -> dict[int, int]:
        """Civilians past ``age_max`` leave the draft-age pool; returns {region index: men}."""
        old = np.flatnonzero(self.active & (self.age0 + years_elapsed > age_max))
        self.active[old] = False
        counts = np.bincount(self.region[old], minlength=self.n_regions)
        self.pool_count -= counts
        self.hazards_stale = True
        return {int(r): int(n) for r, n in enumerate(counts) if n}

    def deactivate(self, idx: int) -> None:
        if not self.active[idx]:
            raise RuntimeError(f"pool row {idx} is not in the pool")
        self.active[idx] = False
        self.pool_count[self.region[idx]] -= 1

    def reactivate(self, idx: int, served: bool = False) -> None:
        self.active[idx] = True
        self.pool_count[self.region[idx]] += 1
        if served:
            self.reservist[idx] = True

    def age(self, idx, years_elapsed: float):
        return self.age0[idx] + years_elapsed

    # --- who can be called ---------------------------------------------------------------------
    def eligible_sample(self, region_index: int, kind: NoticeKind, wanted: int, model) -> np.ndarray:
        """Up to ``wanted`` men of the region liable to this call-up, chosen at random, in random order.

        Liability by age and record is refreshed with the hazards (monthly); who is still in the
        pool is checked now.
        """
        if wanted <= 0:
            return np.empty(0, dtype=np.int64)
        if self.hazards_stale:
            self.refresh_hazards(model)
        cand = self._liable[kind][region_index]
        cand = cand[self.active[cand]]
        return model.rng.choice(cand, size=min(wanted, len(cand)), replace=False)

    def _liable_by_region(self, idx, mask) -> list[np.ndarray]:
        chosen = idx[mask]
        order = np.argsort(self.region[chosen], kind="stable")
        chosen = chosen[order]
        bounds = np.searchsorted(self.region[chosen], np.arange(self.n_regions + 1))
        return [chosen[bounds[i]:bounds[i + 1]] for i in range(self.n_regions)]

    # --- the weekly decisions of idle men ----------------------------------------------------
    def refresh_hazards(self, model) -> None:
        """Recompute each idle man's contract hazard, emigration propensity and liability.

        Done monthly and whenever the policy or a lever changes: the regional factors (bonus,
        recent deaths, peers) move slowly, so the weekly pass only draws random numbers.
        """
        p = self.p
        idx = np.flatnonzero(self.active)
        r = self.region[idx]
        age = self.age0[idx] + model.years_elapsed
        fit = self.fit[idx]
        reservist = self.reservist[idx]
        # regional factors (85 numbers), then one pass over the men
        bonus = np.array([model.offer_rub(reg) for reg in model.regions])
        money_r = enlistment.money_factor(bonus, p.bonus_reference_rub, p.bonus_elasticity, p.monthly_pay_rub,
                                          model.wage_index, p.pay_elasticity)  # times income0**-pay_elasticity
        deaths, recruits = model.recent_deaths_per_10k(), model.recent_recruits_per_1k()
        region_factor = (p.base_contract_hazard_per_week * money_r * enlistment.peer_factor(p.peer_weight, recruits)
                         * enlistment.labour_market_factor(self._unemployment, self._national_unemployment,
                                                           p.unemployment_elasticity))
        fear = enlistment.deterrence_factor(self.risk_aversion[idx], p.risk_sensitivity, deaths[r],
                                            p.hazing_weight, p.hazing_reputation)
        hazard = np.minimum(self._contract_static[idx] * region_factor[r] * fear, 0.5)
        eligible = (age >= p.contract_age_min) & (age < p.contract_age_max + 1)
        mobilisable = reservist & (age >= 20.0) & (age < p.mobilisation_age_max + 1)
        self._cand = idx
        self._contract_hazard = np.where(eligible, hazard, 0.0)
        self.expected_contracts_per_week = np.bincount(r, weights=self._contract_hazard, minlength=self.n_regions)
        self._emig_propensity = self._emig_static[idx] * np.where(mobilisable, np.e, 1.0) / self._emig_norm
        conscriptable = fit & ~reservist & (age >= p.conscription_age_min) & (age < model.policy.draft_age_max + 1)
        self._liable = {
            NoticeKind.MOBILISATION: self._liable_by_region(idx, fit & mobilisable),
            NoticeKind.CONSCRIPTION: self._liable_by_region(idx, conscriptable),
        }
        self.hazards_stale = False

    def weekly_choices(self, model, alarm: float) -> tuple[np.ndarray, np.ndarray]:
        """Pool rows that sign a contract and that emigrate this week (disjoint)."""
        if self.hazards_stale:
            self.refresh_hazards(model)
        p = self.p
        u = model.rng.random(len(self._cand))
        h_c = self._contract_hazard
        h_e = emigration.emigration_hazard(alarm, p.emigration_alarm_per_week, p.emigration_background_per_week,
                                           self._emig_propensity)
        still = self.active[self._cand]
        contract = self._cand[(u < h_c) & still]
        emigrate = self._cand[(u >= h_c) & (u < h_c + h_e) & still]
        return contract, emigrate


def stochastic_round(rng, x: float) -> int:
    """Round so that the expectation is x: keeps small regions and fine scales unbiased."""
    base = int(np.floor(x))
    return base + int(rng.random() < x - base)
