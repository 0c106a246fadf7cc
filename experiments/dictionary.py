"""The data dictionary of a sweep folder (``columns.csv``): every column of ``runs.csv``/``runs.parquet`` and
of ``timeseries.parquet``, one row each, with the column ``table`` saying which file it is in.

The kept series are described as ``model/columns.py`` declares them; the design factors as the parameter
table does; the outcomes by their metric, window and the column they summarise; the run's own columns here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from draftsim.model.columns import BY_NAME, Column, data_dictionary


@dataclass(frozen=True)
class RunColumn:
    """A column of the runs table; the same fields as a model column's entry in columns.csv."""

    name: str
    kind: str           # key, design or outcome
    unit: str
    dtype: str
    meaning: str
    scope: str = "run"
    label: str = ""


RUN_KEYS = (
    RunColumn("run_id", "key", "id", "string", "the run: design point and replicate, p00012-r003"),
    RunColumn("point", "key", "index", "int64", "the design point"),
    RunColumn("replicate", "key", "index", "int64", "the replicate"),
    RunColumn("seed", "key", "seed", "int64", "the run's seed: SeedSequence(root seed, spawn_key=(replicate,))"),
    RunColumn("status", "key", "", "string", "ok, or failed (see failures.jsonl)"),
    RunColumn("duration_s", "key", "s", "float64", "the run's own wall time"),
    RunColumn("error", "key", "", "string", "the error of a failed run, empty for a run that is ok"),
)
SERIES_KEYS = tuple(replace(k, scope="national") for k in RUN_KEYS[:3])   # run_id, point, replicate
OUTCOME_UNITS = {"bonus_spending_rub": "RUB", "poorest_quarter_share": "share"}


def sweep_dictionary(runs, factor_names, outcomes, kept: list[str]):
    """``runs``: the runs table as written (its dtypes are the files'); ``outcomes``: the experiment's
    OutcomeSpecs; ``kept``: the columns of timeseries.parquet after its keys."""
    import pandas as pd

    run_table = data_dictionary([*RUN_KEYS, *(_factor(n, runs[n].dtype) for n in factor_names),
                                 *(_outcome(o) for o in outcomes)])
    series = data_dictionary([*SERIES_KEYS, *(_kept(BY_NAME[n]) for n in kept if n in BY_NAME)])
    run_table.insert(0, "table", "runs")
    series.insert(0, "table", "timeseries")
    return pd.concat([run_table, series], ignore_index=True)


def _dtype(dtype) -> str:
    return "string" if str(dtype) in ("object", "str", "string") else str(dtype)


def _factor(name: str, dtype) -> Column:
    from draftsim.model.parameters import parameter_table

    row = next(r for r in parameter_table() if r["name"] == name)
    return RunColumn(name, "design", row["unit"], _dtype(dtype), f"design factor: {row['doc']}")


def _outcome(spec) -> Column:
    from draftsim.experiments.outcomes import METRICS

    window = (f" from {spec.start or 'the start'} to {spec.end or 'the end'}" if spec.start or spec.end else "")
    of = f" of `{spec.column}`" if spec.column else ""
    unit = OUTCOME_UNITS.get(spec.metric) or (BY_NAME[spec.column].unit if spec.column in BY_NAME else "")
    if spec.metric == "mean_monthly" and unit:
        unit = f"{unit}/month"
    return RunColumn(spec.name, "outcome", unit, "float64", f"{spec.metric}{of}{window}: {METRICS[spec.metric].doc}")


def _kept(c: Column) -> Column:
    # experiments.runs.timeseries keeps switches as 0/1, so that a mean over replicates is a share of runs
    if c.kind == "switch":
        return replace(c, dtype="float64", unit="share on", meaning=f"{c.meaning} (1.0 on, 0.0 off)")
    return c
