"""How many real men an agent stands for, region by region.

``scale`` is the coarsest representation a run asks for: one agent for ``scale`` men.  A region too
small to be drawn with at least ``MIN_ROWS_PER_REGION`` rows at that scale is drawn finer, with a
whole number of men per agent chosen so that it gets at least that many (and every man his own row
below ``MIN_ROWS_PER_REGION`` men).

Why: a region's feedbacks (its governor's expected recruits, its men's fear of its deaths) are sums
over its rows.  At 1:1000 Chukotka (16,000 men) would be 16 rows, its expected contract flow would
fall in lumps of a thousand men whenever one eager row signed, and its governor would chase the
lumps towards the budget cap; the unweighted mean of the 85 regional bonuses was 25% above the 1:1
value for that reason alone.  Drawing small regions finer is stratified sampling with a weight per
stratum: every count the model reports is agents times their region's weight, so the national
totals stay unbiased.  The price is a few thousand rows more at 1:1000 (none at 1:100 and finer for
all but the smallest regions).
"""

from __future__ import annotations

import numpy as np

MIN_ROWS_PER_REGION = 2000


def men_per_agent(men_census, scale: float, min_rows: int | None = None) -> np.ndarray:
    """Whole men per agent for each region: ``scale``, or finer where a region would have fewer than ``min_rows`` rows."""
    min_rows = MIN_ROWS_PER_REGION if min_rows is None else min_rows
    men = np.asarray(men_census, dtype=float)
    finest_needed = np.floor(men / min_rows) if min_rows > 0 else np.full_like(men, scale)
    return np.clip(finest_needed, 1.0, float(scale))
