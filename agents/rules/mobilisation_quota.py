"""How the centre shares a mobilisation out among the regions.

The autumn-2022 mobilisation was not shared by population: Krasnoyarsk sent ~5.5% of its reserve,
Buryatia 3.7%, Sevastopol 4.0%, against a national mean near 1.2%, and Moscow far less (the
regional evidence in ``model/data/mobilisation_evidence.csv``).  Across the regions with a figure the
ratio to the national mean grows with the distance from Moscow (elasticity ~0.9 on 1 + km/1000,
R^2 0.62 over ten regions), and no other covariate of ``regions.csv`` adds much.  Two readings
fit that: quotas were set by the military districts, the eastern ones refilling their own units
from their own reserve; and the Kremlin kept the mobilisation away from the capitals, where unrest
mattered most.  Both put the burden on the far regions, so the rule is a remoteness weight with one
global elasticity:

    share of region r  =  men_r * (1 + dist_moscow_km_r / 1000) ** elasticity  /  (the same, summed)

An elasticity of 0 shares by population (the earlier model).  Conscription is not shared this way:
it is a call-up of each year's cohort, and its totals follow the cohorts.
"""

from __future__ import annotations

import numpy as np

REMOTENESS_REFERENCE_KM = 1000.0


def remoteness_weight(dist_moscow_km, elasticity):
    """How much heavier than a region next to Moscow a region's quota is per man."""
    return np.power(1.0 + np.asarray(dist_moscow_km, dtype=float) / REMOTENESS_REFERENCE_KM, elasticity)


def regional_shares(men, dist_moscow_km, elasticity):
    """Each region's share of a mobilisation's national target (sums to 1)."""
    w = np.asarray(men, dtype=float) * remoteness_weight(dist_moscow_km, elasticity)
    return w / w.sum()
