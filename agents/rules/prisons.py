"""Where the prisoners are, and how many take the pardon-for-service offer.

The colonies are not where the people are.  They were built where the Gulag put them, in the timber and
mining peripheries of the north and east; Krasnoyarsk, Perm, Komi and Sverdlovsk hold 30-50 institutions
each against ~9 for the average region; Moscow's millions have one settlement colony, its convicts serve
in other regions (prisons_by_region.csv).  No table gives the colony population of all 85 regions, so it
is built from what is known: regions with a counted colony population keep it as a fixed share of the
national one, and the rest is shared out by men, raised by one factor for the northern and eastern
federal districts and one for the four institution-rich regions.  A forcing, never fitted to deaths.

Recruiters reach every colony alike, so each prisoner takes the offer with the same weekly probability.
"""

from __future__ import annotations

import numpy as np

# the penal peripheries: the federal districts of the north and east (the Gulag's and the colonies' regions)
NORTH_EAST_DISTRICTS = frozenset({"Northwestern", "Ural", "Siberian", "Far Eastern"})


def colony_shares(men, north_east, institution_rich, known_share, north_east_factor: float,
                  institution_rich_factor: float) -> np.ndarray:
    """Each region's share of the national colony population (sums to 1).

    ``known_share``: a counted region's colony population over the national one, NaN where none is counted;
    the other regions share the remainder in proportion to men × the factors that apply to them.
    """
    men = np.asarray(men, dtype=float)
    known_share = np.asarray(known_share, dtype=float)
    known = ~np.isnan(known_share)
    rate = np.where(north_east, north_east_factor, 1.0) * np.where(institution_rich, institution_rich_factor, 1.0)
    weight = np.where(known, 0.0, men * rate)
    remainder = 1.0 - known_share[known].sum()
    if remainder < 0 or weight.sum() <= 0:
        raise ValueError("the counted colonies hold more than the country's prisoners")
    return np.where(known, np.nan_to_num(known_share), remainder * weight / weight.sum())


def weekly_acceptance(acceptance_per_week: float, recruitment: str) -> float:
    """The weekly probability that a prisoner takes the offer; none while no one recruits in the colonies."""
    return 0.0 if recruitment == "off" else acceptance_per_week
