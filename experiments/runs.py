"""The runs of a sweep: which runs an experiment needs, their seeds, and how one is run.

A run is one design point at one replicate: ``run_id = p00012-r003``.  Its seed depends on the
replicate only (``SeedSequence(root_seed, spawn_key=(replicate,))``), so replicate r uses the same
random numbers at every design point and comparisons between points are paired (common random
numbers).  A run's result depends on nothing but its design point and seed, so the results are the
same whatever executes them: this process, a local process pool or a Dask cluster.

:func:`run_one` is the unit of work: a top-level, picklable function that builds the model, runs
it and returns a small dict (status, duration, outcomes, kept time series); a run that raises is
returned as ``status = "failed"`` with its error and traceback, never raised, so one bad design
point cannot stop a sweep.  The executors (:mod:`draftsim.experiments.executors`) yield these
dicts in completion order; :mod:`draftsim.experiments.store` writes each to disk as it arrives.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEEDING = ("int(numpy.random.SeedSequence(root_seed, spawn_key=(replicate,)).generate_state(1, numpy.uint32)[0]): "
           "the seed depends on the replicate only, so replicate r uses the same seed at every design point "
           "(common random numbers: comparisons between design points are paired)")


# --- the plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What every run of a sweep shares; sent once to each worker."""

    params: Any                 # model.Parameters of the base scenario (end_date extended to ``until``)
    events: tuple
    until: dt.date | None
    scale: float
    outcomes: tuple
    keep: tuple[str, ...]


def run_id(point: int, replicate: int) -> str:
    return f"p{point:05d}-r{replicate:03d}"


def replicate_seed(root_seed: int, replicate: int) -> int:
    import numpy as np

    return int(np.random.SeedSequence(root_seed, spawn_key=(replicate,)).generate_state(1, np.uint32)[0])


def plan(experiment, points: list[dict[str, Any]] | None = None) -> list[Run]:
    """Every run of the experiment, ordered by run id (point, then replicate)."""
    from draftsim.experiments.designs import design_points

    if points is None:
        points = design_points(experiment.design, experiment.seed)
    seeds = [replicate_seed(experiment.seed, r) for r in range(experiment.replicates)]
    return [Run(run_id(p, r), p, r, seeds[r], dict(point)) for p, point in enumerate(points) for r in range(experiment.replicates)]


def context(experiment) -> Context:
    from draftsim.experiments.experiment import base_scenario, point_parameters

    params = point_parameters(experiment, {})        # the scenario's, end_date extended to ``until``
    return Context(params, tuple(base_scenario(experiment.scenario).events), experiment.until, float(experiment.scale),
                   tuple(experiment.outcomes), tuple(experiment.keep))


# --- one run ---------------------------------------------------------------------------------------
def run_one(ctx: Context, run: Run) -> dict[str, Any]:
    """Build, run and summarise one model run; never raises an ``Exception`` (failures are returned)."""
    t0 = time.perf_counter()
    result: dict[str, Any] = {"run_id": run.run_id, "point": run.point, "replicate": run.replicate, "seed": run.seed,
                              "status": "ok", "outcomes": None, "timeseries": None}
    try:
        from draftsim.experiments.outcomes import compute_outcomes, region_attributes, regions_last
        from draftsim.model.model import DraftModel

        t0 = time.perf_counter()         # a run's duration is its own work, not a worker's one-off imports
        params = ctx.params.replace(**run.params) if run.params else ctx.params
        model = DraftModel(params, seed=run.seed, scale=ctx.scale, events=ctx.events)
        model.run(until=ctx.until)
        national = model.national_frame()
        outcomes = compute_outcomes(ctx.outcomes, national, regions_last(model), region_attributes(model), model.region_history)
        result["outcomes"] = {k: float(v) for k, v in outcomes.items()}
        result["timeseries"] = timeseries(national, ctx.keep)
    except Exception as exc:             # noqa: BLE001 - any error of the run is the run's result
        result.update(status="failed", outcomes=None, timeseries=None,
                      error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    result["duration_s"] = time.perf_counter() - t0
    return result


def timeseries(national, keep: Iterable[str]) -> dict[str, Any]:
    """The kept columns of the national table in its dtypes (model/columns.py), with its date.

    Except the switches: kept as 0.0/1.0, so that a mean over replicates reads as the share of runs with the
    switch on and the report's quantile bands can be drawn (numpy has no quantiles of booleans)."""
    out = {"date": national["date"].to_numpy().astype("datetime64[D]")}
    for col in keep:
        values = national[col].to_numpy()
        out[col] = values.astype("float64") if values.dtype == bool else values
    return out
