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
hazard 0.
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
    return np.exp(-risk_aversion * risk_sensitivity * recent_deaths_per_10k - hazing_weight * hazing_reputation)


def peer_factor(peer_weight, recent_recruits_per_1k):
    """Neighbours who signed up make it thinkable."""
    return 1.0 + peer_weight * recent_recruits_per_1k


def labour_market_factor(unemployment, national_unemployment, unemployment_elasticity):
    """Scarce civilian jobs push men towards the army: relative unemployment to an elasticity."""
    return np.power(np.maximum(unemployment, 1e-4) / national_unemployment, unemployment_elasticity)


def contract_hazard(base, willingness, money, deterrence, peers, labour_market=1.0):
    """Weekly probability of signing; capped below 1."""
    return np.minimum(base * willingness * money * deterrence * peers * labour_market, 0.5)
