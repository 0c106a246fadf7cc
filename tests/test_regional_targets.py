"""Regional targets: statistics over the 85 regions against observed regional data in the package."""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from draftsim.experiments import targets as tg
from draftsim.experiments.calibration.spec import CalibrationError, calibration_from_text
from draftsim.experiments.experiment import experiment_from_text
from draftsim.experiments.outcomes import OutcomeSpec, compute_outcomes, region_attributes, regions_last
from draftsim.model import DraftModel, load_scenario

DAY = dt.date(2023, 4, 12)


def _deaths() -> pd.DataFrame:
    return pd.read_csv(resources.files("draftsim.model").joinpath("data", "regional_deaths_2023_04.csv").open(encoding="utf-8"))


@pytest.fixture(scope="module")
def model():
    sc = load_scenario("baseline")
    m = DraftModel(sc.params, seed=3, scale=3000, events=sc.events)
    m.run(until=dt.date(2023, 6, 30))
    return m


def test_the_regional_table_is_whole_and_its_rates_are_its_counts():
    d = _deaths()
    assert len(d) == 85 and d["iso"].is_unique and d["source"].str.len().min() > 10
    rate = d["deaths_named_to_2023_04_12"] / d["men_16_61_census2021"] * 1e4
    assert np.allclose(rate, d["deaths_per_10k_men_2023_04"], atol=0.006)
    moscow, tuva = (d.set_index("iso").at[i, "deaths_per_10k_men_2023_04"] for i in ("MOW", "TY"))
    assert tuva > 50 * moscow                     # the seed's central finding, in the data


def test_the_observed_values_and_bands_follow_from_the_data():
    """The dispersion target is the table's own coefficient of variation; a perfect model's rank correlation
    with the list is held below 1 by the list's Poisson noise alone, inside the band the target states."""
    d = _deaths()
    by = {t.name: t for t in tg.read_targets()}
    rate = d["deaths_per_10k_men_2023_04"].to_numpy()
    cv = by["regional_deaths_dispersion_2023_04"]
    assert cv.observed == pytest.approx(rate.std(ddof=1) / rate.mean(), abs=0.002)
    rng = np.random.default_rng(11)
    n, men = d["deaths_named_to_2023_04_12"].to_numpy(), d["men_16_61_census2021"].to_numpy()
    ceiling = np.median([spearmanr(rate, rng.poisson(n) / men).statistic for _ in range(200)])
    rank = by["regional_deaths_rank_2023_04"]
    assert 0.95 < ceiling < 1.0 and rank.low <= ceiling <= rank.high
    resampled = [(lambda x: x.std(ddof=1) / x.mean())(rng.poisson(n) / men) for _ in range(200)]
    assert cv.low <= np.percentile(resampled, 5) and np.percentile(resampled, 95) <= cv.high


def test_the_model_statistics_are_computed_on_the_day_per_10k_men(model):
    attrs = region_attributes(model)
    specs = (OutcomeSpec("rank", "spearman", "killed_total", None, DAY, "regional_deaths_2023_04:deaths_per_10k_men_2023_04"),
             OutcomeSpec("cv", "dispersion", "killed_total", None, DAY))
    got = compute_outcomes(specs, model.national_frame(), regions_last(model), attrs, model.region_history)
    week = [w for w in model.region_history if w["date"] <= DAY.isoformat()][-1]
    rate = pd.Series(np.asarray(week["killed_total"], float), index=week["region"]) / attrs["men"] * 1e4
    observed = _deaths().set_index("iso")["deaths_per_10k_men_2023_04"].reindex(rate.index)
    assert got["rank"] == pytest.approx(spearmanr(rate, observed).statistic)
    assert got["cv"] == pytest.approx(rate.std(ddof=1) / rate.mean())
    later = model.region_history[-1]
    assert not np.array_equal(np.asarray(later["killed_total"]), np.asarray(week["killed_total"]))   # the day matters
    by = {t.name: t for t in tg.read_targets()}
    national = model.national_frame()
    assert tg.model_value(by["regional_deaths_rank_2023_04"], national, model.region_history, attrs) == pytest.approx(got["rank"])
    table = tg.compare(national, model=model).set_index("target")
    assert math.isfinite(table.at["regional_deaths_dispersion_2023_04", "model"])
    assert "regional_deaths_rank_2023_04" not in set(tg.compare(national)["target"])       # regional needs the model


