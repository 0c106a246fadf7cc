"""Planning and executing a sweep: which runs an experiment needs, and running them somewhere.

A run is one design point at one replicate: ``run_id = p00012-r003``.  Its seed depends on the
replicate only (``SeedSequence(root_seed, spawn_key=(replicate,))``), so replicate r uses the same
random numbers at every design point and comparisons between points are paired (common random
numbers).  A run's result depends on nothing but its design point and seed, so the results are the
same whatever executes them: this process, a local process pool or a Dask cluster.

:func:`run_one` is the unit of work: a top-level, picklable function that builds the model, runs
it and returns a small dict (status, duration, outcomes, kept time series); a run that raises is
returned as ``status = "failed"`` with its error and traceback, never raised, so one bad design
point cannot stop a sweep.  Executors yield these dicts in completion order; :mod:`experiments.store`
writes each to disk as it arrives.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from draftsim.experiments.errors import UsageError

SEEDING = ("int(numpy.random.SeedSequence(root_seed, spawn_key=(replicate,)).generate_state(1, numpy.uint32)[0]): "
           "the seed depends on the replicate only, so replicate r uses the same seed at every design point "
           "(common random numbers: comparisons between design points are paired)")
DISTRIBUTED_HINT = "pip install draftsim[distributed]"


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
        outcomes = compute_outcomes(ctx.outcomes, national, regions_last(model), region_attributes(model))
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


# --- executors -------------------------------------------------------------------------------------
class ExecutorBroken(RuntimeError):
    """The executor itself failed (a worker process died, the cluster went away): the sweep stops."""


class InProcess:
    """One worker: runs in this process, one after another (no pickling, no start-up)."""

    name, workers = "local", 1

    def results(self, ctx: Context, runs: list[Run], while_waiting: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
        for run in runs:
            yield run_one(ctx, run)

    def terminate(self) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {"executor": "local", "workers": 1, "in_process": True}


_WORKER_CONTEXT: Context | None = None


def _init_worker(ctx: Context, sweep_pid: int) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle; it stops the workers
    threading.Thread(target=_exit_with, args=(sweep_pid,), name="draftsim-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:                                              # a killed parent not yet reaped is a zombie: gone too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _exit_with(sweep_pid: int, every_s: float = 0.5) -> None:
    # A worker's parent is the forkserver, not the sweep, and nothing tells it when the sweep is killed
    # (kill -9, a lost login): without this it would finish its run and wait for work forever.
    while _alive(sweep_pid):
        time.sleep(every_s)
    os._exit(1)


def _run_in_worker(run: Run) -> dict[str, Any]:
    assert _WORKER_CONTEXT is not None
    return run_one(_WORKER_CONTEXT, run)


def _mp_context():
    import multiprocessing as mp

    # forkserver: workers fork from a clean server that has imported the model once, instead of forking
    # this (threaded) process or importing Mesa afresh in each worker; spawn where there is no fork
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["draftsim.experiments.sweep", "draftsim.experiments.outcomes", "draftsim.model.model"])
        return ctx
    return mp.get_context("spawn")


class ProcessPool:
    """``--executor local --workers N``: a pool of N processes on this machine."""

    name = "local"

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = None
        self._mp = _mp_context()
        if self._mp.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()     # boots (imports the model) while this process gets the sweep ready

    def results(self, ctx: Context, runs: list[Run], while_waiting: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
        """Results in completion order; ``while_waiting()`` runs once the first runs are submitted (this
        process is idle while the workers start)."""
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        todo = iter(runs)
        window = 2 * self.workers                # bounded: memory stays flat, Ctrl-C cancels little
        self._pool = pool = ProcessPoolExecutor(self.workers, mp_context=self._mp, initializer=_init_worker,
                                                initargs=(ctx, os.getpid()))
        pending: set = set()
        try:
            while True:
                while len(pending) < window and (run := next(todo, None)) is not None:
                    pending.add(pool.submit(_run_in_worker, run))
                if while_waiting is not None:
                    while_waiting()
                    while_waiting = None
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        yield fut.result()
                    except BrokenProcessPool as exc:
                        raise ExecutorBroken(f"a worker process died ({exc})") from None
            pool.shutdown(wait=True)
        finally:
            self.terminate()

    def terminate(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.shutdown(wait=False, cancel_futures=True)
        kill = getattr(pool, "terminate_workers", None)          # Python >= 3.14
        if kill is not None:
            kill()
            return
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            if proc.is_alive():
                proc.terminate()
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.join(timeout=5)

    def describe(self) -> dict[str, Any]:
        return {"executor": "local", "workers": self.workers, "in_process": False, "start_method": self._mp.get_start_method()}


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(f"--executor dask: dask.distributed is not installed; allowed: install it with "
                         f"`{DISTRIBUTED_HINT}`, or use --executor local") from None
    return distributed


class DaskExecutor:
    """``--executor dask``: an existing cluster (``--scheduler tcp://host:port``) or a LocalCluster."""

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None = None):
        distributed = _import_distributed()
        self.scheduler = scheduler
        self.cluster = None
        try:
            if scheduler:
                import dask

                timeout = dask.config.get("distributed.comm.timeouts.connect")
                self.client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
            else:
                import logging

                self.cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                        processes=True, host="127.0.0.1", dashboard_address=None,
                                                        silence_logs=logging.ERROR)
                self.client = distributed.Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = f"scheduler '{scheduler}'" if scheduler else "a local Dask cluster"
            raise UsageError(f"--scheduler: cannot connect to {where}: {' '.join(str(exc).split())}; "
                             f"allowed: the address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786") from None
        self.workers = self._threads()

    def _threads(self) -> int:
        info = self.client.scheduler_info()
        return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())

    def results(self, ctx: Context, runs: list[Run], while_waiting: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        todo = iter(runs)
        window = 2 * max(self._threads(), 1)
        ctx_future = self.client.scatter(ctx, broadcast=True, hash=False)
        seq = iter(range(sys.maxsize))
        active = {}

        def submit(run: Run):
            # unique key per submission: a resumed sweep on the same cluster must not reuse old results
            fut = self.client.submit(run_one, ctx_future, run, pure=False, key=f"draftsim-{run.run_id}-{os.getpid()}-{next(seq)}")
            active[fut.key] = run
            return fut

        first = [submit(r) for r in (next(todo, None) for _ in range(window)) if r is not None]
        queue = as_completed(first, loop=self.client.loop)
        if while_waiting is not None:
            while_waiting()
        try:
            for fut in queue:
                run = active.pop(fut.key)
                try:
                    result = fut.result()
                except Exception as exc:   # noqa: BLE001 - the task itself died (e.g. KilledWorker): a failed run
                    result = {"run_id": run.run_id, "point": run.point, "replicate": run.replicate, "seed": run.seed,
                              "status": "failed", "outcomes": None, "timeseries": None, "duration_s": None,
                              "error": f"{type(exc).__name__}: {exc}", "traceback": "".join(traceback.format_exception(exc))}
                fut.release()
                nxt = next(todo, None)
                if nxt is not None:
                    queue.add(submit(nxt))
                yield result
        finally:
            for fut in list(getattr(queue, "futures", ())):
                fut.cancel()

    def terminate(self) -> None:
        self.close()

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self.cluster
        self.client = self.cluster = None
        for thing in (client, cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:   # noqa: BLE001 - closing is best effort
                    pass

    def describe(self) -> dict[str, Any]:
        return {"executor": "dask", "workers": self.workers, "scheduler": self.scheduler or "LocalCluster on 127.0.0.1"}


def make_executor(kind: str, workers: int | None, scheduler: str | None, remaining: int):
    """The executor for ``--executor``/``--workers``/``--scheduler``; raises UsageError (nothing started) if unusable."""
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    n = workers or os.cpu_count() or 1
    n = max(1, min(n, remaining))
    return InProcess() if n == 1 else ProcessPool(n)
