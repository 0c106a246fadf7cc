"""The wheel works anywhere: built from the checkout, installed (not editable) into a fresh virtual environment
and used from a folder that has its own ``model.py`` and ``agents.py``, as a modeller's project folder might.

Why the fresh environment borrows the dependencies: installing Mesa, pandas, Solara ... from the index into a
new venv takes minutes, too slow for every ``make test``.  So only the wheel is installed (``--no-deps``), and
a ``.pth`` file lists this test environment's site-packages after the venv's own.  A plain path line in a
``.pth`` does not run the ``.pth`` files of that directory, so the editable install's import hook (its
``__editable__*.pth``) stays off: ``draftsim`` can come only from the wheel, and each test proves it does.
The dependencies' data files (the widgets' Jupyter configuration, which Solara reads) sit under this
environment's prefix, not the venv's, so JUPYTER_CONFIG_PATH and JUPYTER_PATH borrow them the same way.
(A full install with every dependency from the index was checked by hand; see the report of issue 9.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

SUBPACKAGES = ("model", "agents", "experiments", "viz")
TRAP = 'raise ImportError("the project folder\'s {name}.py was imported instead of draftsim.{name}")\n'


def tracked_package_files(root: Path) -> list[str]:
    """Every git-tracked file of the package: the root __init__.py and everything under the subpackages."""
    out = subprocess.run(["git", "ls-files", "-z", "--", "__init__.py", *SUBPACKAGES], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    return sorted(p for p in out.split("\0") if p and "__pycache__" not in p)


@pytest.fixture(scope="module")
def wheel(repo_root, tmp_path_factory) -> Path:
    # built from a copy of the tracked files: the build writes build/ and *.egg-info into its source, and an
    # untracked data file must not slip into the wheel only on this machine
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=repo_root, capture_output=True, text=True, check=True).stdout
    for rel in filter(None, files.split("\0")):
        if (repo_root / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            (src / rel).write_bytes((repo_root / rel).read_bytes())
    out = tmp_path_factory.mktemp("dist")
    # no build isolation: setuptools comes from the test extra, so no index is needed (2.5 s against 7 s)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(src)], check=True, capture_output=True, timeout=300)
    [whl] = out.glob("draftsim-*.whl")
    return whl


class Installed:
    """A fresh venv holding only the wheel; the dependencies are borrowed as the module docstring says."""

    def __init__(self, home: Path, wheel: Path):
        self.home = home
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True, timeout=120)
        self.python = home / "bin" / "python"
        self.site = Path(self._ask("import sysconfig; print(sysconfig.get_paths()['purelib'])"))
        # pip of this environment installs into the fresh one; before the .pth exists, so that pip cannot see
        # (and would not uninstall) the editable draftsim of this environment
        subprocess.run([sys.executable, "-m", "pip", "--python", str(self.python), "install", "--quiet",
                        "--disable-pip-version-check", "--no-deps", "--no-index", str(wheel)],
                       check=True, capture_output=True, timeout=300)
        self.show_files = subprocess.run([sys.executable, "-m", "pip", "--python", str(self.python), "show", "-f",
                                          "draftsim"], check=True, capture_output=True, text=True, timeout=120).stdout
        borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
        (self.site / "zz_test_dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed), encoding="utf-8")
        self.project = home.parent / "project"    # a modeller's folder with modules named like our subpackages
        self.project.mkdir()
        for name in SUBPACKAGES:
            (self.project / f"{name}.py").write_text(TRAP.format(name=name), encoding="utf-8")

    def env(self) -> dict[str, str]:
        borrowed = Path(sys.prefix)
        return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {
            "OMP_NUM_THREADS": "1", "JUPYTER_CONFIG_PATH": str(borrowed / "etc" / "jupyter"),
            "JUPYTER_PATH": str(borrowed / "share" / "jupyter")}

    def _ask(self, code: str) -> str:
        return subprocess.run([str(self.python), "-c", code], capture_output=True, text=True, check=True,
                              env=self.env(), timeout=120).stdout.strip()

    def python_in_project(self, code: str, timeout: float = 180) -> subprocess.CompletedProcess:
        # `python -c` puts the current folder first on sys.path: the trap modules shadow any top-level import
        return subprocess.run([str(self.python), "-c", code], cwd=self.project, capture_output=True, text=True,
                              env=self.env(), timeout=timeout)

    def draftsim(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.home / "bin" / "draftsim"), *args], cwd=self.project, capture_output=True,
                              text=True, env=self.env(), timeout=timeout)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("fresh") / "venv", wheel)


def test_the_wheel_holds_the_package_and_nothing_beside_it(wheel, repo_root):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"draftsim", wheel.name.split("-py3")[0] + ".dist-info"}, tops
    inside = {n.removeprefix("draftsim/") for n in names if n.startswith("draftsim/")}
    # every module and every data file the package reads (scenarios, regional data, sweep examples, the viz
    # about page) is tracked under the package's folders; a new one must be declared in pyproject's package-data
    missing = [f for f in tracked_package_files(repo_root) if f not in inside]
    assert not missing, f"tracked package files missing from the wheel: {missing}"
    assert {"model/data/regions.csv", "model/scenarios/baseline.toml", "viz/about.md"} <= inside
    assert not [n for n in inside if n.startswith(("tests/", "benchmarks/", "docs/"))]


def test_pip_lists_no_top_level_model_agents_experiments_or_viz(installed):
    files = [line.strip() for line in installed.show_files.split("Files:", 1)[1].splitlines() if line.strip()]
    assert "draftsim/model/model.py" in files and "draftsim/__init__.py" in files
    assert not [f for f in files if f.split("/")[0] in SUBPACKAGES], files


def test_the_installed_copy_is_the_one_imported(installed, repo_root):
    res = installed.python_in_project(
        "import draftsim, draftsim.model.model, draftsim.agents.man, draftsim.experiments.cli, draftsim.viz.app\n"
        "print(draftsim.__version__); print(draftsim.__file__); print(draftsim.model.model.__file__)")
    assert res.returncode == 0, res.stderr
    version, *files = res.stdout.split()
    assert version == metadata.version("draftsim"), version      # from the wheel's metadata, not "0+unknown"
    for f in files:
        assert Path(f).is_relative_to(installed.site / "draftsim"), f
        assert not Path(f).is_relative_to(repo_root), f


def test_draftsim_run_writes_its_folder(installed):
    res = installed.draftsim("run", "--scale", "3000", "--until", "2022-12-31", "--figures", "--out", "out")
    assert res.returncode == 0, res.stderr
    out = installed.project / "out"
    written = {p.name for p in out.iterdir()}
    assert {"national.parquet", "national.csv", "regions.parquet", "manifest.json"} <= written, written
    assert len(list((out / "figures").glob("*.png"))) == 4, written
    assert "2022-12-" in (out / "national.csv").read_text(encoding="utf-8").splitlines()[-1]


def test_the_live_page_renders_on_the_server_from_the_wheel(installed):
    res = installed.python_in_project(
        "import solara, draftsim.viz.app as app\n"
        "from draftsim.viz.plotly_view import PlotlyView\n"
        "_, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)\n"
        "print(app.__file__); print(len(rc.find(PlotlyView).widgets)); rc.close()")
    assert res.returncode == 0, res.stderr
    where, charts = res.stdout.split()[-2:]
    assert Path(where).is_relative_to(installed.site), where
    assert int(charts) == 10


def test_draftsim_viz_serves_the_page(installed, free_port):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([str(installed.home / "bin" / "draftsim"), "viz", "--port", str(port)], cwd=installed.project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=installed.env(), start_new_session=True)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # loopback: never through a proxy
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            try:
                with opener.open(url, timeout=10) as r:
                    status, html = r.status, r.read().decode(errors="replace")
                break
            except urllib.error.HTTPError as exc:       # the server answered, with an error: no use waiting
                pytest.fail(f"GET {url}: {exc.code} {exc.reason}")
            except OSError:                             # not listening yet
                assert time.monotonic() < deadline, f"draftsim viz did not answer on {url}"
                time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert status == 200
    assert "solara" in html.lower()
