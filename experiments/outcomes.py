"""Outcomes: the named numbers a sweep keeps from each run.

An outcome applies a metric to the model's national weekly frame (or, for the regional share,
to the last week of its regional frame).  Each national row is one week and its ``date`` is the
week's first day; a window [start, end] holds the weeks that start inside it.

Metrics (``column`` is a national column; a flow is a weekly ``new_*`` column or a weekly RUB sum):

- ``mean_monthly``: mean weekly value of a flow over the window, per month (a month is
  365.25/12 days, as in ``draftsim run``'s summary and the calibration targets);
- ``mean_daily``: the same per day (a week is 7 days);
- ``total``: sum of a flow over the window;
- ``final``: value of a stock or level in the last week of the run (or the last week starting on
  or before ``end``);
- ``mean`` / ``max``: mean or peak weekly value of any numeric column over the window;
- ``bonus_spending_rub``: sign-on bonuses paid (``bonus_paid_rub``) over the window, RUB;
- ``poorest_quarter_share``: share of all recruits (cumulative ``recruits_total`` at the end of the
  run) who come from the quarter of regions with the highest share of people below subsistence;
- ``spearman`` (regional): the rank correlation over the 85 regions between a regional stock or level
  per 10,000 men (2021 census) in the last week starting on or before ``end`` and an observed regional
  column of the package data, ``against = "TABLE:COLUMN"`` (e.g.
  ``regional_deaths_2023_04:deaths_per_10k_men_2023_04``);
- ``dispersion`` (regional): the coefficient of variation (sd / mean, unweighted) over the regions of
  the same per-10k rate.  Both are free of any factor common to all regions (the named list's
  coverage, the men each agent stands for);
- ``log_sd`` (regional): the standard deviation (ddof 1) over the regions of the natural log of the same
  rate.  A region with no deaths has no log: its rate is taken as half the smallest positive rate of the
  regions, so it stays at the bottom without an infinite weight (the observed table has no zeros; a
  coarse run's smallest regions may);
- ``rank_of`` (regional): the place, 1..85 from the highest rate down, of the region ``against`` (an iso code,
  e.g. ``TY``); tied regions share the mean of their places;
- ``killed_share``: a channel's share of the dead on or before ``end``: ``column`` (one of
  :data:`KILLED_CHANNELS`) over their sum; shares of several channels add up (``a+b`` in a target);
- ``diff_correlation``: the Pearson correlation of the month-on-month changes of a flow, by calendar month,
  with a monthly series of the package data, ``against = "TABLE:COLUMN"`` (a table with a ``month`` column,
  e.g. ``named_deaths_by_month:named_deaths_with_known_date``), over the whole months inside [start, end];
- ``period_ratio``: the mean monthly value of a flow over the whole months in [start, split) divided by the
  same over [split, end], the split date given as ``against`` (``YYYY-MM-DD``).

A flow by calendar month (:func:`monthly_flow`) spreads each week's value evenly over its seven days, so that a
month of five week-starts is not a quarter higher than one of four; a month counts only when the run's weeks
cover every day of it.  The monthly metrics are free of a factor common to all months (the named list's
coverage).

A window outside the weeks that ran gives NaN (validation keeps it from happening).
``compute_outcomes`` only slices arrays: it is cheap enough to run after every run.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from draftsim.model import columns as schema
from draftsim.model.units import DAYS_PER_WEEK, WEEKS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd

# the national columns an outcome may name, as model/columns.py declares them
FLOW_COLUMNS = schema.FLOWS
LEVEL_COLUMNS = schema.LEVELS
SWITCH_COLUMNS = schema.SWITCHES
NATIONAL_COLUMNS = schema.NATIONAL_NAMES
NUMERIC_COLUMNS = (*FLOW_COLUMNS, *LEVEL_COLUMNS)


@dataclass(frozen=True)
class Metric:
    column: str | None      # which columns it takes: "flow", "level", "numeric", "regional", "killed_channel" or None
    start: bool             # accepts a window start
    end: bool               # accepts a window end
    doc: str
    against: str | None = None      # what ``against`` names: "regional_column", "monthly_column", "region", "date" or None


METRICS: dict[str, Metric] = {
    "mean_monthly": Metric("flow", True, True, "mean per month of a weekly flow over [start, end]"),
    "total": Metric("flow", True, True, "sum of a weekly flow over [start, end]"),
    "mean_daily": Metric("flow", True, True, "mean per day of a weekly flow over [start, end]"),
    "final": Metric("level", False, True, "last value of a stock or level (on or before end)"),
    "mean": Metric("numeric", True, True, "mean weekly value of a column over [start, end]"),
    "max": Metric("numeric", True, True, "peak weekly value of a column over [start, end]"),
    "bonus_spending_rub": Metric(None, True, True, "sign-on bonuses paid over [start, end], RUB"),
    "poorest_quarter_share": Metric(None, False, False, "share of recruits from the poorest quarter of regions"),
    "spearman": Metric("regional", False, True, "rank correlation over regions of a regional stock per 10k men "
                       "(on or before end) with an observed column, against = TABLE:COLUMN", "regional_column"),
    "dispersion": Metric("regional", False, True, "coefficient of variation over regions of a regional stock per 10k men"),
    "log_sd": Metric("regional", False, True, "sd over regions of the log of a regional stock per 10k men "
                     "(a zero at half the smallest positive rate)"),
    "rank_of": Metric("regional", False, True, "place 1..85 (1: highest) of the region against = ISO by a regional "
                      "stock per 10k men", "region"),
    "killed_share": Metric("killed_channel", False, True, "a channel's share of the dead (killed_total_<channel> over "
                           "their sum) on or before end"),
    "diff_correlation": Metric("flow", True, True, "correlation of the month-on-month changes of a flow with a monthly "
                               "series, against = TABLE:COLUMN", "monthly_column"),
    "period_ratio": Metric("flow", True, True, "mean per calendar month of a flow over [start, against) / over "
                           "[against, end], against = the split date", "date"),
}
REGIONAL_METRICS = ("spearman", "dispersion", "log_sd", "rank_of")
MONTHLY_METRICS = ("diff_correlation", "period_ratio")
# the dead by the channel that brought them in, as the model reports them (model/columns.py: killed_total_<channel>)
KILLED_CHANNELS = ("killed_total_regulars", "killed_total_contracts", "killed_total_conscripts", "killed_total_mobilised",
                   "killed_total_prisoner_recruits")
# a regional rate is a count per men of the census: the stocks and cumulative levels of the regional table
REGIONAL_COUNT_COLUMNS = tuple(c.name for c in schema.REGIONAL if c.kind in ("stock", "level") and c.unit == "men"
                               and c.name != "men")
COLUMNS_FOR = {"flow": FLOW_COLUMNS, "level": LEVEL_COLUMNS, "numeric": NUMERIC_COLUMNS, "regional": REGIONAL_COUNT_COLUMNS,
               "killed_channel": KILLED_CHANNELS}
PER_MEN = 10_000


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    metric: str
    column: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    against: str | None = None      # what the metric is measured against (Metric.against): TABLE:COLUMN, a region, a date


HISTORICAL_START, HISTORICAL_END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
DEFAULT_OUTCOMES = (
    OutcomeSpec("contracts_per_month_2023_2025", "mean_monthly", "new_contracts", HISTORICAL_START, HISTORICAL_END),
    OutcomeSpec("emigrants", "total", "new_emigrants"),
    OutcomeSpec("killed", "final", "killed_total"),
    OutcomeSpec("bonus_spending_rub", "bonus_spending_rub"),
    OutcomeSpec("poorest_quarter_share", "poorest_quarter_share"),
)
DEFAULT_KEEP = ("new_contracts", "new_emigrants", "deployed", "killed_total")


def default_outcomes(last_day: dt.date) -> tuple[OutcomeSpec, ...]:
    """The default outcomes for a run ending on ``last_day``: a run over before 2023 measures
    contracts per month over the whole run instead of 2023-2025, where it has no weeks."""
    if last_day >= HISTORICAL_START:
        return DEFAULT_OUTCOMES
    return (OutcomeSpec("contracts_per_month", "mean_monthly", "new_contracts"), *DEFAULT_OUTCOMES[1:])


# --- computing ---------------------------------------------------------------------------------------
def compute_outcomes(specs, national: pd.DataFrame, regions_last: pd.DataFrame, region_attrs: pd.DataFrame,
                     region_history: list[dict] | None = None) -> dict[str, float]:
    """{outcome name: value} for one run.

    ``national``: ``DraftModel.national_frame()``; ``regions_last``: the last week's rows of
    ``regions_frame()`` indexed by region iso (:func:`regions_last`); ``region_attrs``: see
    :func:`region_attributes`; ``region_history``: ``DraftModel.region_history`` (the weekly regional
    figures), needed by the regional metrics only.
    """
    dates = national["date"].astype(str).to_numpy() if len(national) else None
    out = {}
    for spec in specs:
        if spec.metric == "poorest_quarter_share":
            out[spec.name] = poorest_quarter_share(regions_last, region_attrs)
            continue
        if spec.metric in REGIONAL_METRICS:
            out[spec.name] = regional_metric(spec, region_history or [], region_attrs)
            continue
        if spec.metric in MONTHLY_METRICS:
            out[spec.name] = monthly_metric(spec, national)
            continue
        if spec.metric == "killed_share":
            out[spec.name] = killed_share(national, spec.column, spec.end)
            continue
        column = "bonus_paid_rub" if spec.metric == "bonus_spending_rub" else spec.column
        if dates is None:
            out[spec.name] = math.nan
            continue
        inside = _window(dates, spec.start, spec.end)
        values = national[column].to_numpy(dtype=float)[inside]
        out[spec.name] = _apply(spec.metric, values)
    return out


def _window(dates, start: dt.date | None, end: dt.date | None):
    inside = dates == dates      # ISO dates compare correctly as strings
    if start is not None:
        inside &= dates >= start.isoformat()
    if end is not None:
        inside &= dates <= end.isoformat()
    return inside


def _apply(metric: str, values) -> float:
    if len(values) == 0:
        return math.nan
    if metric == "mean_monthly":
        return float(values.mean() * WEEKS_PER_MONTH)
    if metric == "mean_daily":
        return float(values.mean() / DAYS_PER_WEEK)
    if metric in ("total", "bonus_spending_rub"):
        return float(values.sum())
    if metric == "final":
        return float(values[-1])
    if metric == "mean":
        return float(values.mean())
    if metric == "max":
        return float(values.max())
    raise ValueError(f"outcome metric: got {metric!r}; allowed: {', '.join(METRICS)}")


def poorest_quarter(region_attrs: pd.DataFrame) -> list[str]:
    """The quarter of regions (rounded: 21 of 85) with the highest poverty share; ties by iso."""
    ranked = sorted(region_attrs.index, key=lambda iso: (-float(region_attrs.at[iso, "poverty"]), str(iso)))
    return ranked[:max(1, round(len(ranked) / 4))]


def poorest_quarter_share(regions_last: pd.DataFrame, region_attrs: pd.DataFrame) -> float:
    recruits = regions_last["recruits_total"]
    total = float(recruits.sum())
    if total <= 0:
        return math.nan
    return float(recruits.reindex(poorest_quarter(region_attrs)).fillna(0.0).sum()) / total


def regional_rate(region_history: list[dict], column: str, end: dt.date | None, region_attrs: pd.DataFrame):
    """The regional ``column`` per 10,000 census men in the last week starting on or before ``end``,
    as a Series by region iso (None if no week qualifies)."""
    import pandas as pd

    week = None
    for w in region_history:
        if end is not None and w["date"] > end.isoformat():
            break
        week = w
    if week is None:
        return None
    values = pd.Series(np.asarray(week[column], dtype=float), index=pd.Index(week["region"], name="region"))
    return values / region_attrs["men"].reindex(values.index).to_numpy() * PER_MEN


@cache
def regional_observations(against: str):
    """An observed regional column of the package data, ``TABLE:COLUMN``, as a Series by region iso (read once a
    process: a sweep asks for it after every run; callers only reindex it)."""
    from importlib import resources

    import pandas as pd

    table, _, column = against.partition(":")
    frame = pd.read_csv(resources.files("draftsim.model").joinpath("data", f"{table}.csv").open(encoding="utf-8"))
    return frame.set_index("iso")[column].astype(float)


def regional_tables() -> dict[str, list[str]]:
    """The package data tables with one row per region (an ``iso`` column) and their numeric columns:
    what ``against`` may name."""
    from importlib import resources

    import pandas as pd

    out = {}
    for f in sorted(resources.files("draftsim.model").joinpath("data").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".csv") and f.name.startswith("regional_"):
            frame = pd.read_csv(f.open(encoding="utf-8"), nrows=2)
            if "iso" in frame.columns:
                out[f.name[:-4]] = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    return out


def log_sd(rate) -> float:
    """The sd (ddof 1) of the log of a rate over the regions, a zero taken as half the smallest positive rate."""
    values = np.asarray(rate, dtype=float)
    positive = values[values > 0]
    if len(positive) < 3:
        return math.nan
    return float(np.log(np.where(values > 0, values, positive.min() / 2)).std(ddof=1))


def rank_from_top(rate, iso: str) -> float:
    """The place of region ``iso`` in ``rate`` (a Series by iso), 1 for the highest; ties share their mean place."""
    if iso not in rate.index:
        return math.nan
    return float(rate.rank(ascending=False, method="average")[iso])


def regional_metric(spec: OutcomeSpec, region_history: list[dict], region_attrs: pd.DataFrame) -> float:
    rate = regional_rate(region_history, spec.column, spec.end, region_attrs)
    if rate is None or not len(rate):
        return math.nan
    if spec.metric == "dispersion":
        mean = float(rate.mean())
        return float(rate.std(ddof=1) / mean) if mean > 0 else math.nan
    if spec.metric == "log_sd":
        return log_sd(rate)
    if spec.metric == "rank_of":
        return rank_from_top(rate, spec.against)
    observed = regional_observations(spec.against).reindex(rate.index)
    keep = observed.notna().to_numpy()
    x, y = rate.to_numpy()[keep], observed.to_numpy()[keep]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan              # a rank correlation of a constant is undefined
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def killed_share(national: pd.DataFrame, column: str, end: dt.date | None) -> float:
    """``column``'s share of the dead of every channel in the last week starting on or before ``end`` (NaN
    if the run does not report the dead by channel, or has none)."""
    if not len(national) or any(c not in national for c in KILLED_CHANNELS):
        return math.nan
    dates = national["date"].astype(str).to_numpy()
    rows = np.flatnonzero(_window(dates, None, end))
    if not len(rows):
        return math.nan
    week = national.iloc[rows[-1]]
    total = float(sum(float(week[c]) for c in KILLED_CHANNELS))
    return float(week[column]) / total if total > 0 else math.nan


def monthly_flow(national: pd.DataFrame, column: str):
    """A weekly flow by calendar month (a Series indexed by "YYYY-MM"), each week spread evenly over its seven
    days; only the months whose every day the run's weeks cover."""
    import pandas as pd

    if not len(national):
        return pd.Series(dtype=float)
    starts = national["date"].astype(str).to_numpy().astype("datetime64[D]")
    days = starts[:, None] + np.arange(DAYS_PER_WEEK)
    months = days.astype("datetime64[M]")
    first = months.min()
    index = (months - first).astype(int).ravel()
    per_day = np.repeat(national[column].to_numpy(dtype=float) / DAYS_PER_WEEK, DAYS_PER_WEEK)
    sums, covered = np.bincount(index, weights=per_day), np.bincount(index)
    labels = first + np.arange(len(sums))
    month = np.timedelta64(1, "M")
    length = ((labels + month).astype("datetime64[D]") - labels.astype("datetime64[D]")).astype(int)
    whole = covered == length
    return pd.Series(sums[whole], index=[str(m) for m in labels[whole]], dtype=float)


