"""Benchmark of the sweep runner (`draftsim sweep`): overhead, scaling with workers, parent memory.

1. Runner overhead per run: a sweep of tiny runs (5,000 men per agent, to 30 Jun 2022) with one
   worker (in process), against the sum of its run durations and against a bare in-process loop
   over the same runs (build, run, outcomes: what the runner wraps).
2. Throughput of 1 vs 2 local workers with runs of about a second (1,000 men per agent, the
   baseline to the end of 2025): whole command and steady state (between the first and the last finished run).
3. Memory of the parent process over a 1,000-run sweep of tiny runs (2 workers): its RSS sampled
   every 100 finished runs.  Streaming to disk should keep it flat.

Every sweep runs as a user runs it, `python -m draftsim.experiments.cli sweep ...` in a subprocess, in a
temporary folder.  Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = """\
name = "bench_{name}"
until = {until}
scale = {scale}
replicates = {replicates}
seed = 1

[design]
kind = "grid"

[design.parameters]
bonus_multiplier = {values}

[timeseries]
columns = ["new_contracts", "deployed", "new_emigrants"]
"""


def experiment(folder: Path, name: str, runs: int, scale: int, until: str, points: int = 4) -> Path:
    values = [round(0.5 + i * 0.5, 2) for i in range(points)]
    path = folder / f"{name}.toml"
    path.write_text(TINY.format(name=name, until=until, scale=scale, replicates=runs // points, values=values))
    return path


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "OMP_NUM_THREADS": "1"}


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sweep(exp: Path, out: Path, workers: int, sample_every: int | None = None) -> dict:
    """Run a sweep; watch its parts appear (times, and the parent's RSS every ``sample_every`` runs)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "draftsim.experiments.cli", "sweep", str(exp), "--out", str(out),
                             "--workers", str(workers)], env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    seen, times, rss = 0, [], []
    parts = out / ".parts"
    while proc.poll() is None:
        try:
            n = sum(1 for p in os.scandir(parts) if p.name.endswith(".parquet") and not p.name.startswith("."))
        except FileNotFoundError:
            n = seen
        now = time.perf_counter() - t0
        if n > seen:
            times += [now] * (n - seen)
            if sample_every and (n // sample_every > seen // sample_every or seen == 0):
                rss.append((n, rss_mb(proc.pid)))
            seen = n
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = proc.stderr.read()
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed ({proc.returncode}): {err}")
    import pandas as pd

    runs = pd.read_parquet(out / "runs.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": wall, "runs": len(runs), "durations": float(runs["duration_s"].sum()),
            "mean_duration": float(runs["duration_s"].median()), "times": times, "rss": rss, "manifest": manifest}


BARE = r"""
import json, sys, time
from draftsim.experiments.experiment import load_experiment
from draftsim.experiments.runs import context, plan
from draftsim.experiments.outcomes import compute_outcomes, region_attributes, regions_last
from draftsim.model.model import DraftModel
exp = load_experiment(sys.argv[1])
ctx, runs = context(exp), plan(exp)
m = DraftModel(ctx.params, seed=0, scale=ctx.scale, events=ctx.events); m.run(until=ctx.until)    # warm-up
t0 = time.perf_counter()
for r in runs:
    m = DraftModel(ctx.params.replace(**r.params), seed=r.seed, scale=ctx.scale, events=ctx.events)
    m.run(until=ctx.until)
    compute_outcomes(ctx.outcomes, m.national_frame(), regions_last(m), region_attributes(m))
print(json.dumps({"loop_s": time.perf_counter() - t0, "runs": len(runs)}))
"""


def bare_loop(exp: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", BARE, str(exp)], env=env(), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def steady_rate(times: list[float], workers: int = 1) -> float:
    """Runs per second once every worker has finished its first run (start-up excluded): the runs after
    the ``workers``-th over the time from it to the last."""
    k = max(workers, 1)
    if len(times) <= k or times[-1] <= times[k - 1]:
        return float("nan")
    return (len(times) - k) / (times[-1] - times[k - 1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sweeps (a rough look in ~1 minute)")
    ap.add_argument("--tiny-runs", type=int, default=200, help="runs in the overhead sweep (default 200)")
    ap.add_argument("--second-runs", type=int, default=48, help="runs of ~1 s in each throughput sweep (default 48)")
    ap.add_argument("--memory-runs", type=int, default=1000, help="runs in the memory sweep (default 1000)")
    ap.add_argument("--repeat", type=int, default=2, help="repetitions of the overhead measurement (default 2)")
    args = ap.parse_args()
    if args.quick:
        args.tiny_runs, args.second_runs, args.memory_runs, args.repeat = 80, 8, 200, 1
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        tmp = Path(tmp)

        # 1. overhead ------------------------------------------------------------------------------
        exp = experiment(tmp, "tiny", args.tiny_runs, 5000, "2022-06-30")
        # alternate the two, keep the fastest of each: other load on the machine only ever slows things down
        sweeps, bares = [], []
        for i in range(args.repeat):
            sweeps.append(sweep(exp, tmp / f"tiny{i}", 1))
            bares.append(bare_loop(exp))
        s = min(sweeps, key=lambda r: r["wall"])
        bare = min(bares, key=lambda r: r["loop_s"])
        n = s["runs"]
        print(f"\n1. runner overhead, {n} tiny runs (5,000 men per agent, to 2022-06-30), 1 worker (in process)")
        print(f"   bare loop (build, run, outcomes):  {bare['loop_s']:7.2f} s  = {bare['loop_s'] / n * 1e3:6.1f} ms per run")
        print(f"   sum of run durations in the sweep: {s['durations']:7.2f} s  = {s['durations'] / n * 1e3:6.1f} ms per run")
        print(f"   sweep command, wall:               {s['wall']:7.2f} s  (start-up, imports, parts, tables, figures, manifest)")
        print(f"   overhead per run vs its durations: {(s['wall'] - s['durations']) / n * 1e3:6.1f} ms"
              f"   (steady state: {(1 / steady_rate(s['times']) - s['durations'] / n) * 1e3:5.1f} ms)")
        print(f"   overhead per run vs the bare loop: {(s['wall'] - bare['loop_s']) / n * 1e3:6.1f} ms"
              f"   (steady state: {(1 / steady_rate(s['times']) - bare['loop_s'] / n) * 1e3:5.1f} ms)")

        # 2. throughput --------------------------------------------------------------------------------
        exp = experiment(tmp, "second", args.second_runs, 1000, "2025-12-31")
        one = sweep(exp, tmp / "second1", 1)
        two = sweep(exp, tmp / "second2", 2)
        print(f"\n2. throughput, {one['runs']} runs of ~{one['mean_duration']:.2f} s (median; 1,000 men per agent, to 2025-12-31)")
        for label, r, w in (("1 worker ", one, 1), ("2 workers", two, 2)):
            print(f"   {label}: wall {r['wall']:6.1f} s, {r['runs'] / r['wall'] * 60:6.1f} runs/min whole command, "
                  f"{steady_rate(r['times'], w) * 60:6.1f} runs/min steady state (median run {r['mean_duration']:.2f} s)")
        print(f"   speed-up 2 vs 1 workers: {one['wall'] / two['wall']:.2f}x whole command, "
              f"{steady_rate(two['times'], 2) / steady_rate(one['times']):.2f}x steady state (target >= 1.7x)")

        # 3. memory ------------------------------------------------------------------------------------
        exp = experiment(tmp, "memory", args.memory_runs, 5000, "2022-03-31")
        m = sweep(exp, tmp / "memory", 2, sample_every=max(args.memory_runs // 10, 1))
        print(f"\n3. parent process memory over a {m['runs']}-run sweep (2 workers, tiny runs), wall {m['wall']:.1f} s")
        print("   runs done: " + " ".join(f"{k:>6}" for k, _ in m["rss"]))
        print("   RSS, MB:   " + " ".join(f"{v:6.1f}" if v is not None else "     ?" for _, v in m["rss"]))
        vals = [v for k, v in m["rss"] if v is not None and k >= max(args.memory_runs // 10, 1)]
        if len(vals) >= 2:
            print(f"   growth from {m['rss'][1][0]} runs to the end: {vals[-1] - vals[0]:+.1f} MB")


if __name__ == "__main__":
    main()
