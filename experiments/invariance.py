"""Scale invariance (issue 10): the outcomes that must not depend on ``scale``, and how two scales are compared.

The one definition that both the scale-invariance test and ``benchmarks/bench_scale.py`` read.  A run at
1:100 or 1:1000 stands in for the run at 1:1 only if these figures agree with the 1:1 figures, seed noise
allowed for.

The national outcomes (:data:`OUTCOMES`; figures in real men or RUB, as the tables report them).  The
national table has one row per week; ``date`` is the week's first day, so a row covers ``date`` to
``date + 6``.  A week belongs to a period when its first day does.

- ``contracts_per_month_2023_2025``: mean weekly ``new_contracts`` over the weeks starting 2023-01-01 to
  2025-12-31 (or to the end of a shorter run), times 365.25 / 12 / 7 weeks per month.
- ``killed_by_2024_06_30``: ``killed_total`` at the end of the week that contains 30 June 2024.
- ``mobilised_2022``: the sum of weekly ``new_mobilised`` over the weeks starting in calendar 2022.
- ``emigrants_mobilisation_week``: ``new_emigrants`` of the week that contains 21 September 2022 (the partial
  mobilisation decree), i.e. the latest week starting on or before that day: 15-21 September with the
  baseline's Thursday weeks.  The model applies an event in the week that contains its date, so this is the
  week of the flight that followed the announcement; it is the window of ``experiments/targets.py``'s
  "men emigrating in the first week after 21 Sep 2022".
- ``mean_regional_bonus_rub_2024_03`` and ``mean_regional_bonus_rub_2025_04``: ``mean_regional_bonus_rub``
  (the regional part of the sign-on bonus, unweighted mean over the 85 regions, multipliers applied) averaged
  over the weeks starting in March 2024 / April 2025.  If a national table lacks that column it is taken
  from the regional table (``regional_bonus_rub``, unweighted mean over the regions each week).

An outcome is left out when the run ends before the last day it needs (30 June 2024, 31 December 2022,
21 September 2022, the month's last day); the contract rate needs one week starting in 2023.  So a short
run yields a subset, and :func:`compare` compares what every run has.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from draftsim.model.units import WEEKS_PER_MONTH

DAYS_PER_ROW = 7                        # one row of the tables is one week
DEFAULT_REL_TOL = 0.03                  # head counts: 3% of the 1:1 figure
BONUS_REL_TOL = 0.05                    # bonuses follow governors' steps, coarser than head counts
RANK_CORRELATION_TARGET = 0.95          # Spearman's rho of regional deaths per 10k men, 1:100 vs 1:1
SE_MULTIPLE = 2.0                       # a difference within 2 standard errors is seed noise


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    meaning: str
    value: Callable[[pd.DataFrame, np.ndarray], float | None]   # (national table, week start days) -> figure or None


def _day(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "D")


def week_starts(frame: pd.DataFrame) -> np.ndarray:
    """The first day of each row's week, as ``datetime64[D]`` (the tables store pyarrow dates)."""
    return pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]")


def last_day(starts: np.ndarray) -> np.datetime64 | None:
    """The run's last simulated day: the last week's sixth day after its first."""
    return starts[-1] + np.timedelta64(DAYS_PER_ROW - 1, "D") if len(starts) else None


def _reaches(starts: np.ndarray, day: dt.date) -> bool:
    end = last_day(starts)
    return end is not None and end >= _day(day)


def _week_containing(starts: np.ndarray, day: dt.date) -> int | None:
    """Row index of the week that contains ``day`` (None if the run does not reach it)."""
    if not _reaches(starts, day):
        return None
    i = int(np.searchsorted(starts, _day(day), side="right")) - 1
    return i if i >= 0 and starts[i] + np.timedelta64(DAYS_PER_ROW - 1, "D") >= _day(day) else None


def _starting_in(starts: np.ndarray, first: dt.date, last: dt.date) -> np.ndarray:
    return (starts >= _day(first)) & (starts <= _day(last))


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def _contracts_per_month(frame, starts, first=dt.date(2023, 1, 1), last=dt.date(2025, 12, 31)):
    weeks = _starting_in(starts, first, last)
    if not weeks.any():
        return None
    return float(frame["new_contracts"].to_numpy(dtype=np.float64)[weeks].mean() * WEEKS_PER_MONTH)


