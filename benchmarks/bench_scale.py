"""Benchmark: the baseline's cost from 1:1000 down to 1:1 (all ~44M men), against Mesa's Boltzmann wealth model.

Issue 10 asks for the whole population at 1:1 in about a minute, with results that do not depend on
``scale`` (men per agent).  This script prints:

1. the reference: Mesa's own Boltzmann wealth model from the installed package (10,000 agents on a 100x100
   grid, Mesa's "large" benchmark configuration, 100 steps = 1e6 agent-steps), build plus steps, best of 3
   fresh subprocesses;
2. the baseline's model time (build plus run, imports and tables excluded) at each ``--scales``, each in a
   fresh subprocess with its own peak RSS, in seconds and as a multiple of the Boltzmann time, with the
   targets beside them: 1:1 <= 25x and <= 3 GB peak RSS, 1:100 <= 0.2x; and ``draftsim run --scale 1000``
   end to end (start-up, run, tables, manifest; figures are drawn only with --figures) <= 0.3x, with
   ``--figures`` timed too, for information;
3. local cost exponents between consecutive scales: log(t_i / t_j) / log(men_i / men_j), the represented
   men being proportional to 1 / scale (1 = cost linear in the men simulated);
4. with ``--invariance``: the scale-invariance check of :mod:`draftsim.experiments.invariance`, the national
   outcomes at each ``--other-scales`` against ``--reference-scale`` (means over ``--seeds`` seeds each) and
   Spearman's rho of deaths per 10k men by region (target >= 0.95 for scales up to 1:100; coarser scales
   are shown for information).

Nothing is hard-coded but the targets.  The exit status is non-zero only with ``--strict`` when a target
or an invariance check fails (or a run fails or times out).

    .venv/bin/python benchmarks/bench_scale.py [--scales 1 10 100 1000] [--repeats 1] [--no-cli]
        [--invariance [--seeds 5] [--reference-scale 1] [--other-scales 1000 100] [--workers 2]]
        [--json PATH] [--strict] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOLTZMANN_AGENTS, BOLTZMANN_STEPS, BOLTZMANN_GRID = 10_000, 100, 100
BOLTZMANN_REPEATS = 3
TARGET_1_TO_1_RATIO = 25.0
TARGET_1_TO_1_PEAK_MB = 3 * 1024
TARGET_1_TO_100_RATIO = 0.2
TARGET_CLI_1000_RATIO = 0.3
CLI_SCALE = 1000
RANK_TARGET_MAX_SCALE = 100         # regional deaths of a small region at 1:1000 are a handful of agents

BOLTZMANN_CHILD = r"""
import json, resource, sys, time
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth
n, grid, steps, seed = (int(a) for a in sys.argv[1:5])
t0 = time.perf_counter()
model = BoltzmannWealth(BoltzmannScenario(rng=seed, n=n, width=grid, height=grid))
t1 = time.perf_counter()
for _ in range(steps):
    model.step()
