"""History matching on functions whose answer is known (experiments/calibration/): the math, not the model.

A toy stochastic "model" of two parameters stands in for draftsim so that each property can be checked
exactly and in seconds: the true parameters are never ruled out, the NROY space shrinks from wave to
wave, the emulators pass their leave-out check, and targets that no point can meet together are named
as a conflict.
"""

from __future__ import annotations

import numpy as np
import pytest

from draftsim.experiments.calibration import history_matching as hm
from draftsim.experiments.calibration.emulator import Emulator, validate
from draftsim.experiments.calibration.space import Prior, Space

SPACE = Space((Prior("a", 0.0, 10.0), Prior("b", 0.01, 1.0, "log-uniform")))
TRUTH = np.array([[6.0, 0.2]])
NOISE_SD = 0.05


def toy(points: np.ndarray, rng) -> np.ndarray:
    """Two outputs of a stochastic model: a smooth one in both parameters, and one in a alone."""
    a, b = points[:, 0], points[:, 1]
    f = np.column_stack([a / 10 + np.log10(b), np.sin(a / 3)])
    return f + rng.normal(0.0, NOISE_SD, f.shape)


def _wave(unit_points, replicates, seed):
    rng = np.random.default_rng(seed)
    x = np.repeat(unit_points, replicates, axis=0)
    point = np.repeat(np.arange(len(unit_points)), replicates)
    y = toy(SPACE.from_unit(x), rng)
    emulators, stoch = [], []
    for t in range(y.shape[1]):
        ids, mean, var_mean, pooled = hm.replicate_summary(y[:, t], point)
        emulators.append(Emulator(seed=seed).fit(unit_points[ids], mean, var_mean))
        stoch.append(pooled)
    return emulators, np.array(stoch), (unit_points, y, point)


def _implausibility(emulators, stoch, observed, var_obs, unit):
    cols = []
    for t, em in enumerate(emulators):
        mean, var = em.predict(unit)
        cols.append(hm.implausibility(observed[t], mean, var_obs[t], 0.0, var, stoch[t]))
    return np.column_stack(cols)


def test_the_unit_cube_maps_both_ways_and_a_log_uniform_prior_is_even_in_its_log():
    u = SPACE.sample_unit(1000, seed=1)
    assert u.min() >= 0 and u.max() <= 1
    np.testing.assert_allclose(SPACE.to_unit(SPACE.from_unit(u)), u, atol=1e-12)
    b = SPACE.from_unit(u)[:, 1]
    assert 0.45 < np.mean(b < 0.1) < 0.55                  # half the log range lies below 0.1
    with pytest.raises(ValueError, match="log-uniform"):
        Prior("c", 0.0, 1.0, "log-uniform")


def test_implausibility_is_the_standardised_distance_and_the_rules_combine_targets():
    assert hm.implausibility(10.0, 7.0, 1.0, 1.5, 0.5, 1.0) == pytest.approx(1.5)   # 3 / sqrt(4)
    imp = np.array([[0.5, 4.0, 1.0], [3.5, 3.2, 0.1]])
    np.testing.assert_array_equal(hm.combined(imp, "max"), [4.0, 3.5])
    np.testing.assert_array_equal(hm.combined(imp, "second_max"), [1.0, 3.2])
    np.testing.assert_array_equal(hm.not_ruled_out(imp, 3.0, "second_max"), [True, False])
    with pytest.raises(ValueError, match="allowed: max, second_max"):
        hm.combined(imp, "mean")


def test_replicates_give_the_sampling_variance_of_each_mean_and_the_pooled_run_variance():
    values = np.array([1.0, 3.0, 10.0, 14.0, 5.0])
    ids, mean, var_mean, pooled = hm.replicate_summary(values, np.array([0, 0, 1, 1, 2]))
    np.testing.assert_array_equal(ids, [0, 1, 2])
    np.testing.assert_allclose(mean, [2.0, 12.0, 5.0])
    assert pooled == pytest.approx((2.0 + 8.0) / 2)
    np.testing.assert_allclose(var_mean, [1.0, 4.0, 5.0])   # the lone replicate borrows the pooled variance


