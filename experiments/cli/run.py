"""``draftsim run``: one simulation, its tables, figures and manifest in a new folder.

    draftsim run [--scenario NAME|FILE] [--seed INT] [--scale MEN_PER_AGENT] [--until YYYY-MM-DD]
                 [--set K=V ...] [--out DIR]
    draftsim run --posterior FILE --draws N [--seeds K] [--workers N] [--executor local|dask] ...

What the folder holds is :mod:`draftsim.experiments.run`'s to say.  With ``--posterior`` it is an
ensemble (:mod:`draftsim.experiments.ensemble`): N draws from a calibration's posterior, each at K seeds,
run by the sweep's executors; the folder holds ``draws.csv``, ``runs.csv``/``runs.parquet`` (one row per
run: draw, seed, outcomes), ``national.parquet`` (every run's national table, long, keyed by
run_id/point/draw/replicate/seed), ``regions.parquet`` (every run's regional totals at the end),
``national_bands.csv`` and ``regions_bands.csv`` (:mod:`draftsim.experiments.bands`), ``columns.csv``,
``figures/`` with ``--figures`` and ``manifest.json``.  Everything is written into a hidden sibling folder
first and renamed into place at the end, so an interrupted or failed run (or ensemble: one failed run
fails it) leaves nothing behind.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

from draftsim.experiments.cli.common import fail, int_at_least
from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import StagedDir, default_run_dir
from draftsim.model.provenance import provenance, sha256, write_manifest

HELP = "run one simulation and write its tables, figures and manifest"
DATE_HELP = "a date YYYY-MM-DD"

seed_type = int_at_least(0)
ENSEMBLE_ONLY = ("--draws", "--seeds", "--workers", "--executor", "--scheduler")
EXIT_FAILED_RUN = 1


def scale_type(text: str) -> float:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number of men per agent, e.g. 100") from None
    return value    # the range is the model's to check (DraftModel raises a one-line ParameterError)


def date_type(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: {DATE_HELP}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default="baseline", metavar="NAME|FILE",
                   help="built-in scenario name (see `draftsim scenarios`) or a .toml file (default: baseline)")
    p.add_argument("--seed", type=seed_type, default=1, metavar="INT", help="random seed >= 0 (default: 1)")
    p.add_argument("--scale", type=scale_type, default=10.0, metavar="MEN_PER_AGENT",
                   help="real men each agent stands for, 1 for every man (default: 10: ~15 s for the baseline)")
    p.add_argument("--until", type=date_type, default=None, metavar="YYYY-MM-DD",
                   help="last simulated day (default: the scenario's end_date; a later date, up to the "
                        "last allowed end_date 2030-12-31, extends the run)")
    p.add_argument("--set", dest="overrides", action="extend", nargs="+", default=[], metavar="K=V",
                   help="override a parameter (repeatable; see `draftsim params`)")
    p.add_argument("--figures", action="store_true",
                   help="also draw the run's figures into DIR/figures (PNG; matplotlib adds ~3 s)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="new or empty output folder (default: runs/<scenario>-<YYYYmmdd-HHMMSS>)")
    e = p.add_argument_group("ensemble over a calibration's posterior")
    e.add_argument("--posterior", type=Path, default=None, metavar="FILE",
                   help="posterior.parquet from `draftsim calibrate`: run an ensemble of draws from it, with "
                        "5-50-95%% bands (national_bands.csv, regions_bands.csv)")
    e.add_argument("--draws", type=int_at_least(1), default=None, metavar="N",
                   help="posterior draws to run (with --posterior; systematic resampling seeded by --seed)")
    e.add_argument("--seeds", type=int_at_least(1), default=None, metavar="K",
                   help="seeds per draw (default: 1: every draw has its own seed, so the bands already hold "
                        "the model's noise; more separates it from the parameters')")
    e.add_argument("--workers", type=int_at_least(1), default=None, metavar="N",
                   help="worker processes (default: the number of cores), as for draftsim sweep")
    e.add_argument("--executor", choices=("local", "dask"), default=None,
                   help="local process pool (default) or a Dask cluster, as for draftsim sweep")
    e.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a running Dask scheduler (implies --executor dask)")


def main(args: argparse.Namespace, argv: list[str]) -> int:
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    if args.posterior is not None:
        return ensemble(args, argv, started, t0)
    given = [opt for opt in ENSEMBLE_ONLY if getattr(args, opt[2:]) is not None]
    if given:
        raise UsageError(f"{given[0]}: only with --posterior FILE; allowed: add --posterior posterior.parquet "
                         f"(from draftsim calibrate) for an ensemble, or drop {given[0]}")
    if args.out is not None:
        StagedDir(args.out).check()                  # a bad --out fails at once, before the slow imports
    # imported here, not at the top: mesa and pandas take ~2 s to import; --help or a bad option need neither
    from draftsim.experiments.run import summary, write_tables
    from draftsim.model import DraftModel, parse_overrides

    overrides = parse_overrides(args.overrides)
    sc, params, until = scenario_until(args, overrides)
    out = args.out if args.out is not None else default_run_dir(sc.name)
    staged = StagedDir(out)
    staged.check()                                   # fail before the (slow) run, touching nothing
    model = DraftModel(params, seed=args.seed, scale=args.scale, events=sc.events)   # checks seed and scale
    print(f"draftsim: running scenario {sc.name}, seed {args.seed}, {args.scale:g} men per agent, "
          f"{params.start_date} to {until} -> {out}", flush=True)
    with staged as tmp:
        t_run = time.perf_counter()
        model.run(until=until)
        run_seconds = time.perf_counter() - t_run
        national, regions = write_tables(model, tmp)
        if args.figures:
            # matplotlib is imported only when figures are asked for: it costs more than a 1:1000 run
            from draftsim.experiments import figures
            from draftsim.experiments.run import region_table

            meta = {"scenario": sc.name, "seed": args.seed, "scale": args.scale}
            figures.draw_all(national, regions, region_table(model), tmp / "figures", meta)
        write_manifest(tmp, {
            "kind": "draftsim run",
            **scenario_block(sc, params),
            "seed": args.seed,
            "scale": args.scale,
            "until": until,
            "first_date": national["date"].iloc[0] if len(national) else None,
            "last_date": national["date"].iloc[-1] if len(national) else None,
            "steps": len(national),
            "figures": bool(args.figures),
            "model_run_s": round(run_seconds, 3),
            **provenance(started, dt.datetime.now(dt.UTC), time.perf_counter() - t0, ["draftsim", *argv]),
        })
    from draftsim.experiments import goals

    print(summary(national, out, time.perf_counter() - t0, goals.block(goals.evaluate(goals.model_values(model)))))
    return 0


def ensemble(args: argparse.Namespace, argv: list[str], started: dt.datetime, t0: float) -> int:
    """``--posterior``: N draws x K seeds of the scenario, run like a sweep's runs, with their bands."""
    from draftsim.experiments.ensemble import MAX_DRAWS

    if args.draws is None:
        raise UsageError(f"--draws: missing; allowed: --draws N, an integer in [1, {MAX_DRAWS}], with --posterior")
    if args.draws > MAX_DRAWS:
        raise UsageError(f"--draws: got {args.draws}; allowed: an integer in [1, {MAX_DRAWS}]")
    executor_kind = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and executor_kind != "dask":
        raise UsageError("--scheduler: only with --executor dask; allowed: drop --scheduler, or use --executor dask")
    if args.out is not None:
        StagedDir(args.out).check()
    from draftsim.experiments.ensemble import check_draws, load_posterior, posterior_draws
    from draftsim.experiments.outcomes import NATIONAL_COLUMNS, default_outcomes
    from draftsim.experiments.runs import Context, ensemble_plan
    from draftsim.model import parse_overrides
    from draftsim.model.parameter_values import to_kind
    from draftsim.model.units import SCALE_RANGE

    def bad_posterior(got: str, allowed: str):
        raise UsageError(f"--posterior: got {got}; allowed: {allowed}")

    post = load_posterior(args.posterior, bad_posterior)
    overrides = parse_overrides(args.overrides)
    clash = [k for k in overrides if k in post.names]
    if clash:
        raise UsageError(f"--set: got {clash[0]}={args.overrides[list(overrides).index(clash[0])].split('=', 1)[-1]}, "
                         f"which the posterior sets; allowed: a parameter {args.posterior} does not set (it sets "
                         f"{', '.join(post.names)})")
    sc, params, until = scenario_until(args, overrides)
    try:
        scale = float(to_kind("scale", int, args.scale, *SCALE_RANGE))
    except ValueError:
        raise UsageError(f"--scale: got {args.scale:g}; allowed: a whole number of men per agent in "
                         f"[{SCALE_RANGE[0]}, {SCALE_RANGE[1]}]") from None
    draws = posterior_draws(post, args.draws, args.seed)
    check_draws(params, draws, bad_posterior)
    seeds = args.seeds or 1
    runs = ensemble_plan([{}], draws, seeds, args.seed)
    keep = tuple(c for c in NATIONAL_COLUMNS if c != "date")        # the whole national table of every run
    ctx = Context(params, tuple(sc.events), until, scale, default_outcomes(until), keep)
    out = args.out if args.out is not None else default_run_dir(f"{sc.name}-ensemble")
    staged = StagedDir(out)
    staged.check()
    from draftsim.experiments.executors import make_executor

    executor = make_executor(executor_kind, args.workers, args.scheduler, len(runs))
    how = executor.describe()
    print(f"draftsim: ensemble of scenario {sc.name}: {args.draws} posterior draws x {seeds} seed{'s' if seeds > 1 else ''} "
          f"= {len(runs)} runs, {scale:g} men per agent, {params.start_date} to {until}, {how['executor']} executor, "
          f"{how['workers']} worker{'s' if how['workers'] != 1 else ''} -> {out}", flush=True)
    try:
        with staged as tmp:
            _run_ensemble(executor, ctx, runs, tmp)
            executor.terminate()
            _ensemble_outputs(args, argv, sc, params, until, scale, seeds, post, draws, runs, ctx, how, tmp, started, t0)
    except _Failed as exc:
        failed = exc.args[0]
        return fail(f"run {failed['run_id']} (draw {failed['draw']}, seed {failed['seed']}) failed: "
                    f"{failed.get('error')}; nothing was written", EXIT_FAILED_RUN)
    finally:
        executor.terminate()
    print(f"draftsim: {len(runs)} runs in {time.perf_counter() - t0:.1f} s; bands in {out / 'national_bands.csv'} "
          f"and {out / 'regions_bands.csv'}", flush=True)
    return 0


