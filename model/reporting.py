"""The rows the model reports each week, in real men (agent counts times ``scale``).

National columns and regional columns are documented in README.md ("Outputs").
Flows with no regional meaning (foreign troops) are booked under region 0 and reported nationally only.
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.states import Status

# weekly flows reported as new_<flow>
NATIONAL_FLOWS = (
    "contracts", "contracts_from_conscripts", "conscripts", "mobilised", "prisoner_recruits", "foreign",
    "notices_sent", "notices_electronic", "notices_failed",
    "evaders", "evaders_emigrate", "evaders_hide", "evaders_medical", "evaders_drugs", "evaders_self_harm",
    "emigrants", "emigrants_pre_emptive", "killed", "wounded", "returned_to_duty", "discharged",
    "caught", "gave_up", "returned_home", "conscripts_released", "entrants", "aged_out", "pardoned",
    "foreign_killed", "foreign_wounded",
)
STOCKS = {
    "civilians": Status.CIVILIAN, "notified": Status.NOTIFIED, "in_training": Status.TRAINING,
    "conscripts_serving": Status.CONSCRIPT, "deployed": Status.DEPLOYED, "wounded_in_hospital": Status.WOUNDED,
    "discharged_total": Status.DISCHARGED, "abroad": Status.ABROAD, "hiding": Status.HIDING,
    "medical_exempt": Status.MEDICAL_EXEMPT, "drug_exempt": Status.DRUG_EXEMPT, "self_harmed": Status.SELF_HARMED,
}
REGION_FLOWS = ("contracts", "conscripts", "mobilised", "prisoner_recruits", "evaders", "emigrants", "killed")


def national_row(model) -> dict:
    s, led = model.scale, model.ledger
    counts = model.counts[0] + model.counts[1]
    counts[:, Status.CIVILIAN] = model.population.pool_count
    row = {"step": model.step_index, "date": model.date.isoformat()}
    for f in NATIONAL_FLOWS:
        row[f"new_{f}"] = float(led.week[f].sum() * s)
    for name, status in STOCKS.items():
        row[name] = float(counts[:, status].sum() * s)
    row["killed_total"] = float(counts[:, Status.KILLED].sum() * s)
    row["wounded_total"] = float(led.total["wounded"].sum() * s)
    row["emigrants_total"] = float(led.total["emigrants"].sum() * s)
    row["recruits_total"] = float(_recruits(led.total).sum() * s)
    row["prison_population"] = float(sum(r.prison_population for r in model.regions) * s)
    row["foreign_deployed"] = float(model.foreign_deployed * s)
    row["foreign_killed_total"] = float(model.foreign_killed_total * s)
    row["federal_bonus_rub"] = float(model.federal_bonus_rub * model.p.bonus_multiplier)
    bonuses = np.array([model.regional_bonus_rub(r) for r in model.regions]) * model.p.bonus_multiplier
    row["mean_regional_bonus_rub"] = float(bonuses.mean())
    quota = sum(r.quota_per_month for r in model.regions)
    row["quota_per_month"] = float(quota)
    row["bonus_paid_rub"] = float(led.week["bonus_paid_rub"].sum() * s)
    row["fines_rub"] = float(led.week["fines_rub"].sum() * s)
    row["alarm"] = float(model.alarm)
    row["e_register"] = bool(model.policy.e_register)
    row["exit_ban"] = bool(model.policy.exit_ban)
    return row


def _recruits(totals: dict) -> np.ndarray:
    """Men who entered the forces: a conscript who later signs a contract is counted once."""
    return (totals["contracts"] - totals["contracts_from_conscripts"] + totals["conscripts"] + totals["mobilised"]
            + totals["prisoner_recruits"])


def region_rows(model) -> dict:
    """One week of regional figures as columns (arrays over regions)."""
    s, led = model.scale, model.ledger
    alive = model.counts[0].sum(axis=1) - model.counts[0][:, Status.KILLED] - model.counts[0][:, Status.ABROAD]
    week = {
        "step": model.step_index, "date": model.date.isoformat(),
        "region": [r.iso for r in model.regions],
        "men": (alive + model.population.pool_count) * s,
    }
    for f in REGION_FLOWS:
        week[f"new_{f}"] = led.week[f] * s
    week["killed_total"] = (model.counts[0][:, Status.KILLED] + model.counts[1][:, Status.KILLED]) * s
    week["recruits_total"] = _recruits(led.total) * s
    week["contracts_total"] = led.total["contracts"] * s
    week["emigrants_total"] = led.total["emigrants"] * s
    week["evaders_total"] = led.total["evaders"] * s
    week["deployed"] = (model.counts[0][:, Status.DEPLOYED] + model.counts[1][:, Status.DEPLOYED]) * s
    week["regional_bonus_rub"] = np.array([model.regional_bonus_rub(r) for r in model.regions]) * model.p.bonus_multiplier
    week["quota_per_month"] = np.array([r.quota_per_month for r in model.regions])
    week["prison_population"] = np.array([r.prison_population for r in model.regions]) * s
    return week
