"""``draftsim viz [--host 127.0.0.1] [--port 8765]``: open the live view (:mod:`draftsim.viz.server`)."""

from __future__ import annotations

import argparse

from draftsim.experiments.cli.common import int_at_least
from draftsim.experiments.errors import UsageError
from draftsim.viz.server import DEFAULT_HOST, DEFAULT_PORT, VizError, serve

HELP = "open the live view in the browser (Solara)"


def main(args: argparse.Namespace, argv: list[str]) -> int:
    try:
        serve(args.host, args.port)
    except VizError as exc:
        raise UsageError(str(exc)) from None
    return 0  # pragma: no cover - serve replaces this process


def register(subparsers) -> None:
    p = subparsers.add_parser("viz", help=HELP, description="Serve the live view: watch recruitment flows and move "
                                                            "policy levers while the model runs.")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    p.add_argument("--port", type=int_at_least(1), default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.set_defaults(handler=main)
