"""What several test files share: the checkout, the `draftsim` command as a user runs it, a free port.

Markers (registered in pyproject.toml, ``--strict-markers``): ``slow`` (left out by ``pytest -m "not slow"``,
the quick loop while editing), ``subprocess`` (starts the CLI, a server or worker processes) and
``browser`` (drives Chromium).  ``make test`` passes no ``-m`` and runs everything.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A loopback port nothing listens on (bound and released; call it once per server)."""
    return _free_port


def _run_cli(args, cwd: Path, timeout: float = 180, **extra_env: str) -> subprocess.CompletedProcess:
    # the installed package is found like any other; the checkout is not put on PYTHONPATH, so a stray
    # top-level `import model` fails here as it would for a user
    return subprocess.run([sys.executable, "-m", "draftsim.experiments.cli", *map(str, args)], cwd=cwd,
                          env={**os.environ, **extra_env}, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess]:
    """``run_cli(["run", "--scale", "5000"], cwd)``: `draftsim ARGS` in a subprocess, output captured."""
    return _run_cli
