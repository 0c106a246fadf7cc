"""Who leaves before any notice: pre-emptive emigration of civilians.

Civilians emigrate when the risk of mobilisation jumps.  The jump is an *alarm* index
(1 on the day a mobilisation is announced, lower at the invasion) that fades with a
half-life of a few weeks.  Leaving is easier for richer and urban men and most pressing for
reservists of mobilisable age.  No exit ban applies to men without a notice.
"""

from __future__ import annotations

import numpy as np


def alarm_after(alarm: float, weeks: float, half_life_weeks: float) -> float:
    """The alarm left after ``weeks`` without new shocks."""
    return alarm * 0.5 ** (weeks / half_life_weeks)


def emigration_propensity(income_over_subsistence, urban, mobilisable, wealth_weight, urban_weight):
    """Relative ease and urge to leave (before normalising to mean 1 over the population)."""
    return np.exp(
        wealth_weight * np.log(np.maximum(income_over_subsistence, 0.05))
        + urban_weight * urban
        + 1.0 * mobilisable
    )


def emigration_hazard(alarm, alarm_rate, background_rate, propensity):
    """Weekly probability of emigrating, capped below 1."""
    return np.minimum((background_rate + alarm * alarm_rate) * propensity, 0.5)
