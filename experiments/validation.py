"""``docs/VALIDATION.md``: the model against every target and issue 12's goals, with its figures.

    python -m draftsim.experiments.validation [--scenario NAME|FILE] [--scale N] [--seeds S ...]
                                              [--posterior FILE --draws N [--seed ROOT]] [--workers N]
                                              [--out docs/VALIDATION.md]

Without ``--posterior`` the runs are one parameter set (the scenario's) at each of ``--seeds``: the spread is
the model's own noise.  With it, ``--draws`` parameter sets drawn from the posterior as ``draftsim run
--posterior`` draws them (the same ``--seed`` gives the same draws and run seeds), one seed each: the spread
holds the parameters' uncertainty too.  Every run goes to the scenario's end.

For each target of ``national_targets.csv`` and ``regional_targets.csv`` the file gives the runs' 5-50-95%
of what the source would count, the observed value and band, and whether the median is inside; then the
goals (:mod:`draftsim.experiments.goals`) on the medians; then three figures, written next to it in
``validation/`` (:mod:`draftsim.experiments.validation_figures`).  A bad option is one line naming it, exit 2.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
from pathlib import Path

import numpy as np

from draftsim.experiments.cli.common import EXIT_USAGE, ArgumentParser, fail, int_at_least
from draftsim.experiments.errors import UsageError

DAY = dt.date(2023, 4, 12)           # the regional and by-channel tables' date (Bessudnov 2023)
QUANTILES = (0.05, 0.5, 0.95)


# --- one run -------------------------------------------------------------------------------------------
def run_one(params, events, scale: float, seed: int) -> dict:
    """One run to the scenario's end: every target's value, the regional deaths per 10k men and the shares
    of the dead by channel on :data:`DAY`, and the killed by calendar month (a top-level function: a worker
    process can run it)."""
    from draftsim.experiments.goals import SHARES
    from draftsim.experiments.outcomes import monthly_flow, region_attributes, regional_rate
    from draftsim.experiments.targets import compare
    from draftsim.model import DraftModel

    model = DraftModel(params, seed=seed, scale=scale, events=events)
    model.run()
    national = model.national_frame()
    table = compare(national, None, model)
    rate = regional_rate(model.region_history, "killed_total", DAY, region_attributes(model))
    values = dict(zip(table["target"], table["model"].astype(float)))
    return {"seed": seed, "targets": values, "regional_rate": rate.to_dict() if rate is not None else {},
            "killed_by_month": monthly_flow(national, "new_killed").to_dict(),
            "shares": {SHARES[k]: values.get(k, math.nan) for k in SHARES}}


def run_all(params, events, scale: float, runs: list[tuple[dict, int]], workers: int) -> list[dict]:
    """Every (parameter values, seed) run, in order; on ``workers`` processes when more than one."""
    jobs = [(params.replace(**values) if values else params, seed) for values, seed in runs]
    if workers <= 1 or len(jobs) == 1:
        return [run_one(p, events, scale, s) for p, s in jobs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, p, events, scale, s) for p, s in jobs]
        return [f.result() for f in futures]


# --- summaries over the runs ---------------------------------------------------------------------------
def target_table(results: list[dict], targets):
    """One row per compared target: 5-50-95% over the runs, observed, band, median in band, share of runs in band."""
    import pandas as pd

    rows = []
    for t in targets:
        if not t.compared:
            continue
        v = np.array([r["targets"].get(t.name, math.nan) for r in results], dtype=float)
        finite = v[np.isfinite(v)]
        q = np.quantile(finite, QUANTILES) if len(finite) else np.full(3, math.nan)
        inside = [t.in_band(x) for x in finite] if t.banded else []
        rows.append({"target": t.name, "regional": t.regional, "q05": q[0], "q50": q[1], "q95": q[2],
                     "observed": t.observed, "low": t.low, "high": t.high, "unit": t.unit,
                     "in_band": t.in_band(q[1]) if t.banded and len(finite) else None,
                     "runs_in_band": (sum(inside) / len(inside)) if inside else math.nan, "runs": len(finite),
                     "source": t.source})
    return pd.DataFrame(rows)


def medians(results: list[dict], key: str):
    """The median over the runs of a per-run {name: value} mapping, as a Series."""
    import pandas as pd

    return pd.DataFrame([r[key] for r in results]).median(axis=0, skipna=True)


# --- the document --------------------------------------------------------------------------------------
def _shown(x, unit: str) -> str:
    from draftsim.experiments.targets import FRACTIONAL_UNITS
    from draftsim.model.formats import whole

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.2f}" if unit in FRACTIONAL_UNITS else whole(x)


def markdown(table, statuses, figures: list[tuple[str, str]], header: dict) -> str:
    from draftsim.experiments.goals import TITLE, mark

    lines = ["# Validation: the model against the observed targets and issue 12's goals", "",
             f"Generated by `{header['command']}` on {header['date']}, code version {header['code']}.",
             f"Scenario **{header['scenario']}**, {header['scale']:g} men per agent, {header['runs_text']}.",
             "Regenerate it with the same command after a change to the model; do not edit it by hand.", "",
             "Model figures are what the source would count (each target's observation model: e.g. the named list's "
             "coverage and lag), as the 5%, 50% and 95% quantiles over the runs. *In band* is the median's verdict; "
             "*runs in band* the share of runs whose own value is inside.", "",
             f"## {TITLE}", "",
             f"{sum(s.met is True for s in statuses)} of {sum(s.met is not None for s in statuses)} goals met by the "
             "median run value" + (f" ({sum(s.met is None for s in statuses)} not computable with this model version: "
                                    "it does not report the dead by channel)" if any(s.met is None for s in statuses) else "")
             + ".", "",
             "| goal | model (median) | goal | met |", "|---|---|---|---|"]
    lines += [f"| {s.label} | {s.value} | {s.goal} | {mark(s.met)} |" for s in statuses]
    for regional, title in ((False, "National targets"), (True, "Regional targets (85 regions, 12 April 2023)")):
        part = table[table["regional"] == regional]
        inside = int((part["in_band"] == True).sum())            # noqa: E712 - a column of True/False/None
        banded = int(part["in_band"].notna().sum())
        lines += ["", f"## {title}", "", f"{inside} of {banded} banded targets in band (median).", "",
                  "| target | model 5% | 50% | 95% | observed (band) | in band | runs in band | source |",
                  "|---|---|---|---|---|---|---|---|"]
        for _, r in part.iterrows():
            u = r["unit"]
            band = f" ({_shown(r['low'], u)}-{_shown(r['high'], u)})" if r["in_band"] is not None or \
                (r["low"] is not None and not _nan(r["low"])) else " (no band)"
            verdict = "-" if r["in_band"] is None else ("yes" if r["in_band"] else "**no**")
            share = "-" if _nan(r["runs_in_band"]) else f"{r['runs_in_band']:.0%}"
            lines.append(f"| {r['target']} | {_shown(r['q05'], u)} | {_shown(r['q50'], u)} | {_shown(r['q95'], u)} | "
                         f"{_shown(r['observed'], u)}{band} | {verdict} | {share} | {r['source']} |")
    lines += ["", "## Figures", ""]
    for path, caption in figures:
        lines += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- the command ---------------------------------------------------------------------------------------
def parser() -> ArgumentParser:
    ap = ArgumentParser(prog="python -m draftsim.experiments.validation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="baseline", metavar="NAME|FILE")
    ap.add_argument("--scale", type=int_at_least(1), default=100, metavar="MEN_PER_AGENT",
                    help="men per agent (default 100; 1000 for a quick look)")
    ap.add_argument("--seeds", type=int_at_least(0), nargs="+", default=None, metavar="S",
                    help="the runs' seeds without --posterior (default: 1 2 3)")
    ap.add_argument("--posterior", type=Path, default=None, metavar="FILE", help="posterior.parquet from draftsim calibrate")
    ap.add_argument("--draws", type=int_at_least(1), default=None, metavar="N", help="posterior draws (with --posterior)")
    ap.add_argument("--seed", type=int_at_least(0), default=1, metavar="ROOT",
                    help="root seed of the draws and their run seeds (with --posterior; default 1)")
    ap.add_argument("--workers", type=int_at_least(1), default=1, metavar="N", help="worker processes (default 1)")
    ap.add_argument("--out", type=Path, default=Path("docs/VALIDATION.md"), metavar="FILE",
                    help="the Markdown file (default docs/VALIDATION.md); figures go to its folder's validation/")
    return ap


def plan(args) -> tuple[object, list[tuple[dict, int]], str]:
    """The scenario and the runs, (parameter values, seed) each, and how they are described."""
    from draftsim.model import ParameterError, load_scenario

    try:
        sc = load_scenario(args.scenario)
    except (ParameterError, ValueError, OSError) as exc:
        raise UsageError(f"--scenario: {' '.join(str(exc).split())}") from None
    if args.posterior is None:
        if args.draws is not None:
            raise UsageError("--draws: only with --posterior FILE; allowed: add --posterior or drop --draws")
        seeds = args.seeds or [1, 2, 3]
        return sc, [({}, s) for s in seeds], f"{len(seeds)} runs of its own parameters at seeds {', '.join(map(str, seeds))}"
    if args.seeds is not None:
        raise UsageError("--seeds: not with --posterior; allowed: --seed ROOT (each draw gets its own seed)")
    if args.draws is None:
        raise UsageError("--draws: missing; allowed: --draws N with --posterior")
    from draftsim.experiments.ensemble import check_draws, load_posterior, posterior_draws
    from draftsim.experiments.runs import ensemble_plan

    def bad(got: str, allowed: str):
        raise UsageError(f"--posterior: got {got}; allowed: {allowed}")

    post = load_posterior(args.posterior, bad)
    draws = posterior_draws(post, args.draws, args.seed)
    check_draws(sc.params, draws, bad)
    runs = ensemble_plan([{}], draws, 1, args.seed)
    return sc, [(r.params, r.seed) for r in runs], (f"{len(runs)} posterior draws from `{args.posterior.name}` "
                                                    f"(root seed {args.seed}), one seed each")


def generate(args, argv: list[str]) -> Path:
    from importlib import metadata

    from draftsim.experiments import goals
    from draftsim.experiments.targets import read_targets
    from draftsim.experiments.validation_figures import draw_all
    from draftsim.model.provenance import code_version

    sc, runs, runs_text = plan(args)
    if args.out.suffix != ".md":
        raise UsageError(f"--out: got {args.out}; allowed: a Markdown file, FILE.md")
    folder = args.out.parent / "validation"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: got {args.out} ({exc.strerror}); allowed: a file in a writable folder") from None
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    print(f"validation: {len(runs)} runs of scenario {sc.name} at {args.scale} men per agent -> {args.out}", flush=True)
    results = run_all(sc.params, tuple(sc.events), float(args.scale), runs, args.workers)
    targets = read_targets()
    table = target_table(results, targets)
    statuses = goals.evaluate(dict(zip(table["target"], table["q50"])), targets)
    meta = {"scenario": sc.name, "scale": args.scale, "runs_text": runs_text}
    figures = draw_all(results, table, folder, meta)
    code = code_version()
    version = (code["git_commit"] or "unknown")[:12] + (" (uncommitted changes)" if code["git_dirty"] else "")
    header = {"command": " ".join(["python -m draftsim.experiments.validation", *argv]), "date": started.date().isoformat(),
              "code": f"draftsim {metadata.version('draftsim')}, git {version}", "scenario": sc.name,
              "scale": float(args.scale), "runs_text": runs_text}
    rel = [(f"validation/{p.name}", caption) for p, caption in figures]
    args.out.write_text(markdown(table, statuses, rel, header), encoding="utf-8")
    print(goals.block(statuses))
    print(f"validation: written {args.out} and {len(figures)} figures in {folder} ({time.perf_counter() - t0:.0f} s)")
    return args.out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    try:
        generate(args, argv)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
