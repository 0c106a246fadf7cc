"""The three executors implement the one interface the sweep command uses (``executors.Executor``)."""

from __future__ import annotations

import inspect

import pytest

from draftsim.experiments.executors import DaskExecutor, Executor, InProcess, ProcessPool, make_executor


@pytest.mark.parametrize("cls", [InProcess, ProcessPool, DaskExecutor])
def test_every_executor_has_the_declared_interface(cls):
    for method in ("results", "terminate", "describe"):
        declared = inspect.signature(getattr(Executor, method)).parameters
        assert list(inspect.signature(getattr(cls, method)).parameters) == list(declared), method
    assert cls.name in ("local", "dask")


def test_one_worker_or_one_run_left_runs_in_this_process():
    assert isinstance(make_executor("local", 1, None, 10), InProcess)
    assert isinstance(make_executor("local", 4, None, 1), InProcess)       # a pool for one run would only cost
    described = InProcess().describe()
    assert described == {"executor": "local", "workers": 1, "in_process": True}
