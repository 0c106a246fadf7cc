"""The data dictionary of a sweep folder (``columns.csv``): every column of ``runs.csv``/``runs.parquet``, of
``timeseries.parquet`` and of ``regions.parquet``, one row each, with the column ``table`` saying which file it is in.

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
DRAW_KEY = RunColumn("draw", "key", "index", "int64", "the posterior draw (draws.csv holds its parameter values)")
SERIES_KEYS = tuple(replace(k, scope="national") for k in RUN_KEYS[:3])   # run_id, point, replicate
REGION_COLUMNS = (
    RunColumn("region", "key", "code", "string", "the region, by its ISO-style code (MOW: Moscow)", "regional"),
    RunColumn("killed_total", "level", "men", "float64", "Russian soldiers from the region killed by the end of the run",
              "regional"),
    RunColumn("recruits_total", "level", "men", "float64", "men of the region who entered the forces by the end of the "
              "run (a conscript who later signs is counted once)", "regional"),
    RunColumn("men_census", "level", "men", "float64", "the region's men aged 16-61 in the 2021 census "
              "(men_16_61_census2021): the per-10k denominator", "regional"),
)
OUTCOME_UNITS = {"bonus_spending_rub": "RUB", "poorest_quarter_share": "share"}


def sweep_dictionary(runs, factor_names, outcomes, kept: list[str], draw_names=(), key_names=None, region_columns=(),
                     series: str = "timeseries.parquet"):
    """``runs``: the runs table as written (its dtypes are the files'); ``outcomes``: the experiment's
    OutcomeSpecs; ``kept``: the columns of the series table after its keys; ``draw_names``: the parameters a
    posterior sets; ``key_names``: the key columns of the series and regions tables; ``region_columns``: the
    regions table's columns after its keys (none: no regions table)."""
    import pandas as pd

    keys = {k.name: k for k in (*RUN_KEYS, DRAW_KEY)}
    key_names = list(key_names or ("run_id", "point", "replicate"))
    head = [keys[n] for n in runs.columns if n in keys]
    posterior = [_posterior(n, runs[n].dtype) for n in draw_names if n not in factor_names]
    run_table = data_dictionary([*head, *(_factor(n, runs[n].dtype) for n in factor_names), *posterior,
                                 *(_outcome(o) for o in outcomes)])
    series_keys = [replace(keys[n], scope="national") for n in key_names]
    tables = [("runs", run_table),
              (series.removesuffix(".parquet"), data_dictionary([*series_keys, *(_kept(BY_NAME[n]) for n in kept if n in BY_NAME)]))]
    if region_columns:
        regional = {c.name: c for c in REGION_COLUMNS}
        tables.append(("regions", data_dictionary([*(replace(keys[n], scope="regional") for n in key_names),
                                                   *(regional[n] for n in region_columns if n in regional)])))
    for name, table in tables:
        table.insert(0, "table", name)
    return pd.concat([t for _, t in tables], ignore_index=True)


def _dtype(dtype) -> str:
    return "string" if str(dtype) in ("object", "str", "string") else str(dtype)


def _factor(name: str, dtype) -> Column:
    from draftsim.model.parameters import parameter_table

    row = next(r for r in parameter_table() if r["name"] == name)
    return RunColumn(name, "design", row["unit"], _dtype(dtype), f"design factor: {row['doc']}")


def _posterior(name: str, dtype) -> Column:
    from draftsim.model.parameters import parameter_table

    row = next(r for r in parameter_table() if r["name"] == name)
    return RunColumn(name, "posterior", row["unit"], _dtype(dtype), f"drawn from the posterior: {row['doc']}")


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
