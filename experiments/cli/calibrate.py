"""``draftsim calibrate CALIBRATION.toml``: history matching in waves (experiments/calibration/).

    draftsim calibrate CALIBRATION.toml [--out DIR] [--workers N] [--executor local|dask]
                       [--scheduler ADDRESS] [--resume]

Output folder (``--out``, default ``calibrations/<name>-<YYYYmmdd-HHMMSS>``): ``calibration.toml`` (the
file as given), per wave ``wave-0k.toml`` (the wave as an experiment file) and ``wave-0k/`` (its sweep:
runs, manifest), ``waves.csv`` (per wave: points, runs, the NROY share of the prior, the emulators'
variance share, why it stopped), ``emulators.csv`` (per wave and target: leave-out validation, seed
variance, length scales), ``ruled_out.csv`` (per wave and target: the share of the space it rules out
alone), ``nroy.parquet`` (the prior sample's points left in the NROY space),
``posterior.parquet`` (a weighted sample inside it: by ABC-SMC with pyabc, whose database is ``abc.db``,
calibration/abc.py; or by the emulators, calibration/posterior.py, as the file's ``[posterior]`` says) and
``posterior.csv`` (its 5-50-95% quantiles), ``calibrated.toml`` (the base scenario with the posterior's
medoid, naming the posterior), ``predictive.toml`` and ``predictive/`` (the posterior predictive check's
sweep: real runs at posterior draws) with ``predictive.csv`` and ``predictive.png``, ``REPORT.md`` and
``manifest.json``.  ``--resume``
finishes an interrupted calibration: finished waves are read back, an interrupted wave's sweep is
resumed, nothing finished is run again (an interrupted ABC-SMC starts again; its runs are seeded, so it
gives the same posterior).

Exit codes: 0 done (whether or not the NROY space is empty: that is a finding); 1 runs failed;
2 bad input (nothing written); 130 interrupted (finish with --resume).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import time
from pathlib import Path

from draftsim.experiments.cli.common import EXIT_INTERRUPTED, fail, int_at_least
from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import default_run_dir

HELP = "calibrate: history matching in waves of sweeps, with Gaussian-process emulators"
COPY = "calibration.toml"
POSTERIOR_SEED_OFFSET = 104_729     # the posterior's prior draws: a stream apart from the designs' and the NROY sample's
PREDICTIVE_SEED_OFFSET = 1_299_709  # the predictive check's draws and seeds: another stream


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("calibration", type=Path, metavar="CALIBRATION.toml", help="the calibration file")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="new or empty output folder (default: calibrations/<name>-<YYYYmmdd-HHMMSS>); with --resume, "
                        "the folder of the interrupted calibration")
    p.add_argument("--workers", type=int_at_least(1), default=None, metavar="N",
                   help="worker processes for each wave's sweep (default: the number of cores)")
    p.add_argument("--executor", choices=("local", "dask"), default=None,
                   help="local process pool (default) or a Dask cluster, as for draftsim sweep")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="a running Dask scheduler (implies --executor dask)")
    p.add_argument("--resume", action="store_true", help="finish the interrupted calibration in --out")


def _check_folder(args) -> None:
    out = args.out
    if args.resume:
        if out is None:
            raise UsageError("--resume: needs --out DIR, the folder of the interrupted calibration")
        if not (out / COPY).is_file():
            raise UsageError(f"--resume: '{out}' is not a calibration folder (no {COPY}); allowed: the --out folder "
                             "of an interrupted calibration")
        if (out / "manifest.json").is_file():
            raise UsageError(f"--resume: '{out}' is a finished calibration; nothing to resume")
        if args.calibration.is_file() and (out / COPY).read_bytes() != args.calibration.read_bytes():
            raise UsageError(f"--resume: {args.calibration} differs from the {COPY} the calibration in '{out}' started "
                             "with; allowed: the same file")
    elif out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out: '{out}' is not a new or empty folder; allowed: a new or empty folder "
                         "(or --resume to finish an interrupted calibration)")


def main(args: argparse.Namespace, argv: list[str]) -> int:
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    if args.scheduler and args.executor == "local":
        raise UsageError("--scheduler: only with --executor dask; allowed: drop --scheduler, or use --executor dask")
    _check_folder(args)
    from draftsim.experiments.calibration.spec import load_calibration

    cal = load_calibration(args.calibration)
    out = args.out or default_run_dir(cal.name, root="calibrations")
    if not args.resume:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.calibration, out / COPY)
    try:
        return _calibrate(args, argv, cal, out, started, t0)
    except KeyboardInterrupt:
        return fail(f"interrupted; the finished runs are saved in {out}; finish with `draftsim calibrate "
                    f"{args.calibration} --out {out} --resume`", EXIT_INTERRUPTED)


def _run_wave(args, argv, out: Path, k: int) -> int:
    from draftsim.experiments.calibration.waves import wave_dir, wave_file

    return _sweep(args, [*argv, f"(wave {k})"], wave_file(out, k), wave_dir(out, k))


def _sweep(args, argv, experiment: Path, folder: Path) -> int:
    """Run (or finish, or read back) one of the calibration's sweeps."""
    from draftsim.experiments.cli import sweep

    if (folder / "manifest.json").is_file() and (folder / "runs.parquet").is_file():
        return 0                                   # finished before: read back, not rerun
    resume = folder.exists() and any(folder.iterdir())
    ns = argparse.Namespace(experiment=experiment, out=folder, workers=args.workers, executor=args.executor,
                            scheduler=args.scheduler, resume=resume)
    return sweep.main(ns, argv)


