"""Every parameter of the model, typed and validated in one place.

Each parameter carries its unit, default, valid range and a source or a stated assumption,
so that ``draftsim run --set name=value``, scenario files, the manifest and docs/ODD.md all
read the same table.  A value of the wrong kind or outside its range is a :class:`ParameterError`
whose message is one line naming the field and the allowed values (``parameter_values`` says which
kinds of number each type takes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from draftsim.model.parameter_values import ParameterError, to_kind

__all__ = ["DATE_MAX", "DATE_MIN", "ParameterError", "Parameters", "coerce", "parameter_names", "parameter_table"]

def _param(default, unit: str, low=None, high=None, source: str = "assumption", doc: str = ""):
    return field(
        default=default,
        metadata={"unit": unit, "low": low, "high": high, "source": source, "doc": doc},
    )


DATE_MIN = dt.date(2022, 2, 24)
DATE_MAX = dt.date(2030, 12, 31)


@dataclass(frozen=True)
class Parameters:
    # --- time ---------------------------------------------------------------------------------
    start_date: dt.date = _param(DATE_MIN, "date", DATE_MIN, DATE_MAX, "full-scale invasion", "first simulated week")
    end_date: dt.date = _param(dt.date(2025, 12, 31), "date", DATE_MIN, DATE_MAX, "historical baseline period", "last simulated day")

    # --- population of men of draft age ---------------------------------------------------------
    reservist_share: float = _param(
        0.6, "share", 0.0, 1.0, "assumption: most men 20-50 served as conscripts",
        "share of men aged 20+ at the start who are on the reserve register (served before)")
    fit_share: float = _param(
        0.75, "share", 0.0, 1.0, "assumption: fitness categories A/B",
        "share of men medically fit for service")
    at_address_share_urban: float = _param(
        0.70, "share", 0.0, 1.0, "assumption", "urban men living at their registered address")
    at_address_share_rural: float = _param(
        0.90, "share", 0.0, 1.0, "assumption", "rural men living at their registered address")
    wage_growth_per_year: float = _param(
        0.10, "1/year", -0.5, 1.0, "Rosstat nominal wages 2021-2025 (+10-17%/yr)",
        "nominal growth of civilian incomes from the 2020 data")
    new_cohort_share_per_year: float = _param(
        1 / 45.5, "share/year", 0.0, 0.1, "assumption: even ages 16-61.5",
        "men turning 16 each 1 January, as a share of the region's census men")

    # --- contract enlistment ----------------------------------------------------------------------
    base_contract_hazard_per_week: float = _param(
        1.5e-4, "1/week", 0.0, 0.05, "calibrated to ~37,500 contracts a month (2023-2025)",
        "weekly enlistment hazard of a typical eligible man at the reference bonus and pay")
    bonus_elasticity: float = _param(
        0.45, "elasticity", 0.0, 3.0, "national_targets.csv: plausible 0.2-1.0, central 0.45",
        "elasticity of contract enlistment to the total sign-on bonus")
    pay_elasticity: float = _param(
        0.8, "elasticity", 0.0, 3.0, "assumption",
        "elasticity of enlistment to monthly army pay relative to civilian income")
    bonus_reference_rub: float = _param(
        1_000_000.0, "RUB", 1.0, 1e8, "normalisation", "bonus at which the bonus term equals 1")
    monthly_pay_rub: float = _param(
        204_000.0, "RUB/month", 0.0, 5e6, "MoD advertised minimum contract pay 2023-2025",
        "monthly army pay of a contract soldier")
    willingness_sigma: float = _param(
        1.5, "log-sd", 0.0, 4.0, "assumption: heterogeneity that depletes the eager first",
        "spread of men's personal willingness to enlist (lognormal)")
    risk_sensitivity: float = _param(
        0.1, "1/(deaths per 10k men)", 0.0, 5.0, "assumption",
        "weight of recent regional deaths (13 weeks) in a risk-averse man's enlistment decision")
    hazing_reputation: float = _param(
        0.5, "index 0-1", 0.0, 1.0, "assumption: dedovshchina reports",
        "the army's reputation for hazing; 0 none, 1 notorious")
    hazing_weight: float = _param(1.0, "log-hazard", 0.0, 10.0, "assumption", "how much hazing deters enlistment")
    peer_weight: float = _param(
        0.1, "per recruit per 1k men", 0.0, 5.0, "assumption",
        "uplift from peers: recent regional recruits (13 weeks) per 1,000 men")
    unemployment_elasticity: float = _param(
        0.5, "elasticity", 0.0, 3.0, "Warner, Simon & Payne (2001); Asch et al.: US enlistment 0.1-0.7",
        "elasticity of enlistment to the regional unemployment rate (relative to the national mean)")
    contract_age_min: int = _param(18, "years", 18, 70, "law", "youngest contract recruit")
    contract_age_max: int = _param(60, "years", 18, 70, "law (65 from 2023; few enlist past 60)", "oldest contract recruit")
    initial_regional_bonus_rub: float = _param(
        100_000.0, "RUB", 0.0, 1e8, "assumption: 2022 volunteer-battalion payments",
        "regional sign-on bonus at the start")
    bonus_multiplier: float = _param(
        1.0, "factor", 0.0, 20.0, "lever", "multiplies every sign-on bonus (federal and regional)")
    federal_bonus_multiplier: float = _param(
        1.0, "factor", 0.0, 20.0, "lever", "multiplies the federal sign-on bonus of the timeline only")
    regional_bonus_multiplier: float = _param(
        1.0, "factor", 0.0, 20.0, "lever", "multiplies the regional sign-on bonuses the governors set")

    # --- federal centre and governors ----------------------------------------------------------
    replacement_target_per_month: float = _param(
        20_000.0, "men/month", 0.0, 500_000.0, "seed article: 20,000 a month",
        "national monthly recruitment target shared out as regional quotas")
    governor_raise_share: float = _param(
        0.5, "share per month", 0.0, 5.0, "assumption: calibrated loosely to the 2024-25 rise",
        "bonus raise per month, per unit of quota shortfall, relative to the bonus")
    governor_raise_floor_rub: float = _param(
        50_000.0, "RUB", 0.0, 1e7, "assumption", "smallest raise a governor bothers with")
    governor_cut_share: float = _param(
        0.5, "share", 0.0, 1.0, "Kluge: several regions cut 50-90% in mid-2025",
        "share of the bonus cut under budget pressure when the quota is met")
    governor_lower_share: float = _param(
        0.1, "share per month", 0.0, 1.0, "assumption: governors cut slowly (a damped controller, not a ratchet)",
        "bonus cut per month, per unit of quota surplus (at most 1), relative to the bonus")
    bonus_cap_income_years: float = _param(
        4.0, "years of mean income", 0.0, 100.0, "assumption: Moscow 1.9M = 2 years' income",
        "most a regional budget pays a recruit, in years of the region's mean income")

    # --- recruiters and notices --------------------------------------------------------------
    paper_capacity_per_10k_men: float = _param(
        40.0, "notices/week per 10k men", 0.0, 10_000.0, "assumption: 2022 door-to-door delivery",
        "paper notices a region's commissariats can deliver in a week")
    recruiters_per_region: int = _param(1, "agents", 1, 50, "modelling choice", "commissariat agents per region")
    e_notice_min_footprint: float = _param(
        0.15, "index 0-1", 0.0, 1.0, "assumption", "digital footprint above which an e-notice reaches a man")
    e_notice_service_days: int = _param(7, "days", 0, 60, "127-FZ", "days after entry when an e-notice counts as served")
    conscription_age_min: int = _param(18, "years", 16, 40, "law", "youngest conscript")
    conscription_age_max: int = _param(
        27, "years", 18, 40, "law until 2024 (the timeline raises it to 30 on 1 Jan 2024)", "oldest conscript at the start")
    mobilisation_age_max: int = _param(50, "years", 20, 70, "Decree 647 practice", "oldest reservist called up")
    conscript_signing_per_week: float = _param(
        0.004, "1/week", 0.0, 1.0, "assumption: ~1 in 5 conscripts signs during service",
        "weekly hazard that a serving conscript is pressed into a contract")
    conscript_service_weeks: int = _param(52, "weeks", 1, 156, "law: 12 months", "conscript service length")
    training_weeks: int = _param(3, "weeks", 1, 52, "assumption", "training before deployment (contract, mobilised)")
    prisoner_training_weeks: int = _param(2, "weeks", 1, 52, "Mediazona: ~2 weeks", "training of prisoner recruits")

    # --- mobilisation by region (agents/rules/mobilisation_quota.py) ----------------------------
    mobilisation_remoteness_elasticity: float = _param(
        0.9, "elasticity", 0.0, 3.0,
        "mobilisation_evidence.csv: log ratio to the national mean on log(1 + km/1000), 10 regions, R^2 0.62",
        "how much heavier a far region's share of a mobilisation is per man (0: shared by population)")

    # --- evasion: the comply-or-evade choice on a notice (logit, utilities relative to complying)
    danger_mobilisation: float = _param(1.0, "index", 0.0, 5.0, "assumption", "danger a mobilisation notice means")
    danger_conscription: float = _param(
        0.5, "index", 0.0, 5.0, "assumption: conscripts rarely sent to the front, but pressed to sign",
        "danger a conscription notice means")
    danger_weight: float = _param(3.0, "utility", 0.0, 50.0, "assumption", "weight of danger x risk aversion")
    asc_emigrate: float = _param(-5.0, "utility", -50.0, 50.0, "calibrated", "base utility of fleeing abroad")
    asc_hide: float = _param(-3.0, "utility", -50.0, 50.0, "calibrated", "base utility of leaving the registered address")
    asc_medical: float = _param(-5.0, "utility", -50.0, 50.0, "calibrated", "base utility of a bought medical exemption")
    asc_drugs: float = _param(-7.0, "utility", -50.0, 50.0, "calibrated", "base utility of faking drug dependency")
    asc_self_harm: float = _param(-8.5, "utility", -50.0, 50.0, "calibrated", "base utility of self-harm")
    wealth_weight: float = _param(
        1.0, "utility per log income/subsistence", 0.0, 10.0, "assumption",
        "how much richer men favour costly tactics (emigration, bribes)")
    urban_weight_emigrate: float = _param(0.8, "utility", 0.0, 10.0, "assumption", "urban men's easier emigration")
    fine_weight: float = _param(0.5, "utility per monthly income", 0.0, 50.0, "assumption", "deterrence of the no-show fine")
    no_show_fine_rub: float = _param(3_000.0, "RUB", 0.0, 1e7, "Administrative Code 21.5 before Oct 2023", "fine for not appearing")
    exclusion_weight: float = _param(
        2.0, "utility per footprint", 0.0, 50.0, "127-FZ restrictions (loans, driving, property)",
        "deterrence of economic exclusion, which weighs more on men with more to lose online")
    e_register_hide_penalty: float = _param(
        2.5, "utility", 0.0, 50.0, "assumption: the register serves notices regardless of address",
        "how much the electronic register devalues hiding")
    enforcement: float = _param(1.0, "index", 0.0, 5.0, "lever", "intensity of police search and checks")

    # --- evaders keep acting -------------------------------------------------------------------
    hide_catch_per_week: float = _param(0.01, "1/week", 0.0, 1.0, "assumption", "weekly chance a hiding man is caught at footprint 0.5")
    e_register_catch_multiplier: float = _param(3.0, "factor", 1.0, 100.0, "assumption", "catching boost from the register")
    give_up_per_week: float = _param(0.01, "1/week", 0.0, 1.0, "assumption", "weekly chance a hiding man reports anyway")
    exclusion_give_up_per_week: float = _param(
        0.04, "1/week per footprint", 0.0, 1.0, "assumption",
        "extra weekly give-up once exclusion bites (after 20 days), times footprint")
    exclusion_after_days: int = _param(20, "days", 0, 365, "127-FZ", "days after which economic exclusion applies")
    medical_detection_per_week: float = _param(0.002, "1/week", 0.0, 1.0, "assumption", "weekly chance a bought exemption is exposed")
    emigrant_return_per_week: float = _param(
        0.0029, "1/week", 0.0, 1.0, "national_targets.csv: ~25% return within 2 years",
        "weekly chance an emigrant comes home")

    # --- pre-emptive emigration ------------------------------------------------------------------
    emigration_alarm_per_week: float = _param(
        0.006, "1/week", 0.0, 1.0, "calibrated to ~261,000 men in the week after 21 Sep 2022",
        "weekly emigration hazard of a typical man at full alarm")
    emigration_background_per_week: float = _param(
        2e-5, "1/week", 0.0, 0.1, "assumption", "background emigration hazard without alarm")
    alarm_war_start: float = _param(0.15, "index", 0.0, 1.0, "assumption: spring 2022 exodus", "alarm raised by the invasion")
    alarm_mobilisation: float = _param(1.0, "index", 0.0, 1.0, "assumption", "alarm raised by a mobilisation announcement")
    alarm_half_life_weeks: float = _param(1.0, "weeks", 0.1, 52.0, "assumption", "how fast alarm fades")

    # --- mobilisation, prisons, front, foreign troops -----------------------------------------
    mobilisation_enabled: bool = _param(True, "switch", source="lever", doc="partial mobilisation happens")
    e_register_enabled: bool = _param(True, "switch", source="lever", doc="the electronic register is switched on when the timeline says")
    exit_ban_enabled: bool = _param(True, "switch", source="lever", doc="the exit ban after a notice applies when the timeline says")
    prison_recruitment_enabled: bool = _param(True, "switch", source="lever", doc="pardon-for-service offers in prisons")
    foreign_troops_enabled: bool = _param(True, "switch", source="lever", doc="the North Korean contingent arrives")
    prison_population_initial: float = _param(
        420_000.0, "men", 0.0, 2e6, "FSIN: ~420k in colonies before the war", "prison population at the start")
    prisoner_acceptance_per_week: float = _param(
        0.0035, "1/week", 0.0, 1.0, "calibrated: ~45k Wagner recruits by Feb 2023", "weekly share of prisoners taking a pardon offer")
    prisoner_service_weeks: int = _param(
        26, "weeks", 1, 520, "Wagner's terms: pardon after six months", "service before a Wagner recruit is pardoned")
    prisoner_hazard_multiplier: float = _param(
        2.5, "factor", 1.0, 20.0, "assumption: assault units", "front hazard of prisoner recruits vs others")
    initial_deployed: float = _param(
        190_000.0, "men", 0.0, 5e6, "US/UK estimates of the invasion force", "men deployed on 24 Feb 2022")
    kill_hazard_per_week: float = _param(
        0.00115, "1/week", 0.0, 0.2, "calibrated to ~120k killed by mid-2024 (Meduza/Mediazona)",
        "weekly death hazard at intensity 1: with the intensity forcing, the mean over Feb 2022 - Dec 2025")
    casualty_intensity: float = _param(1.0, "factor", 0.0, 10.0, "lever", "scales front hazards")
    wounded_to_killed: float = _param(2.8, "ratio", 0.0, 10.0, "CSIS 2025-26: 2.8 (2.0-3.5)", "wounded per killed")
    wound_recovery_weeks: int = _param(8, "weeks", 1, 104, "assumption", "time in hospital")
    wounded_return_share: float = _param(0.6, "share", 0.0, 1.0, "assumption", "wounded who return to duty")
    foreign_effectiveness: float = _param(
        0.5, "factor", 0.0, 1.0, "assumption: language barrier, unfamiliar tactics",
        "how much of a Russian soldier a foreign one replaces")
    foreign_hazard_multiplier: float = _param(
        2.0, "factor", 0.0, 20.0, "NIS: ~2,000 of ~11,500 killed", "front hazard of foreign troops vs Russians")
    foreign_men_per_month: float = _param(
        0.0, "men/month", 0.0, 200_000.0, "lever: what-if, off by default",
        "a steady flow of foreign troops beyond the timeline's contingents")
    belarus_contingent_men: float = _param(0.0, "men", 0.0, 1e6, "option, off by default", "Belarusian contingent size")
    belarus_start_date: dt.date = _param(dt.date(2025, 1, 1), "date", DATE_MIN, DATE_MAX, "option", "when a Belarusian contingent arrives")

    # --- invasion force and prisons by region: whose men went in first, where the colonies are ----
    garrison_local_share: float = _param(
        0.6, "share", 0.2, 0.9,
        "garrisons_2022.csv: ~80% local in the 55th brigade (Tuva), 'the majority' in Buryatia's units; "
        "assumed lower for units near big cities",
        "share of an invasion unit's men from its base region (the rest from the pre-war army's national pool)")
    prison_north_east_factor: float = _param(
        1.5, "factor", 1.0, 4.0,
        "assumption: the colonies' penal peripheries (gulagmaps.org; Puti Rossii XXI: timber-colonisation regions)",
        "colony inmates per man in the Northwestern, Ural, Siberian and Far Eastern districts vs elsewhere")
    prison_institution_rich_factor: float = _param(
        2.0, "factor", 1.0, 5.0,
        "assumption: Krasnoyarsk, Perm, Komi, Sverdlovsk hold 30-50 institutions each vs ~9 a region (Puti Rossii XXI)",
        "colony inmates per man in the four institution-rich regions vs others of their district")
    # --- front: intensity, per-channel hazards, exits (issue 12, mechanism 6; agents/rules/front.py) ----
    front_intensity_forcing: bool = _param(
        True, "switch", source="lever",
        doc="front hazards follow the monthly shape of the claimed losses (personnel_losses_monthly.csv); off: constant")
    intensity_exponent: float = _param(
        1.0, "exponent", 0.0, 3.0,
        "assumption: 1 = per-soldier hazard proportional to the loss claim's monthly shape (prior 0-3 for calibration)",
        "how closely the weekly hazard follows the loss index: index ** exponent, mean 1 over Feb 2022 - Dec 2025")
    force_dilution: float = _param(
        0.0, "exponent", 0.0, 1.0,
        "assumption: 0 = hazard per soldier independent of the force's size, 1 = the loss total fixed by the front's tempo",
        "how much a larger force at the front dilutes each soldier's hazard: (front_reference_force / deployed) ** it")
    front_reference_force: float = _param(
        500_000.0, "men", 1.0, 1e7,
        "assumption: the order of the Russian force in Ukraine 2023-24 (Ukrainian estimates ~400-600k)",
        "force at which the dilution leaves the hazard unchanged")
    new_recruit_hazard_multiplier: float = _param(
        2.0, "factor", 1.0, 5.0,
        "assumption (prior 1-4): many recruits die within weeks of arrival; 42% of the named mobilised dead died in "
        "the first year after mobilisation (BBC/Mediazona, mobilisation_2022_by_region.csv)",
        "front hazards of a recruit in his first weeks at the front vs seasoned soldiers")
    new_recruit_weeks: int = _param(
        8, "weeks", 0, 104, "assumption (prior 4-13)", "weeks after his first deployment a recruit counts as new")
    desertion_per_week: float = _param(
        0.0003, "1/week", 0.0, 0.01,
        "AWOL court cases: 20,538 from 21 Sep 2022 to 30 Jun 2025 (Mediazona) over ~145 weeks and a force of "
        "~500k; not every deserter is tried, some tried are sent back",
        "weekly chance a soldier neither killed nor wounded deserts the front for good")

    def __post_init__(self):
        # every way in (the constructor, replace, dataclasses.replace) stores plain Python values
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _to_field(f, getattr(self, f.name)))
        if self.end_date <= self.start_date:
            raise ParameterError(f"end_date: must be after start_date ({self.start_date}), got {self.end_date}")
        if self.contract_age_max < self.contract_age_min:
            raise ParameterError("contract_age_max: must be >= contract_age_min")

    def replace(self, **changes) -> Parameters:
        unknown = sorted(set(changes) - set(parameter_names()))
        if unknown:
            raise ParameterError(f"unknown parameter '{unknown[0]}'; see `draftsim params` for the allowed names")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


def parameter_names() -> list[str]:
    return [f.name for f in dataclasses.fields(Parameters)]


def parameter_table() -> list[dict[str, Any]]:
    """name, type, default, unit, range, source, doc for every parameter (docs, manifest, CLI)."""
    rows = []
    for f in dataclasses.fields(Parameters):
        m = f.metadata
        rows.append({
            "name": f.name, "type": _type_of(f).__name__, "default": _jsonable(f.default),
            "unit": m["unit"], "low": _jsonable(m["low"]), "high": _jsonable(m["high"]),
            "source": m["source"], "doc": m["doc"],
        })
    return rows


def _type_of(f: dataclasses.Field) -> type:
    return {"float": float, "int": int, "bool": bool, "dt.date": dt.date}[f.type]


def _field(name: str) -> dataclasses.Field:
    for f in dataclasses.fields(Parameters):
        if f.name == name:
            return f
    raise ParameterError(f"unknown parameter '{name}'; see `draftsim params` for the allowed names")


def coerce(name: str, value: Any) -> Any:
    """A TOML value, a ``--set`` string or a (numpy) number as the parameter's plain type, or raise one line."""
    return _to_field(_field(name), value)


def _to_field(f: dataclasses.Field, value: Any) -> Any:
    return to_kind(f.name, _type_of(f), value, f.metadata["low"], f.metadata["high"])


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v
