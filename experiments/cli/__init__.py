"""The ``draftsim`` console command.

    draftsim run [--scenario NAME|FILE] [--seed INT] [--scale MEN_PER_AGENT] [--until YYYY-MM-DD]
                 [--set K=V ...] [--out DIR]
    draftsim sweep EXPERIMENT.toml [--out DIR] [--workers N] [--executor local|dask] [--scheduler ADDRESS] [--resume]
    draftsim calibrate CALIBRATION.toml [--out DIR] [--workers N] [--executor local|dask] [--scheduler ADDRESS] [--resume]
    draftsim report DIR [--out REPORT_DIR]
    draftsim scenarios
    draftsim params
    draftsim viz [--host 127.0.0.1] [--port 8765]

Each subcommand is a module of this package (``run``, ``sweep``, ``report``, ``catalog``, ``viz``)
(and ``calibrate``) with a ``register(subparsers)`` function that adds its parser and sets ``handler``
(``handler(args, argv) -> exit code``); add a new one to :data:`COMMANDS`.  What they share is
:mod:`.common`.  Any mistake in the input is one line on stderr
(``draftsim: error: <field>: ...; allowed: ...``) and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from draftsim.experiments.cli import calibrate, catalog, report, run, sweep, viz
from draftsim.experiments.cli.common import EXIT_INTERRUPTED, PROG, ArgumentParser, fail
from draftsim.experiments.errors import UsageError

COMMANDS = (run.register, sweep.register, calibrate.register, report.register, catalog.register_scenarios,
            catalog.register_params, viz.register)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog=PROG, description="Agent-based model of wartime military recruitment in Russia.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for register in COMMANDS:
        register(sub)
    parser.commands = sub.choices      # name -> subparser
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    commands = parser.commands
    if args.command is None:
        parser.error(f"missing command; allowed: {', '.join(commands)}")
    if extra:
        sub = commands[args.command]
        sub.error(f"unrecognized arguments: {' '.join(extra)}; allowed options: {', '.join(sub.option_names())}")
    return args


def _is_parameter_error(exc: BaseException) -> bool:
    model = sys.modules.get("draftsim.model")  # imported lazily by the commands; if absent, not its error
    return model is not None and isinstance(exc, model.ParameterError)


def _sigterm(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _sigterm)     # clean up partial output on kill too
    except ValueError:                                           # not the main thread
        pass
    try:
        return int(args.handler(args, argv) or 0)
    except ValueError as exc:
        if isinstance(exc, UsageError) or _is_parameter_error(exc):
            return fail(str(exc))
        raise
    except KeyboardInterrupt:
        return fail("interrupted; no partial output was left behind", EXIT_INTERRUPTED)
    except BrokenPipeError:                                      # e.g. `draftsim params | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        return fail(f"{exc}; no partial output was left behind", 1)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
