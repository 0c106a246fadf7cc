"""Sensitivity analysis with the real model: a parameter with no effect gets indices near zero,
the bonus does not.

The dummy is ``belarus_contingent_men``: the model reads it only in the week of
``belarus_start_date`` (1 Jan 2025, model.DraftModel.foreign_contingents_arrive), so in runs that
stop at the end of 2022 it changes nothing, not even the random stream.  ``bonus_multiplier``
scales every sign-on bonus, and the federal and regional bonuses are paid from 2022 on.
Runs are coarse (5,000 men per agent) and short (to 31 Dec 2022): ~0.15 s each.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from draftsim.experiments.experiment import base_scenario, experiment_from_text, point_parameters
from draftsim.experiments.outcomes import model_outcomes
from draftsim.experiments.sensitivity import MORRIS_COLUMNS, SOBOL_COLUMNS, analyse

pytestmark = [pytest.mark.slow]

HEAD = '''name = "sensitivity"
scale = 5000
until = 2022-12-31
seed = 11
{replicates}
[design]
{design}
[design.parameters]
bonus_multiplier = [0.5, 3.0]
belarus_contingent_men = [0.0, 200000.0]

[[outcomes]]
name = "contracts"
metric = "total"
column = "new_contracts"

[[outcomes]]
name = "bonus_spending_rub"
metric = "bonus_spending_rub"
'''
SOBOL = HEAD.format(replicates="replicates = 1", design='kind = "sobol"\nsamples = 16\nsecond_order = false')
MORRIS = HEAD.format(replicates="replicates = 2", design='kind = "morris"\ntrajectories = 4')
OUTCOMES = ["contracts", "bonus_spending_rub"]


def replicate_seed(root: int, r: int) -> int:
    # the sweep's seeding (common random numbers: the seed depends on the replicate only)
    return int(np.random.SeedSequence(root, spawn_key=(r,)).generate_state(1, np.uint32)[0])


def sweep(text: str) -> tuple:
    """Every run of the experiment, in process: the runs table a sweep would write."""
    from draftsim.model import DraftModel

    exp = experiment_from_text(text, "sensitivity.toml")
    events = base_scenario(exp.scenario).events
    points, rows = exp.points(), []
    for p, point in enumerate(points):
        for r in range(exp.replicates):
            model = DraftModel(point_parameters(exp, point), seed=replicate_seed(exp.seed, r), scale=exp.scale, events=events)
            model.run(until=exp.until)
            rows.append({"point": p, "replicate": r, "status": "ok", **point, **model_outcomes(model, exp.outcomes)})
    return exp, points, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def sobol_sweep():
    return sweep(SOBOL)


@pytest.fixture(scope="module")
def morris_sweep():
    return sweep(MORRIS)


def test_sobol_dummy_near_zero_bonus_dominant(sobol_sweep):
    exp, points, runs = sobol_sweep
    assert len(runs) == 16 * (2 + 2)
    table = analyse(exp.design, points, runs, OUTCOMES, seed=exp.seed)
    assert list(table.columns) == list(SOBOL_COLUMNS) and len(table) == 4
    for outcome in OUTCOMES:
        rows = table[table["outcome"] == outcome].set_index("parameter")
        bonus, dummy = rows.loc["bonus_multiplier"], rows.loc["belarus_contingent_men"]
        assert abs(dummy["ST"]) < 0.01 and abs(dummy["S1"]) < 0.01, rows
        assert bonus["ST"] > 0.7 and bonus["S1"] > 0.5, rows
        assert bonus["ST"] > dummy["ST"] + 0.5, rows


def test_morris_dummy_near_zero_bonus_clearly_larger(morris_sweep):
    exp, points, runs = morris_sweep
    assert len(runs) == 4 * (2 + 1) * 2
    table = analyse(exp.design, points, runs, OUTCOMES, seed=exp.seed)
    assert list(table.columns) == list(MORRIS_COLUMNS) and len(table) == 4
    for outcome in OUTCOMES:
        rows = table[table["outcome"] == outcome].set_index("parameter")
        bonus, dummy = rows.loc["bonus_multiplier"], rows.loc["belarus_contingent_men"]
        assert dummy["mu_star"] <= 1e-6 * bonus["mu_star"], rows
        assert bonus["mu_star"] > 0 and bonus["mu"] > 0, rows          # more money, more contracts and more spending
        assert bonus["mu_star"] - bonus["mu_star_conf"] > dummy["mu_star"] + dummy["mu_star_conf"], rows


def test_the_analysis_is_deterministic(morris_sweep, sobol_sweep):
    for exp, points, runs in (morris_sweep, sobol_sweep):
        first = analyse(exp.design, points, runs, OUTCOMES, seed=exp.seed)
        pd.testing.assert_frame_equal(first, analyse(exp.design, points, runs.sample(frac=1.0, random_state=1), OUTCOMES,
                                                     seed=exp.seed))


def test_replicate_means_per_point_and_failed_runs(morris_sweep):
    exp, points, runs = morris_sweep
    # a failed replicate is left out of its point's mean: the indices do not change if its value was junk
    junk = runs.copy()
    junk.loc[0, "status"], junk.loc[0, "contracts"] = "failed", 1e12
    one_replicate = runs[~((runs["point"] == 0) & (runs["replicate"] == 0))]
    pd.testing.assert_frame_equal(analyse(exp.design, points, junk, OUTCOMES, seed=exp.seed),
                                  analyse(exp.design, points, one_replicate, OUTCOMES, seed=exp.seed))
    # a point with no successful run leaves NaN indices for every outcome rather than failing
    gone = runs[runs["point"] != 3]
    table = analyse(exp.design, points, gone, OUTCOMES, seed=exp.seed)
    assert table[["mu_star", "sigma"]].isna().all().all()


def test_designs_without_an_estimator_are_refused():
    exp = experiment_from_text('[design]\nkind = "grid"\n[design.parameters]\nbonus_multiplier = [1.0, 2.0]\n')
    runs = pd.DataFrame({"point": [0, 1], "replicate": [0, 0], "status": ["ok", "ok"], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="allowed: sobol, morris"):
        analyse(exp.design, exp.points(), runs, ["x"])


def test_sobol_of_an_outcome_that_never_varies_is_nan(sobol_sweep):
    exp, points, runs = sobol_sweep
    flat = runs.assign(constant=1.0)
    table = analyse(exp.design, points, flat, ["constant"], seed=exp.seed)
    assert all(math.isnan(v) for v in table["ST"])


def test_morris_elementary_effects_of_a_known_function_integers_included():
    # y = 10 x bonus_multiplier + training_weeks: effects per unit of each range are 10 x 2.5 and 6, exactly
    exp = experiment_from_text('seed = 3\n[design]\nkind = "morris"\ntrajectories = 8\n[design.parameters]\n'
                               'bonus_multiplier = [0.5, 3.0]\nenforcement = [0.0, 2.0]\ntraining_weeks = [1, 7]\n')
    points = exp.points()
    runs = pd.DataFrame([{"point": i, "replicate": 0, "status": "ok", "y": 10 * p["bonus_multiplier"] + p["training_weeks"]}
                         for i, p in enumerate(points)])
    table = analyse(exp.design, points, runs, ["y"]).set_index("parameter")
    assert table["mu_star"].to_dict() == pytest.approx({"bonus_multiplier": 25.0, "enforcement": 0.0, "training_weeks": 6.0})
    assert table["sigma"].to_dict() == pytest.approx({"bonus_multiplier": 0.0, "enforcement": 0.0, "training_weeks": 0.0})