t2 = time.perf_counter()
print(json.dumps({"init_s": t1 - t0, "steps_s": t2 - t1, "model_s": t2 - t0, "agent_steps": n * steps,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

MODEL_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from draftsim.model import DraftModel, load_scenario
sc = load_scenario("baseline")
t1 = time.perf_counter()
m = DraftModel(sc.params, seed=int(sys.argv[2]), scale=int(sys.argv[1]), events=sc.events)
t2 = time.perf_counter()
m.run()
t3 = time.perf_counter()
national, regions = m.national_frame(), m.regions_frame()
t4 = time.perf_counter()
print(json.dumps({"scale": int(sys.argv[1]), "seed": int(sys.argv[2]), "weeks": len(national), "import_s": t1 - t0,
                  "init_s": t2 - t1, "run_s": t3 - t2, "model_s": t3 - t1, "frames_s": t4 - t3,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "killed_total": float(national["killed_total"].iloc[-1])}))
"""

INVARIANCE_CHILD = r"""
import json, resource, sys, time
from draftsim.experiments.invariance import national_outcomes, regional_deaths_per_10k
from draftsim.model import DraftModel, load_scenario
sc = load_scenario("baseline")
t0 = time.perf_counter()
m = DraftModel(sc.params, seed=int(sys.argv[2]), scale=int(sys.argv[1]), events=sc.events)
m.run()
t1 = time.perf_counter()
print(json.dumps({"scale": int(sys.argv[1]), "seed": int(sys.argv[2]), "model_s": t1 - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "outcomes": national_outcomes(m), "deaths_per_10k": regional_deaths_per_10k(m).to_dict()}))
"""


def child_env() -> dict[str, str]:
    # one BLAS thread: the machine's cores are for the runs side by side, not for one run's matrix kernels
    return {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_child(code: str, args: list, timeout: float) -> dict:
    """A fresh interpreter running ``code``; its last stdout line (JSON), or ``{"error": ...}``."""
    try:
        out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                             timeout=timeout, env=child_env())
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"error": f"exit {out.returncode}: {tail}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def draftsim_command() -> list[str]:
    """``draftsim`` as a user runs it: the entry point next to this interpreter (else ``-m``)."""
    script = Path(sys.executable).with_name("draftsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "draftsim.experiments.cli"]


def time_cli(scale: int, seed: int, timeout: float, extra: tuple[str, ...] = ()) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        cmd = [*draftsim_command(), "run", "--scale", str(scale), "--seed", str(seed), *extra, "--out", str(Path(tmp) / "run")]
        t0 = time.perf_counter()
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=child_env())
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:g} s", "command": cmd}
        wall = time.perf_counter() - t0
    if out.returncode != 0:
        return {"error": f"exit {out.returncode}: {(out.stderr.strip().splitlines() or [''])[-1]}", "command": cmd}
    return {"wall_s": wall, "command": cmd}


def best(runs: list[dict], key: str) -> dict:
    """The fastest run (other load on the machine only ever slows a run down); an error if every run failed."""
    good = [r for r in runs if "error" not in r]
    return min(good, key=lambda r: r[key]) if good else runs[-1]


# --- the header ---------------------------------------------------------------------------------------
def machine() -> dict:
    info = {"machine": platform.machine(), "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "platform": platform.platform(), "load_average": os.getloadavg()}
    for package in ("mesa", "numpy", "pandas"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True)
        info["draftsim_commit"] = rev.stdout.strip() + ("+changes" if dirty.stdout.strip() else "") or None
    except OSError:
        info["draftsim_commit"] = None
    return info


def print_header(info: dict) -> None:
    load = ", ".join(f"{x:.2f}" for x in info["load_average"])
    print(f"machine: {info['machine']}, {info['cores']} cores ({info['usable_cores']} usable), Python {info['python']}, "
          f"{info['platform']}")
    print(f"mesa {info['mesa']}, numpy {info['numpy']}, pandas {info['pandas']}; draftsim {info['draftsim_commit']}; "
          f"load average at start {load}")


# --- timings ------------------------------------------------------------------------------------------
def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("pass" if ok else "FAIL")


def time_boltzmann(seed: int, timeout: float) -> dict:
    runs = [run_child(BOLTZMANN_CHILD, [BOLTZMANN_AGENTS, BOLTZMANN_GRID, BOLTZMANN_STEPS, seed + i], timeout)
            for i in range(BOLTZMANN_REPEATS)]
    return {"runs": runs, "best": best(runs, "model_s")}


def scale_targets(scale: int, r: dict, reference_s: float) -> list[dict]:
    """The targets a scale's timing is held to (none for scales the issue sets none for); ``shown`` is its table cell."""
    if "error" in r:
        return [{"what": f"1:{scale} model run", "value": None, "target": "completes", "passed": False, "shown": ""}]
    ratio = r["model_s"] / reference_s
    out = []
    if scale == 1:
        out.append({"what": "1:1 model time / Boltzmann", "value": ratio, "target": f"<= {TARGET_1_TO_1_RATIO:g}x",
                    "passed": ratio <= TARGET_1_TO_1_RATIO})
        out.append({"what": "1:1 peak RSS, MB", "value": r["peak_mb"], "target": f"<= {TARGET_1_TO_1_PEAK_MB:,} MB",
                    "passed": r["peak_mb"] <= TARGET_1_TO_1_PEAK_MB})
    if scale == 100:
        out.append({"what": "1:100 model time / Boltzmann", "value": ratio, "target": f"<= {TARGET_1_TO_100_RATIO:g}x",
                    "passed": ratio <= TARGET_1_TO_100_RATIO})
    for t in out:
        t["shown"] = f"{'peak' if 'RSS' in t['what'] else 'time'} {t['target']} {verdict(t['passed'])}"
    return out


def cost_exponents(timed: dict[int, dict]) -> list[dict]:
    """Between consecutive scales (coarsest first): how model time grows with the men represented (~ 1/scale)."""
    scales = sorted((s for s, r in timed.items() if "error" not in r), reverse=True)
    out = []
    for coarse, fine in zip(scales, scales[1:]):
        t_coarse, t_fine = timed[coarse]["model_s"], timed[fine]["model_s"]
        out.append({"from_scale": coarse, "to_scale": fine,
                    "exponent": math.log(t_fine / t_coarse) / math.log(coarse / fine)})
    return out


# --- invariance ---------------------------------------------------------------------------------------
def invariance(reference_scale: int, other_scales: list[int], seeds: list[int], workers: int, timeout: float) -> dict:
    import pandas as pd

    from draftsim.experiments import invariance as inv

    # the finest scale first: the longest runs start first, so the pool does not end waiting on one of them
    jobs = [(scale, seed) for scale in sorted({reference_scale, *other_scales}) for seed in seeds]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {job: pool.submit(run_child, INVARIANCE_CHILD, list(job), timeout) for job in jobs}
        runs = {job: f.result() for job, f in futures.items()}
    failed = [{"scale": s, "seed": k, "error": r["error"]} for (s, k), r in runs.items() if "error" in r]

    def side(scale):
        return [runs[(scale, k)] for k in seeds if "error" not in runs[(scale, k)]]

    ref = side(reference_scale)
    ref_deaths = inv.seed_mean([pd.Series(r["deaths_per_10k"]) for r in ref]) if ref else None
    comparisons, ranks = {}, {}
    for scale in other_scales:
        other = side(scale)
        if not ref or not other:
            continue
        comparisons[scale] = inv.compare([r["outcomes"] for r in ref], [r["outcomes"] for r in other])
        rho = inv.spearman(ref_deaths, inv.seed_mean([pd.Series(r["deaths_per_10k"]) for r in other]))
        gated = scale <= RANK_TARGET_MAX_SCALE
        ranks[scale] = {"rho": rho, "target": inv.RANK_CORRELATION_TARGET if gated else None,
                        "passed": (rho >= inv.RANK_CORRELATION_TARGET) if gated else None}
    return {"reference_scale": reference_scale, "other_scales": other_scales, "seeds": seeds,
            "runs": [runs[j] | {"scale": j[0], "seed": j[1]} for j in jobs], "failed": failed,
            "comparisons": comparisons, "rank_correlation": ranks}


def print_invariance(result: dict) -> None:
    ref = result["reference_scale"]
    seeds = result["seeds"]
    print(f"\n4. scale invariance vs 1:{ref}, seeds {seeds[0]}-{seeds[-1]} ({len(seeds)} each; pass: |diff| <= tol x |1:{ref}| "
          f"or <= 2 SE)")
    for f in result["failed"]:
        print(f"   run 1:{f['scale']} seed {f['seed']} FAILED: {f['error']}")
    for scale, rows in result["comparisons"].items():
        print(f"\n   1:{scale} vs 1:{ref}")
        print(f"   {'outcome':<34} {'1:' + str(ref):>14} {'1:' + str(scale):>14} {'diff':>8} {'2 SE':>8} {'tol':>5}  result")
        for c in rows:
            two_se = 2 * c.se_difference / abs(c.reference_mean) if c.reference_mean else math.nan
            print(f"   {c.outcome:<34} {c.reference_mean:>14,.0f} {c.other_mean:>14,.0f} {c.relative_difference:>+8.2%} "
                  f"{two_se:>8.2%} {c.rel_tol:>5.0%}  {verdict(c.passed)}")
        r = result["rank_correlation"][scale]
        target = f">= {r['target']:.2f}" if r["target"] is not None else "(information only)"
        print(f"   {'Spearman rho, deaths/10k by region':<34} {r['rho']:>14.3f}   target {target}  {verdict(r['passed'])}")


# --- output -------------------------------------------------------------------------------------------
def plain(value):
    """JSON-ready: dataclasses as dicts, NaN as null (JSON has no NaN)."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100, 1000], help="men per agent (default 1 10 100 1000)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the timed runs (default 1)")
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per scale, the fastest kept (default 1)")
    ap.add_argument("--no-cli", action="store_true", help=f"skip the end-to-end `draftsim run --scale {CLI_SCALE}`")
    ap.add_argument("--invariance", action="store_true", help="run the scale-invariance check too")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per scale in the invariance check, 1..N (default 5)")
    ap.add_argument("--reference-scale", type=int, default=1, help="the invariance check's reference (default 1)")
    ap.add_argument("--other-scales", type=int, nargs="+", default=[1000, 100],
                    help="scales held to the reference (default 1000 100)")
    ap.add_argument("--workers", type=int, default=2, help="invariance runs side by side (default 2; timings run alone)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before a run counts as failed (default 1800)")
    ap.add_argument("--json", type=Path, default=None, metavar="PATH", help="write every figure to this JSON file too")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target or an invariance check fails")
    args = ap.parse_args(argv)

    info = machine()
    print_header(info)
    report: dict = {"machine": info, "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    checks: list[dict] = []

    boltz = time_boltzmann(args.seed, args.timeout)
    report["boltzmann"] = boltz
    b = boltz["best"]
    if "error" in b:
        print(f"\n1. Boltzmann reference FAILED: {b['error']}")
        reference_s = math.nan
        checks.append({"what": "Boltzmann reference", "value": None, "target": "completes", "passed": False})
    else:
        reference_s = b["model_s"]
        times = ", ".join(f"{r['model_s']:.2f}" for r in boltz["runs"] if "error" not in r)
        print(f"\n1. reference: Mesa {info['mesa']} Boltzmann wealth model, {BOLTZMANN_AGENTS:,} agents, "
              f"{BOLTZMANN_GRID}x{BOLTZMANN_GRID} grid, {BOLTZMANN_STEPS} steps")
        print(f"   build + steps, best of {BOLTZMANN_REPEATS}: {reference_s:.2f} s  (runs: {times} s; "
              f"{reference_s / b['agent_steps'] * 1e6:.2f} us per agent-step)")

    print(f"\n2. draftsim baseline (2022-02-24 to 2025-12-31), model time = build + run, fresh subprocess each, "
          f"best of {args.repeats}")
    print(f"   {'scale':>7} {'weeks':>6} {'build s':>8} {'run s':>8} {'model s':>8} {'x Boltz':>8} {'peak MB':>8} "
          f"{'tables s':>8}  targets")
    timed: dict[int, dict] = {}
    for scale in args.scales:
        runs = [run_child(MODEL_CHILD, [scale, args.seed], args.timeout) for _ in range(args.repeats)]
        r = timed[scale] = best(runs, "model_s")
        targets = scale_targets(scale, r, reference_s)
        checks += targets
        shown = "; ".join(t.pop("shown") for t in targets)
        if "error" in r:
            print(f"   1:{scale:<5} FAILED: {r['error']}")
            continue
        r["ratio_to_boltzmann"] = r["model_s"] / reference_s
        print(f"   1:{scale:<5} {r['weeks']:>6} {r['init_s']:>8.2f} {r['run_s']:>8.2f} {r['model_s']:>8.2f} "
              f"{r['ratio_to_boltzmann']:>7.2f}x {r['peak_mb']:>8.0f} {r['frames_s']:>8.2f}  {shown}")
    report["scales"] = timed

    if not args.no_cli:
        runs = [time_cli(CLI_SCALE, args.seed, args.timeout) for _ in range(args.repeats)]
        c = report["cli"] = best(runs, "wall_s")
        if "error" in c:
            print(f"\n   draftsim run --scale {CLI_SCALE} FAILED: {c['error']}")
            checks.append({"what": f"draftsim run 1:{CLI_SCALE}", "value": None, "target": "completes", "passed": False})
        else:
            c["ratio_to_boltzmann"] = c["wall_s"] / reference_s
            ok = c["ratio_to_boltzmann"] <= TARGET_CLI_1000_RATIO
            checks.append({"what": f"draftsim run 1:{CLI_SCALE} end to end / Boltzmann", "value": c["ratio_to_boltzmann"],
                           "target": f"<= {TARGET_CLI_1000_RATIO:g}x", "passed": ok})
            print(f"\n   `draftsim run --scale {CLI_SCALE}` end to end (start-up, run, tables, manifest): {c['wall_s']:.2f} s = "
                  f"{c['ratio_to_boltzmann']:.2f}x Boltzmann  target <= {TARGET_CLI_1000_RATIO:g}x  {verdict(ok)}")
        f = report["cli_figures"] = best([time_cli(CLI_SCALE, args.seed, args.timeout, ("--figures",))
                                          for _ in range(args.repeats)], "wall_s")
        if "error" not in f:
            f["ratio_to_boltzmann"] = f["wall_s"] / reference_s
            print(f"   the same with --figures (four PNG figures): {f['wall_s']:.2f} s = {f['ratio_to_boltzmann']:.2f}x Boltzmann")

    exponents = report["exponents"] = cost_exponents(timed)
    if exponents:
        print("\n3. local cost exponents, model time vs men represented (1 = linear):")
        for e in exponents:
            print(f"   1:{e['from_scale']} -> 1:{e['to_scale']}: {e['exponent']:.2f}")

    if args.invariance:
        seeds = list(range(1, args.seeds + 1))
        result = invariance(args.reference_scale, args.other_scales, seeds, args.workers, args.timeout)
        report["invariance"] = result
        print_invariance(result)
        checks += [{"what": f"run 1:{f['scale']} seed {f['seed']}", "value": None, "target": "completes", "passed": False}
                   for f in result["failed"]]
        for scale, rows in result["comparisons"].items():
            checks += [{"what": f"{c.outcome} 1:{scale} vs 1:{args.reference_scale}", "value": c.relative_difference,
                        "target": f"within {c.rel_tol:.0%} or 2 SE", "passed": c.passed} for c in rows]
        checks += [{"what": f"Spearman rho 1:{scale} vs 1:{args.reference_scale}", "value": r["rho"],
                    "target": f">= {r['target']}", "passed": r["passed"]}
                   for scale, r in result["rank_correlation"].items() if r["passed"] is not None]

    failures = [c for c in checks if c["passed"] is False]
    report["checks"], report["failures"] = checks, failures
    print(f"\n{len(checks) - len(failures)} of {len(checks)} checks pass" +
          ("" if not failures else ": failing " + "; ".join(c["what"] for c in failures)))
    if args.json is not None:
        args.json.write_text(json.dumps(plain(report), indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
