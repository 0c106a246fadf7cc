"""``draftsim run``: one simulation, its tables, figures and manifest in a new folder.

    draftsim run [--scenario NAME|FILE] [--seed INT] [--scale MEN_PER_AGENT] [--until YYYY-MM-DD]
                 [--set K=V ...] [--out DIR]

What the folder holds is :mod:`draftsim.experiments.run`'s to say.  Everything is written into a
hidden sibling folder first and renamed into place at the end, so an interrupted or failed run
leaves nothing behind.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

from draftsim.experiments.cli.common import int_at_least
from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import StagedDir, default_run_dir
from draftsim.model.provenance import provenance, sha256, write_manifest

HELP = "run one simulation and write its tables, figures and manifest"
DATE_HELP = "a date YYYY-MM-DD"

seed_type = int_at_least(0)


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


def main(args: argparse.Namespace, argv: list[str]) -> int:
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    if args.out is not None:
        StagedDir(args.out).check()                  # a bad --out fails at once, before the slow imports
    # imported here, not at the top: mesa and pandas take ~2 s to import; --help or a bad option need neither
    from draftsim.experiments.run import summary, write_tables
    from draftsim.model import DraftModel, load_scenario, parse_overrides
    from draftsim.model.parameters import DATE_MAX

    overrides = parse_overrides(args.overrides)
    sc = load_scenario(args.scenario, overrides)
    params = sc.params
    until = args.until or params.end_date
    if not params.start_date <= until <= DATE_MAX:
        raise UsageError(f"--until: got {until}; allowed: {DATE_HELP} in [{params.start_date}, {DATE_MAX}]")
    if until > params.end_date:
        params = params.replace(end_date=until)      # --until beyond the scenario's end extends the run
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
            "scenario": sc.name,
            "scenario_source": sc.source,
            "scenario_source_sha256": scenario_sha256(sc.source),
            "scenario_description": sc.description,
            "overrides": sc.overrides,
            "scenario_events": [dataclasses.asdict(e) for e in sc.events],
            "parameters": params.as_dict(),
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
    print(summary(national, out, time.perf_counter() - t0))
    return 0


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
