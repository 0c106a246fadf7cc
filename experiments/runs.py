"""The runs of a sweep: which runs an experiment needs, their seeds, and how one is run.

A run is one design point at one replicate: ``run_id = p00012-r003``.  Its seed depends on the
replicate only (``SeedSequence(root_seed, spawn_key=(replicate,))``), so replicate r uses the same
random numbers at every design point and comparisons between points are paired (common random
numbers).  An experiment with a posterior (:mod:`draftsim.experiments.ensemble`) runs every design point
at every posterior draw: ``run_id = p00012-d0007-r003``, seeded by ``spawn_key=(replicate, draw)``, so
the draws of one point have independent random numbers (the ensemble's spread holds the model's own
noise as well as the parameters') while each draw stays paired across design points.  A run's result
depends on nothing but its parameter values and seed, so the results are the same whatever executes
them: this process, a local process pool or a Dask cluster.

:func:`run_one` is the unit of work: a top-level, picklable function that builds the model, runs
it and returns a small dict (status, duration, outcomes, kept time series, its regions' totals); a run that raises is
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
SEEDING_DRAWS = ("int(numpy.random.SeedSequence(root_seed, spawn_key=(replicate, draw)).generate_state(1, numpy.uint32)[0]): "
                 "every posterior draw and replicate has its own seed, the same at every design point "
                 "(comparisons between design points are paired draw by draw)")
REGION_VALUES = ("killed_total", "recruits_total")     # what a run keeps of each region: the regional bands' numerators


# --- the plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    draw: int | None = None         # the posterior draw, for an experiment with a posterior


@dataclass(frozen=True)
class Context:
    """What every run of a sweep shares; sent once to each worker."""

    params: Any                 # model.Parameters of the base scenario (end_date extended to ``until``)
    events: tuple
    until: dt.date | None
    scale: float
    outcomes: tuple
    keep: tuple[str, ...]


def run_id(point: int, replicate: int, draw: int | None = None) -> str:
    return f"p{point:05d}-r{replicate:03d}" if draw is None else f"p{point:05d}-d{draw:04d}-r{replicate:03d}"


def replicate_seed(root_seed: int, replicate: int, draw: int | None = None) -> int:
    import numpy as np

    key = (replicate,) if draw is None else (replicate, draw)
    return int(np.random.SeedSequence(root_seed, spawn_key=key).generate_state(1, np.uint32)[0])


def plan(experiment, points: list[dict[str, Any]] | None = None) -> list[Run]:
    """Every run of the experiment, ordered by run id (point, then posterior draw if it has a posterior, then replicate)."""
    from draftsim.experiments.designs import design_points

    if points is None:
        points = design_points(experiment.design, experiment.seed)
    draws = getattr(experiment, "posterior_draws", None)
    return ensemble_plan(points, list(draws) if draws is not None else None, experiment.replicates, experiment.seed)


def ensemble_plan(points: list[dict[str, Any]], draws: list[dict[str, Any]] | None, replicates: int, root_seed: int) -> list[Run]:
    """The runs of ``points`` x ``draws`` (None: no posterior) x ``replicates``, in run id order."""
    if draws is None:
        seeds = [replicate_seed(root_seed, r) for r in range(replicates)]
        return [Run(run_id(p, r), p, r, seeds[r], dict(point)) for p, point in enumerate(points) for r in range(replicates)]
    seeds = {(d, r): replicate_seed(root_seed, r, d) for d in range(len(draws)) for r in range(replicates)}
    return [Run(run_id(p, r, d), p, r, seeds[d, r], {**point, **values}, d)
            for p, point in enumerate(points) for d, values in enumerate(draws) for r in range(replicates)]


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
                              "draw": run.draw, "status": "ok", "outcomes": None, "timeseries": None, "regions": None}
    try:
        from draftsim.experiments.outcomes import compute_outcomes, region_attributes, regions_last
        from draftsim.model.model import DraftModel

        t0 = time.perf_counter()         # a run's duration is its own work, not a worker's one-off imports
        params = ctx.params.replace(**run.params) if run.params else ctx.params
        model = DraftModel(params, seed=run.seed, scale=ctx.scale, events=ctx.events)
        model.run(until=ctx.until)
        national = model.national_frame()
        last, attributes = regions_last(model), region_attributes(model)
        outcomes = compute_outcomes(ctx.outcomes, national, last, attributes, model.region_history)
        result["outcomes"] = {k: float(v) for k, v in outcomes.items()}
        result["timeseries"] = timeseries(national, ctx.keep)
        result["regions"] = region_values(last, attributes)
    except Exception as exc:             # noqa: BLE001 - any error of the run is the run's result
        result.update(status="failed", outcomes=None, timeseries=None, regions=None,
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


def region_values(last, attributes) -> dict[str, list]:
    """Each region's totals at the end of the run and its census men (2021, ages 16-61), as plain lists:
    they travel in the part's metadata (JSON keeps a float's every bit)."""
    out: dict[str, list] = {"region": [str(r) for r in last.index]}
    for col in REGION_VALUES:
        out[col] = [float(v) for v in last[col].to_numpy(dtype="float64")]
    out["men_census"] = [float(v) for v in attributes["men"].reindex(last.index).to_numpy(dtype="float64")]
    return out
