"""``draftsim sweep EXPERIMENT.toml``: run every design point and replicate of an experiment.

    draftsim sweep EXPERIMENT.toml [--out DIR] [--workers N] [--executor local|dask]
                   [--scheduler ADDRESS] [--resume]

Output folder (``--out``, default ``sweeps/<name>-<YYYYmmdd-HHMMSS>``): ``runs.parquet`` and
``runs.csv`` (one row per run), ``timeseries.parquet`` (long format), ``failures.jsonl``,
``sensitivity.csv`` (sobol and morris designs), ``figures/<outcome>.png``, ``experiment.toml`` and
``manifest.json``.  Results stream to ``.parts/`` as runs finish; ``--resume`` finishes an
interrupted sweep (Ctrl-C, kill -9, a lost node) without rerunning any finished run.

Exit codes: 0 every run succeeded; 1 some runs failed (see failures.jsonl) or the executor broke;
2 bad input (nothing written); 130 interrupted (finished runs kept; finish with --resume).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

from draftsim.experiments.cli.common import EXIT_INTERRUPTED, fail, int_at_least
from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import default_run_dir
from draftsim.model.provenance import code_version, iso, provenance, write_manifest

HELP = "run an experiment: every design point and replicate, on this machine or a Dask cluster"
EXIT_FAILED_RUNS = 1


workers_type = int_at_least(1)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("experiment", type=Path, metavar="EXPERIMENT.toml",
                   help="the experiment file (or the name of a packaged example, e.g. bonus_vs_register)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="new or empty output folder (default: sweeps/<name>-<YYYYmmdd-HHMMSS>); with --resume, "
                        "the folder of the interrupted sweep")
    p.add_argument("--workers", type=workers_type, default=None, metavar="N",
                   help="worker processes (default: the number of cores; 1 runs in this process); with "
                        "--executor dask and no --scheduler, the LocalCluster's workers")
    p.add_argument("--executor", choices=("local", "dask"), default=None,
                   help="local process pool (default) or a Dask cluster (pip install draftsim[distributed])")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786 (implies --executor dask; "
                        "default: a LocalCluster on 127.0.0.1)")
    p.add_argument("--resume", action="store_true",
                   help="finish the interrupted sweep in --out: skip finished runs, run the rest")


def main(args: argparse.Namespace, argv: list[str]) -> int:
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    executor_kind = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and executor_kind != "dask":
        raise UsageError("--scheduler: only with --executor dask; allowed: drop --scheduler, or use --executor dask")
    if args.resume and args.out is None:
        raise UsageError("--resume: needs --out DIR, the folder of the interrupted sweep")

    from draftsim.experiments.store import SweepStore

    # the output folder first: checking an experiment may sample its design (SALib, scipy: seconds)
    store = SweepStore(args.out) if args.out is not None else None
    if store is not None and args.resume:
        store.check_resume_folder()
    elif store is not None:
        store.check_new()
    from draftsim.experiments.experiment import load_experiment

    experiment = load_experiment(args.experiment)
    if store is None:
        store = SweepStore(default_run_dir(experiment.name, root="sweeps"))
        store.check_new()
    state = store.check_resume(experiment) if args.resume else None

    from draftsim.experiments.designs import design_points
    from draftsim.experiments.executors import make_executor
    from draftsim.experiments.runs import context, plan

    points = design_points(experiment.design, experiment.seed)
    runs = plan(experiment, points)
    ctx = context(experiment)
    finished = store.finished_ids() if args.resume else set()
    todo = [r for r in runs if r.run_id not in finished]
    executor = make_executor(executor_kind, args.workers, args.scheduler, len(todo))   # may refuse: nothing written yet
    try:
        import pyarrow.parquet  # noqa: F401 - needed for the first part; imported while the workers start
        if state is None:
            state = store.create(experiment, len(runs))
        else:
            store.clear_temporaries()
        return _execute(args, argv, experiment, store, state, points, runs, todo, ctx, executor, started, t0)
    except KeyboardInterrupt:
        if state is None:
            raise                        # nothing was written yet
        executor.terminate()
        return _stopped(args, store, runs, "interrupted", EXIT_INTERRUPTED)
    except OSError as exc:               # e.g. the disk filled up: the finished runs are still safe
        if state is None:
            raise
        executor.terminate()
        return _stopped(args, store, runs, f"cannot write the results ({exc})", EXIT_FAILED_RUNS)
    finally:
        executor.terminate()


def _stopped(args, store, runs, why: str, code: int) -> int:
    return fail(f"{why}; {len(store.finished_ids())} of {len(runs)} runs are saved in {store.final}; finish with "
                 f"`draftsim sweep {shlex.quote(str(args.experiment))} --out {shlex.quote(str(store.final))} --resume`", code)


def _execute(args, argv, experiment, store, state, points, runs, todo, ctx, executor, started, t0) -> int:
    from draftsim.experiments.executors import ExecutorBroken
    from draftsim.experiments.progress import Progress
    from draftsim.experiments.store import read_part_row

    done_before = len(runs) - len(todo)
    failed_before = 0
    if done_before:
        failed_before = sum(read_part_row(p)["status"] != "ok" for p in store.part_paths())
    how = executor.describe()
    n_points = len(points)
    resumed = f"resuming: {done_before} of {len(runs)} runs already done; " if args.resume else ""
    draws = f"{len(experiment.posterior_draws)} posterior draws x " if experiment.posterior is not None else ""
    print(f"draftsim: sweep {experiment.name}: {resumed}{len(runs)} runs ({n_points} design points x {draws}"
          f"{experiment.replicates} replicates), {how['executor']} executor, {how['workers']} worker"
          f"{'s' if how['workers'] != 1 else ''} -> {store.final}", flush=True)
    progress = Progress(len(runs), done_before, failed_before)
    progress.draw(force=True)
    session = {"started": iso(started), "executor": how, "runs_to_do": len(todo), "command": ["draftsim", *argv]}
    code: dict = {}

    def while_waiting() -> None:
        # this process idles while worker processes start: get what the end of the sweep needs now
        from draftsim.experiments import sweep_figures  # noqa: F401 - matplotlib: ~1 s

        code.update(code_version())             # the code as the sweep started

    try:
        for result in executor.results(ctx, todo, while_waiting):
            store.write_part(result)
            progress.update(result["status"] == "ok")
    except KeyboardInterrupt:
        executor.terminate()
        progress.close()
        session.update(finished=iso(dt.datetime.now(dt.UTC)), interrupted=True, wall_time_s=round(time.perf_counter() - t0, 3))
        store.record_session(state, session)
        return _stopped(args, store, runs, "interrupted", EXIT_INTERRUPTED)
    except ExecutorBroken as exc:
        executor.terminate()
        progress.close()
        return _stopped(args, store, runs, str(exc), EXIT_FAILED_RUNS)
    progress.close()
    executor.terminate()
    return _finish(args, argv, experiment, store, state, session, points, runs, ctx, how, t0, code or code_version())


def _finish(args, argv, experiment, store, state, session, points, runs, ctx, how, t0, code) -> int:
    from draftsim.experiments import sweep_figures

    factors = [f.name for f in experiment.design.factors]
    outcomes = [o.name for o in experiment.outcomes]
    posterior = experiment.posterior
    table = store.consolidate(runs, factors, experiment.outcomes, posterior.names if posterior else ())
    folder = store.folder
    if posterior is not None:
        _ensemble_tables(experiment, points, runs, folder)
    sweep_figures.draw(table, factors, outcomes, folder / "figures")
    sensitivity = _sensitivity(experiment, points, table, outcomes, store)
    n_failed = int((table["status"] != "ok").sum())
    finished = dt.datetime.now(dt.UTC)
    session.update(finished=iso(finished), wall_time_s=round(time.perf_counter() - t0, 3))
    sessions = [*state.get("sessions", []), session]
    write_manifest(folder, {
        "kind": "draftsim sweep",
        "experiment": {
            "name": experiment.name, "description": experiment.description, "sha256": experiment.sha256,
            "text": experiment.text, "path": str(experiment.path) if experiment.path else None,
            "scenario": experiment.scenario, "until": experiment.until, "scale": experiment.scale,
            "replicates": experiment.replicates, "seed": experiment.seed,
            "design_kind": experiment.design.kind, "factors": factors,
            "design": {"kind": experiment.design.kind, "samples": experiment.design.samples,
                       "options": {k: v for k, v in experiment.design.options.items() if k != "points"},
                       "factors": [_factor(f) for f in experiment.design.factors]},
            "outcomes": [_outcome(o) for o in experiment.outcomes], "keep": list(experiment.keep),
        },
        "runs": {"total": len(runs), "ok": len(runs) - n_failed, "failed": n_failed, "design_points": len(points),
                 "replicates": experiment.replicates},
        "seeding": _seeding(experiment, runs),
        "posterior": posterior.describe(list(experiment.posterior_draws)) if posterior else None,
        "draw_values": ([{"draw": d, **v} for d, v in enumerate(experiment.posterior_draws)] if posterior else None),
        "parameters": ctx.params.as_dict(),
        "events": [dataclasses.asdict(e) for e in ctx.events],
        "sensitivity": sensitivity,
        "run_time_s": round(float(table["duration_s"].fillna(0).sum()), 3),
        "executor": how["executor"],
        "workers": how["workers"],
        "sessions": sessions,
        # a resumed sweep: started at its first session, wall time summed over the sessions
        **provenance(state["started"], finished, sum(float(s.get("wall_time_s") or 0.0) for s in sessions),
                     ["draftsim", *argv], code=code),
    })
    store.finish()
    wall = time.perf_counter() - t0
    print(f"draftsim: {len(runs)} runs, {len(runs) - n_failed} ok, {n_failed} failed, in {wall:.1f} s; "
          f"output in {store.final}", flush=True)
    if n_failed:
        return fail(f"{n_failed} of {len(runs)} runs failed; see {store.final / 'failures.jsonl'}", EXIT_FAILED_RUNS)
    return 0


def _seeding(experiment, runs) -> dict:
    from draftsim.experiments.runs import SEEDING, SEEDING_DRAWS

    if experiment.posterior is None:
        return {"root_seed": experiment.seed, "rule": SEEDING,
                "replicate_seeds": [seed for _, seed in sorted({r.replicate: r.seed for r in runs}.items())]}
    seeds = {(r.draw, r.replicate): r.seed for r in runs}       # the same at every design point
    return {"root_seed": experiment.seed, "rule": SEEDING_DRAWS,
            "draw_seeds": [[seeds[d, r] for r in range(experiment.replicates)] for d in range(len(experiment.posterior_draws))]}


def _ensemble_tables(experiment, points, runs, folder: Path) -> None:
    """draws.csv and the bands, per design point, of a sweep with a posterior."""
    from draftsim.experiments.bands import write_bands
    from draftsim.experiments.ensemble import draws_table
    from draftsim.experiments.store import write_file

    first = [r for r in runs if r.point == 0]            # every point runs the same draws at the same seeds
    table = draws_table(first, experiment.posterior.names).drop(columns=["run_id", "point"])
    write_file(folder / "draws.csv", lambda p: table.to_csv(p, index=False, lineterminator="\n"))
    write_bands(folder, "timeseries.parquet", list(experiment.keep), points, write_file)
    _band_figures(experiment, folder)


def _band_figures(experiment, folder: Path) -> None:
    """figures/bands-p<point>/: each design point's national and regional bands, drawn as a run ensemble's are."""
    import pandas as pd

    from draftsim.experiments import band_figures

    national, regions = pd.read_csv(folder / "national_bands.csv"), pd.read_csv(folder / "regions_bands.csv")
    for point in sorted(set(national["point"])):
        meta = {"scenario": f"{experiment.scenario} (design point {point})", "draws": len(experiment.posterior_draws),
                "seeds": experiment.replicates, "scale": experiment.scale, "posterior": Path(experiment.posterior.path).name}
        band_figures.draw_all(national[national["point"] == point], regions[regions["point"] == point],
                              folder / "figures" / f"bands-p{point:05d}", meta)


def _factor(f) -> dict:
    return {k: getattr(f, k) for k in ("name", "values", "low", "high", "type") if hasattr(f, k)}


def _outcome(o) -> dict:
    return {k: getattr(o, k) for k in ("name", "metric", "column", "start", "end") if hasattr(o, k)}


def _sensitivity(experiment, points, table, outcomes, store) -> str | None:
    """sensitivity.csv for sobol and morris designs; a note (not a failure) when it cannot be computed."""
    from draftsim.experiments.designs import SENSITIVITY

    if experiment.design.kind not in SENSITIVITY:
        return None
    from draftsim.experiments.sensitivity import analyse
    from draftsim.experiments.store import tmp_name

    try:
        result = analyse(experiment.design, points, table, outcomes)
    except ValueError as exc:
        message = " ".join(str(exc).split())
        print(f"draftsim: sensitivity.csv not written: {message}", file=sys.stderr, flush=True)
        return f"not computed: {message}"
    final = store.folder / "sensitivity.csv"
    tmp = tmp_name(final)
    try:
        result.to_csv(tmp, index=False, lineterminator="\n")
        tmp.replace(final)
    finally:
        tmp.unlink(missing_ok=True)
    return "sensitivity.csv"


def register(subparsers) -> None:
    p = subparsers.add_parser("sweep", help=HELP, description=HELP + ".")
    add_arguments(p)
    p.set_defaults(handler=main)
