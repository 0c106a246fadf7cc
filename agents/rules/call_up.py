"""Who may be called: liability for mobilisation and conscription, and eligibility for a contract.

Liability is a matter of law and record, not of choice: a reservist (a man who served before) of
mobilisable age who is fit can be mobilised; a fit man who has not served and is of conscription age
can be conscripted; any man of contract age may sign a contract.  Ages are in years (fractions
count: a man is 18 from his eighteenth birthday).
"""

from __future__ import annotations

import numpy as np

from draftsim.agents.states import NoticeKind

RESERVE_AGE_MIN = 20.0          # men join the reserve register after their service (at 20 at the earliest)
INVASION_AGE = (20.0, 45.0)     # the invasion force of day one: regulars of these ages (inclusive)


def contract_eligible(age, contract_age_min, contract_age_max):
    """May he sign a contract?  (``contract_age_max`` is the last year of age that may.)"""
    return (age >= contract_age_min) & (age < contract_age_max + 1)


def mobilisable(age, reservist, mobilisation_age_max):
    """A reservist of mobilisation age (fit or not: fitness is checked by the liability)."""
    return reservist & (age >= RESERVE_AGE_MIN) & (age < mobilisation_age_max + 1)


def liable(kind: NoticeKind, age, fit, reservist, p, draft_age_max):
    """Liable to a notice of this kind: mobilisation takes fit reservists, conscription fit men who never served."""
    if kind is NoticeKind.MOBILISATION:
        return fit & mobilisable(age, reservist, p.mobilisation_age_max)
    return fit & ~reservist & (age >= p.conscription_age_min) & (age < draft_age_max + 1)


def in_invasion_force(age, fit):
    """Could have been deployed on the first day: a fit man of the regulars' ages."""
    return np.asarray(fit) & (age >= INVASION_AGE[0]) & (age <= INVASION_AGE[1])