def test_the_emulator_learns_a_smooth_function_and_passes_its_leave_out_check():
    rng = np.random.default_rng(3)
    unit = SPACE.sample_unit(40, seed=3)
    y = toy(SPACE.from_unit(unit), rng)[:, 0]
    em = Emulator(seed=3).fit(unit, y, np.full(40, NOISE_SD**2))
    test_u = SPACE.sample_unit(200, seed=4)
    truth = toy(SPACE.from_unit(test_u), np.random.default_rng(0))[:, 0]
    mean, var = em.predict(test_u)
    assert np.sqrt(np.mean((mean - truth) ** 2)) < 3 * NOISE_SD
    assert np.all(var > 0)
    check = validate(unit, y, np.full(40, NOISE_SD**2), folds=8, seed=3)
    assert check.ok and check.share_within_3 >= 0.95, check.share_within_3
    kept = validate(unit, y, np.full(40, NOISE_SD**2), folds=8, seed=3, emulator=em)   # the full fit's hyperparameters
    assert kept.ok and np.median(np.abs(kept.standardised_errors)) < 2
    assert em.describe().length_scales[0] > 0


def test_two_waves_keep_the_truth_and_shrink_the_space():
    observed = toy(TRUTH, np.random.default_rng(99))[0]
    var_obs = np.full(2, 0.05**2)
    candidates = SPACE.sample_unit(20_000, seed=7)
    truth_u = SPACE.to_unit(TRUTH)

    emulators1, stoch1, _ = _wave(SPACE.sample_unit(30, seed=11), replicates=3, seed=11)
    imp1 = _implausibility(emulators1, stoch1, observed, var_obs, candidates)
    keep1 = hm.not_ruled_out(imp1)
    assert hm.not_ruled_out(_implausibility(emulators1, stoch1, observed, var_obs, truth_u))[0]
    share1 = keep1.mean()
    assert 0.0 < share1 < 0.5

    design2 = hm.next_wave(candidates, keep1, 30, seed=12)
    assert len(design2) == 30 and hm.not_ruled_out(_implausibility(emulators1, stoch1, observed, var_obs, design2)).all()
    emulators2, stoch2, _ = _wave(design2, replicates=3, seed=12)
    keep2 = keep1 & hm.not_ruled_out(_implausibility(emulators2, stoch2, observed, var_obs, candidates))
    assert keep2.mean() < share1                                   # the space only shrinks
    assert hm.not_ruled_out(_implausibility(emulators2, stoch2, observed, var_obs, truth_u))[0]


def test_targets_that_no_point_meets_together_are_named_as_a_conflict():
    # target 0 wants a near 1, target 1 wants a near 9: each is met somewhere, never both
    a = np.linspace(0, 10, 201)
    imp = np.column_stack([np.abs(a - 1.0) / 0.5, np.abs(a - 9.0) / 0.5, np.zeros_like(a)])
    found = hm.what_rules_out(imp, ["low_a", "high_a", "easy"])
    assert found.share_meeting_all == 0.0
    assert [(x, y) for x, y, *_ in found.conflicts] == [("low_a", "high_a")]
    assert found.share_ruled_out["easy"] == 0.0 and found.worst(1)[0] in ("low_a", "high_a")


def test_the_next_wave_spreads_its_points_over_the_space_left():
    candidates = np.random.default_rng(0).random((5000, 2))
    keep = candidates[:, 0] < 0.5
    picked = hm.next_wave(candidates, keep, 25, seed=1)
    assert np.all(picked[:, 0] < 0.5)
    gaps = np.sqrt(((picked[:, None, :] - picked[None, :, :]) ** 2).sum(-1)) + np.eye(25) * 9
    assert gaps.min() > 0.05                                        # maximin: no two points on top of each other
    assert len(hm.next_wave(candidates, candidates[:, 0] < 0.001, 25, seed=1)) < 25   # fewer left than asked: all of them


def test_a_three_way_conflict_no_pair_shows_is_found_by_letting_targets_go():
    """Three targets on one parameter: any two can be met together, never all three; a fourth is met everywhere."""
    x = np.linspace(0, 1, 1001)
    met = lambda lo, hi: np.where((x >= lo) & (x <= hi), 0.0, 10.0)      # noqa: E731 - implausibility 0 inside, 10 outside
    imp = np.column_stack([met(0.0, 0.7), met(0.4, 1.0), np.where((x < 0.4) | (x > 0.7), 0.0, 10.0), np.zeros_like(x)])
    ruled = hm.what_rules_out(imp, ["a", "b", "c", "easy"])
    assert ruled.conflicts == () and ruled.share_meeting_all == 0.0
    (gone, share), = ruled.release
    assert gone == "b" and share == pytest.approx(0.4, abs=0.002)         # a and c then meet on [0, 0.4)
    assert hm.what_rules_out(imp[:, [0, 1, 3]], ["a", "b", "easy"]).release == ()
