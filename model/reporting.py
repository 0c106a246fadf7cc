"""The rows the model reports each week, in real men, and the tables built from them.

A region's agents stand for ``men_per_agent`` of its men each (``scale``, or fewer in a small region:
model/representation.py), so a count is reported as agents times their region's weight, and a
national figure is the sum of the regions'.  Which columns there are, their order, units and dtypes
are declared in :mod:`model.columns`; this module only computes them.  Flows with no regional
meaning (foreign troops, agents of ``scale`` men) are booked under region 0 and reported nationally only.
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.states import Status
from draftsim.model import columns as cols

# ledger flows reported as new_<flow> (head counts; the RUB flows are reported under their own names)
NATIONAL_FLOWS = tuple(c.ledger for c in cols.NATIONAL if c.name.startswith("new_"))
FOREIGN_FLOWS = frozenset({"foreign", "foreign_killed", "foreign_wounded"})


def national_row(model) -> dict:
    s, w, led = model.scale, model.men_per_agent, model.ledger
    men = (model.counts[0] + model.counts[1]) * w[:, None]
    men[:, Status.CIVILIAN] = model.population.pool_count * w
    bonuses = model.regional_bonuses_rub() * model.p.bonus_multiplier
    value = {
        "step": model.step_index, "date": model.date.isoformat(),
        "recruits_total": float((_recruits(led.total) * w).sum()),
        "prison_population": float(sum(r.prison_population * r.men_per_agent for r in model.regions)),
        "foreign_deployed": float(model.foreign_deployed * s),
        "foreign_killed_total": float(model.foreign_killed_total * s),
        "federal_bonus_rub": float(model.federal_bonus_rub * model.p.bonus_multiplier),
        "mean_regional_bonus_rub": float(bonuses.mean()),
        "quota_per_month": float(sum(r.quota_per_month for r in model.regions)),
        "alarm": float(model.alarm),
        "e_register": bool(model.policy.e_register),
        "exit_ban": bool(model.policy.exit_ban),
    }
    row = {}
    for c in cols.NATIONAL:
        if c.status is not None:
            row[c.name] = float(men[:, c.status].sum())
        elif c.ledger is not None:
            agents = (led.week if c.kind == "flow" else led.total)[c.ledger]
            row[c.name] = float(agents.sum() * s if c.ledger in FOREIGN_FLOWS else (agents * w).sum())
        else:
            row[c.name] = value[c.name]
    return row


def _recruits(totals: dict) -> np.ndarray:
    """Men who entered the forces: a conscript who later signs a contract is counted once."""
    return (totals["contracts"] - totals["contracts_from_conscripts"] + totals["conscripts"] + totals["mobilised"]
            + totals["prisoner_recruits"])


def region_rows(model) -> dict:
    """One week of regional figures as columns (arrays over regions)."""
    w, led = model.men_per_agent, model.ledger
    counts = model.counts[0] + model.counts[1]
    alive = model.counts[0].sum(axis=1) - model.counts[0][:, Status.KILLED] - model.counts[0][:, Status.ABROAD]
    value = {
        "step": model.step_index, "date": model.date.isoformat(),
        "region": [r.iso for r in model.regions],
        "region_name": [r.name for r in model.regions],
        "men": (alive + model.population.pool_count) * w,
        "recruits_total": _recruits(led.total) * w,
        "regional_bonus_rub": model.regional_bonuses_rub() * model.p.bonus_multiplier,
        "quota_per_month": np.array([r.quota_per_month for r in model.regions]),
        "prison_population": np.array([r.prison_population for r in model.regions]) * w,
    }
    week = {}
    for c in cols.REGIONAL:
        if c.status is not None:
            week[c.name] = counts[:, c.status] * w
        elif c.ledger is not None:
            week[c.name] = (led.week if c.kind == "flow" else led.total)[c.ledger] * w
        else:
            week[c.name] = value[c.name]
    return week


# --- the tables ----------------------------------------------------------------------------------------
def national_frame(history: list[dict]):
    """The national table: one row per week, the declared columns in their dtypes."""
    import pandas as pd

    return cols.typed(pd.DataFrame(history, columns=list(cols.NATIONAL_NAMES)), cols.NATIONAL)


def regions_frame(region_history: list[dict]):
    """The regional table: one row per region and week, the declared columns in their dtypes."""
    import pandas as pd

    n = len(region_history[0]["region"]) if region_history else 0
    data = {name: np.concatenate([np.broadcast_to(np.asarray(w[name]), (n,)) for w in region_history]) if n else []
            for name in cols.REGIONAL_NAMES}
    return cols.typed(pd.DataFrame(data), cols.REGIONAL)
