"""Observation models: how a model figure is made comparable with what a source counted.

A source rarely counts what the model counts.  Each target names one of these models (the
``observation`` column of the targets tables); each says how the observed figure relates to the model's:

    observed ≈ factor × model figure taken ``lag_days`` before the observed date,

with the factor's own uncertainty (its relative sd, ``cv``) added to the observation's error, so that a
calibration neither trusts an uncertain factor nor has to fit it:

- ``direct``: the source counts what the model counts;
- ``named_list``: deaths identified by name (Mediazona / BBC Russian service) are a partial, lagged count
  of true deaths: the list holds about ``named_list_coverage`` (0.55, 0.45-0.65) of them, and a death
  enters it months after it happened.  The lag is measured from the package data, not assumed: the named
  total at each snapshot is matched with the date by which that many deaths had happened according to
  the deaths by month of death (:func:`named_list_lag_days`);
- ``all_people``: emigration estimates count people of all ages and both sexes; the model's emigrants are
  men of draft age, about ``emigrant_men_share`` (0.5, 0.35-0.65: a stated assumption) of them, so the
  model's figure is divided by that share.

The factors' values and sources are in ``model/data/observation_models.csv`` (read as a band of ±2 sd).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

TABLE = "observation_models.csv"
# the deaths-by-month file is a snapshot of 12 Feb 2026 (model/data/SOURCES.md); a month's count is
# still growing for months after it, so only named totals at least a year older measure the lag
BY_MONTH_SNAPSHOT = dt.date(2026, 2, 12)
LAG_HINDSIGHT_DAYS = 365


@dataclass(frozen=True)
class Observation:
    name: str
    factor: float         # observed ≈ factor × model figure
    cv: float             # the factor's relative sd: a relative error added to the observation's
    lag_days: int         # the model's figure is taken this many days before the observed date
    doc: str


@cache
def factors() -> dict[str, tuple[float, float]]:
    """{name: (value, sd)} of ``observation_models.csv`` (sd: the band read as ±2 sd)."""
    with resources.files("draftsim.model").joinpath("data", TABLE).open(encoding="utf-8") as fh:
        return {r["name"]: (float(r["value"]), (float(r["high"]) - float(r["low"])) / 4.0) for r in csv.DictReader(fh)}


@cache
def named_list_lag_days() -> int:
    """The median delay, in days, between a death and its entry in the named list.

    For every snapshot of the named total (``named_deaths_cumulative.csv``) a year or more before the
    deaths-by-month snapshot: the date by which the deaths by month of death (``named_deaths_by_month.csv``,
    scaled up to the list's total, since some named deaths have no known date) had reached that total;
    the lag is the snapshot's date minus that date."""
    import pandas as pd

    data = resources.files("draftsim.model").joinpath("data")
    months = pd.read_csv(data.joinpath("named_deaths_by_month.csv").open(encoding="utf-8"))
    totals = pd.read_csv(data.joinpath("named_deaths_cumulative.csv").open(encoding="utf-8"))
    month_end = (pd.to_datetime(months["month"]) + pd.offsets.MonthEnd(0)).to_numpy().astype("datetime64[D]").astype(float)
    known = months["named_deaths_with_known_date"].cumsum().to_numpy(dtype=float)
    latest = totals.sort_values("snapshot_date").iloc[-1]
    by_month = known * float(latest["confirmed_named_total"]) / known[-1]
    snap = pd.to_datetime(totals["snapshot_date"]).to_numpy().astype("datetime64[D]").astype(float)
    usable = snap <= np.datetime64(BY_MONTH_SNAPSHOT - dt.timedelta(days=LAG_HINDSIGHT_DAYS), "D").astype(float)
    died_by = np.interp(totals["confirmed_named_total"].to_numpy(dtype=float)[usable], by_month, month_end)
    return int(round(float(np.median(snap[usable] - died_by))))


def observation(name: str) -> Observation:
    if name == "direct":
        return Observation("direct", 1.0, 0.0, 0, "the source counts what the model counts")
    if name == "named_list":
        value, sd = factors()["named_list_coverage"]
        return Observation(name, value, sd / value, named_list_lag_days(),
                           f"named deaths: {value:g} of true deaths, entered {named_list_lag_days()} days after the death")
    if name == "all_people":
        value, sd = factors()["emigrant_men_share"]
        return Observation(name, 1.0 / value, sd / value, 0, f"people of all ages and sexes: the model's men / {value:g}")
    raise ValueError(f"observation: got {name!r}; allowed: {', '.join(OBSERVATIONS)}")


OBSERVATIONS = ("direct", "named_list", "all_people")
