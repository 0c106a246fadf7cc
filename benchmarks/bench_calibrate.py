"""Benchmark: one history-matching wave of the national calibration, against Mesa's Boltzmann wealth model.

Issue 11 asks for a wave of 256 runs at the calibration's scale (1:1000) on 2 workers, and the emulator
fit and NROY sampling for 10 targets, each timed; the emulator steps should take seconds, not minutes.
This script takes the packaged example (experiments/calibration/examples/national.toml), keeps its first
``--targets`` targets and sets 128 points x 2 replicates, and prints:

1. the Boltzmann reference (bench_scale.py's: 10,000 agents, 100 steps, best of 3 fresh subprocesses);
2. the wave through ``draftsim sweep`` (a generated experiment file, ``--workers`` processes): wall time,
   runs per minute, and the wave as a multiple of the reference;
3. the emulator steps on that wave's runs: fitting one Gaussian process per target with its leave-out
   check, scoring the NROY space on the calibration's prior sample (20,000 points), and the next wave's
   design, each in seconds and as a multiple of the reference.

    .venv/bin/python benchmarks/bench_calibrate.py [--points 128] [--replicates 2] [--targets 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import machine, print_header, time_boltzmann  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=128)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--targets", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)

    import numpy as np
    import pandas as pd

    from draftsim.experiments.calibration import waves as wv
    from draftsim.experiments.calibration.spec import calibration_from_text
    from draftsim.experiments.cli import main as draftsim

    print_header(machine())
    ref = time_boltzmann(1, 1800)["best"]["model_s"]
    print(f"1. reference: Mesa Boltzmann wealth model, 10,000 agents x 100 steps, best of 3: {ref:.2f} s")

    example = resources.files("draftsim.experiments.calibration").joinpath("examples", "national.toml").read_text()
    head, *targets = example.split("[[targets]]")
    targets[-1] = targets[-1].split("[history_matching]")[0]
    text = head + "".join("[[targets]]" + t for t in targets[:args.targets]) + (
        f"[history_matching]\nwaves = 1\npoints = {args.points}\nreplicates = {args.replicates}\n")
    text = re.sub(r'name = "national"', 'name = "bench"', text, count=1)
    cal = calibration_from_text(text, "bench.toml")
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        unit = wv.first_points(cal)
        (out / "wave-01.toml").write_text(wv.wave_experiment(cal, 1, wv.design_values(cal, unit)), encoding="utf-8")
        t0 = time.perf_counter()
        code = draftsim(["sweep", str(out / "wave-01.toml"), "--out", str(out / "wave-01"), "--workers", str(args.workers)])
        wave_s = time.perf_counter() - t0
        if code:
            print(f"the wave's sweep failed (exit {code})")
            return 1
        runs = pd.read_parquet(out / "wave-01" / "runs.parquet")
    n_runs = len(runs)
    print(f"\n2. one wave: {n_runs} runs ({args.points} points x {args.replicates} replicates) at 1:{cal.scale} on "
          f"{args.workers} workers: {wave_s:.1f} s = {wave_s / ref:.1f}x Boltzmann, {n_runs / wave_s * 60:.0f} runs/min")

    t0 = time.perf_counter()
    wave = wv.fit_wave(cal, 1, unit, unit, runs)
    fit_s = time.perf_counter() - t0
    pool = wv.candidates(cal)
    t0 = time.perf_counter()
    keep = wv.update(cal, wave, pool, np.ones(len(pool), dtype=bool))
    nroy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    design = wv.next_points(cal, 2, pool, keep, [wave]) if keep.any() else np.empty((0, cal.space.dim))
    next_s = time.perf_counter() - t0
    print(f"\n3. emulator steps, {len(cal.targets)} targets, {cal.space.dim} parameters:")
    print(f"   fit the emulators and their leave-out checks: {fit_s:6.1f} s = {fit_s / ref:.2f}x Boltzmann")
    print(f"   score the NROY space on {len(pool):,} prior points: {nroy_s:6.1f} s = {nroy_s / ref:.2f}x Boltzmann "
          f"(NROY {keep.mean():.3%})")
    print(f"   the next wave's {len(design)} points:                {next_s:6.1f} s = {next_s / ref:.2f}x Boltzmann")
    within = [f.validation_share_within_3 for f in wave.fits]
    print(f"   leave-out checks: {min(within):.0%}-{max(within):.0%} of points within +-3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