def _week_value(column: str, day: dt.date):
    """The column in the week containing ``day``: a level at the week's end, or a flow's weekly total."""
    def value(frame, starts):
        i = _week_containing(starts, day)
        return None if i is None else float(frame[column].iloc[i])
    return value


def _flow_sum(column: str, first: dt.date, last: dt.date):
    def value(frame, starts):
        if not _reaches(starts, last):
            return None
        return float(frame[column].to_numpy(dtype=np.float64)[_starting_in(starts, first, last)].sum())
    return value


def _month_mean(column: str, year: int, month: int):
    first, last = dt.date(year, month, 1), _month_end(year, month)

    def value(frame, starts):
        weeks = _starting_in(starts, first, last)
        if not _reaches(starts, last) or not weeks.any():
            return None
        return float(frame[column].to_numpy(dtype=np.float64)[weeks].mean())
    return value


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("contracts_per_month_2023_2025", "men per month",
            "contracts per month, weeks starting 2023-01-01 to 2025-12-31 (or the run's end)", _contracts_per_month),
    Outcome("killed_by_2024_06_30", "men", "killed (cumulative) at the end of the week containing 2024-06-30",
            _week_value("killed_total", dt.date(2024, 6, 30))),
    Outcome("mobilised_2022", "men", "mobilised, weeks starting in 2022",
            _flow_sum("new_mobilised", dt.date(2022, 1, 1), dt.date(2022, 12, 31))),
    Outcome("emigrants_mobilisation_week", "men", "emigrants in the week containing 2022-09-21 (mobilisation decree)",
            _week_value("new_emigrants", dt.date(2022, 9, 21))),
    Outcome("mean_regional_bonus_rub_2024_03", "RUB", "regional bonus, unweighted mean of 85 regions, March 2024",
            _month_mean("mean_regional_bonus_rub", 2024, 3)),
    Outcome("mean_regional_bonus_rub_2025_04", "RUB", "regional bonus, unweighted mean of 85 regions, April 2025",
            _month_mean("mean_regional_bonus_rub", 2025, 4)),
)
BY_NAME = {o.name: o for o in OUTCOMES}
REL_TOL: Mapping[str, float] = MappingProxyType(
    {o.name: BONUS_REL_TOL if o.unit == "RUB" else DEFAULT_REL_TOL for o in OUTCOMES})


# --- a run's figures ---------------------------------------------------------------------------------
def outcomes_of(national: pd.DataFrame) -> dict[str, float]:
    """The outcomes a national table covers, by name (those dated beyond its last week left out)."""
    starts = week_starts(national)
    found = {o.name: o.value(national, starts) for o in OUTCOMES}
    return {name: v for name, v in found.items() if v is not None}


def national_outcomes(model) -> dict[str, float]:
    """The national outcomes of a run (:data:`OUTCOMES`), in real men and RUB."""
    national = model.national_frame()
    if "mean_regional_bonus_rub" not in national.columns:
        national = national.assign(mean_regional_bonus_rub=_mean_regional_bonus(model.regions_frame(), national))
    return outcomes_of(national)


def _mean_regional_bonus(regions: pd.DataFrame, national: pd.DataFrame) -> np.ndarray:
    by_week = pd.Series(regions["regional_bonus_rub"].to_numpy(dtype=np.float64), index=week_starts(regions))
    means = by_week.groupby(level=0).mean()
    return means.reindex(week_starts(national)).to_numpy()


def deaths_per_10k(regions: pd.DataFrame, men_census: Mapping[str, float], until: dt.date | None = None) -> pd.Series:
    """Cumulative killed per 10,000 census men by region (ISO code), at the end of the week containing ``until``.

    ``until=None`` takes the run's last week; a day beyond the run's end raises ValueError."""
    starts = week_starts(regions)
    weeks = np.unique(starts)
    if until is None:
        week = weeks[-1] if len(weeks) else None
    else:
        i = _week_containing(weeks, until)
        week = None if i is None else weeks[i]
    if week is None:
        raise ValueError(f"until: got {until}; the run ends {last_day(weeks)}")
    killed = pd.Series(regions["killed_total"].to_numpy(dtype=np.float64)[starts == week],
                       index=regions["region"].to_numpy()[starts == week])
    census = pd.Series(men_census, dtype=np.float64).reindex(killed.index)
    if census.isna().any():
        raise ValueError(f"men_census: no census figure for {sorted(census.index[census.isna()])}")
    out = killed / census * 1e4
    out.index.name = "region"
    return out.rename("killed_per_10k_men")


