"""Reading and drawing from a calibration's posterior sample (experiments/calibration/posterior.py)."""

import numpy as np
import pandas as pd
import pytest

from draftsim.experiments.calibration.posterior import Posterior, draw, read_posterior


def test_systematic_draws_follow_the_weights_and_repeat_with_the_seed():
    p = Posterior(("a", "b"), np.column_stack([np.arange(4.0), 10 * np.arange(4.0)]), np.array([0.5, 0.25, 0.25, 0.0]))
    d = draw(p, 400, seed=7)
    counts = np.bincount(d[:, 0].astype(int), minlength=4)
    assert counts.tolist() == [200, 100, 100, 0]          # systematic resampling: exact up to one
    assert (d[:, 1] == 10 * d[:, 0]).all()                 # rows stay whole
    assert np.array_equal(d, draw(p, 400, seed=7))


def test_read_posterior_round_trip_and_bad_files(tmp_path):
    frame = pd.DataFrame({"kill_hazard_per_week": [0.001, 0.002], "weight": [1.0, 3.0]})
    frame.to_parquet(tmp_path / "posterior.parquet", index=False)
    p = read_posterior(tmp_path / "posterior.parquet")
    assert p.names == ("kill_hazard_per_week",)
    assert p.weights.tolist() == [0.25, 0.75]
    frame.drop(columns="weight").to_parquet(tmp_path / "noweight.parquet", index=False)
    with pytest.raises(ValueError, match="weight"):
        read_posterior(tmp_path / "noweight.parquet")
    frame.assign(weight=[0.0, 0.0]).to_parquet(tmp_path / "zero.parquet", index=False)
    with pytest.raises(ValueError, match="empty"):
        read_posterior(tmp_path / "zero.parquet")
