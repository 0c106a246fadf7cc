"""The pool of idle men of draft age: one compact row per represented man, costing nothing until
something happens to him.

Of the ~47 million men of a full-scale run only ~20,000 a week have anything happen to them, so a
week must cost what its events cost, not what its men cost.  Each man is a row of small numpy
columns (25 bytes: float32 and single bytes, and 4 for the by-age index) holding his own attributes for the whole run;
nothing is re-scored.  The rows of each region are sorted into *segments* of men whose fixed
propensities (to sign, to emigrate) lie within a factor of two of each other.  Each week a Poisson
number of candidates is drawn per segment at the segment's upper-bound rate, and each candidate is
kept with probability (his own rate / the bound), his rate computed by the rules of
``agents/rules`` from his own attributes and this week's regional numbers.  This is exact thinning:
every man has exactly the weekly probability his rule gives him (a probability ``h`` is run as the
Poisson rate ``-log(1 - h)``), and the work per week is a small multiple of the events.

Contract and emigration are competing risks within the week: each kept occurrence gets a uniform
time in the week and a man's first occurrence decides.  Notices sample liable men by rejection
(uniform rows of the region, kept if liable now), which is exact and cheap because liable men are
a sizeable share of every region.

What the governors and the men's peers see of the contract flow is its expectation, not its
realisation: the sum of every idle man's hazard, kept per region and risk-aversion level (256
levels) and updated per event and as men age across the contract ages, so that it costs nothing
per man either.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

from draftsim.agents.rules import call_up, emigration, enlistment
from draftsim.agents.rules.population import digital_footprint, lognormal_params
from draftsim.agents.states import NoticeKind
from draftsim.model.units import DAYS_PER_YEAR

RISK_LEVELS = 256           # risk aversion is kept as one byte: level k stands for (k + 0.5) / 256
BYTES_PER_MAN = 25          # the columns below, per row
AGE_MAX = 61.5              # the census's draft-age men are 16-61.5
_BAND_OFFSET = 40           # propensity bands: floor(log2(x)) + offset, band 0 for a zero propensity
_BANDS = 64


def _band(x: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x), dtype=np.int64)
    pos = x > 0
    out[pos] = np.clip(np.floor(np.log2(x[pos])).astype(np.int64) + _BAND_OFFSET, 1, _BANDS - 1)
    return out


def _strata(rng, n: int) -> np.ndarray:
    """n uniforms on (0, 1), one in each of n equal strata, in stratum order."""
    u = (np.arange(n) + rng.random(n)) / max(n, 1)
    return np.clip(u, 1e-12, 1.0 - 1e-12)   # finite quantiles of the normal tails


def _beta22_quantile(u):
    """The quantile function of Beta(2, 2) (the root in [0, 1] of 3x^2 - 2x^3 = u)."""
    return 0.5 + np.cos((np.arccos(1.0 - 2.0 * u) - 2.0 * np.pi) / 3.0)


def _rate(probability):
    """The Poisson rate whose chance of at least one event in a week is ``probability``."""
    return -np.log1p(-np.minimum(probability, 1.0 - 1e-12))


class Population:
    """The idle men of every region; a man touched by an event leaves it (``active`` False) and becomes an agent."""

    def __init__(self, regions, params, rng):
        self.p = params
        self.n_regions = len(regions)
        self._subsistence = np.array([r.subsistence_rub for r in regions])
        self._unemployment = np.array([r.unemployment for r in regions])
        men = np.array([r.men_census for r in regions])
        self._national_unemployment = float(np.sum(self._unemployment * men) / np.sum(men))
        self.pool_count = np.zeros(self.n_regions, dtype=np.int64)
        self.days = 0                       # days since the start date that ages refer to
        self._men_per_row = np.array([r.men_per_agent for r in regions])   # model/representation.py
        counts = [stochastic_round(rng, r.men_census / r.men_per_agent) for r in regions]
        cohort_max = sum(math.floor(r.men_census * params.new_cohort_share_per_year / r.men_per_agent) + 1 for r in regions)
        self._allocate(sum(counts) + cohort_max * max(params.end_date.year - params.start_date.year, 0))
        self.size = 0
        self._region_ranges: list[list[tuple[int, int]]] = [[] for _ in regions]
        self._blocks: list[dict] = []
        self._segments = {k: np.empty(0, dtype=d) for k, d in
                          (("start", np.int64), ("len", np.int64), ("region", np.int64), ("cmax", np.float64),
                           ("emax", np.float64))}
        self._reactivated: list[int] = []   # rows back in the pool since the last age-out (may be past age)
        ages = [np.floor(rng.uniform(16.0, AGE_MAX, n) * DAYS_PER_YEAR).astype(np.int64) for n in counts]
        self._propensity_sum = np.zeros((self.n_regions, RISK_LEVELS))
        self._ages_for = (params.contract_age_min, params.contract_age_max)
        self._emig_sum = 0.0                # over men, not rows: a small region's rows stand for fewer men
        self._append(list(zip(regions, ages)), rng)
        # emigration propensities are relative to the mean man at the start (mobilisable men weigh e)
        self._emig_norm = self._emig_sum / float(np.sum(self.pool_count * self._men_per_row))

    # --- storage -------------------------------------------------------------------------------
    def _allocate(self, capacity: int) -> None:
        self.region = np.zeros(capacity, dtype=np.uint8)
        self.age0_days = np.zeros(capacity, dtype=np.int16)   # age in days on the start date
        self.urban = np.zeros(capacity, dtype=bool)
        self.fit = np.zeros(capacity, dtype=bool)
        self.reservist = np.zeros(capacity, dtype=bool)
        self.at_address = np.zeros(capacity, dtype=bool)
        self.active = np.zeros(capacity, dtype=bool)
        self.risk_level = np.zeros(capacity, dtype=np.uint8)
        self.income0 = np.zeros(capacity, dtype=np.float32)   # 2020 roubles a month
        self.footprint = np.zeros(capacity, dtype=np.float32)
        self.contract_static = np.zeros(capacity, dtype=np.float32)  # enlistment.personal_propensity
        self.emig_static = np.zeros(capacity, dtype=np.float32)      # emigration.emigration_propensity

    COLUMNS = ("region", "age0_days", "urban", "fit", "reservist", "at_address", "active", "risk_level", "income0",
               "footprint", "contract_static", "emig_static")

    def _grow(self, rows: int) -> None:
        if self.size + rows <= len(self.active):
            return
        for name in self.COLUMNS:   # only if the run outlives the capacity planned from its dates
            old = getattr(self, name)
            new = np.zeros(max(2 * len(old), self.size + rows), dtype=old.dtype)
            new[:self.size] = old[:self.size]
            setattr(self, name, new)

    # --- growing the pool ------------------------------------------------------------------------
    def _draw(self, region, rng, age0_days: np.ndarray, lo: int) -> np.ndarray:
        """Draw the men of a region into rows lo.. (len(age0_days) of them); returns their segment keys, sorted.

        The attributes that set a man's propensities (urban, income, fitness, willingness) are drawn
        first and the men sorted by propensity band; the attributes drawn independently of those (risk
        aversion, the reserve, living at one's address, the footprint's own noise) are then drawn straight
        into the sorted rows, and ages assigned in the order given: independent draws need no sorting.

        Willingness, the heavy-tailed attribute that decides who signs first, is drawn by stratified
        sampling: of a region's n men, one falls in each n-quantile of its distribution (the other
        attributes are independent draws, so they pair with the strata at random).  Each man's own
        distribution is the target, and a region's men hold their share of the heavy tail however few
        rows stand for them: at 1:1000 a region of 100 rows is not left without its eager men, or given
        three times their share, by the luck of the draw, so the scale does not leak into how many eager
        men it has.
        """
        p, n, hi = self.p, len(age0_days), lo + len(age0_days)
        mu, sigma = lognormal_params(region.mean_income_rub, region.subsistence_rub, region.poverty_share)
        urban = rng.random(n, dtype=np.float32) < region.urban_share
        income0 = np.exp(mu + sigma * rng.standard_normal(n, dtype=np.float32))
        fit = rng.random(n, dtype=np.float32) < p.fit_share
        sigma_w = p.willingness_sigma
        # strata among the fit men: an unfit man's willingness never counts, and the tail must not be lost to him
        willingness = np.zeros(n)
        willingness[fit] = np.exp(-sigma_w**2 / 2.0 + sigma_w * ndtri(_strata(rng, int(fit.sum()))))
        contract_static = enlistment.personal_propensity(willingness, fit, income0.astype(np.float64),
                                                         p.pay_elasticity).astype(np.float32)
        emig_static = self._emigration_static(income0, urban, region.index).astype(np.float32)
        key = (_band(contract_static) * _BANDS + _band(emig_static)).astype(np.int16)
        order = np.argsort(key, kind="stable")   # int16: a radix sort
        self.urban[lo:hi] = urban[order]
        self.income0[lo:hi] = income0[order]
        self.fit[lo:hi] = fit[order]
        self.contract_static[lo:hi] = contract_static[order]
        self.emig_static[lo:hi] = emig_static[order]
        del urban, income0, fit, willingness, contract_static, emig_static
        self.region[lo:hi] = region.index
        self.active[lo:hi] = True
        self.age0_days[lo:hi] = age0_days
        age_at_entry = np.maximum((self.age0_days[lo:hi] + self.days) / DAYS_PER_YEAR, 16.0)
        self.footprint[lo:hi] = digital_footprint(self.urban[lo:hi], age_at_entry, self.income0[lo:hi] / region.subsistence_rub,
                                                  0.6 * rng.standard_normal(n, dtype=np.float32))
        self.risk_level[lo:hi] = np.minimum(_beta22_quantile(rng.random(n)) * RISK_LEVELS, RISK_LEVELS - 1)
        self.reservist[lo:hi] = (rng.random(n, dtype=np.float32) < p.reservist_share) & (age_at_entry >= call_up.RESERVE_AGE_MIN)
        self.at_address[lo:hi] = rng.random(n, dtype=np.float32) < np.where(
            self.urban[lo:hi], p.at_address_share_urban, p.at_address_share_rural)
        return key[order]

    def _emigration_static(self, income0, urban, region_index):
        p = self.p
        return emigration.emigration_propensity(income0 / self._subsistence[region_index], urban, 0.0,
                                                p.wealth_weight, p.urban_weight_emigrate)

    def _append(self, batches, rng) -> None:
        """Add the men of several regions as one block: each region's men sorted into propensity segments."""
        start = self.size
        self._grow(sum(len(a) for _, a in batches))
        seg = {k: [] for k in self._segments}
        for region, age0_days in batches:
            lo, n = self.size, len(age0_days)
            key = self._draw(region, rng, age0_days, lo)
            cuts = np.flatnonzero(np.diff(key)) + 1
            starts = np.concatenate([[0], cuts]) if n else np.empty(0, dtype=np.int64)
            seg["start"].append(lo + starts)
            seg["len"].append(np.diff(np.concatenate([starts, [n]])) if n else starts)
            seg["region"].append(np.full(len(starts), region.index))
            seg["cmax"].append(np.maximum.reduceat(self.contract_static[lo:lo + n], starts).astype(np.float64)
                               if n else np.empty(0))
            seg["emax"].append(np.maximum.reduceat(self.emig_static[lo:lo + n], starts).astype(np.float64)
                               if n else np.empty(0))
            self._region_ranges[region.index].append((lo, lo + n))
            self._add_expected_block(lo, lo + n)
            self.pool_count[region.index] += n
            self.size += n
        for k in self._segments:
            self._segments[k] = np.concatenate([self._segments[k], *seg[k]])
        ages = self.age0_days[start:self.size]
        by_age = np.argsort(ages, kind="stable")   # int16: a radix sort
        sorted_days = ages[by_age]
        lo_day = int(sorted_days[0]) if len(sorted_days) else 0
        hi_day = int(sorted_days[-1]) if len(sorted_days) else 0
        self._blocks.append({
            "start": start, "by_age": by_age.astype(np.int32), "lo_day": lo_day,
            "offsets": np.searchsorted(sorted_days, np.arange(lo_day, hi_day + 2, dtype=np.int64)),
        })

    def add_cohorts(self, regions_and_counts, rng, days_elapsed: int) -> None:
        """Men turning 16 join the pool (their age on the start date is back-dated so that they are 16 now)."""
        self.advance(days_elapsed)
        age0 = math.ceil(16.0 * DAYS_PER_YEAR) - days_elapsed
        batches = [(r, np.full(n, age0, dtype=np.int64)) for r, n in regions_and_counts if n > 0]
        if batches:
            self._append(batches, rng)
        # 16-year-olds are too young for a contract: they join the expected flow when they cross its age

    def _rows_born(self, lo_day: int, hi_day: int) -> np.ndarray:
        """Rows whose age on the start date, in days, lies in [lo_day, hi_day)."""
        out = []
        for b in self._blocks:
            off, base = b["offsets"], b["lo_day"]
            i = np.clip(np.array([lo_day, hi_day]) - base, 0, len(off) - 1)
            out.append(b["start"] + b["by_age"][off[i[0]]:off[i[1]]].astype(np.int64))
        return np.concatenate(out) if out else np.empty(0, dtype=np.int64)

    def age_out(self, age_max: float, days_elapsed: int, last_days: int) -> dict[int, int]:
        """Civilians past ``age_max`` leave the draft-age pool; returns {region index: men}.

        ``last_days``: when this was last done (the men who crossed before then are gone already, but for
        men who came back to the pool since).
        """
        self.advance(days_elapsed)
        threshold = age_max * DAYS_PER_YEAR
        rows = self._rows_born(math.floor(threshold - days_elapsed) - 1, math.ceil(threshold - last_days) + 2)
        rows = np.union1d(rows, np.array(self._reactivated, dtype=np.int64))
        rows = rows[self.active[rows] & ((self.age0_days[rows] + days_elapsed) > threshold)]
        self._reactivated = []
        self._leave_expected(rows)
        self.active[rows] = False
        counts = np.bincount(self.region[rows], minlength=self.n_regions)
        self.pool_count -= counts
        return {int(r): int(n) for r, n in enumerate(counts) if n}

    def deactivate(self, idx: int) -> None:
        """He leaves the pool (becomes an agent).  Scalar code: this runs once per event."""
        if not self.active[idx]:
            raise RuntimeError(f"pool row {idx} is not in the pool")
        self.active[idx] = False
        r = int(self.region[idx])
        self.pool_count[r] -= 1
        self._expected_event(idx, r, -1.0)

    def deactivate_many(self, rows: np.ndarray) -> None:
        """They leave the pool together (this week's volunteers, emigrants or men served a notice)."""
        if len(rows) == 0:
            return
        if not self.active[rows].all() or len(np.unique(rows)) != len(rows):
            raise RuntimeError("pool rows not in the pool (or repeated)")
        self._leave_expected(rows)
        self.active[rows] = False
        self.pool_count -= np.bincount(self.region[rows], minlength=self.n_regions)

    def reactivate(self, idx: int, served: bool = False) -> None:
        self.active[idx] = True
        r = int(self.region[idx])
        self.pool_count[r] += 1
        if served:
            self.reservist[idx] = True
        self._reactivated.append(idx)
        self._expected_event(idx, r, 1.0)

    def _expected_event(self, idx: int, r: int, sign: float) -> None:
        static = float(self.contract_static[idx])
        if static > 0:
            age = (int(self.age0_days[idx]) + self.days) / DAYS_PER_YEAR
            if self.p.contract_age_min <= age < self.p.contract_age_max + 1:
                self._propensity_sum[r, self.risk_level[idx]] += sign * static

    # --- a man's attributes --------------------------------------------------------------------
    def age(self, idx, days: int | None = None):
        """Age in years (at ``days`` since the start, by default now)."""
        return (self.age0_days[idx] + (self.days if days is None else days)) / DAYS_PER_YEAR

    def age_at_start(self, idx):
        return self.age0_days[idx] / DAYS_PER_YEAR

    def risk_aversion(self, idx):
        return (self.risk_level[idx] + 0.5) / RISK_LEVELS

    def rows_of(self, region_index: int) -> np.ndarray:
        """Every row of the region, in or out of the pool."""
        return np.concatenate([np.arange(a, b) for a, b in self._region_ranges[region_index]] or [np.empty(0, np.int64)])

    def recompute_static_terms(self, old_pay_elasticity: float) -> None:
        """After a mid-run change of pay_elasticity, wealth_weight or urban_weight_emigrate.

        Men keep their segments; the segments' bounds are recomputed, so thinning stays exact.
        """
        n = self.size
        if old_pay_elasticity != self.p.pay_elasticity:
            inc = self.income0[:n].astype(np.float64)
            self.contract_static[:n] = self.contract_static[:n] * np.power(inc, old_pay_elasticity - self.p.pay_elasticity)
        self.emig_static[:n] = self._emigration_static(self.income0[:n], self.urban[:n], self.region[:n])
        starts = self._segments["start"]
        self._segments["cmax"] = np.maximum.reduceat(self.contract_static[:n], starts).astype(np.float64)
        self._segments["emax"] = np.maximum.reduceat(self.emig_static[:n], starts).astype(np.float64)
        self._rebuild_expected()

    # --- the expected contract flow, kept per event ----------------------------------------------
    def _contract_eligible(self, rows, days: int):
        p = self.p
        return call_up.contract_eligible(self.age(rows, days), p.contract_age_min, p.contract_age_max)

    def _rebuild_expected(self) -> None:
        """Sum of personal propensities of idle, contract-eligible men per (region, risk level): one full pass."""
        n = self.size
        rows = np.arange(n)
        keep = self.active[:n] & self._contract_eligible(rows, self.days) & (self.contract_static[:n] > 0)
        cell = self.region[:n][keep].astype(np.int64) * RISK_LEVELS + self.risk_level[:n][keep]
        self._propensity_sum = np.bincount(cell, weights=self.contract_static[:n][keep],
                                           minlength=self.n_regions * RISK_LEVELS).reshape(self.n_regions, RISK_LEVELS)
        self._ages_for = (self.p.contract_age_min, self.p.contract_age_max)

    def _add_expected_block(self, lo: int, hi: int) -> None:
        """New men of one region (rows lo..hi): into the expected flow if they may sign; the emigration norm."""
        p, region = self.p, int(self.region[lo]) if hi > lo else 0
        age = self.age(slice(lo, hi))
        keep = call_up.contract_eligible(age, p.contract_age_min, p.contract_age_max) & (self.contract_static[lo:hi] > 0)
        self._propensity_sum[region] += np.bincount(self.risk_level[lo:hi][keep], weights=self.contract_static[lo:hi][keep],
                                                    minlength=RISK_LEVELS)
        mobilisable = call_up.mobilisable(age, self.reservist[lo:hi], p.mobilisation_age_max)
        self._emig_sum += float(np.sum(self.emig_static[lo:hi] * np.where(mobilisable, np.e, 1.0))) * self._men_per_row[region]

    def _add_expected(self, rows: np.ndarray, sign: float) -> None:
        if len(rows):
            cell = self.region[rows].astype(np.int64) * RISK_LEVELS + self.risk_level[rows]
            np.add.at(self._propensity_sum.reshape(-1), cell, sign * self.contract_static[rows].astype(np.float64))

    def _leave_expected(self, rows: np.ndarray) -> None:
        self._add_expected(rows[self._contract_eligible(rows, self.days)], -1.0)

    def _join_expected(self, rows: np.ndarray) -> None:
        self._add_expected(rows[self._contract_eligible(rows, self.days)], 1.0)

    def advance(self, days: int) -> None:
        """Move the pool's clock to ``days`` since the start: men who crossed a contract age join or leave the
        expected flow."""
        if (self.p.contract_age_min, self.p.contract_age_max) != self._ages_for:
            self.days = days
            self._rebuild_expected()
            return
        if days == self.days:
            return
        before = self.days
        for years in (self.p.contract_age_min, self.p.contract_age_max + 1):
            threshold = years * DAYS_PER_YEAR
            rows = self._rows_born(math.floor(threshold - days) - 1, math.ceil(threshold - before) + 2)
            rows = rows[self.active[rows]]
            was = self._contract_eligible(rows, before)
            now = self._contract_eligible(rows, days)
            self._add_expected(rows[now & ~was], 1.0)
            self._add_expected(rows[was & ~now], -1.0)
        self.days = days

    def expected_contracts_per_week(self, pull: np.ndarray, deaths_per_10k: np.ndarray) -> np.ndarray:
        """The contracts each region's idle men are on course for this week (agents), before the cap."""
        levels = (np.arange(RISK_LEVELS) + 0.5) / RISK_LEVELS
        fear = enlistment.risk_deterrence(levels[None, :], self.p.risk_sensitivity, deaths_per_10k[:, None])
        return pull * np.sum(np.maximum(self._propensity_sum, 0.0) * fear, axis=1)

    # --- who can be called ---------------------------------------------------------------------
    def liability(self, kind: NoticeKind, draft_age_max: int):
        """The test of liability to a notice of ``kind`` now, as a function of pool rows."""
        p = self.p

        def liable(rows):
            return call_up.liable(kind, self.age(rows), self.fit[rows], self.reservist[rows], p, draft_age_max)
        return liable

    def _virtual_index(self):
        """All rows laid end to end region by region: (cumulative sizes, first row of each range, region starts)."""
        if getattr(self, "_virtual", None) is None or self._virtual[0] != len(self._blocks):
            firsts, sizes, region_start = [], [], [0]
            for ranges in self._region_ranges:
                firsts += [a for a, _ in ranges]
                sizes += [b - a for a, b in ranges]
                region_start.append(region_start[-1] + sum(b - a for a, b in ranges))
            self._virtual = (len(self._blocks), np.cumsum(np.array(sizes, dtype=np.int64)), np.array(firsts, dtype=np.int64),
                             np.array(sizes, dtype=np.int64), np.array(region_start, dtype=np.int64))
        return self._virtual[1:]

    def sample_many(self, regions: np.ndarray, wanted: np.ndarray, rng, is_candidate) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``wanted[g]`` idle men of region ``regions[g]`` (distinct regions) for whom ``is_candidate(rows)``
        holds, uniformly at random: returns (rows, group), the rows of group g together and in random order.

        Rejection: uniform rows of each region are drawn and kept if in the pool and candidates; the first
        occurrences of an i.i.d. stream are a uniform random ordered sample without replacement.  Where
        candidates are too rare for that to pay, every row of the region is checked instead.
        """
        cum, firsts, sizes, region_start = self._virtual_index()
        regions, wanted = np.asarray(regions, dtype=np.int64), np.asarray(wanted, dtype=np.int64)
        total = region_start[regions + 1] - region_start[regions]
        stream_rows, stream_group = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
        have = np.zeros(len(regions), dtype=np.int64)
        drawn = np.zeros(len(regions), dtype=np.int64)
        batch = np.where(total > 0, 2 * wanted + 32, 0)
        while True:
            go = (have < wanted) & (drawn + batch <= 2 * total) & (batch > 0)
            if not go.any():
                break
            group = np.repeat(np.flatnonzero(go), batch[go])
            virtual = region_start[regions[group]] + (rng.random(len(group)) * total[group]).astype(np.int64)
            block = np.searchsorted(cum, virtual, side="right")
            rows = firsts[block] + virtual - (cum[block] - sizes[block])
            drawn += np.where(go, batch, 0)
            keep = self.active[rows] & is_candidate(rows)
            rows, group = rows[keep], group[keep]
            stream_rows.append(rows)
            stream_group.append(group)
            all_rows = np.concatenate(stream_rows)
            _, first = np.unique(all_rows, return_index=True)       # a row belongs to one region only
            have = np.bincount(np.concatenate(stream_group)[first], minlength=len(regions))
            found = np.bincount(group, minlength=len(regions))
            rate = np.maximum(found, 1) / np.maximum(batch, 1)
            batch = np.where(go, (1.3 * np.maximum(wanted - have, 0) / rate).astype(np.int64) + 32, batch)
        all_rows, all_group = np.concatenate(stream_rows), np.concatenate(stream_group)
        _, first = np.unique(all_rows, return_index=True)
        first = np.sort(first)
        rows, group = all_rows[first], all_group[first]
        order = np.argsort(group, kind="stable")              # by group, stream order within
        rows, group = rows[order], group[order]
        rank = np.arange(len(rows)) - np.searchsorted(group, group)
        take = rank < wanted[group]
        rows, group = rows[take], group[take]
        short = np.flatnonzero(np.bincount(group, minlength=len(regions)) < np.minimum(wanted, total))
        if len(short):   # candidates too rare to find by chance: check every row of those regions
            kept = ~np.isin(group, short)
            parts_r, parts_g = [rows[kept]], [group[kept]]
            for g in short.tolist():
                cand = self.rows_of(int(regions[g]))
                cand = cand[self.active[cand] & is_candidate(cand)]
                pick = rng.choice(cand, size=min(int(wanted[g]), len(cand)), replace=False)
                parts_r.append(pick)
                parts_g.append(np.full(len(pick), g, dtype=np.int64))
            rows, group = np.concatenate(parts_r), np.concatenate(parts_g)
            order = np.argsort(group, kind="stable")
            rows, group = rows[order], group[order]
        return rows, group

    # --- the weekly decisions of idle men ----------------------------------------------------
    def _thin(self, rng, bound_probability: np.ndarray, probability_of):
        """Rows with an event this week, each with the probability ``probability_of(rows)`` gives him (exact
        thinning; ``bound_probability`` per segment must be at least every member's probability)."""
        seg = self._segments
        bound = _rate(bound_probability)
        n = rng.poisson(seg["len"] * bound)
        which = np.repeat(np.arange(len(n)), n)
        rows = seg["start"][which] + np.minimum((rng.random(len(which)) * seg["len"][which]).astype(np.int64),
                                                seg["len"][which] - 1)
        u = rng.random(len(rows)) * bound[which]
        kept = u < _rate(probability_of(rows))
        return rows[kept]

    def weekly_choices(self, model, alarm: float, pull: np.ndarray, deaths_per_10k: np.ndarray):
        """Pool rows that sign a contract and that emigrate this week (disjoint, in row order).

        ``pull``: enlistment.regional_pull per region; ``deaths_per_10k``: what the region's men fear.
        """
        p, rng = self.p, model.rng
        self.advance(model.days_elapsed)
        seg = self._segments

        def contract(rows):
            r = self.region[rows]
            h = enlistment.weekly_contract_hazard(
                self.contract_static[rows], pull[r],
                enlistment.risk_deterrence(self.risk_aversion(rows), p.risk_sensitivity, deaths_per_10k[r]))
            return np.where(self.active[rows] & self._contract_eligible(rows, self.days), h, 0.0)

        def emigrate(rows):
            return np.where(self.active[rows], self._emigration_hazard(rows, alarm), 0.0)

        signs = self._thin(rng, enlistment.weekly_contract_hazard(seg["cmax"], pull[seg["region"]], 1.0), contract)
        leaves = self._thin(rng, emigration.emigration_hazard(
            alarm, p.emigration_alarm_per_week, p.emigration_background_per_week, seg["emax"] * np.e / self._emig_norm),
            emigrate)
        # competing risks: each occurrence at a uniform time in the week; a man's first one decides
        rows = np.concatenate([signs, leaves])
        kind = np.concatenate([np.zeros(len(signs), dtype=np.int8), np.ones(len(leaves), dtype=np.int8)])
        order = np.lexsort((rng.random(len(rows)), rows))
        rows, kind = rows[order], kind[order]
        first = np.concatenate([[True], rows[1:] != rows[:-1]]) if len(rows) else np.empty(0, dtype=bool)
        rows, kind = rows[first], kind[first]
        return rows[kind == 0], rows[kind == 1]

    def _emigration_hazard(self, rows, alarm):
        p = self.p
        mobilisable = call_up.mobilisable(self.age(rows), self.reservist[rows], p.mobilisation_age_max)
        propensity = self.emig_static[rows] * np.where(mobilisable, np.e, 1.0) / self._emig_norm
        return emigration.emigration_hazard(alarm, p.emigration_alarm_per_week, p.emigration_background_per_week,
                                            propensity)


def stochastic_round(rng, x: float) -> int:
    """Round so that the expectation is x: keeps small regions and fine scales unbiased."""
    base = int(np.floor(x))
    return base + int(rng.random() < x - base)
