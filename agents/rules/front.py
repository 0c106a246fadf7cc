"""Who is killed, wounded or leaves the front in a week.

The front's rhythm.  A soldier's weekly hazard of being killed is ``kill_hazard_per_week`` (scaled by the
`casualty_intensity` lever) times the week's intensity, and the wounded come at a fixed ratio to the killed.
The intensity follows the monthly shape of the Ukrainian General Staff's claimed Russian losses
(``personnel_losses_monthly.csv``, column ``intensity_index``): we use its shape, never its level, which is a
claim about 6.6 times the named deaths, while its monthly shape tracks the named deaths (r = 0.95).

Why the per-soldier hazard, and not the total: the series counts losses of the whole force, and the
per-soldier rate it implies is losses / force.  Dividing by the model's own deployed force would make the
model's deaths a copy of the series: recruitment would no longer change how many die (a what-if with
twice the recruits would lose the same men), and the force size is what the model is for.  So the series
sets the *shape* of the per-soldier hazard, ``intensity = index(month) ** intensity_exponent`` normalised
to a mean of 1 over the months of the reference period (Feb 2022 - Dec 2025, the historical baseline,
each month weighted equally): ``kill_hazard_per_week`` stays the mean weekly hazard of that period.
Exponent 1 makes the per-soldier hazard proportional to the claimed losses, so the model's deaths (that
hazard times a force that grows) rise somewhat faster than the claim; 0 makes it constant; above 1 sharpens
the swings.  Calibration may set it (prior 0-3).
How much of the force's growth the hazard divides out is ``force_dilution`` (``crowding``): the hazard
times ``(front_reference_force / deployed men) ** force_dilution``.  At 0 (the default) the series is the
per-soldier hazard's shape and the model's deaths grow with its force; at 1 the series is the shape of the
total, shared by the men at the front, and recruitment no longer changes how many die, which is why it is
not the default: the truth is in between (more men at the front allow more assaults), for calibration.
Beyond the series' last month the mean of its last ``HOLD_MONTHS`` months holds; before its first month,
its first.

Hazards by channel.  Prisoner assault units face ``prisoner_hazard_multiplier`` times the front's hazards
and foreign troops ``foreign_hazard_multiplier``.  A recruit in his first ``new_recruit_weeks`` at the front
faces ``new_recruit_hazard_multiplier`` times them too (short training, no experience; the regulars of
the invasion force count as seasoned): the multipliers compound.

Exits other than death and wounds.  Contracts were frozen "until the end of the partial mobilisation"
(decree of 21 Sep 2022), so nobody is discharged at the end of a term: the front loses men alive only
through wounds that invalid them out (``wounded_return_share``, the soldier's own step in agents/man.py),
pardons of prisoners after their service (agents/man.py) and desertion, a small weekly hazard
(``desertion_per_week``) for a soldier neither killed nor wounded that week.
"""

from __future__ import annotations

from collections.abc import Sequence

HOLD_MONTHS = 6                                  # beyond the series: the mean of its last six months
REFERENCE_PERIOD = ((2022, 2), (2025, 12))       # months over which the intensity's mean is 1


def loss_index(series: Sequence[tuple[tuple[int, int], float]], year: int, month: int) -> float:
    """The loss index of a month from ``series`` (``((year, month), index)`` in calendar order): the month's
    own value, the mean of the last ``HOLD_MONTHS`` months after the series ends, its first before it."""
    key = (year, month)
    if key < series[0][0]:
        return series[0][1]
    if key > series[-1][0]:
        tail = series[-HOLD_MONTHS:]
        return sum(v for _, v in tail) / len(tail)
    for k, v in series:
        if k == key:
            return v
    raise ValueError(f"loss index: no value for {year}-{month:02d} inside the series")


def reference_mean(series: Sequence[tuple[tuple[int, int], float]], exponent: float) -> float:
    """Mean of ``index ** exponent`` over the months of ``REFERENCE_PERIOD``: what normalises the intensity."""
    (y0, m0), (y1, m1) = REFERENCE_PERIOD
    values = [loss_index(series, y, m) ** exponent
              for y in range(y0, y1 + 1) for m in range(1, 13) if (y0, m0) <= (y, m) <= (y1, m1)]
    return sum(values) / len(values)


def intensity(index: float, exponent: float, reference: float) -> float:
    """The week's intensity: a month's loss index relative to the reference period, sharpened by ``exponent``."""
    return index ** exponent / reference


def crowding(deployed_men: float, reference_men: float, exponent: float) -> float:
    """How the per-soldier hazard scales with the size of the force at the front: ``(reference / deployed) **
    exponent``; 0 leaves it alone, 1 shares a loss total set by the front's tempo among whoever is there."""
    if exponent == 0.0:
        return 1.0
    return (reference_men / max(deployed_men, 1.0)) ** exponent


def casualty_hazards(p, multiplier: float = 1.0, intensity: float = 1.0) -> tuple[float, float]:
    """Weekly probability of being killed, and of being wounded if not killed, for a unit that faces
    ``multiplier`` times the front's hazard in a week of ``intensity``."""
    h_kill = min(p.kill_hazard_per_week * p.casualty_intensity * intensity, 1.0)
    h_wound = min(h_kill * p.wounded_to_killed, 1.0)
    return min(h_kill * multiplier, 1.0), min(h_wound * multiplier, 1.0)


def is_new_at_front(p, weeks_at_front):
    """Whether a recruit this many weeks after his first deployment (a number or an array) still faces the
    newcomer's hazard."""
    return weeks_at_front < p.new_recruit_weeks


def exit_probabilities(h_kill: float, h_wound: float, h_desert: float) -> tuple[float, float, float]:
    """This week's probabilities of being killed, wounded (if not killed) and deserting (if neither),
    as shares of all soldiers: the three competing exits of one soldier."""
    wounded = (1.0 - h_kill) * h_wound
    return h_kill, wounded, (1.0 - h_kill - wounded) * h_desert
