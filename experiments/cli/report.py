"""``draftsim report DIR [--out REPORT_DIR]``: the publication bundle of a finished sweep.

The work is :func:`draftsim.experiments.report.build_report`, which stages its output (a hidden sibling
folder renamed into place when complete), so a failed or interrupted report leaves nothing behind
and an existing report is never overwritten.  This module checks the input first, before the slow
imports.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from draftsim.experiments.errors import UsageError
from draftsim.experiments.outdir import StagedDir

HELP = "build the publication bundle (figures, tables, REPORT.md) of a finished sweep"
REQUIRED = ("runs.parquet", "timeseries.parquet", "manifest.json")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sweep_dir", type=Path, metavar="DIR", help="the folder of a finished `draftsim sweep`")
    p.add_argument("--out", type=Path, default=None, metavar="REPORT_DIR",
                   help="new or empty folder for the report (default: DIR/report)")


def check_sweep_dir(folder: Path) -> None:
    allowed = "allowed: the output folder of a finished `draftsim sweep`"
    if not folder.is_dir():
        raise UsageError(f"DIR: '{folder}' is not a folder; {allowed}")
    if (folder / ".sweep.json").exists():
        raise UsageError(f"DIR: '{folder}' holds an unfinished sweep; finish it with `draftsim sweep EXPERIMENT.toml "
                         f"--out {folder} --resume`; {allowed}")
    missing = [f for f in REQUIRED if not (folder / f).is_file()]
    if missing:
        raise UsageError(f"DIR: '{folder}' has no {missing[0]}; {allowed}")


def main(args: argparse.Namespace, argv: list[str]) -> int:
    sweep_dir = args.sweep_dir
    check_sweep_dir(sweep_dir)
    out = args.out if args.out is not None else sweep_dir / "report"
    StagedDir(out).check()
    # matplotlib and pandas: imported only once the input is known to be good
    from draftsim.experiments.report import build_report

    build_report(Path(sweep_dir), out)
    print(f"draftsim: report of {sweep_dir} written to {out} (see {Path(out) / 'REPORT.md'})", flush=True)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help=HELP, description=HELP + ".")
    add_arguments(p)
    p.set_defaults(handler=main)
