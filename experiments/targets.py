"""Targets: the observed figures the model is compared with (``model/data/national_targets.csv`` and,
over the 85 regions, ``model/data/regional_targets.csv``).

The table holds only what is compared; what the model reads as a forcing (the decreed call-ups in
``conscription_callups.csv``, the mobilisation target and the foreign contingent in
``policy_timeline.csv``) is not in it.  Each row says how the model's figure is made comparable:

- ``model_outcome``: an outcome in the vocabulary of experiments (:mod:`experiments.outcomes`),
  ``metric:column`` (e.g. ``mean_monthly:new_contracts``, ``final:killed_total``), the sum of one
  metric over several flows (``mean_daily:new_killed+new_wounded``), or a ratio of two flows'
  totals (``ratio:new_wounded/new_killed``);
- ``model_weeks``: the weeks it is taken over, ``start..end`` (weeks whose first day lies in that
  range), when they differ from the observed period: the model applies an event in the week that
  contains its date, so the week of the 21 September 2022 decree starts on 15 September;
- ``observation``: how what the source counted relates to the model's figure
  (:mod:`experiments.observation`: ``direct``; ``named_list``, a partial, lagged count of deaths;
  ``all_people``, emigrants of all ages and sexes);
- ``not_compared_because``: for a figure the model cannot produce, why (courts' cases, or a panel
  share the model has no outcome for).

A regional target (``regional_targets.csv``) is a statistic over the regions on a date: ``spearman``,
the rank correlation of the model's regional rate per 10k men with an observed column of the package
data (``against``), ``dispersion``, the coefficient of variation of that rate, ``log_sd``, the sd of its log,
or ``rank_of``, the place of one region (``against``: its iso code) from the top.

A national row's ``model_outcome`` may end in `` against X`` for a metric that is measured against something
(:data:`experiments.outcomes.METRICS`' ``against``): ``diff_correlation:new_killed against
named_deaths_by_month:named_deaths_with_known_date`` (a monthly series of the package data) or
``period_ratio:new_killed against 2023-04-01`` (the first day of the second period).

A banded figure's band is read as ±2 sd of the observation; the observation model's own uncertainty
is added to it (``Target.sd``).  A figure with neither has no stated error, and a calibration must
give it one.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from draftsim.experiments.invariance import last_day, week_starts
from draftsim.experiments.observation import OBSERVATIONS, observation
from draftsim.experiments.outcomes import (
    COLUMNS_FOR,
    METRICS,
    MONTHLY_METRICS,
    NATIONAL_COLUMNS,
    REGIONAL_COUNT_COLUMNS,
    REGIONAL_METRICS,
    OutcomeSpec,
    compute_outcomes,
    monthly_tables,
    regional_tables,
)
from draftsim.model.formats import whole

TABLE = "national_targets.csv"
REGIONAL_TABLE = "regional_targets.csv"


@dataclass(frozen=True)
class Target:
    name: str
    metric: str                 # what the source measures (the shared data's own label)
    start: dt.date
    end: dt.date
    observed: float
    low: float | None
    high: float | None
    unit: str
    source: str
    note: str
    model_outcome: str          # "" when the model has no comparable figure
    model_weeks: tuple[dt.date, dt.date] | None
    not_compared_because: str
    observation: str = "direct"     # experiments/observation.py
    against: str = ""               # what the metric is measured against: TABLE:COLUMN, a region iso, a split date

    @property
    def compared(self) -> bool:
        return bool(self.model_outcome)

    @property
    def regional(self) -> bool:
        return self.model_outcome.partition(":")[0] in REGIONAL_METRICS

    @property
    def banded(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low

    @property
    def sd(self) -> float | None:
        """The observation's standard deviation: its band read as ±2 sd, and the observation model's
        relative uncertainty on the observed value added in quadrature (None with neither)."""
        band = (self.high - self.low) / 4.0 if self.banded else 0.0
        model = abs(self.observed) * observation(self.observation).cv if self.compared else 0.0
        return math.hypot(band, model) if band or model else None

    @property
    def weeks(self) -> tuple[dt.date, dt.date]:
        """The days the model's figure is taken over: the observed period (or ``model_weeks``), moved back by
        the observation model's lag."""
        first, last = self.model_weeks or (self.start, self.end)
        lag = dt.timedelta(days=observation(self.observation).lag_days) if self.compared else dt.timedelta(0)
        return first - lag, last - lag

    @property
    def needs_until(self) -> dt.date:
        """The last day a run must reach for the model's figure."""
        return self.weeks[1]

    def observe(self, value):
        """What the source would have counted, given the model's figure (the observation model's factor)."""
        return value * observation(self.observation).factor

    def in_band(self, value: float) -> bool | None:
        return (self.low <= value <= self.high) if self.banded else None

    def specs(self) -> tuple[str, tuple[OutcomeSpec, ...]]:
        """How the model figure is computed: ("sum" | "ratio", the outcome specs it combines)."""
        metric, _, columns = self.model_outcome.partition(":")
        first, last = self.weeks
        if metric in REGIONAL_METRICS:
            return "sum", (OutcomeSpec(f"{self.name}.0", metric, columns, None, last, self.against or None),)
        start = None if metric in METRICS and not METRICS[metric].start else first
        if metric == "ratio":
            num, den = columns.split("/")
            return "ratio", (OutcomeSpec(f"{self.name}.num", "total", num, start, last),
                             OutcomeSpec(f"{self.name}.den", "total", den, start, last))
        return "sum", tuple(OutcomeSpec(f"{self.name}.{i}", metric, c, start, last, self.against or None)
                            for i, c in enumerate(columns.split("+")))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def check_outcome(expression: str) -> str | None:
    """Why ``expression`` is not a valid ``model_outcome`` (None if it is)."""
    metric, sep, columns = expression.partition(":")
    if not sep or not columns:
        return "metric:column"
    if metric == "ratio":
        parts = columns.split("/")
        if len(parts) != 2:
            return "ratio:flow/flow"
    elif metric in REGIONAL_METRICS:
        return None if columns in REGIONAL_COUNT_COLUMNS else \
            f"a regional stock or level for {metric}: " + ", ".join(REGIONAL_COUNT_COLUMNS)
    elif metric in METRICS and METRICS[metric].column == "killed_channel":
        unknown = [c for c in columns.split("+") if c not in COLUMNS_FOR["killed_channel"]]
        return f"channels of the dead for {metric} (unknown: {', '.join(unknown)}): " + \
            ", ".join(COLUMNS_FOR["killed_channel"]) if unknown else None
    elif metric in MONTHLY_METRICS:
        return None if columns in COLUMNS_FOR["flow"] else f"one weekly flow for {metric}"
    elif metric in METRICS:
        parts = columns.split("+")
    else:
        return "a metric of experiments/outcomes.py or ratio: " + ", ".join([*METRICS, "ratio"])
    unknown = [c for c in parts if c not in NATIONAL_COLUMNS]
    return f"national columns (unknown: {', '.join(unknown)})" if unknown else None


