"""Designs: the points each kind runs, their order, their count and their determinism."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol

from draftsim.experiments.designs import Design, Factor, design_points, round_half_up, run_count, salib_problem
from draftsim.experiments.experiment import examples, experiment_from_text, load_experiment

HEAD = 'name = "t"\nscale = 5000\nuntil = 2022-06-30\nreplicates = 3\nseed = 7\n'


def load(design_toml: str):
    return experiment_from_text(HEAD + design_toml, "t.toml")


def test_grid_is_the_full_factorial_in_the_order_written():
    exp = load('[design]\nkind = "grid"\n[design.parameters]\n'
               'exit_ban_enabled = [true, false]\nbonus_multiplier = [1, 2, 3]\ntraining_weeks = [2, 4]\n')
    points = exp.points()
    expected = [dict(zip(["exit_ban_enabled", "bonus_multiplier", "training_weeks"], combo))
                for combo in itertools.product([True, False], [1.0, 2.0, 3.0], [2, 4])]
    assert points == expected
    assert [list(p) for p in points] == [["exit_ban_enabled", "bonus_multiplier", "training_weeks"]] * 12
    # values in the parameter's type: TOML integers for a float parameter become floats
    assert all(type(p["bonus_multiplier"]) is float and type(p["training_weeks"]) is int for p in points)
    assert run_count(exp.design, exp.replicates) == 36


def test_list_keeps_its_order_and_fills_unset_parameters_from_the_scenario():
    exp = load('[design]\nkind = "list"\n'
               'points = [{bonus_multiplier = 2.0}, {e_register_enabled = false}, {bonus_multiplier = 0.5, e_register_enabled = false}]\n')
    assert exp.points() == [
        {"bonus_multiplier": 2.0, "e_register_enabled": True},
        {"bonus_multiplier": 1.0, "e_register_enabled": False},
        {"bonus_multiplier": 0.5, "e_register_enabled": False},
    ]
    assert [f.values for f in exp.design.factors] == [(2.0, 1.0, 0.5), (True, False)]
    assert [f.type for f in exp.design.factors] == ["float", "bool"]
    assert run_count(exp.design, exp.replicates) == 9


def test_lhs_is_a_latin_hypercube_within_bounds_with_integers_rounded():
    exp = load('[design]\nkind = "lhs"\nsamples = 20\n[design.parameters]\n'
               'bonus_multiplier = [0.5, 3.0]\nenforcement = [0.0, 2.0]\ntraining_weeks = [1, 9]\n')
    points = exp.points()
    assert len(points) == 20 == run_count(exp.design, 1)
    for name, lo, hi in (("bonus_multiplier", 0.5, 3.0), ("enforcement", 0.0, 2.0)):
        x = np.array([p[name] for p in points])
        assert ((x >= lo) & (x <= hi)).all()
        strata = np.floor((x - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata) == list(range(20))        # one sample in each of the 20 strata
    weeks = [p["training_weeks"] for p in points]
    assert all(type(w) is int and 1 <= w <= 9 for w in weeks)
    assert len(set(weeks)) >= 8


def test_sobol_counts_and_values_are_salibs():
    text = '[design]\nkind = "sobol"\nsamples = 16\n[design.parameters]\nbonus_multiplier = [0.5, 3.0]\nenforcement = [0.0, 2.0]\n'
    exp = load(text)
    points = exp.points()
    assert len(points) == 16 * (2 * 2 + 2) == run_count(exp.design, 1)
    raw = salib_sobol.sample(salib_problem(exp.design), 16, calc_second_order=True, scramble=True, seed=7)
    assert np.array_equal(np.array([[p["bonus_multiplier"], p["enforcement"]] for p in points]), raw)
    first = load(text.replace('samples = 16', 'samples = 16\nsecond_order = false'))
    assert len(first.points()) == 16 * (2 + 2) == run_count(first.design, 1)


def test_morris_counts_levels_and_one_factor_at_a_time():
    exp = load('[design]\nkind = "morris"\ntrajectories = 5\nlevels = 4\n[design.parameters]\n'
               'bonus_multiplier = [0.5, 2.0]\nenforcement = [0.0, 3.0]\ntraining_weeks = [2, 9]\n')
    points = exp.points()
    assert len(points) == 5 * (3 + 1) == run_count(exp.design, 1)
    raw = salib_morris.sample(salib_problem(exp.design), 5, num_levels=4, seed=7)
    assert np.allclose([[p["bonus_multiplier"], p["enforcement"]] for p in points], raw[:, :2])
    assert set(np.round([p["enforcement"] for p in points], 9)) <= {0.0, 1.0, 2.0, 3.0}
    assert {p["training_weeks"] for p in points} <= {2, round_half_up(2 + 7 / 3), round_half_up(2 + 14 / 3), 9}
    for t in range(5):                  # each step of a trajectory moves exactly one factor, integers included
        traj = points[t * 4:(t + 1) * 4]
        for a, b in itertools.pairwise(traj):
            assert sum(a[k] != b[k] for k in a) == 1


@pytest.mark.parametrize("kind, extra", [("lhs", "samples = 8"), ("sobol", "samples = 8"), ("morris", "trajectories = 4")])
def test_sampled_designs_are_deterministic_for_a_seed(kind, extra):
    body = f'[design]\nkind = "{kind}"\n{extra}\n[design.parameters]\nbonus_multiplier = [0.5, 3.0]\nenforcement = [0.0, 2.0]\n'
    a, b = load(body), load(body)
    assert a.points() == b.points()
    assert design_points(a.design, 7) == a.points()
    assert design_points(a.design, 8) != a.points()


def test_rounding_is_half_up_and_clipped_to_the_range():
    assert [round_half_up(x) for x in (1.5, 2.5, 2.49, -0.5)] == [2, 3, 2, 0]
    d = Design("lhs", (Factor("training_weeks", None, 2, 3, "int"),), 50)
    assert {p["training_weeks"] for p in design_points(d, 1)} == {2, 3}


def test_run_counts_of_the_examples():
    counts = {name: run_count(load_experiment(name).design, load_experiment(name).replicates) for name in examples()}
    assert counts == {"bonus_vs_register": 5 * 2 * 2 * 10, "sobol_levers": 64 * (6 + 2) * 2,
                      "lhs_exploration": 60 * 3, "morris_screening": 10 * (9 + 1) * 2}
    for name in examples():
        exp = load_experiment(name)
        assert len(exp.points()) * exp.replicates == counts[name]