class _Failed(Exception):
    """A run of the ensemble failed (its result is the argument): the ensemble stops and writes nothing."""


def _run_ensemble(executor, ctx, runs, tmp: Path) -> None:
    """Every run into ``tmp/.parts`` as it finishes (memory stays flat); raises _Failed at the first failed run."""
    from draftsim.experiments.progress import Progress
    from draftsim.experiments.store import SweepStore

    store = SweepStore(tmp)
    store.parts.mkdir()
    progress = Progress(len(runs), 0, 0)
    progress.draw(force=True)
    try:
        for result in executor.results(ctx, runs):
            if result["status"] != "ok":
                executor.terminate()
                raise _Failed({**result, "draw": next(r.draw for r in runs if r.run_id == result["run_id"])})
            store.write_part(result)
            progress.update(True)
    finally:
        progress.close()


def _ensemble_outputs(args, argv, sc, params, until, scale, seeds, post, draws, runs, ctx, how, tmp: Path, started, t0) -> None:
    import shutil

    from draftsim.experiments.bands import write_bands
    from draftsim.experiments.ensemble import draws_table
    from draftsim.experiments.runs import SEEDING_DRAWS
    from draftsim.experiments.store import SweepStore, write_file

    store = SweepStore(tmp)
    store.consolidate(runs, [], ctx.outcomes, post.names, series="national.parquet")
    shutil.rmtree(store.parts)
    (tmp / "failures.jsonl").unlink(missing_ok=True)        # an ensemble with a failed run writes nothing at all
    table = draws_table(runs, post.names)
    write_file(tmp / "draws.csv", lambda p: table.to_csv(p, index=False, lineterminator="\n"))
    write_bands(tmp, "national.parquet", [c for c in ctx.keep if c != "step"], None, write_file)
    if args.figures:
        import pandas as pd

        from draftsim.experiments import band_figures

        meta = {"scenario": sc.name, "draws": len(draws), "seeds": seeds, "scale": scale, "posterior": args.posterior.name}
        band_figures.draw_all(pd.read_csv(tmp / "national_bands.csv"), pd.read_csv(tmp / "regions_bands.csv"),
                              tmp / "figures", meta)
    write_manifest(tmp, {
        "kind": "draftsim run ensemble",
        **scenario_block(sc, params),
        "posterior": post.describe(draws),
        "draws": len(draws),
        "seeds": seeds,
        "root_seed": args.seed,
        "seeding": SEEDING_DRAWS,
        "draw_values": [{"draw": d, **values} for d, values in enumerate(draws)],
        "run_seeds": {r.run_id: r.seed for r in runs},
        "scale": scale,
        "until": until,
        "runs": len(runs),
        "executor": how["executor"],
        "workers": how["workers"],
        "figures": bool(args.figures),
        "quantiles": "numpy.nanquantile, linear (type 7), over every run: draws x seeds",
        **provenance(started, dt.datetime.now(dt.UTC), time.perf_counter() - t0, ["draftsim", *argv]),
    })