def months_within(series, start: dt.date | None, end: dt.date | None):
    """The months of a monthly Series ("YYYY-MM") that lie wholly inside [start, end]."""
    keep = np.ones(len(series), dtype=bool)
    firsts = np.array([f"{m}-01" for m in series.index])
    if start is not None:
        keep &= firsts >= start.isoformat()
    if end is not None:
        lasts = (series.index.to_numpy().astype("datetime64[M]") + np.timedelta64(1, "M")).astype("datetime64[D]") \
            - np.timedelta64(1, "D")
        keep &= lasts.astype(str) <= end.isoformat()
    return series[keep]


def diff_correlation(model, observed) -> float:
    """Pearson correlation of the month-on-month changes of two monthly Series, over the months both have
    (NaN with fewer than four common months or a constant change)."""
    common = model.index.intersection(observed.index).sort_values()
    if len(common) < 4:
        return math.nan
    a, b = np.diff(model[common].to_numpy(dtype=float)), np.diff(observed[common].to_numpy(dtype=float))
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def period_ratio(series, start: dt.date | None, split: dt.date, end: dt.date | None) -> float:
    """Mean monthly value over the whole months of [start, split) over that of [split, end]."""
    first = months_within(series, start, split - dt.timedelta(days=1))
    second = months_within(series, split, end)
    if not len(first) or not len(second) or float(second.mean()) == 0:
        return math.nan
    return float(first.mean() / second.mean())


