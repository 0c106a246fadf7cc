"""One provenance block for every manifest: a run's and a sweep's manifest.json and the live view's
setup.json carry the same keys, written by ``model.provenance.provenance``."""

from __future__ import annotations

import json
import re

import pytest

from draftsim.experiments import cli
from draftsim.model.provenance import PROVENANCE_KEYS
from draftsim.viz import export
from draftsim.viz.session import LiveSession

EXPERIMENT = '''name = "provenance"
until = 2022-03-31
scale = 5000
[design]
kind = "grid"
[design.parameters]
bonus_multiplier = [1.0]
'''


@pytest.fixture(scope="module")
def manifests(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("provenance")
    assert cli.main(["run", "--scale", "5000", "--until", "2022-03-31", "--out", str(folder / "run")]) == 0
    (folder / "experiment.toml").write_text(EXPERIMENT, encoding="utf-8")
    assert cli.main(["sweep", str(folder / "experiment.toml"), "--out", str(folder / "sweep"), "--workers", "1"]) == 0
    session = LiveSession(scale=3000)
    session.step()
    return {"run": json.loads((folder / "run" / "manifest.json").read_text()),
            "sweep": json.loads((folder / "sweep" / "manifest.json").read_text()),
            "setup": json.loads(export.setup_json(session))}


@pytest.mark.parametrize("kind", ["run", "sweep", "setup"])
def test_every_manifest_has_the_provenance_block(manifests, kind):
    m = manifests[kind]
    assert [k for k in PROVENANCE_KEYS if k not in m] == []
    assert m["draftsim_version"] == m["packages"]["draftsim"] and m["draftsim_version"]
    assert m["code"]["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", m["code"]["git_commit"])
    assert m["python"].startswith("3.") and m["platform"] and m["python_executable"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["started"]) and m["started"] <= m["finished"]
    assert m["wall_time_s"] >= 0 and m["command"] and m["command_line"] and m["cwd"]


def test_the_blocks_have_the_same_keys_and_package_list(manifests):
    packages = {kind: sorted(m["packages"]) for kind, m in manifests.items()}
    assert packages["run"] == packages["sweep"] == packages["setup"]
    assert {"mesa", "numpy", "SALib", "dask", "solara", "plotly"} <= set(packages["run"])
    assert manifests["run"]["command"][:2] == ["draftsim", "run"]
    assert manifests["sweep"]["command"][:2] == ["draftsim", "sweep"]