def check_against(against: str, metric: str = "spearman") -> str | None:
    """Why ``against`` is not what ``metric`` is measured against (None if it is): an observed regional or monthly
    column of the package data, a region's iso code or a date."""
    kind = METRICS[metric].against if metric in METRICS else None
    if kind == "region":
        from draftsim.model.model import read_regions

        codes = [r["iso"] for r in read_regions()]
        return None if against in codes else "a region's iso code: " + ", ".join(codes)
    if kind == "date":
        try:
            dt.date.fromisoformat(against)
            return None
        except ValueError:
            return "the first day of the second period, YYYY-MM-DD"
    if kind is None:
        return f"no against for metric {metric}"
    tables = monthly_tables() if kind == "monthly_column" else regional_tables()
    table, _, column = against.partition(":")
    if table in tables and column in tables[table]:
        return None
    what = "monthly" if kind == "monthly_column" else "regional"
    return f"TABLE:COLUMN of the package's {what} data: " + "; ".join(f"{t}:{'|'.join(c)}" for t, c in tables.items())


def read_targets(path=None, regional_path=None) -> tuple[Target, ...]:
    """Every row of the targets tables (compared or not), national then regional, in the tables' order."""
    data = resources.files("draftsim.model").joinpath("data")
    out = []
    with (path or data.joinpath(TABLE)).open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            weeks = None
            if r["model_weeks"].strip():
                a, b = r["model_weeks"].split("..")
                weeks = (_date(a), _date(b))
            outcome, _, against = r["model_outcome"].partition(" against ")
            out.append(Target(r["name"], r["metric"], _date(r["period_start"]), _date(r["period_end"]), float(r["value"]),
                              _number(r["low"]), _number(r["high"]), r["unit"], r["source"], r["note"],
                              outcome.strip(), weeks, r["not_compared_because"].strip(),
                              r["observation"].strip() or "direct", against.strip()))
    with (regional_path or data.joinpath(REGIONAL_TABLE)).open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            day = _date(r["date"])
            out.append(Target(r["name"], r["metric"], day, day, float(r["value"]), _number(r["low"]), _number(r["high"]),
                              r["unit"], r["source"], r["note"], f"{r['metric']}:{r['column']}", None, "", "direct",
                              r["against"].strip()))
    bad = [t.name for t in out if t.observation not in OBSERVATIONS]
    if bad:
        raise ValueError(f"targets table: observation of {', '.join(bad)}: allowed: {', '.join(OBSERVATIONS)}")
    return tuple(out)


