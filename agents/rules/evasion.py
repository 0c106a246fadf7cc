"""Who evades a notice, and how: the comply-or-evade choice.

Epstein's civil-violence citizen rebels when grievance outweighs perceived risk; our man
evades when the danger the notice means to him outweighs what evasion costs.  Each option is
scored relative to complying (utility 0) and chosen with logit probabilities:

    motive          = danger_weight * risk_aversion * danger(notice)
    U(emigrate)     = asc_emigrate + motive + wealth_weight*log(income/subsistence) + urban_weight*urban
                      - deterrence                 (impossible while an exit ban binds)
    U(hide)         = asc_hide + motive - deterrence - e_register_hide_penalty*[register on]
    U(medical)      = asc_medical + motive + wealth_weight*log(income/subsistence) - deterrence
    U(drugs)        = asc_drugs + motive - deterrence
    U(self-harm)    = asc_self_harm + motive
    deterrence      = enforcement * (fine_weight * fine / monthly income
                                     + exclusion_weight * footprint * [exclusion law on])

Fines and economic exclusion weigh more on men with more to lose online (a bigger digital
footprint); the electronic register defeats hiding because the notice is served whether or
not the man is at his registered address.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from draftsim.agents.states import Tactic

OPTIONS = (Tactic.COMPLY, Tactic.EMIGRATE, Tactic.HIDE, Tactic.MEDICAL, Tactic.DRUGS, Tactic.SELF_HARM)


@dataclass(frozen=True)
class EvasionContext:
    """The policy a notified man faces this week."""

    danger: float
    exit_ban: bool
    e_register: bool
    exclusion_law: bool
    fine_rub: float
    enforcement: float


def evasion_utilities(p, ctx: EvasionContext, risk_aversion, income_rub, subsistence_rub, urban, footprint):
    """Utilities of every option (columns in OPTIONS order); arrays broadcast over men."""
    risk_aversion = np.asarray(risk_aversion, dtype=float)
    wealth = p.wealth_weight * np.log(np.maximum(income_rub / subsistence_rub, 0.05))
    motive = p.danger_weight * risk_aversion * ctx.danger
    deterrence = ctx.enforcement * (
        p.fine_weight * ctx.fine_rub / np.maximum(income_rub, 1.0)
        + (p.exclusion_weight * footprint if ctx.exclusion_law else 0.0)
    )
    emigrate = p.asc_emigrate + motive + wealth + p.urban_weight_emigrate * urban - deterrence
    if ctx.exit_ban:
        emigrate = np.full_like(motive, -np.inf)
    hide = p.asc_hide + motive - deterrence - (p.e_register_hide_penalty if ctx.e_register else 0.0)
    medical = p.asc_medical + motive + wealth - deterrence
    drugs = p.asc_drugs + motive - deterrence
    self_harm = p.asc_self_harm + motive + 0.0 * deterrence
    comply = np.zeros_like(motive)
    return np.stack(np.broadcast_arrays(comply, emigrate, hide, medical, drugs, self_harm), axis=-1)


def choice_probabilities(utilities):
    """Logit probabilities over OPTIONS (last axis)."""
    u = utilities - np.max(utilities, axis=-1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=-1, keepdims=True)


def choose(probabilities, uniform):
    """Pick an option for each man from his probabilities and one uniform draw."""
    cdf = np.cumsum(probabilities, axis=-1)
    idx = np.minimum((np.asarray(uniform)[..., None] > cdf).sum(axis=-1), len(OPTIONS) - 1)
    return idx
