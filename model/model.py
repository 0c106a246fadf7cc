"""DraftModel: wartime military recruitment in Russia, one week per step.

Read ``step()``: it is the weekly schedule.  The causal rules live in ``agents/``; this
module keeps the books (who is where, flows by region) and reports them in real men.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc

import mesa
import numpy as np

from draftsim.agents.evader import Evader
from draftsim.agents.man import Man
from draftsim.agents.person import Person
from draftsim.agents.recruiter import Recruiter
from draftsim.agents.region import Region
from draftsim.agents.roster import Roster
from draftsim.agents.rules import call_up, enlistment, evader_fate, front, invasion_force, mobilisation_quota, prisons
from draftsim.agents.rules.emigration import alarm_after
from draftsim.agents.states import FINAL, Channel, Status
from draftsim.model import memory, representation
from draftsim.model.calendar import Calendar
from draftsim.model.front_intensity import week_intensity
from draftsim.model.ledger import Ledger
from draftsim.model.parameter_values import shown, to_kind
from draftsim.model.parameters import ParameterError, Parameters
from draftsim.model.population import AGE_MAX, Population, stochastic_round
from draftsim.model.reporting import national_frame, national_row, region_rows, regions_frame
from draftsim.model.signals import RegionalSignals
from draftsim.model.timeline import Event, Timeline, packaged
from draftsim.model.units import DAYS_PER_YEAR, SCALE_RANGE, WEEKS_PER_MONTH

WEEK = dt.timedelta(days=7)
INCOME_DATA_DATE = dt.date(2020, 7, 1)   # incomes and subsistence levels are 2020 figures


# Parameters that shape the population, the prisons or the first week: changing them needs a new model.
INIT_ONLY = frozenset({
    "start_date", "reservist_share", "fit_share", "at_address_share_urban", "at_address_share_rural",
    "willingness_sigma", "initial_regional_bonus_rub", "prison_population_initial", "initial_deployed",
    "recruiters_per_region", "conscription_age_max",
    "garrison_local_share", "prison_north_east_factor", "prison_institution_rich_factor",
})


def read_regions() -> list[dict]:
    return _read_csv("regions.csv")


def _read_csv(name: str) -> list[dict]:
    with packaged(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def known_colony_shares(rows: list[dict], isos: list[str]) -> np.ndarray:
    """Counted colony populations over the national count of March 2022 (prisons_by_region.csv), NaN elsewhere."""
    counts = [r for r in rows if r["metric"] == "colony_inmates"]
    national = float(min((r for r in counts if r["iso"] == "RU"), key=lambda r: r["date"])["value"])
    known = {r["iso"]: float(r["value"]) / national for r in counts if r["iso"] != "RU"}
    return np.array([known.get(iso, np.nan) for iso in isos])


def colony_shares(p: Parameters, rows: list[dict]) -> np.ndarray:
    """Each region's share of the colony population (agents.rules.prisons), from the package's prison data."""
    isos = [r["iso"] for r in rows]
    data = _read_csv("prisons_by_region.csv")
    rich = {r["iso"] for r in data if r["metric"] == "penal_institutions_count"}
    return prisons.colony_shares(
        np.array([float(r["men_16_61_census2021"]) for r in rows]),
        np.array([r["federal_district"] in prisons.NORTH_EAST_DISTRICTS for r in rows]),
        np.array([iso in rich for iso in isos]), known_colony_shares(data, isos),
        p.prison_north_east_factor, p.prison_institution_rich_factor)


class DraftModel(mesa.Model):
    """The recruitment model.

    ``DraftModel(params, seed=1, scale=100)`` or, as Mesa's batch_run calls it,
    ``DraftModel(seed=1, scale=100, bonus_multiplier=2.0)`` (keyword overrides of the
    baseline parameters).  Each agent stands for ``scale`` real men, or fewer in a region too small
    to be drawn at that scale (``men_per_agent``, model/representation.py).
    """

    def __init__(self, params: Parameters | None = None, *, seed: int = 0, scale: float = 100.0,
                 events: tuple[Event, ...] = (), rng=None, **overrides):
        # the same kinds of number as the parameters take (numpy's from batch_run and SALib too), stored plain;
        # an agent stands for whole men (a fractional scale would report fractions of men)
        seed = to_kind("seed", int, seed, 0)
        try:
            scale = float(to_kind("scale", int, scale, *SCALE_RANGE))
        except ParameterError:
            raise ParameterError(f"scale: got {shown(scale)}; allowed: a whole number of men per agent in "
                                 f"[{SCALE_RANGE[0]}, {SCALE_RANGE[1]}]") from None
        super().__init__(rng=seed if rng is None else rng)
        self.seed = seed
        self.p = (params or Parameters()).replace(**overrides) if overrides else (params or Parameters())
        self.scale = scale
        self.timeline = Timeline(self.p, list(events))
        self.date = self.p.start_date
        self.step_index = 0
        self.calendar = Calendar(self)
        self.alarm = 0.0
        self.new_month = True

        rows = read_regions()
        self.men_census_total = sum(float(r["men_16_61_census2021"]) for r in rows)
        too_big = memory.check_fits(self.men_census_total, scale, memory.available_bytes())
        if too_big:
            raise ParameterError(too_big)
        men = np.array([float(r["men_16_61_census2021"]) for r in rows])
        # men per agent by region: ``scale``, finer for regions too small to be drawn at it (model/representation.py)
        self.men_per_agent = representation.men_per_agent(men, scale)
        prison_shares = colony_shares(self.p, rows)
        self.regions: list[Region] = [
            Region(self, i, row, self.men_per_agent[i], self._prisoners_for(prison_shares[i], self.men_per_agent[i]))
            for i, row in enumerate(rows)]
        self.recruiters: list[Recruiter] = [
            Recruiter(self, reg, 1.0 / self.p.recruiters_per_region)
            for reg in self.regions for _ in range(self.p.recruiters_per_region)]
        self.ledger = Ledger(len(self.regions))
        self.signals = RegionalSignals(self._men_census, self.men_per_agent)
        self._unemployment = np.array([r.unemployment for r in self.regions])
        self._national_unemployment = float(np.sum(self._unemployment * self._men_census) / np.sum(self._men_census))
        self._expected_at = (-1, None)   # (step, expected contracts per region) for the governors
        self._last_age_out_days = 0
        self.counts = np.zeros((2, len(self.regions), len(Status)), dtype=np.int64)  # [prisoner?, region, status]
        # every man who is an agent is on the roster of his status; the final states are counts only
        self.rosters = {s: Roster() for s in Status if s not in FINAL and s is not Status.CIVILIAN}
        self.assault = Roster()   # deployed prisoner recruits: assault units
        self._roster_of = [[self.rosters.get(s) for s in Status], [self.rosters.get(s) for s in Status]]
        self._roster_of[1][Status.DEPLOYED] = self.assault
        self.watched: dict[int, Person | None] = {}   # pool rows of the men whose lives are followed
        self.foreign_deployed = 0.0  # agents of ``scale`` men (foreign troops have no region)
        self.foreign_killed_total = 0.0
        self.policy = self.timeline.advance(self.date)
        self.population = Population(self.regions, self.p, self.rng)
        self.initial_men = int(self.population.size)
        self._deploy_invasion_force()
        self.history: list[dict] = []
        self.region_history: list[dict] = []
        self.latest: dict = {}
        self.datacollector = mesa.DataCollector(model_reporters={
            k: (lambda m, k=k: m.latest.get(k)) for k in ("new_contracts", "new_mobilised", "new_emigrants",
                                                          "killed_total", "deployed", "abroad")})
        self._started = False

    # --- the weekly schedule -------------------------------------------------------------------
    def step(self) -> None:
        if self._started:
            self.date += WEEK
            self.step_index += 1
            self.new_month = self.date.month != (self.date - WEEK).month
            self.policy = self.timeline.advance(self.date)
        self._started = True
        self.sound_alarm()                        # invasion, mobilisation: civilians fear the draft
        self.turn_of_year()                       # 1 January: 16-year-olds join, men past 61.5 leave
        self.set_quotas()                         # federal replacement target -> regional quotas
        for region in self.regions:
            region.govern()                       # governors raise or cut the regional bonus
        self.population.advance(self.days_elapsed)  # men who crossed a contract age this week
        Recruiter.run_campaigns(self, self.recruiters)  # notices: comply or evade (agents.rules.evasion)
        self.civilians_decide()                   # contracts and pre-emptive emigration
        Region.offer_pardons(self, self.regions)  # prisoner recruitment
        self.press_conscripts()                   # serving conscripts pushed to sign
        self.calendar.fire()                      # training ends, service ends, hospital leaves
        self.foreign_contingents_arrive()
        self.fight()                              # the front: killed and wounded
        self.evaders_act()                        # caught, give up, exposed, come home
        self.record()
        self.ledger.close_week()
        self.signals.close_week()
        if self.finished:
            self.running = False

    def update_parameters(self, **changes) -> None:
        """Change parameters mid-run (validated); they take effect from the current week.

        Switches of standing measures (e-register, exit ban, prison recruitment) act from the next week;
        those of one-off events (mobilisation, foreign contingents) affect events not yet replayed.
        """
        fixed = sorted(set(changes) & INIT_ONLY)
        if fixed:
            raise ParameterError(f"{fixed[0]}: applies when the model is built; allowed mid-run: any parameter but "
                                 f"{', '.join(sorted(INIT_ONLY))}")
        old, self.p = self.p, self.p.replace(**changes)
        self.population.p = self.p
        self.timeline.params = self.p
        if any(getattr(old, k) != getattr(self.p, k) for k in ("pay_elasticity", "wealth_weight", "urban_weight_emigrate")):
            self.population.recompute_static_terms(old.pay_elasticity)
        self._expected_at = (-1, None)

    @property
    def finished(self) -> bool:
        return self.date + WEEK > self.p.end_date

    def run(self, until: dt.date | None = None) -> None:
        """Step until the scenario's end date (or ``until``)."""
        stop = min(until or self.p.end_date, self.p.end_date)
        # the men make no reference cycles that outlive them: the cyclic collector would only rescan the
        # millions of live agents of a full-scale run, again and again (~15% of its time)
        collecting = gc.isenabled()
        gc.disable()
        try:
            while True:
                self.step()
                if self.finished or self.date + WEEK > stop:
                    break
        finally:
            if collecting:
                gc.enable()

    # --- schedule items ------------------------------------------------------------------------
    def sound_alarm(self) -> None:
        pol, p = self.policy, self.p
        self.alarm = alarm_after(self.alarm, 1.0, p.alarm_half_life_weeks)
        if any(e.parameter == "war_start" for e in pol.applied):
            self.alarm = max(self.alarm, p.alarm_war_start)
        if pol.mobilisation_announced:
            self.alarm = max(self.alarm, p.alarm_mobilisation)

    def turn_of_year(self) -> None:
        """Each 1 January men turning 16 join the pool and civilians past 61.5 leave it."""
        if self.step_index == 0 or self.date.year == (self.date - WEEK).year:
            return
        counts = []
        for r in self.regions:
            n = stochastic_round(self.rng, r.men_census * self.p.new_cohort_share_per_year / r.men_per_agent)
            counts.append((r, n))
            self.ledger.add("entrants", r.index, n)
        self.population.add_cohorts(counts, self.rng, self.days_elapsed)
        for r, n in self.population.age_out(AGE_MAX, self.days_elapsed, self._last_age_out_days).items():
            self.ledger.add("aged_out", r, n)
        self._last_age_out_days = self.days_elapsed

    def set_quotas(self) -> None:
        if not self.new_month:
            return
        russians, foreign = self.men_in(Status.DEPLOYED), self.foreign_deployed * self.scale
        foreign_share = foreign / max(russians + foreign, 1.0)
        target = self.p.replacement_target_per_month * (1.0 - self.p.foreign_effectiveness * foreign_share)
        for r in self.regions:
            r.quota_per_month = target * r.men_census / self.men_census_total

    def civilians_decide(self) -> None:
        pull, deaths = self.contract_pull(), self.signals.deaths_per_10k()
        contract, emigrate = self.population.weekly_choices(self, self.alarm, pull, deaths)
        self.signals.expect_recruits(self.population.expected_contracts_per_week(pull, deaths))
        Man.volunteer(self, contract)
        Evader.emigrate(self, emigrate)

    def press_conscripts(self) -> None:
        roster = self.rosters[Status.CONSCRIPT]
        self.signals.expect_recruits(self.counts[0, :, Status.CONSCRIPT] * self.p.conscript_signing_per_week)
        for man in roster.pick(self.rng, int(self.rng.binomial(len(roster), self.p.conscript_signing_per_week))):
            man.sign_contract()

    def foreign_contingents_arrive(self) -> None:
        p = self.p
        arriving = self.policy.foreign_arrivals_men + p.foreign_men_per_month * WEEKS_PER_MONTH ** -1
        if p.belarus_contingent_men > 0 and self.date <= p.belarus_start_date < self.date + WEEK:
            arriving += p.belarus_contingent_men
        if arriving > 0:
            n = stochastic_round(self.rng, arriving / self.scale)
            self.foreign_deployed += n
            self.ledger.add("foreign", 0, n)

    def fight(self) -> None:
        p = self.p
        intensity = week_intensity(p, self.date) * front.crowding(self.men_in(Status.DEPLOYED), p.front_reference_force,
                                                                  p.force_dilution)
        h_regular = front.casualty_hazards(p, 1.0, intensity)[0]
        h_assault = front.casualty_hazards(p, p.prisoner_hazard_multiplier, intensity)[0]
        self.signals.expect_deaths(self.counts[0, :, Status.DEPLOYED] * h_regular + self.counts[1, :, Status.DEPLOYED] * h_assault)
        for roster, mult in ((self.rosters[Status.DEPLOYED], 1.0), (self.assault, p.prisoner_hazard_multiplier)):
            killed, wounded, deserted = self._front_week(roster, mult, intensity)
            Man.be_killed_many(self, killed)
            Man.be_wounded_many(self, wounded)
            Man.desert_many(self, deserted)
        n = int(self.foreign_deployed)
        if n:
            h_kill, h_wound = front.casualty_hazards(p, p.foreign_hazard_multiplier, intensity)
            killed = int(self.rng.binomial(n, h_kill))
            wounded = int(self.rng.binomial(n - killed, h_wound))
            invalided = int(self.rng.binomial(wounded, 1.0 - p.wounded_return_share))
            self.foreign_deployed -= killed + invalided
            self.foreign_killed_total += killed
            self.ledger.add("foreign_killed", 0, killed)
            self.ledger.add("foreign_wounded", 0, wounded)

    def _front_week(self, roster: Roster, multiplier: float, intensity: float) -> tuple[list, list, list]:
        """The week's killed, wounded and deserters of a roster whose unit faces ``multiplier`` times the front's
        hazards in a week of ``intensity``, newcomers more (agents.rules.front).

        Thinning, so that the cost stays that of the week's events: a man is a candidate with the newcomer's
        probability of any exit, and a seasoned candidate is kept with his own probability over it."""
        p, rng = self.p, self.rng
        new = front.exit_probabilities(*front.casualty_hazards(p, multiplier * p.new_recruit_hazard_multiplier,
                                                                intensity), p.desertion_per_week)
        old = front.exit_probabilities(*front.casualty_hazards(p, multiplier, intensity), p.desertion_per_week)
        bound = sum(new)
        if bound <= 0.0 or not len(roster):
            return [], [], []
        candidates = roster.pick(rng, int(rng.binomial(len(roster), min(bound, 1.0))))
        if not candidates:
            return [], [], []
        u = rng.random(len(candidates)) * bound
        since = np.fromiter((man.first_deployed_step for man in candidates), np.int64, len(candidates))
        newcomer = front.is_new_at_front(p, self.step_index - since)
        # each exit's share of the candidate's probability, split along u: [killed | wounded | deserted | none]
        cut_kill = np.where(newcomer, new[0], old[0])
        cut_wound = cut_kill + np.where(newcomer, new[1], old[1])
        cut_desert = cut_wound + np.where(newcomer, new[2], old[2])
        fate = (u >= cut_kill).astype(np.int8) + (u >= cut_wound) + (u >= cut_desert)
        killed = [m for m, f in zip(candidates, fate.tolist()) if f == 0]
        wounded = [m for m, f in zip(candidates, fate.tolist()) if f == 1]
        deserted = [m for m, f in zip(candidates, fate.tolist()) if f == 2]
        return killed, wounded, deserted

    def evaders_act(self) -> None:
        p, pol, rng = self.p, self.policy, self.rng
        e_reg, excl = pol.e_register, pol.exclusion_law

        def catch(ev):
            return evader_fate.catch_hazard(p, ev.footprint, p.enforcement, e_reg)

        def total(ev):
            return catch(ev) + evader_fate.give_up_hazard(p, ev.footprint, ev.weeks_since_notice, excl)

        bound = evader_fate.catch_hazard_bound(p, p.enforcement, e_reg) + evader_fate.give_up_hazard_bound(p, excl)
        for ev, x in self.rosters[Status.HIDING].thin(rng, bound, total):
            ev.get_caught() if x < catch(ev) else ev.give_up()
        exempt = self.rosters[Status.MEDICAL_EXEMPT]
        for ev in exempt.pick(rng, int(rng.binomial(len(exempt), evader_fate.exposure_hazard(p, p.enforcement)))):
            ev.get_caught()
        abroad = self.rosters[Status.ABROAD]
        for ev in abroad.pick(rng, int(rng.binomial(len(abroad), evader_fate.return_hazard(p)))):
            ev.come_home()

    def record(self) -> None:
        self.latest = national_row(self)
        self.history.append(self.latest)
        self.region_history.append(region_rows(self))
        self.datacollector.collect(self)

    # --- bookkeeping used by the agents ------------------------------------------------------
    def enter(self, person: Person, status: Status) -> None:
        person.status = status
        self.counts[person.is_prisoner, person.region.index, status] += 1
        roster = self._roster_of[person.is_prisoner][status]
        if roster is not None:
            roster.add(person)
        if person.history is not None:
            person.history.append((self.step_index, status))

    def leave(self, person: Person, to_pool: bool = False) -> None:
        roster = self._roster_of[person.is_prisoner][person.status]
        if roster is not None:
            roster.remove(person)
        self.counts[person.is_prisoner, person.region.index, person.status] -= 1
        if to_pool and person.history is not None:
            person.history.append((self.step_index, Status.CIVILIAN))
        person.status = None

    def move(self, person: Person, status: Status) -> None:
        self.leave(person)
        self.enter(person, status)

    def enter_many(self, people: list, status: Status) -> None:
        """Men entering one status together (a week's volunteers, say): the books in one pass."""
        if not people:
            return
        for man in people:
            man.status = status
        n = len(self.regions)
        where = np.fromiter((man.is_prisoner * n + man.region.index for man in people), np.int64, len(people))
        self.counts[:, :, status] += np.bincount(where, minlength=2 * n).reshape(2, n)
        if status is Status.DEPLOYED:
            self.rosters[status].add_many([man for man in people if not man.is_prisoner])
            self.assault.add_many([man for man in people if man.is_prisoner])
        elif status in self.rosters:
            self.rosters[status].add_many(people)
        if self.watched:
            for man in people:
                if man.history is not None:
                    man.history.append((self.step_index, status))

    def leave_many(self, people: list) -> None:
        """Men leaving their statuses together (the week's dead, say): the books in one pass."""
        if not people:
            return
        n, k = len(self.regions), len(Status)
        where = np.fromiter(((man.is_prisoner * n + man.region.index) * k + man.status for man in people), np.int64,
                            len(people))
        self.counts -= np.bincount(where, minlength=self.counts.size).reshape(self.counts.shape)
        roster_of = self._roster_of
        for man in people:
            roster = roster_of[man.is_prisoner][man.status]
            if roster is not None:
                roster.remove(man)
            man.status = None

    def move_many(self, people: list, status: Status) -> None:
        self.leave_many(people)
        self.enter_many(people, status)

    def spawn(self, cls, pool_rows: np.ndarray, status: Status, **attributes) -> list:
        """New agents of class ``cls`` for pool rows that have just left the pool, entered in ``status``."""
        regions, region_of = self.regions, self.population.region[pool_rows].tolist()
        men = [cls(self, regions[r], idx, None, **attributes) for idx, r in zip(pool_rows.tolist(), region_of)]
        self.enter_many(men, status)
        return men

    def people(self):
        """Every man who is an agent now (men in a final state are counts only)."""
        for roster in (*self.rosters.values(), self.assault):
            yield from roster

    def watch(self, pool_rows) -> None:
        """Follow these men's lives: they keep a history while they are agents (``watched`` maps each row to
        the man who plays him now).  Watch before the first step to see every transition."""
        self.watched.update({int(r): None for r in pool_rows})
        for man in self.people():
            if man.pool_index in self.watched:
                self.watched[man.pool_index] = man
                if man.history is None:
                    man.history = [(self.step_index, man.status)]

    def history_of(self, person: Person) -> list | None:
        """A new agent's history: a list if he is watched, else None (nobody reads it)."""
        if person.pool_index in self.watched:
            self.watched[person.pool_index] = person
            return []
        return None

    def men_in(self, status: Status) -> float:
        """Real men in ``status`` (agents times their region's men per agent), prisoner recruits included."""
        return float((self.counts[:, :, status].sum(axis=0) * self.men_per_agent).sum())

    def offer_rub(self, region: Region) -> float:
        """The sign-on bonus a recruit from this region receives (federal + regional)."""
        return self.p.bonus_multiplier * (self.federal_bonus_rub + self.regional_bonus_rub(region))

    def mobilisation_shares(self) -> np.ndarray:
        """Each region's share of a national mobilisation (agents/rules/mobilisation_quota.py), by the parameters in force."""
        key = self.p.mobilisation_remoteness_elasticity
        if getattr(self, "_mobilisation_shares", (None,))[0] != key:
            self._mobilisation_shares = (key, mobilisation_quota.regional_shares(
                self._men_census, [r.dist_moscow_km for r in self.regions], key))
        return self._mobilisation_shares[1]

    def regional_bonus_rub(self, region: Region) -> float:
        """The regional part of the sign-on bonus in force (before ``bonus_multiplier``)."""
        return self.p.regional_bonus_multiplier * region.regional_bonus_rub

    def regional_bonuses_rub(self) -> np.ndarray:
        """Every region's ``regional_bonus_rub``, as an array over regions."""
        bonuses = np.fromiter((r.regional_bonus_rub for r in self.regions), np.float64, len(self.regions))
        return self.p.regional_bonus_multiplier * bonuses

    def offers_rub(self) -> np.ndarray:
        """Every region's ``offer_rub``, as an array over regions."""
        return self.p.bonus_multiplier * (self.federal_bonus_rub + self.regional_bonuses_rub())

    @property
    def federal_bonus_rub(self) -> float:
        """The federal part of the sign-on bonus in force (before ``bonus_multiplier``)."""
        return self.p.federal_bonus_multiplier * self.policy.federal_bonus_rub

    def contract_pull(self) -> np.ndarray:
        """This week's regional part of the contract hazard (agents.rules.enlistment.regional_pull)."""
        bonus = self.offers_rub()
        return enlistment.regional_pull(self.p, bonus, self.wage_index, self.signals.recruits_per_1k(),
                                        self._unemployment, self._national_unemployment)

    def expected_contracts_per_week(self) -> np.ndarray:
        """Contracts each region's idle men are on course for at the offer in force when the week began (agents)."""
        if self._expected_at[0] != self.step_index:
            self.population.advance(self.days_elapsed)
            self._expected_at = (self.step_index, self.population.expected_contracts_per_week(
                self.contract_pull(), self.signals.deaths_per_10k()))
        return self._expected_at[1]

    @property
    def _men_census(self) -> np.ndarray:
        return np.array([r.men_census for r in self.regions])

    @property
    def days_elapsed(self) -> int:
        return (self.date - self.p.start_date).days

    @property
    def years_elapsed(self) -> float:
        return (self.date - self.p.start_date).days / DAYS_PER_YEAR

    @property
    def wage_index(self) -> float:
        return (1.0 + self.p.wage_growth_per_year) ** ((self.date - INCOME_DATA_DATE).days / DAYS_PER_YEAR)

    def stochastic_round(self, x: float) -> int:
        return stochastic_round(self.rng, x)

    def _prisoners_for(self, colony_share: float, men_per_agent: float) -> float:
        return float(stochastic_round(self.rng, self.p.prison_population_initial * colony_share / men_per_agent))

    def prewar_signers(self) -> np.ndarray:
        """Real men a week each region's idle men would sign up for at the pre-war terms: no bonus, no one
        signing around them, no deaths to fear (who the pre-war professional army was recruited from)."""
        n = len(self.regions)
        pull = enlistment.regional_pull(self.p, np.zeros(n), 1.0, np.zeros(n), self._unemployment,
                                        self._national_unemployment)
        return self.population.expected_contracts_per_week(pull, np.zeros(n)) * self.men_per_agent

    def _deploy_invasion_force(self) -> None:
        """The force deployed on day one: the men of the invasion units (agents.rules.invasion_force), drawn
        from the fit men aged 20-45 of each region."""
        pop = self.population

        def regular(rows):
            return call_up.in_invasion_force(pop.age(rows), pop.fit[rows])
        btgs = invasion_force.garrison_btgs(_read_csv("garrisons_2022.csv"), [r.iso for r in self.regions])
        shares = invasion_force.region_shares(btgs, self.prewar_signers(), self.p.garrison_local_share, self._men_census)
        wanted = [stochastic_round(self.rng, self.p.initial_deployed * share / r.men_per_agent)
                  for r, share in zip(self.regions, shares)]
        rows, _ = pop.sample_many(np.arange(len(self.regions)), np.array(wanted), self.rng, regular)
        for r in self.regions:
            for idx in np.sort(rows[pop.region[rows] == r.index]).tolist():
                pop.deactivate(idx)
                Man(self, r, idx, Status.DEPLOYED, channel=Channel.REGULAR)

    # --- results ---------------------------------------------------------------------------------
    def national_frame(self):
        return national_frame(self.history)

    def regions_frame(self):
        return regions_frame(self.region_history)
