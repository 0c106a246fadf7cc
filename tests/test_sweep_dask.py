"""`draftsim sweep --executor dask` on real Dask clusters on the loopback interface.

Two ways in: the sweep starts its own ``LocalCluster`` (``--executor dask --workers 2``), or it
connects to a running scheduler (``--scheduler tcp://127.0.0.1:PORT``), here a ``LocalCluster``
with two worker processes started by the test, as a dask-jobqueue user's cluster would be.
Either way the runs table is identical to the one a single local worker makes.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow.parquet as pq
import pytest
from test_sweep import draftsim, runs_table

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

distributed = pytest.importorskip("distributed")   # the [distributed] extra; installed with [test]

EXPERIMENT = """\
name = "tiny_dask"
description = "bonus x exit ban, three replicates: 4 points x 3 = 12 tiny runs"
until = 2022-06-30
scale = 5000
replicates = 3
seed = 5

[design]
kind = "grid"

[design.parameters]
bonus_multiplier = [0.5, 2.0]
exit_ban_enabled = [true, false]

[timeseries]
columns = ["new_contracts", "deployed", "exit_ban"]
"""
RUNS = 12


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    (d / "tiny.toml").write_text(EXPERIMENT, encoding="utf-8")
    # the reference (one local worker) and a sweep on its own LocalCluster, side by side
    with ThreadPoolExecutor(2) as pool:
        ref = pool.submit(draftsim, ["sweep", "tiny.toml", "--out", "local", "--workers", "1"], d)
        own = pool.submit(draftsim, ["sweep", "tiny.toml", "--out", "own", "--executor", "dask", "--workers", "2"], d)
        assert ref.result().returncode == 0, ref.result().stderr
        (d / "own.stderr").write_text(own.result().stderr)
        (d / "own.rc").write_text(str(own.result().returncode))
    return d


def same_as_local(lab, folder):
    pd.testing.assert_frame_equal(runs_table(lab / folder), runs_table(lab / "local"))
    assert pq.read_table(lab / folder / "timeseries.parquet").equals(pq.read_table(lab / "local" / "timeseries.parquet"))


def test_own_local_cluster_gives_the_local_runs_table(lab):
    assert (lab / "own.rc").read_text() == "0", (lab / "own.stderr").read_text()
    same_as_local(lab, "own")
    manifest = json.loads((lab / "own" / "manifest.json").read_text())
    assert manifest["executor"] == "dask" and manifest["workers"] == 2 and manifest["runs"]["ok"] == RUNS
    assert manifest["sessions"][0]["executor"]["scheduler"] == "LocalCluster on 127.0.0.1"


def test_existing_scheduler_gives_the_local_runs_table(lab):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        res = draftsim(["sweep", "tiny.toml", "--out", "remote", "--scheduler", address], lab)
        assert res.returncode == 0, res.stderr
        with distributed.Client(cluster) as client:            # the sweep leaves the cluster running
            assert len(client.scheduler_info()["workers"]) == 2
    same_as_local(lab, "remote")
    manifest = json.loads((lab / "remote" / "manifest.json").read_text())
    assert manifest["executor"] == "dask" and manifest["workers"] == 2
    assert manifest["sessions"][0]["executor"]["scheduler"] == address
    assert "distributed" in manifest["packages"] and manifest["packages"]["distributed"]
