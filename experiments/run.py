"""``draftsim run``: one simulation, its tables, figures and manifest in a new folder.

Output folder (``--out``, default ``runs/<scenario>-<YYYYmmdd-HHMMSS>``):

- ``national.csv`` / ``national.parquet``: ``DraftModel.national_frame()``, one row per weekly step;
- ``regions.csv`` / ``regions.parquet``: ``DraftModel.regions_frame()``, one row per region and step;
- ``columns.csv``: the data dictionary of both tables (name, kind, unit, dtype, scope, label, meaning),
  written from ``model/columns.py``; the Parquet files keep its dtypes, the CSVs ISO dates;
- ``figures/*.png``: see :mod:`experiments.figures`;
- ``manifest.json``: scenario, resolved parameters, seed, scale, code and package versions,
  timings, command line and the list of files.

Everything is written into a hidden sibling folder first and renamed into place at the end,
so an interrupted or failed run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import math
import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING

from draftsim.experiments.errors import UsageError
from draftsim.experiments.manifest import environment, iso, write_manifest
from draftsim.experiments.outdir import StagedDir, default_run_dir

if TYPE_CHECKING:
    import pandas as pd

HELP = "run one simulation and write its tables, figures and manifest"
DATE_HELP = "a date YYYY-MM-DD"


# --- option types: errors read "argument --x: got ...; allowed: ..." ---------------------------------
def int_at_least(low: int):
    """An argparse type: an integer >= ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: an integer >= {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"got {value}; allowed: an integer >= {low}")
        return value
    return parse


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
    p.add_argument("--scale", type=scale_type, default=100.0, metavar="MEN_PER_AGENT",
                   help="real men each agent stands for (default: 100)")
    p.add_argument("--until", type=date_type, default=None, metavar="YYYY-MM-DD",
                   help="last simulated day (default: the scenario's end_date; a later date, up to the "
                        "last allowed end_date 2030-12-31, extends the run)")
    p.add_argument("--set", dest="overrides", action="extend", nargs="+", default=[], metavar="K=V",
                   help="override a parameter (repeatable; see `draftsim params`)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="new or empty output folder (default: runs/<scenario>-<YYYYmmdd-HHMMSS>)")


# --- the command -----------------------------------------------------------------------------------
def main(args: argparse.Namespace, argv: list[str]) -> int:
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    if args.out is not None:
        StagedDir(args.out).check()                  # a bad --out fails at once, before the slow imports
    # imported here, not at the top: mesa and pandas take ~2 s to import; --help or a bad option need neither
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
    # matplotlib: another ~0.7 s, once the input is known to be good
    from draftsim.experiments import figures

    model = DraftModel(params, seed=args.seed, scale=args.scale, events=sc.events)   # checks seed and scale
    print(f"draftsim: running scenario {sc.name}, seed {args.seed}, {args.scale:g} men per agent, "
          f"{params.start_date} to {until} -> {out}", flush=True)
    with staged as tmp:
        t_run = time.perf_counter()
        model.run(until=until)
        run_seconds = time.perf_counter() - t_run
        national, regions = write_tables(model, tmp)
        region_info = region_table(model)
        meta = {"scenario": sc.name, "seed": args.seed, "scale": args.scale}
        figures.draw_all(national, regions, region_info, tmp / "figures", meta)
        finished = dt.datetime.now(dt.UTC)
        write_manifest(tmp, {
            "scenario": sc.name,
            "scenario_source": sc.source,
            "scenario_source_sha256": _file_sha256(sc.source),
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
            **environment(),
            "started_utc": iso(started),
            "finished_utc": iso(finished),
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "model_run_s": round(run_seconds, 3),
            "command": ["draftsim", *argv],
            "command_line": shlex.join(["draftsim", *argv]),
            "cwd": str(Path.cwd()),
        })
    print(summary(national, out, time.perf_counter() - t0))
    return 0


def _file_sha256(source: str) -> str | None:
    if source.startswith("builtin:"):
        return None
    try:
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    except OSError:
        return None


def national_table(model) -> pd.DataFrame:
    """The national table, the same that the sweep keeps columns of and the live view exports."""
    return model.national_frame()


def region_table(model) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"region": [r.iso for r in model.regions], "name": [r.name for r in model.regions],
                         "men_census": [float(r.men_census) for r in model.regions]})


def write_tables(model, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from draftsim.model.columns import write_data_dictionary

    national, regions = national_table(model), model.regions_frame()
    for name, df in (("national", national), ("regions", regions)):
        df.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        df.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")
    write_data_dictionary(folder)
    return national, regions


# --- the stdout summary ----------------------------------------------------------------------------
def _n(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


def summary(national: pd.DataFrame, out: Path, wall: float) -> str:
    import pandas as pd

    def total(col: str) -> float:
        return float(national[col].sum()) if col in national else float("nan")

    def last(col: str) -> float:
        return float(national[col].iloc[-1]) if col in national and len(national) else float("nan")

    rows = [
        ("contract recruits", _n(total("new_contracts")),
         f"of which {_n(total('new_contracts_from_conscripts'))} serving conscripts"),
        ("conscripts", _n(total("new_conscripts")), ""),
        ("mobilised", _n(total("new_mobilised")), ""),
        ("prisoner recruits", _n(total("new_prisoner_recruits")), ""),
        ("foreign troops", _n(total("new_foreign")), ""),
        ("notices sent", _n(total("new_notices_sent")), ""),
        ("evaders", _n(total("new_evaders")), "men who evaded a notice"),
        ("emigrants", _n(total("new_emigrants")),
         f"of which {_n(total('new_emigrants_pre_emptive'))} pre-emptive"),
        ("killed", _n(last("killed_total")), "cumulative, Russian"),
        ("wounded", _n(last("wounded_total")), "cumulative"),
        ("deployed at the end", _n(last("deployed")), ""),
    ]
    dates = pd.to_datetime(national["date"]) if len(national) else pd.Series(dtype="datetime64[ns]")
    window = national[(dates >= "2023-01-01") & (dates <= "2025-12-31")] if len(national) else national
    if len(window) and "new_contracts" in window:
        per_month = float(window["new_contracts"].sum()) / (len(window) * 7 / (365.25 / 12))
        span = f"{window['date'].iloc[0]} to {window['date'].iloc[-1]}"
        full = dates.iloc[0] <= pd.Timestamp("2023-01-01") and dates.iloc[-1] >= pd.Timestamp("2025-12-25")
        rows.append(("contracts per month 2023-2025", _n(per_month),
                     f"mean over {len(window)} weeks" + ("" if full else f", partial: {span}")))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    first = national["date"].iloc[0] if len(national) else "?"
    lastd = national["date"].iloc[-1] if len(national) else "?"
    lines = [f"totals over {len(national)} weekly steps, {first} to {lastd} (real men):"]
    lines += [f"  {a:<{width}}  {b:>{vwidth}}  {c}".rstrip() for a, b, c in rows]
    lines.append(f"wall time {wall:.1f} s; output in {out}")
    return "\n".join(lines)


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help=HELP, description=HELP + ".")
    add_arguments(p)
    p.set_defaults(handler=main)