def combine(how: str, parts) -> float:
    """A target's model figure from its outcome pieces (:meth:`Target.specs`)."""
    if how == "ratio":
        return parts[0] / parts[1] if parts[1] else math.nan
    return float(sum(parts))


def model_value(target: Target, national: pd.DataFrame, region_history=None, region_attrs=None) -> float:
    """What the source would count, by the model, from a run's tables (NaN if the run does not cover it):
    the model's figure through the target's observation model."""
    how, specs = target.specs()
    values = compute_outcomes(specs, national, None, region_attrs, region_history)
    return float(target.observe(combine(how, [values[s.name] for s in specs])))


def covered(target: Target, national: pd.DataFrame) -> bool:
    """Whether the run reaches the last day the target needs."""
    end = last_day(week_starts(national))
    return end is not None and end >= np.datetime64(target.needs_until, "D")


def compare(national: pd.DataFrame, targets: tuple[Target, ...] | None = None, model=None) -> pd.DataFrame:
    """One row per compared target the run covers: model figure, observed, band, ratio, in band.  Regional
    targets need the ``model`` (its weekly regional figures)."""
    from draftsim.experiments.outcomes import region_attributes

    history, attrs = (model.region_history, region_attributes(model)) if model is not None else (None, None)
    rows = []
    for t in targets if targets is not None else read_targets():
        if not t.compared or not covered(t, national) or (t.regional and model is None):
            continue
        value = model_value(t, national, history, attrs)
        rows.append({"target": t.name, "model": value, "observed": t.observed, "low": t.low, "high": t.high,
                     "unit": t.unit, "ratio": value / t.observed if t.observed else math.nan,
                     "in_band": t.in_band(value), "source": t.source})
    return pd.DataFrame(rows)


FRACTIONAL_UNITS = ("ratio", "share", "elasticity", "rank correlation", "coefficient of variation", "correlation",
                    "sd of log", "rank")


def _shown(x: float | None, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.2f}" if unit in FRACTIONAL_UNITS else whole(x)


def main(argv=None) -> None:
    """Print the model-vs-observed table for the baseline (mean over seeds) as Markdown."""
    import argparse

    from draftsim.model import DraftModel, load_scenario

    ap = argparse.ArgumentParser(prog="python -m draftsim.experiments.targets", description=main.__doc__)
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--scale", type=float, default=100.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    targets = read_targets()
    tables = []
    for seed in args.seeds:
        m = DraftModel(sc.params, seed=seed, scale=args.scale, events=sc.events)
        m.run()
        tables.append(compare(m.national_frame(), targets, m).set_index("target"))
    model = pd.concat([t["model"] for t in tables], axis=1)
    t = tables[0].copy()
    t["model"], t["min"], t["max"] = model.mean(axis=1), model.min(axis=1), model.max(axis=1)
    t["ratio"] = t["model"] / t["observed"]
    by_name = {x.name: x for x in targets}
    print(f"Scenario {args.scenario}, scale 1:{args.scale:g}, seeds {args.seeds} (model: mean [min-max])\n")
    print("| target | model | observed (band) | model / observed | in band | source |")
    print("|---|---|---|---|---|---|")
    inside = banded = 0
    for name, r in t.iterrows():
        tg = by_name[name]
        band = f" ({_shown(tg.low, tg.unit)}-{_shown(tg.high, tg.unit)})" if tg.banded else " (no band)"
        verdict = "-" if not tg.banded else ("yes" if tg.in_band(r["model"]) else "**no**")
        banded += tg.banded
        inside += bool(tg.banded and tg.in_band(r["model"]))
        print(f"| {name} | {_shown(r['model'], tg.unit)} [{_shown(r['min'], tg.unit)}-{_shown(r['max'], tg.unit)}] | "
              f"{_shown(tg.observed, tg.unit)}{band} | {r['ratio']:.2f} | {verdict} | {tg.source} |")
    print(f"\n{inside} of {banded} banded targets in band (seed mean).  Not compared:")
    for tg in targets:
        if not tg.compared:
            print(f"- {tg.name}: {tg.not_compared_because}")


if __name__ == "__main__":
    main()