EXPERIMENT = """
name = "regional"
scale = 5000
until = 2023-04-30
[design]
kind = "list"
points = [{kill_hazard_per_week = 0.002}]
[[outcomes]]
name = "rank"
metric = "spearman"
column = "killed_total"
end = 2023-04-12
against = "regional_deaths_2023_04:deaths_per_10k_men_2023_04"
"""


def test_experiment_files_accept_regional_outcomes_and_name_bad_ones():
    e = experiment_from_text(EXPERIMENT)
    assert e.outcomes[0].against == "regional_deaths_2023_04:deaths_per_10k_men_2023_04"
    bad = EXPERIMENT.replace("deaths_per_10k_men_2023_04\"", "deaths_per_10k\"")
    with pytest.raises(Exception, match=r"outcomes\[0\]\.against: got .*allowed: TABLE:COLUMN") as err:
        experiment_from_text(bad)
    assert "\n" not in str(err.value)
    with pytest.raises(Exception, match=r"outcomes\[0\]\.column: got \"new_killed\"; allowed: a stock or cumulative level"):
        experiment_from_text(EXPERIMENT.replace('column = "killed_total"', 'column = "new_killed"'))


CALIBRATION = """
name = "regional"
scale = 5000
until = 2023-06-30
[parameters]
kill_hazard_per_week = [0.001, 0.003]
[[targets]]
name = "regional_deaths_rank_2023_04"
[[targets]]
name = "deaths_cv"
observed = 0.68
sd = 0.04
outcome = "dispersion:killed_total"
weeks = "2023-04-12..2023-04-12"
"""


def test_calibration_files_take_regional_targets_by_name_or_inline():
    cal = calibration_from_text(CALIBRATION)
    rank, cv = cal.targets
    assert rank.target.regional and rank.sd == pytest.approx(0.05)
    assert cv.target.specs()[1][0].metric == "dispersion"
    with pytest.raises(CalibrationError, match=r"targets\[1\]\.against: got .*allowed: no against"):
        calibration_from_text(CALIBRATION.replace('weeks = "2023-04-12..2023-04-12"', 'weeks = "2023-04-12..2023-04-12"\nagainst = "x:y"'))
    with pytest.raises(CalibrationError, match=r"targets\[1\]\.observation: got \"named\"; allowed: direct \| named_list"):
        calibration_from_text(CALIBRATION.replace('sd = 0.04', 'sd = 0.04\nobservation = "named"'))


def test_the_spread_and_the_ranks_of_regions_are_computed_on_the_day(model):
    attrs = region_attributes(model)
    specs = (OutcomeSpec("spread", "log_sd", "killed_total", None, DAY), OutcomeSpec("tuva", "rank_of", "killed_total", None, DAY, "TY"))
    got = compute_outcomes(specs, model.national_frame(), regions_last(model), attrs, model.region_history)
    week = [w for w in model.region_history if w["date"] <= DAY.isoformat()][-1]
    rate = pd.Series(np.asarray(week["killed_total"], float), index=week["region"]) / attrs["men"] * 1e4
    floor = rate[rate > 0].min() / 2
    assert got["spread"] == pytest.approx(np.log(rate.where(rate > 0, floor)).std(ddof=1))
    assert got["tuva"] == pytest.approx(1 + (rate > rate["TY"]).sum() + ((rate == rate["TY"]).sum() - 1) / 2)
    table = tg.compare(model.national_frame(), model=model).set_index("target")
    assert 1 <= table.at["regional_deaths_rank_moscow_2023_04", "model"] <= 85


def test_experiment_files_take_a_region_for_rank_of_and_name_a_bad_one():
    text = EXPERIMENT.replace('metric = "spearman"', 'metric = "rank_of"').replace(
        'against = "regional_deaths_2023_04:deaths_per_10k_men_2023_04"', 'against = "TY"')
    assert experiment_from_text(text).outcomes[0].against == "TY"
    with pytest.raises(Exception, match=r"outcomes\[0\]\.against: got \"XX\"; allowed: a region's iso code: "):
        experiment_from_text(text.replace('"TY"', '"XX"'))
    with pytest.raises(Exception, match=r"outcomes\[0\]\.against: .*allowed: no against for metric log_sd"):
        experiment_from_text(text.replace('"rank_of"', '"log_sd"'))