@cache
def monthly_observations(against: str):
    """A monthly series of the package data, ``TABLE:COLUMN`` of a table with a ``month`` (YYYY-MM) column."""
    from importlib import resources

    import pandas as pd

    table, _, column = against.partition(":")
    frame = pd.read_csv(resources.files("draftsim.model").joinpath("data", f"{table}.csv").open(encoding="utf-8"))
    return frame.set_index(frame["month"].astype(str))[column].astype(float)


def monthly_tables() -> dict[str, list[str]]:
    """The package data tables with one row per month (a ``month`` column) and their numeric columns."""
    from importlib import resources

    import pandas as pd

    out = {}
    for f in sorted(resources.files("draftsim.model").joinpath("data").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".csv"):
            frame = pd.read_csv(f.open(encoding="utf-8"), nrows=2)
            if "month" in frame.columns:
                out[f.name[:-4]] = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    return out


def monthly_metric(spec: OutcomeSpec, national: pd.DataFrame) -> float:
    series = monthly_flow(national, spec.column)
    if spec.metric == "period_ratio":
        return period_ratio(series, spec.start, dt.date.fromisoformat(spec.against), spec.end)
    return diff_correlation(months_within(series, spec.start, spec.end), monthly_observations(spec.against))


# --- reading a model -----------------------------------------------------------------------------------
def region_attributes(model) -> pd.DataFrame:
    """Fixed facts of each region, indexed by iso: men (2021 census, 16-61), poverty (share below
    subsistence, 2020), distance (km from Moscow)."""
    import pandas as pd

    regions = model.regions
    return pd.DataFrame({"men": [float(r.men_census) for r in regions],
                         "poverty": [float(r.poverty_share) for r in regions],
                         "distance": [float(r.dist_moscow_km) for r in regions]},
                        index=pd.Index([r.iso for r in regions], name="region"))


def regions_last(model) -> pd.DataFrame:
    """The last week's rows of ``model.regions_frame()``, indexed by region iso, built from that week
    alone (the whole regional frame costs ~0.25 s for a four-year run)."""
    import pandas as pd

    from draftsim.model.reporting import regions_frame

    if not model.region_history:
        return pd.DataFrame(columns=["recruits_total"], index=pd.Index([], name="region"))
    return regions_frame(model.region_history[-1:]).set_index("region")


def model_outcomes(model, specs) -> dict[str, float]:
    """:func:`compute_outcomes` of a model that has run."""
    return compute_outcomes(specs, model.national_frame(), regions_last(model), region_attributes(model), model.region_history)
