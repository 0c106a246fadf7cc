"""The model runs under Mesa's own ``mesa.batch_run``, the tool Mesa modellers already know.

``batch_run`` builds ``DraftModel(**kwargs)`` from the parameter grid, passing each seed as ``seed``
(DraftModel's keyword), steps the model ``max_steps`` times (or until ``running`` turns False) and
reads its DataCollector.  Runs are tiny: 5,000 men per agent, 19 weekly steps (to 30 June 2022).
"""

from __future__ import annotations

import math
import warnings

import mesa
import pandas as pd
import pytest

from draftsim.model import ParameterError
from draftsim.model.model import DraftModel

STEPS = 19           # 24 Feb to 30 Jun 2022
REPORTERS = ("new_contracts", "new_mobilised", "new_emigrants", "killed_total", "deployed", "abroad")


def batch(**kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)      # mesa deprecates `iterations` (used below)
        return pd.DataFrame(mesa.batch_run(DraftModel, max_steps=STEPS, number_processes=1, data_collection_period=-1,
                                           display_progress=False, **kwargs))


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    # rng=[1, 2]: two replicates with explicit seeds (mesa's replacement for iterations=2)
    return batch(parameters={"scale": 5000, "bonus_multiplier": [0.5, 4.0]}, rng=[1, 2])


def test_one_row_per_run_at_the_last_step(results):
    assert len(results) == 4                                          # 2 values x 2 seeds, end of run only
    assert sorted(results["seed"]) == [1, 1, 2, 2]
    assert set(results["Step"].astype(int)) == {STEPS}
    assert sorted(set(results["bonus_multiplier"])) == [0.5, 4.0]
    for col in REPORTERS:
        values = results[col].astype(float)
        assert all(math.isfinite(v) and v >= 0 for v in values), col
        assert all(v == int(v) for v in values), col                 # real men: agents times whole men


def test_results_are_real_and_vary_with_the_bonus(results):
    deployed = results.pivot(index="seed", columns="bonus_multiplier", values="deployed")
    assert (deployed > 100_000).all().all()                          # ~190,000 invaded on day one
    # eight times the bonus brings more contract soldiers to the front, whatever the seed
    assert (deployed[4.0] > deployed[0.5]).all(), deployed


def test_the_same_seed_gives_the_same_row():
    once = batch(parameters={"scale": 5000, "bonus_multiplier": 2.0}, rng=[7])
    pd.testing.assert_frame_equal(once, batch(parameters={"scale": 5000, "bonus_multiplier": 2.0}, rng=[7]))


def test_iterations_without_seeds_is_refused_with_one_line():
    # ``iterations=2`` means seed=None twice; DraftModel insists on an explicit seed (runs must be repeatable)
    with pytest.raises(ParameterError, match=r"seed: got None; allowed: an integer >= 0"):
        batch(parameters={"scale": 5000}, iterations=2)
