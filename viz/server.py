"""Serving the live view with Solara, offline and on localhost by default (the command is
:mod:`draftsim.experiments.cli.viz`).

Every front-end file comes from installed packages: Solara's own bundles from ``solara-assets``
and plotly.js from the plotly package (served as ``/static/assets/plotly.min.js`` through
``SOLARA_ASSETS_EXTRA_LOCATIONS``), so the page works with no internet.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class VizError(ValueError):
    """A bad --host or --port, or a broken plotly installation: one line naming it and what is allowed."""


def plotly_assets() -> Path:
    import plotly

    folder = Path(plotly.__file__).resolve().parent / "package_data"
    if not (folder / "plotly.min.js").is_file():
        raise VizError(f"plotly: {folder / 'plotly.min.js'} is missing; allowed: a plotly>=6 installation that ships it")
    return folder


def check_address(host: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise VizError(f"--port: got {port}; allowed: an integer in [1, 65535]")
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise VizError(f"--host: got {host!r}; allowed: an IP address (127.0.0.1 by default) or localhost") from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise VizError(f"--port: cannot listen on {host}:{port} ({exc.strerror}); allowed: a free port") from None


def environment(base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_ASSETS_EXTRA_LOCATIONS"] = str(plotly_assets())
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    # a closed tab's model is freed after 15 minutes (Solara keeps it a day by default)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "15m")
    return env


def command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "solara", "run", "draftsim.viz.app", "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning"]


def serve(host: str, port: int) -> None:
    """Replace this process with the Solara server (does not return)."""
    check_address(host, port)
    env = environment()
    if not ipaddress.ip_address("127.0.0.1" if host == "localhost" else host).is_loopback:
        print(f"draftsim viz: listening on {host}, reachable from other machines: each visitor gets their own model",
              file=sys.stderr)
    print(f"draftsim viz: open http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    os.execve(sys.executable, command(host, port), env)
