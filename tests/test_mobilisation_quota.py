"""A mobilisation is shared among the regions by remoteness (agents/rules/mobilisation_quota.py)."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from draftsim.agents.rules import mobilisation_quota as mq
from draftsim.experiments import targets as tg
from draftsim.model import DraftModel, load_scenario


def _evidence() -> pd.DataFrame:
    return pd.read_csv(resources.files("draftsim.model").joinpath("data", "regional_mobilisation_2022.csv").open(encoding="utf-8"))


def _regions() -> pd.DataFrame:
    return pd.read_csv(resources.files("draftsim.model").joinpath("data", "regions.csv").open(encoding="utf-8"))


def test_shares_sum_to_one_and_an_elasticity_of_zero_shares_by_men():
    men, km = np.array([1e6, 2e5, 5e4]), np.array([0.0, 1500.0, 6000.0])
    assert mq.regional_shares(men, km, 0.0) == pytest.approx(men / men.sum())
    shares = mq.regional_shares(men, km, 0.9)
    assert shares.sum() == pytest.approx(1.0)
    per_man = shares / men
    assert per_man[0] < per_man[1] < per_man[2]
    assert per_man[2] / per_man[0] == pytest.approx(7.0 ** 0.9)


def test_the_default_elasticity_is_what_the_regional_evidence_says():
    """The parameter's stated source: the log of the ten regions' ratio to the national mean on log(1 + km/1000)."""
    ev = _evidence().merge(_regions()[["iso", "dist_moscow_km"]], on="iso")
    assert len(ev) == 10 and ev["source"].str.len().min() > 10
    derived = ev[ev["derived"] == 1]
    assert np.allclose(derived["ratio_to_national_mean"], derived["pct_of_reserve"] / 1.22, atol=0.01)
    x, y = np.log1p(ev["dist_moscow_km"] / 1000.0), np.log(ev["ratio_to_national_mean"])
    slope, intercept = np.polyfit(x, y, 1)
    r2 = 1 - np.sum((y - (slope * x + intercept)) ** 2) / np.sum((y - y.mean()) ** 2)
    from draftsim.model.parameters import Parameters
    assert Parameters().mobilisation_remoteness_elasticity == pytest.approx(slope, abs=0.05)
    assert r2 == pytest.approx(0.62, abs=0.02)


def _mobilised_per_man(elasticity: float) -> pd.Series:
    sc = load_scenario("baseline")
    m = DraftModel(sc.params.replace(mobilisation_remoteness_elasticity=elasticity), seed=2, scale=1000, events=sc.events)
    m.run(until=dt.date(2022, 12, 31))
    week = m.region_history[-1]
    men = np.array([r.men_census for r in m.regions])
    return pd.Series(np.asarray(week["mobilised_total"]) / men, index=week["region"]), float(np.sum(week["mobilised_total"]))


def test_far_regions_send_more_men_per_head_and_the_national_total_is_kept():
    near, total_near = _mobilised_per_man(0.0)
    far, total_far = _mobilised_per_man(0.9)
    # the centre's 300,000 either way, shared differently (the far regions' heavier quotas are met a little less fully)
    assert 0.95 * 300_000 < total_far < total_near < 1.07 * 300_000
    km = _regions().set_index("iso")["dist_moscow_km"].reindex(far.index)
    assert spearmanr(far, km).statistic > 0.6 > abs(spearmanr(near, km).statistic)
    ev = _evidence().set_index("iso")["ratio_to_national_mean"]
    assert spearmanr(far.reindex(ev.index), ev).statistic > 0.4
    assert far["MOW"] / (total_far / _regions()["men_16_61_census2021"].sum()) < 0.7


def test_the_evidence_is_a_calibration_target():
    t = {t.name: t for t in tg.read_targets()}["regional_mobilisation_rank_2022"]
    _, (spec,) = t.specs()
    assert spec.metric == "spearman" and spec.column == "mobilised_total"
    assert t.low <= 0.87 <= t.high
