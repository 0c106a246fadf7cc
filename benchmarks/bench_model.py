"""Benchmark: wall time and peak memory of the baseline at 1:1000, 1:100 and 1:10 scale.

Each scale runs in a fresh subprocess so that its peak memory is its own.  Prints one row per
scale and the cost per represented man, to check that cost grows no faster than linearly.

    .venv/bin/python benchmarks/bench_model.py [--scales 1000 100 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from draftsim.model import DraftModel, load_scenario
sc = load_scenario("baseline")
t1 = time.perf_counter()
m = DraftModel(sc.params, seed=int(sys.argv[2]), scale=float(sys.argv[1]), events=sc.events)
t2 = time.perf_counter()
m.run()
t3 = time.perf_counter()
print(json.dumps({
    "scale": float(sys.argv[1]), "men": int(m.population.size), "steps": len(m.history),
    "agents_end": sum(1 for _ in m.people()), "import_s": t1 - t0, "init_s": t2 - t1, "run_s": t3 - t2,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "killed_total": m.history[-1]["killed_total"],
}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1000, 100, 10])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"{'scale':>8} {'men':>10} {'steps':>6} {'agents':>8} {'init s':>7} {'run s':>7} {'total s':>8} "
          f"{'peak MB':>8} {'us/man':>7}")
    for scale in args.scales:
        out = subprocess.run([sys.executable, "-c", CHILD, str(scale), str(args.seed)], check=True,
                             capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total = r["init_s"] + r["run_s"]
        print(f"1:{r['scale']:<6g} {r['men']:>10,} {r['steps']:>6} {r['agents_end']:>8,} {r['init_s']:>7.2f} "
              f"{r['run_s']:>7.2f} {total:>8.2f} {r['peak_mb']:>8.0f} {total / r['men'] * 1e6:>7.2f}")


if __name__ == "__main__":
    main()
