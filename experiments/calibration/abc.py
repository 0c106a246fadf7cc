"""The posterior inside the final NROY space by ABC-SMC (pyabc, the optional extra ``draftsim[calibrate]``).

Where the emulator posterior (calibration/posterior.py) trusts the last wave's emulators, ABC-SMC runs the
model itself: sequential Monte Carlo over populations of parameter sets, each population accepted under a
smaller tolerance than the last (pyabc's median epsilon), from the prior to ``min_epsilon`` or the last
generation.  The pieces:

- the prior: the calibration's box, uniform on the unit cube (each parameter uniform or log-uniform as the
  file says), with density zero wherever a wave of the history match ruled the point out
  (:class:`NroyPrior`).  pyabc works in those unit coordinates (``abc.db`` holds them, as ``u_<name>``),
  so that its Gaussian kernels see a log-uniform parameter in its log;
- the model: one real draftsim run at the calibration's scale to its ``until`` (:class:`TargetModel`),
  returning each target's model figure; a failed run is at distance infinity;
- the distance: the root mean square of the standardised misses, each target's miss over
  sqrt(sd² + discrepancy² + the seed variance the last wave measured), so ``epsilon = 1`` reads as
  "a miss of one total sd per target" (:class:`StandardisedDistance`).

Reproducibility.  pyabc's own parallel samplers (multicore, mapping, Dask) reseed numpy's global RNG in
each worker from the operating system (``np.random.seed()``), so their proposals, and hence their
posterior, differ from run to run; the multicore ones also accept particles in completion order.  Here
every simulation is job ``j`` of generation ``t`` and draws its proposal from numpy's global RNG seeded
by (the calibration seed, t, j); a model run's own seed is a function of the calibration seed and the
parameter values alone.  The generation keeps the jobs 0..J up to the n-th accepted one (J is the
smallest such index), whatever finished first, as pyabc's Dask sampler does by start order.  So the
posterior, the epsilons and the counted runs are the same bit for bit on one process, N local workers or
a Dask cluster (:class:`SeededSampler`); the runs started past J are wasted work, not counted.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyabc

from draftsim.experiments.calibration.posterior import Posterior

ABC_SEED_OFFSET = 130_363            # the ABC's proposal streams: apart from the designs', the NROY sample's, the posterior's
PRIOR_BATCH = 512                    # unit-cube points screened by the emulators at a time when drawing from the prior
PRIOR_TRIES = 2_000_000              # prior draws before giving up on finding the NROY space
MAX_RUNS_PER_ACCEPTED = 200          # a generation accepting less than 1 run in this many is stuck: stop
DB = "abc.db"


def unit_key(name: str) -> str:
    return f"u_{name}"


def run_seed(root: int, values) -> int:
    """A model run's seed from the calibration seed and its parameter values (their float64 bits)."""
    digest = hashlib.sha256(int(root).to_bytes(8, "little") + np.asarray(values, dtype="<f8").tobytes()).digest()
    return int.from_bytes(digest[:4], "little")


def job_seed(root: int, t: int, j: int) -> int:
    # t is -1 for pyabc's prior (calibration) sample; (t + 2, ...) keeps every key non-negative and (0, 0) free
    return int(np.random.SeedSequence(root, spawn_key=(t + 2, j)).generate_state(1, np.uint32)[0])


# --- prior, model, distance (pickled to the workers) --------------------------------------------------
class NroyPrior:
    """Uniform on the unit cube, zero where a history-matching wave rules the point out."""

    def __init__(self, cal, waves):
        self.cal, self.waves = cal, waves
        self.keys = [unit_key(n) for n in cal.space.names]

    def inside(self, unit: np.ndarray) -> np.ndarray:
        from draftsim.experiments.calibration.waves import nroy_mask

        unit = np.atleast_2d(unit)
        box = np.all((unit >= 0.0) & (unit <= 1.0), axis=1)
        out = np.zeros(len(unit), dtype=bool)
        if box.any():
            out[box] = nroy_mask(self.cal, self.waves, unit[box])
        return out

    def rvs(self, *args, **kwargs):
        for _ in range(0, PRIOR_TRIES, PRIOR_BATCH):
            batch = np.random.random_sample((PRIOR_BATCH, len(self.keys)))
            ok = np.flatnonzero(self.inside(batch))
            if len(ok):
                return pyabc.Parameter({k: float(v) for k, v in zip(self.keys, batch[ok[0]])})
        raise RuntimeError(f"no point of the NROY space in {PRIOR_TRIES} prior draws")

    def pdf(self, x) -> float:
        return 1.0 if self.inside(np.array([[float(x[k]) for k in self.keys]]))[0] else 0.0


