"""Who signs a contract: the weekly enlistment hazard of a civilian man.

A constant-elasticity hazard, so that ``bonus_elasticity`` is literally the elasticity of
enlistment to the sign-on bonus (national_targets.csv: plausible 0.2-1.0, central 0.45):

    hazard = base * willingness * (bonus / bonus_ref) ** bonus_elasticity
                  * (monthly_pay / civilian_income) ** pay_elasticity
                  * exp(-hazing_weight * hazing_reputation)
                  * exp(-risk_aversion * risk_sensitivity * recent_deaths_per_10k)
                  * (1 + peer_weight * recent_recruits_per_1k)
                  * (unemployment / national_unemployment) ** unemployment_elasticity

Money is weighed against the man's own civilian income, so poorer men respond more; recent
deaths from his region deter him in proportion to his risk aversion; recruits among his
neighbours draw him in; where jobs are scarce the army is the employer of last resort (the
classic finding of enlistment studies).  Men who are unfit or outside the contract ages have
hazard 0 (``call_up.contract_eligible``).

The pool (model/population.py) runs the hazard factored as it is computed, so that a week costs
what its events cost: ``personal_propensity`` (what never changes for a man: willingness, fitness,
income) times ``regional_pull`` (85 numbers a week: money on offer, peers, jobs, hazing) times
``risk_deterrence`` (his risk aversion against his region's recent deaths), capped by
``weekly_contract_hazard``.  ``contract_hazard`` is the same product written term by term.
"""

from __future__ import annotations

import numpy as np


def money_factor(bonus_rub, bonus_reference_rub, bonus_elasticity, monthly_pay_rub, civilian_income_rub, pay_elasticity):
    """How much the money on offer pulls, relative to the reference bonus and his income."""
    bonus_term = np.power(np.maximum(bonus_rub, 1.0) / bonus_reference_rub, bonus_elasticity)
    pay_term = np.power(monthly_pay_rub / np.maximum(civilian_income_rub, 1e-9), pay_elasticity)
    return bonus_term * pay_term


def deterrence_factor(risk_aversion, risk_sensitivity, recent_deaths_per_10k, hazing_weight, hazing_reputation):
    """Fear of dying (own region's recent deaths, felt by the risk-averse) and of hazing."""
    return risk_deterrence(risk_aversion, risk_sensitivity, recent_deaths_per_10k) * np.exp(-hazing_weight * hazing_reputation)


def peer_factor(peer_weight, recent_recruits_per_1k):
    """Neighbours who signed up make it thinkable."""
    return 1.0 + peer_weight * recent_recruits_per_1k


def labour_market_factor(unemployment, national_unemployment, unemployment_elasticity):
    """Scarce civilian jobs push men towards the army: relative unemployment to an elasticity."""
    return np.power(np.maximum(unemployment, 1e-4) / national_unemployment, unemployment_elasticity)


HAZARD_CAP = 0.5   # no man signs with certainty in a week


def contract_hazard(base, willingness, money, deterrence, peers, labour_market=1.0):
    """Weekly probability of signing; capped below 1."""
    return np.minimum(base * willingness * money * deterrence * peers * labour_market, HAZARD_CAP)


def personal_propensity(willingness, fit, income0_rub, pay_elasticity):
    """The part of his hazard that never changes: willingness, fitness (0 or 1) and his 2020 income's pull
    against army pay (``income0_rub ** -pay_elasticity``; the pay and wage growth are in ``regional_pull``)."""
    return willingness * fit * np.power(income0_rub, -pay_elasticity)


def regional_pull(p, bonus_rub, wage_index, recent_recruits_per_1k, unemployment, national_unemployment):
    """The part every man of a region shares this week: base rate, bonus, army pay against wages grown since
    2020, peers who signed, scarce jobs and the army's reputation for hazing (arrays over regions)."""
    money = money_factor(bonus_rub, p.bonus_reference_rub, p.bonus_elasticity, p.monthly_pay_rub, wage_index,
                         p.pay_elasticity)
    hazing = np.exp(-p.hazing_weight * p.hazing_reputation)
    return (p.base_contract_hazard_per_week * money * hazing * peer_factor(p.peer_weight, recent_recruits_per_1k)
            * labour_market_factor(unemployment, national_unemployment, p.unemployment_elasticity))


def risk_deterrence(risk_aversion, risk_sensitivity, recent_deaths_per_10k):
    """His fear of dying: his risk aversion against his region's recent deaths (at most 1)."""
    return np.exp(-risk_aversion * risk_sensitivity * recent_deaths_per_10k)


def weekly_contract_hazard(personal, regional, deterrence):
    """The weekly probability of signing that the pool runs: the three factors, capped."""
    return np.minimum(personal * regional * deterrence, HAZARD_CAP)
