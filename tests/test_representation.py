"""Men per agent by region (model/representation.py): small regions drawn finer, whole men, never coarser than the scale."""

from __future__ import annotations

import numpy as np

from draftsim.agents.states import Status
from draftsim.model import DraftModel
from draftsim.model.representation import MIN_ROWS_PER_REGION, men_per_agent

MEN = np.array([12_717.0, 16_138.0, 330_000.0, 3_500_000.0, 1_500.0])


def test_a_region_gets_the_scale_unless_that_leaves_it_too_few_rows():
    w = men_per_agent(MEN, 1000, min_rows=2000)
    assert w.tolist() == [6.0, 8.0, 165.0, 1000.0, 1.0]   # floor(men / 2000), at least 1, at most the scale
    assert np.all(MEN[:4] / w[:4] >= 2000)


def test_fine_scales_are_left_alone_and_the_minimum_can_be_switched_off():
    assert men_per_agent(MEN, 1).tolist() == [1.0] * 5
    assert men_per_agent(MEN, 5, min_rows=2000).tolist() == [5.0, 5.0, 5.0, 5.0, 1.0]
    assert men_per_agent(MEN, 1000, min_rows=0).tolist() == [1000.0] * 5


def test_the_model_reports_what_its_regions_are_drawn_at():
    m = DraftModel(seed=1, scale=1000)
    men = np.array([r.men_census for r in m.regions])
    np.testing.assert_array_equal(m.men_per_agent, men_per_agent(men, 1000))
    rows = m.population.pool_count
    assert rows.min() >= MIN_ROWS_PER_REGION * 0.95    # stochastic rounding of men / w around >= 2,000
    # the rows times their weights stand for the census men (less the day-one force, which left the pool)
    represented = (rows * m.men_per_agent).sum() + m.men_in(Status.DEPLOYED)
    assert abs(represented / men.sum() - 1.0) < 1e-3