class TargetModel:
    """One draftsim run at unit point ``pars`` -> each target's model figure (NaN if the run failed)."""

    def __init__(self, cal):
        from draftsim.experiments.calibration import waves as wv
        from draftsim.experiments.experiment import experiment_from_text
        from draftsim.experiments.runs import context

        self.cal = cal
        self.targets = cal.targets                # what waves.target_values reads
        centre = wv.design_values(cal, np.full((1, cal.space.dim), 0.5))
        self.ctx = context(experiment_from_text(wv.wave_experiment(cal, 0, centre), f"{cal.name} (ABC)"))
        self.keys = [unit_key(n) for n in cal.space.names]

    def __call__(self, pars) -> dict[str, float]:
        import pandas as pd

        from draftsim.experiments.calibration import waves as wv
        from draftsim.experiments.runs import Run, run_one

        unit = np.array([[float(pars[k]) for k in self.keys]])
        point = wv.design_values(self.cal, unit)[0]
        seed = run_seed(self.cal.seed, list(point.values()))
        result = run_one(self.ctx, Run("abc", 0, 0, seed, point))
        frame = pd.DataFrame([{"status": result["status"], "point": 0, **(result["outcomes"] or {})}])
        if result["status"] != "ok":
            return {t.name: math.nan for t in self.targets}
        return {name: float(v[0]) for name, v in wv.target_values(self, frame).items()}


class StandardisedDistance:
    """Root mean square over targets of (model - observed) / total sd; infinite for a failed run."""

    def __init__(self, scales: dict[str, float]):
        self.scales = dict(scales)

    def __call__(self, x, x0) -> float:
        z = np.array([(x[k] - x0[k]) / s for k, s in self.scales.items()], dtype=float)
        return float(np.sqrt(np.mean(z**2))) if np.all(np.isfinite(z)) else math.inf


def target_scales(cal, last_wave) -> dict[str, float]:
    """Each target's total sd: observation, model discrepancy and the seed-to-seed sd the last wave measured."""
    fits = {f.name: f for f in last_wave.fits} if last_wave is not None else {}
    out = {}
    for t in cal.targets:
        seed_var = fits[t.name].var_stochastic if t.name in fits and np.isfinite(fits[t.name].var_stochastic) else 0.0
        out[t.name] = float(math.sqrt(t.sd**2 + t.discrepancy**2 + seed_var))
    return out


# --- the sampler ---------------------------------------------------------------------------------------
_LOADED: dict[str, object] = {}


def _simulate(key: str, payload: bytes, seed: int):
    """Job: one pyabc ``simulate_one`` (proposal, model run, distance, acceptance) under a fixed seed."""
    import cloudpickle

    fn = _LOADED.get(key)
    if fn is None:                               # one generation's function, unpickled once per worker
        fn = cloudpickle.loads(payload)
        _LOADED.clear()
        _LOADED[key] = fn
    state, pystate = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        return fn()
    finally:
        np.random.set_state(state)
        random.setstate(pystate)


class SeededSampler(pyabc.sampler.Sampler):
    """Jobs 0, 1, 2, ... of a generation, each seeded by (root, t, j), run on ``executor`` (a
    concurrent.futures Executor, or None: this process); the sample is jobs 0..J with J the n-th accepted."""

    def __init__(self, root: int, executor=None, workers: int = 1, progress=None):
        super().__init__()
        self.root, self.executor, self.workers, self.progress = int(root), executor, max(1, int(workers)), progress
        self.wasted = 0

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        import cloudpickle

        t0 = time.perf_counter()
        payload = cloudpickle.dumps(simulate_one)
        key = hashlib.sha256(payload).hexdigest()
        results: dict[int, object] = {}
        if self.executor is None:
            j = accepted = 0
            while accepted < n:
                self._check(j, n, t)
                results[j] = _simulate(key, payload, job_seed(self.root, t, j))
                accepted += bool(results[j].accepted)
                j += 1
            last = j - 1
        else:
            last = self._parallel(n, t, key, payload, results)
        sample = self._create_empty_sample()
        for j in range(last + 1):
            sample.append(results[j])
        self.nr_evaluations_ = last + 1
        if self.progress is not None:
            self.progress(t, n, last + 1, time.perf_counter() - t0)
        return sample

    @staticmethod
    def _check(j: int, n: int, t: int) -> None:
        if j >= MAX_RUNS_PER_ACCEPTED * n:
            raise RuntimeError(f"ABC-SMC generation {t + 1}: fewer than {n} of {j} runs accepted (failed runs are never "
                               "accepted); the tolerance cannot be met")

    def _parallel(self, n, t, key, payload, results) -> int:
        from concurrent.futures import FIRST_COMPLETED, wait

        pending, next_j, window = {}, 0, self.workers      # each worker busy; few runs started past the sample
        try:
            while True:
                accepted = sorted(j for j, p in results.items() if p.accepted)
                if len(accepted) >= n:
                    last = accepted[n - 1]
                    for fut, j in list(pending.items()):
                        if j > last:              # started after the n-th acceptance: not part of the sample
                            fut.cancel()
                            del pending[fut]
                            self.wasted += 1
                    if not pending:
                        return last
                else:
                    while len(pending) < window:
                        self._check(next_j, n, t)
                        pending[self.executor.submit(_simulate, key, payload, job_seed(self.root, t, next_j))] = next_j
                        next_j += 1
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    results[pending.pop(fut)] = fut.result()
        finally:
            for fut in pending:
                fut.cancel()


