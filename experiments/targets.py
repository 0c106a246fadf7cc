"""Targets: the observed national figures the model is compared with (``model/data/national_targets.csv``).

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
- ``not_compared_because``: for a figure the model cannot produce, why (it counts people of all
  ages and sexes, or courts' cases, or it is a parameter's source rather than an outcome).

A banded figure's band is read as ±2 sd of the observation (``Target.sd``); a figure without a band
has no stated error, and a calibration must give it one.
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
from draftsim.experiments.outcomes import METRICS, NATIONAL_COLUMNS, OutcomeSpec, compute_outcomes
from draftsim.model.formats import whole

TABLE = "national_targets.csv"


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

    @property
    def compared(self) -> bool:
        return bool(self.model_outcome)

    @property
    def banded(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low

    @property
    def sd(self) -> float | None:
        """The observation's standard deviation: its band read as ±2 sd (None without a band)."""
        return (self.high - self.low) / 4.0 if self.banded else None

    @property
    def needs_until(self) -> dt.date:
        """The last day a run must reach for the model's figure: the end of its weeks, or of the period."""
        return self.model_weeks[1] if self.model_weeks else self.end

    def in_band(self, value: float) -> bool | None:
        return (self.low <= value <= self.high) if self.banded else None

    def specs(self) -> tuple[str, tuple[OutcomeSpec, ...]]:
        """How the model figure is computed: ("sum" | "ratio", the outcome specs it combines)."""
        metric, _, columns = self.model_outcome.partition(":")
        first, last = self.model_weeks or (self.start, self.end)
        start = None if metric == "final" else first
        if metric == "ratio":
            num, den = columns.split("/")
            return "ratio", (OutcomeSpec(f"{self.name}.num", "total", num, start, last),
                             OutcomeSpec(f"{self.name}.den", "total", den, start, last))
        return "sum", tuple(OutcomeSpec(f"{self.name}.{i}", metric, c, start, last) for i, c in enumerate(columns.split("+")))


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
    elif metric in METRICS:
        parts = columns.split("+")
    else:
        return "a metric of experiments/outcomes.py or ratio: " + ", ".join([*METRICS, "ratio"])
    unknown = [c for c in parts if c not in NATIONAL_COLUMNS]
    return f"national columns (unknown: {', '.join(unknown)})" if unknown else None


def read_targets(path=None) -> tuple[Target, ...]:
    """Every row of the targets table (compared or not), in the table's order."""
    src = path or resources.files("draftsim.model").joinpath("data", TABLE)
    out = []
    with src.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            weeks = None
            if r["model_weeks"].strip():
                a, b = r["model_weeks"].split("..")
                weeks = (_date(a), _date(b))
            out.append(Target(r["name"], r["metric"], _date(r["period_start"]), _date(r["period_end"]), float(r["value"]),
                              _number(r["low"]), _number(r["high"]), r["unit"], r["source"], r["note"],
                              r["model_outcome"].strip(), weeks, r["not_compared_because"].strip()))
    return tuple(out)


def model_value(target: Target, national: pd.DataFrame) -> float:
    """The model's figure for ``target`` from a run's national table (NaN if the run does not cover it)."""
    how, specs = target.specs()
    values = compute_outcomes(specs, national, None, None)
    parts = [values[s.name] for s in specs]
    if how == "ratio":
        return parts[0] / parts[1] if parts[1] else math.nan
    return float(sum(parts))


def covered(target: Target, national: pd.DataFrame) -> bool:
    """Whether the run reaches the last day the target needs."""
    end = last_day(week_starts(national))
    return end is not None and end >= np.datetime64(target.needs_until, "D")


def compare(national: pd.DataFrame, targets: tuple[Target, ...] | None = None) -> pd.DataFrame:
    """One row per compared target the run covers: model figure, observed, band, ratio, in band."""
    rows = []
    for t in targets if targets is not None else read_targets():
        if not t.compared or not covered(t, national):
            continue
        value = model_value(t, national)
        rows.append({"target": t.name, "model": value, "observed": t.observed, "low": t.low, "high": t.high,
                     "unit": t.unit, "ratio": value / t.observed if t.observed else math.nan,
                     "in_band": t.in_band(value), "source": t.source})
    return pd.DataFrame(rows)


def _shown(x: float | None, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.2f}" if unit in ("ratio", "share", "elasticity") else whole(x)


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
        tables.append(compare(m.national_frame(), targets).set_index("target"))
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
