"""How a region's men are drawn: income, digital footprint and the other attributes.

Incomes are lognormal with the region's mean income and a spread chosen so that the region's
poverty share lies below its subsistence level: the poverty share shapes the lower tail.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def lognormal_params(mean_rub: float, subsistence_rub: float, share_below: float) -> tuple[float, float]:
    """(mu, sigma) of a lognormal with this mean and ``share_below`` of mass below subsistence."""
    share_below = min(max(share_below, 1e-4), 0.4999)
    z = NormalDist().inv_cdf(share_below)
    # ln s = mu + z*sigma and mu = ln m - sigma^2/2  =>  sigma^2/2 - z*sigma + ln(s/m) = 0
    disc = z * z - 2.0 * math.log(subsistence_rub / mean_rub)
    sigma = z + math.sqrt(max(disc, 0.0))
    sigma = max(sigma, 0.05)
    return math.log(mean_rub) - sigma * sigma / 2.0, sigma


def digital_footprint(urban, age, income_over_subsistence, noise):
    """How reachable a man is through tax filings, passports, Gosuslugi, banks and loans (0-1).

    Higher for urban, younger and banked (better-off) men.
    """
    score = -0.6 + 1.2 * urban - 0.04 * (age - 35.0) + 0.8 * np.log(np.maximum(income_over_subsistence, 0.05)) + noise
    return 1.0 / (1.0 + np.exp(-score))
