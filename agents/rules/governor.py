"""How a governor sets the regional sign-on bonus.

Every month he compares the contract recruits his region is on course for with its quota: a damped
controller that can lower the bonus as well as raise it.  A shortfall raises the bonus in proportion
to the shortfall (at least by a floor amount, since small raises make no headlines); a surplus lowers
it, more slowly (a tenth of the surplus a month at the default ``governor_lower_share``: budgets are
cut with reluctance), so that a passing surplus or a dip does not ratchet the bonus up for good.
The region's budget caps it at some years of the region's mean income.  Under budget pressure (from
mid-2025) a governor whose quota is met cuts the bonus once, deeply: the observed cuts were one-off
decisions (Kluge: 50-90% in several regions), not a monthly slide.
"""

from __future__ import annotations


def next_regional_bonus(bonus_rub, fulfilment, budget_pressure, cap_rub, raise_share, raise_floor_rub, cut_share,
                        already_cut=False, lower_share=0.0):
    """The bonus for next month given the quota fulfilment (recruits on course / quota)."""
    if fulfilment < 1.0:
        shortfall = 1.0 - max(fulfilment, 0.0)
        bonus_rub = bonus_rub + max(raise_share * shortfall * bonus_rub, raise_floor_rub * shortfall)
    elif budget_pressure and not already_cut:
        bonus_rub = bonus_rub * (1.0 - cut_share)
    else:
        surplus = min(fulfilment - 1.0, 1.0)
        bonus_rub = bonus_rub * (1.0 - lower_share * surplus)
    return min(bonus_rub, cap_rub)