def median_regional_bonus(regions: pd.DataFrame, year: int, month: int) -> float | None:
    """The median over the regions of the regional bonus, averaged over the weeks starting in that month.

    Unlike the mean, the median is not carried by the few small, rich regions (Chukotka, Nenets) that a
    coarse scale represents by a dozen rows: it measures the governors' rule in the typical region.
    """
    starts = week_starts(regions)
    weeks = _starting_in(starts, dt.date(year, month, 1), _month_end(year, month))
    if not weeks.any() or not _reaches(np.unique(starts), _month_end(year, month)):
        return None
    return float(regions.loc[weeks].groupby("region")["regional_bonus_rub"].mean().median())


def regional_deaths_per_10k(model, until: dt.date | None = None) -> pd.Series:
    """Cumulative killed per 10,000 census men (``Region.men_census``) by region ISO code (see :func:`deaths_per_10k`)."""
    return deaths_per_10k(model.regions_frame(), {r.iso: r.men_census for r in model.regions}, until)


# --- comparing two scales ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeComparison:
    """One outcome at two scales: means over seeds, their difference and whether it is within tolerance."""
    outcome: str
    reference_mean: float
    other_mean: float
    difference: float             # other - reference
    relative_difference: float    # difference / |reference_mean| (nan if the reference is 0)
    se_difference: float          # sqrt(se_ref^2 + se_other^2) from the seeds' spread; nan under 2 seeds a side
    rel_tol: float
    passed: bool                  # |difference| <= rel_tol |reference_mean|, or <= 2 se_difference
    n_reference: int
    n_other: int


def mean_and_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error of the mean (sample sd / sqrt n; nan for fewer than 2 values)."""
    x = np.asarray(values, dtype=np.float64)
    if not len(x):
        return math.nan, math.nan
    se = float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else math.nan
    return float(x.mean()), se


def seed_summary(runs: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Per outcome present in every run: ``{"mean", "se", "n"}`` over the runs (seeds)."""
    out = {}
    for name in _common(runs):
        mean, se = mean_and_se([r[name] for r in runs])
        out[name] = {"mean": mean, "se": se, "n": len(runs)}
    return out


def _common(*sides: Sequence[Mapping[str, float]]) -> list[str]:
    runs = [r for side in sides for r in side]
    shared = set.intersection(*(set(r) for r in runs)) if runs else set()
    return [o.name for o in OUTCOMES if o.name in shared] + sorted(shared - BY_NAME.keys())


def compare(reference: Sequence[Mapping[str, float]], other: Sequence[Mapping[str, float]],
            rel_tol: Mapping[str, float] = REL_TOL) -> list[OutcomeComparison]:
    """Compare per-seed outcomes at another scale with the reference scale's (each a list over seeds).

    Every outcome present in all runs of both sides is compared; one missing from ``rel_tol`` takes
    :data:`DEFAULT_REL_TOL`."""
    if not reference or not other:
        raise ValueError(f"compare: got {len(reference)} reference and {len(other)} other runs; allowed: at least one each")
    rows = []
    for name in _common(reference, other):
        ref_mean, ref_se = mean_and_se([r[name] for r in reference])
        oth_mean, oth_se = mean_and_se([r[name] for r in other])
        diff = oth_mean - ref_mean
        se = math.hypot(ref_se, oth_se)
        tol = rel_tol.get(name, DEFAULT_REL_TOL)
        within_tol = abs(diff) <= tol * abs(ref_mean)
        within_noise = not math.isnan(se) and abs(diff) <= SE_MULTIPLE * se
        rows.append(OutcomeComparison(
            outcome=name, reference_mean=ref_mean, other_mean=oth_mean, difference=diff,
            relative_difference=diff / abs(ref_mean) if ref_mean else math.nan, se_difference=se, rel_tol=tol,
            passed=bool(within_tol or within_noise), n_reference=len(reference), n_other=len(other)))
    return rows


def seed_mean(per_seed: Sequence[pd.Series]) -> pd.Series:
    """Region by region mean over seeds of per-region figures (aligned on the index)."""
    return pd.concat(list(per_seed), axis=1).mean(axis=1)


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation of two per-region series over the regions both have (ties: average ranks)."""
    common = a.index.intersection(b.index)
    if len(common) < 2:
        return math.nan
    return float(a[common].rank().corr(b[common].rank()))