# --- the run -------------------------------------------------------------------------------------------
@dataclass
class AbcResult:
    posterior: Posterior
    generations: list[dict] = field(default_factory=list)   # t, epsilon, runs, accepted, acceptance_rate, effective_size
    runs: int = 0                                           # model runs counted, the prior sample's included
    seconds: float = 0.0
    stopped_because: str = ""
    sampler: dict = field(default_factory=dict)
    db: str = DB


def _local_executor(workers: int):
    from concurrent.futures import ProcessPoolExecutor

    from draftsim.experiments.executors import _init_worker, _mp_context

    # the sweep's worker set-up: Ctrl-C is the parent's, and a worker exits when the calibration dies
    return ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_init_worker, initargs=(None, os.getpid()))


def abc_posterior(cal, waves, out: Path, executor: str | None = None, workers: int | None = None,
                  scheduler: str | None = None, log=print) -> AbcResult:
    """ABC-SMC inside the NROY space left by ``waves``; ``executor``/``workers``/``scheduler`` as for draftsim sweep.
    pyabc's database is ``out/abc.db`` (replaced if there)."""
    import logging

    from pyabc.weighted_statistics import effective_sample_size

    plan = cal.posterior
    t0 = time.perf_counter()
    db = Path(out) / DB
    if db.exists():
        db.unlink()                              # a resumed calibration runs its ABC again from the start
    dask = executor == "dask" or scheduler is not None
    pool, cluster, describe = None, None, {}
    if dask:
        from draftsim.experiments.executors import DaskExecutor

        cluster = DaskExecutor(workers, scheduler)
        pool, n_workers = cluster.client.get_executor(pure=False), cluster.workers
        describe = {"executor": "dask", "workers": n_workers, "scheduler": scheduler or "LocalCluster on 127.0.0.1"}
    else:
        n_workers = workers or os.cpu_count() or 1
        pool = _local_executor(n_workers) if n_workers > 1 else None
        describe = {"executor": "local", "workers": n_workers}

    def progress(t, n, runs, seconds):
        what = "prior sample" if t < 0 else f"generation {t + 1}"
        log(f"draftsim: ABC-SMC {what}: {n} accepted of {runs} runs ({seconds:.0f} s)")

    root = (cal.seed + ABC_SEED_OFFSET) % 2**63
    sampler = SeededSampler(root, pool, n_workers, progress)
    scales = target_scales(cal, waves[-1] if waves else None)
    observed = {t.name: float(t.target.observed) for t in cal.targets}
    loggers = [logging.getLogger(n) for n in ("ABC", "ABC.Sampler", "ABC.History", "ABC.Epsilon", "ABC.Distance", "ABC.Acceptor")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    np_state = np.random.get_state()
    np.random.seed(job_seed(root, -2, 0))        # pyabc's own draws in this process, if any: key (0, 0)
    try:
        smc = pyabc.ABCSMC(TargetModel(cal), NroyPrior(cal, waves), StandardisedDistance(scales),
                           population_size=plan.population, sampler=sampler, eps=pyabc.MedianEpsilon())
        smc.new("sqlite:///" + str(db.resolve()), observed)
        history = smc.run(minimum_epsilon=plan.min_epsilon, max_nr_populations=plan.generations)
    finally:
        np.random.set_state(np_state)
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
        if cluster is not None:                  # closing the client ends its executor's tasks
            cluster.close()
        elif pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    pops = history.get_all_populations()
    gens = []
    for _, row in pops[pops["t"] >= 0].iterrows():
        _, w = history.get_distribution(m=0, t=int(row["t"]))
        gens.append({"generation": int(row["t"]) + 1, "epsilon": float(row["epsilon"]), "runs": int(row["samples"]),
                     "accepted": int(row["particles"]), "acceptance_rate": float(row["particles"]) / float(row["samples"]),
                     "effective_size": float(effective_sample_size(np.asarray(w, dtype=float)))})
    frame, w = history.get_distribution(m=0, t=history.max_t)
    unit = frame[[unit_key(n) for n in cal.space.names]].to_numpy(dtype=float)
    from draftsim.experiments.calibration.waves import design_values

    points = np.array([list(p.values()) for p in design_values(cal, unit)], dtype=float)
    w = np.asarray(w, dtype=float)
    order = np.lexsort(points.T[::-1])           # a canonical order, whatever order the database returns
    last_eps = gens[-1]["epsilon"] if gens else math.nan
    if last_eps <= plan.min_epsilon:
        why = f"epsilon {last_eps:.4g} reached min_epsilon {plan.min_epsilon:g}"
    else:
        why = f"the last generation ({plan.generations}) is done"
    return AbcResult(Posterior(tuple(cal.space.names), points[order], w[order] / w.sum()), gens,
                     int(pops["samples"].sum()), time.perf_counter() - t0, why,
                     {**describe, "sampler": "SeededSampler (experiments/calibration/abc.py)", "wasted_runs": sampler.wasted}, DB)
