"""The front's rhythm as a forcing: the monthly loss index of ``personnel_losses_monthly.csv``, read once.

The rule that turns it into the week's intensity is agents/rules/front.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache

from draftsim.agents.rules import front
from draftsim.model.timeline import packaged

FILE = "personnel_losses_monthly.csv"


@cache
def loss_index() -> tuple[tuple[tuple[int, int], float], ...]:
    """``((year, month), intensity_index)`` for every month of the series, in calendar order."""
    with packaged(FILE).open(encoding="utf-8") as fh:
        rows = [((int(r["month"][:4]), int(r["month"][5:7])), float(r["intensity_index"])) for r in csv.DictReader(fh)]
    return tuple(sorted(rows))


@cache
def _reference(exponent: float) -> float:
    return front.reference_mean(loss_index(), exponent)


def week_intensity(p, week_start: dt.date) -> float:
    """The front's intensity in the week that begins on ``week_start`` (1 when the forcing is off).

    The week's month is that of its middle day: a week across two months takes the one it spends more days in."""
    if not p.front_intensity_forcing:
        return 1.0
    mid = week_start + dt.timedelta(days=3)
    return front.intensity(front.loss_index(loss_index(), mid.year, mid.month), p.intensity_exponent,
                           _reference(p.intensity_exponent))
