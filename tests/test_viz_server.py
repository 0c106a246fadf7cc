"""``draftsim viz``: bad addresses are one line and exit 2; the server listens on localhost only and
serves every front-end file itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

pytestmark = [pytest.mark.subprocess]

CLI = [sys.executable, "-m", "draftsim.experiments.cli", "viz"]


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "draftsim: error: --port: got 70000; allowed: an integer in [1, 65535]"),
    (["--port", "0"], "draftsim: error: argument --port: got 0; allowed: an integer >= 1"),
    (["--port", "http"], "draftsim: error: argument --port: got 'http'; allowed: an integer >= 1"),
    (["--host", "example.org"], "draftsim: error: --host: got 'example.org'; allowed: an IP address (127.0.0.1 by default) or localhost"),
])
def test_a_bad_address_is_one_line_and_exit_2(args, message):
    res = subprocess.run(CLI + args, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [message] or res.stderr.strip().startswith(message)
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run(CLI + ["--port", str(port)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"draftsim: error: --port: cannot listen on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def server(free_port):
    port = free_port()
    proc = subprocess.Popen(CLI + ["--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"draftsim viz did not answer on {base}: {proc.stdout.read1().decode(errors='replace')}")
    yield port, proc
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


@pytest.mark.slow
def test_the_server_listens_on_localhost_only(server):
    port, proc = server
    listening = [c.laddr for c in psutil.Process(proc.pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" and addr.port == port for addr in listening)


@pytest.mark.slow
def test_the_page_and_plotly_js_are_served_locally(server):
    port, _ = server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
        html = r.read().decode()
    assert "draftsim" in html or "solara" in html.lower()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/assets/plotly.min.js", timeout=10) as r:
        head = r.read(200).decode(errors="replace")
    assert "plotly.js" in head