def _write_once(path: Path, text: str) -> None:
    """Write a file the calibration makes from its inputs; on resume it must be the same file."""
    if path.is_file() and path.read_text(encoding="utf-8") != text:
        raise UsageError(f"--resume: {path} is not the file this calibration makes now (the code or its inputs "
                         "changed); allowed: resume with the code that started it, or start a new calibration")
    if not path.is_file():
        path.write_text(text, encoding="utf-8")


def _predictive_check(args, argv, cal, out: Path, posterior):
    """Real runs at posterior draws (experiments/calibration/predictive.py): the table, or None without a check."""
    import pandas as pd

    from draftsim.experiments.calibration import predictive as pc
    from draftsim.experiments.calibration import waves as wv
    from draftsim.experiments.calibration.report import POSTERIOR, write_posterior

    if not cal.predictive.draws or not len(posterior.weights):
        return None
    write_posterior(out, posterior)          # the check's sweep reads it, as any ensemble would
    text = wv.wave_experiment(cal, PREDICTIVE_SEED_OFFSET, None, name=f"{cal.name}-predictive",
                              description=f"posterior predictive check of calibration {cal.name}",
                              replicates=cal.predictive.replicates, posterior=(POSTERIOR, cal.predictive.draws))
    _write_once(out / pc.FILE, text)
    print(f"draftsim: predictive check: {cal.predictive.draws} posterior draws x {cal.predictive.replicates} seeds", flush=True)
    code = _sweep(args, [*argv, "(predictive check)"], out / pc.FILE, out / pc.FOLDER)
    if code:
        raise _RunsFailed(code)
    return pc.check_table(cal, pd.read_parquet(out / pc.FOLDER / "runs.parquet"))


class _RunsFailed(Exception):
    def __init__(self, code: int):
        self.code = code


def _calibrate(args, argv, cal, out: Path, started, t0) -> int:
    import numpy as np
    import pandas as pd

    from draftsim.experiments.calibration import history_matching as hm
    from draftsim.experiments.calibration import waves as wv
    from draftsim.experiments.calibration.report import write_outputs

    pool = wv.candidates(cal)
    keep = np.ones(len(pool), dtype=bool)
    unit = wv.first_points(cal)
    done, reason, history = [], None, None
    print(f"draftsim: calibration {cal.name}: {cal.space.dim} parameters, {len(cal.targets)} targets, up to "
          f"{cal.matching.waves} waves of {cal.matching.points} points x {cal.matching.replicates} replicates "
          f"at 1:{cal.scale} -> {out}", flush=True)
    for k in range(1, cal.matching.waves + 1):
        _write_once(wv.wave_file(out, k), wv.wave_experiment(cal, k, wv.design_values(cal, unit)))
        code = _run_wave(args, argv, out, k)
        if code:
            return code
        runs = pd.read_parquet(wv.wave_dir(out, k) / "runs.parquet")
        history = wv.accumulate(history, unit, runs)
        wave = wv.fit_wave(cal, k, unit, *history)
        keep = wv.update(cal, wave, pool, keep)
        done.append(wave)
        worst = ", ".join(wave.ruled_out.worst(3))
        print(f"draftsim: wave {k}: NROY {wave.nroy_share:.2%} of the prior; ruling out most: {worst}", flush=True)
        reason = wv.stop_reason(cal, done)
        if reason:
            break
        unit = wv.next_points(cal, k + 1, pool, keep, done)
    # which targets the best emulators say can be met anywhere in the prior, alone and in pairs
    imp, _ = wv.implausibilities(cal, done[-1], pool)
    whole_prior = hm.what_rules_out(imp, [t.name for t in cal.targets], cal.matching.cutoff)
    from draftsim.experiments.calibration.posterior import Posterior, emulator_posterior

    abc = None
    if cal.posterior.chosen == "emulator":
        posterior = emulator_posterior(cal, done, cal.matching.candidates, wv.wave_seed(cal.seed, POSTERIOR_SEED_OFFSET))
    elif not keep.any():                       # nothing to sample: the report says so
        posterior = Posterior(tuple(cal.space.names), np.empty((0, cal.space.dim)), np.empty(0))
    else:
        from draftsim.experiments.calibration.abc import abc_posterior

        print(f"draftsim: ABC-SMC inside the NROY space: population {cal.posterior.population}, up to "
              f"{cal.posterior.generations} generations, min_epsilon {cal.posterior.min_epsilon:g}", flush=True)
        abc = abc_posterior(cal, done, out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                            log=lambda line: print(line, flush=True))
        posterior = abc.posterior
    try:
        check = _predictive_check(args, argv, cal, out, posterior)
    except _RunsFailed as failed:
        return failed.code
    write_outputs(cal, out, done, pool, keep, reason, started, t0, ["draftsim", *argv],
                  hashlib.sha256((out / COPY).read_bytes()).hexdigest(), whole_prior, posterior, check, abc=abc)
    print(f"draftsim: calibration {cal.name}: {len(done)} wave{'s' if len(done) != 1 else ''}; {reason}; "
          f"NROY {done[-1].nroy_share:.2%} of the prior; report in {out / 'REPORT.md'}", flush=True)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("calibrate", help=HELP, description=HELP + ".")
    add_arguments(p)
    p.set_defaults(handler=main)