def scenario_until(args, overrides):
    """The scenario with its overrides, its parameters and the last day: --until beyond the scenario's end extends it."""
    from draftsim.model import load_scenario
    from draftsim.model.parameters import DATE_MAX

    sc = load_scenario(args.scenario, overrides)
    params = sc.params
    until = args.until or params.end_date
    if not params.start_date <= until <= DATE_MAX:
        raise UsageError(f"--until: got {until}; allowed: {DATE_HELP} in [{params.start_date}, {DATE_MAX}]")
    if until > params.end_date:
        params = params.replace(end_date=until)
    return sc, params, until


def scenario_block(sc, params) -> dict:
    """What a run's manifest says of its scenario: the same for one run and an ensemble."""
    return {"scenario": sc.name, "scenario_source": sc.source, "scenario_source_sha256": scenario_sha256(sc.source),
            "scenario_description": sc.description, "overrides": sc.overrides,
            "scenario_events": [dataclasses.asdict(e) for e in sc.events], "parameters": params.as_dict()}


def scenario_sha256(source: str) -> str | None:
    """The sha256 of a scenario file (None for a built-in scenario or a file that is gone)."""
    if source.startswith("builtin:"):
        return None
    try:
        return sha256(Path(source))
    except OSError:
        return None


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help=HELP, description=HELP + ".")
    add_arguments(p)
    p.set_defaults(handler=main)
