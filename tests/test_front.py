"""The front's rhythm (agents/rules/front.py, DraftModel.fight): the loss-index forcing, newcomers' hazards,
desertion, and the dead booked by channel."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from draftsim.agents.person import SEASONED
from draftsim.agents.rules import front
from draftsim.agents.states import Channel, Status
from draftsim.model import DraftModel, Parameters
from draftsim.model.front_intensity import loss_index, week_intensity

P = Parameters()
SERIES = loss_index()


def _months(first, last):
    (y0, m0), (y1, m1) = first, last
    return [(y, m) for y in range(y0, y1 + 1) for m in range(1, 13) if (y0, m0) <= (y, m) <= (y1, m1)]


def test_the_forcing_file_covers_the_whole_baseline_month_by_month():
    months = [k for k, _ in SERIES]
    assert months == _months(months[0], months[-1])
    assert months[0] <= front.REFERENCE_PERIOD[0] and months[-1] >= front.REFERENCE_PERIOD[1]
    assert all(v > 0 for _, v in SERIES)


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 2.0])
def test_the_intensity_averages_one_over_the_reference_period(exponent):
    ref = front.reference_mean(SERIES, exponent)
    values = [front.intensity(front.loss_index(SERIES, y, m), exponent, ref) for y, m in _months(*front.REFERENCE_PERIOD)]
    assert np.mean(values) == pytest.approx(1.0, rel=1e-12)


def test_exponent_zero_is_a_constant_front_and_one_follows_the_series():
    ref0, ref1 = front.reference_mean(SERIES, 0.0), front.reference_mean(SERIES, 1.0)
    assert {front.intensity(v, 0.0, ref0) for _, v in SERIES} == {1.0}
    dec24, apr23 = dict(SERIES)[(2024, 12)], dict(SERIES)[(2023, 4)]
    assert front.intensity(dec24, 1.0, ref1) / front.intensity(apr23, 1.0, ref1) == pytest.approx(dec24 / apr23)


def test_beyond_the_series_the_last_six_months_hold():
    (y, m), _ = SERIES[-1]
    held = np.mean([v for _, v in SERIES[-front.HOLD_MONTHS:]])
    assert front.loss_index(SERIES, y + 1, m) == pytest.approx(held)
    assert front.loss_index(SERIES, 2030, 12) == pytest.approx(held)
    assert front.loss_index(SERIES, 2020, 1) == SERIES[0][1]


def test_the_week_takes_the_month_it_spends_most_days_in():
    p = P.replace(intensity_exponent=1.0)
    assert week_intensity(p, dt.date(2024, 11, 28)) == week_intensity(p, dt.date(2024, 12, 10))   # Thu: 4 days in Dec
    assert week_intensity(p, dt.date(2024, 11, 27)) == week_intensity(p, dt.date(2024, 11, 10))
    assert week_intensity(P.replace(front_intensity_forcing=False), dt.date(2024, 12, 10)) == 1.0


def test_the_three_exits_compete():
    k, w, d = front.exit_probabilities(0.1, 0.3, 0.05)
    assert (k, w) == (0.1, pytest.approx(0.9 * 0.3))
    assert d == pytest.approx((1 - 0.1 - 0.27) * 0.05)
    assert k + w + d <= 1.0
    assert front.exit_probabilities(1.0, 1.0, 1.0) == (1.0, 0.0, 0.0)


def test_crowding_dilutes_only_when_asked():
    assert front.crowding(1e6, 5e5, 0.0) == 1.0
    assert front.crowding(1e6, 5e5, 1.0) == pytest.approx(0.5)
    assert front.crowding(0.0, 5e5, 0.5) == pytest.approx(np.sqrt(5e5))


def test_newcomers_are_new_for_their_first_weeks_only():
    p = P.replace(new_recruit_weeks=8)
    assert front.is_new_at_front(p, 0) and front.is_new_at_front(p, 7)
    assert not front.is_new_at_front(p, 8)
    assert not front.is_new_at_front(p, 0 - SEASONED)
    assert not front.is_new_at_front(P.replace(new_recruit_weeks=0), 0)


def _run(until, scale=5000, seed=3, **overrides):
    m = DraftModel(seed=seed, scale=scale, **overrides)
    m.run(until=until)
    return m


def test_forcing_off_and_a_flat_forcing_are_the_same_run():
    a = _run(dt.date(2023, 3, 1), front_intensity_forcing=False)
    b = _run(dt.date(2023, 3, 1), intensity_exponent=0.0)
    assert a.history == b.history


def test_regulars_are_seasoned_and_recruits_carry_their_first_deployment():
    m = _run(dt.date(2023, 3, 1))
    deployed = [man for man in m.people() if man.status is Status.DEPLOYED]
    regulars = [man for man in deployed if man.channel is Channel.REGULAR]
    recruits = [man for man in deployed if man.channel is not Channel.REGULAR]
    assert regulars and recruits
    assert all(man.first_deployed_step == SEASONED for man in regulars)
    assert all(0 < man.first_deployed_step <= m.step_index for man in recruits)


def test_newcomers_die_more_when_their_multiplier_is_raised():
    until = dt.date(2023, 6, 1)
    base = _run(until, scale=300, new_recruit_hazard_multiplier=1.0).latest
    raised = _run(until, scale=300, new_recruit_hazard_multiplier=4.0, new_recruit_weeks=13).latest
    # the mobilised, all newcomers in late 2022, die far more; the regulars, never new, do not
    mobilised = raised["killed_total_mobilised"] / base["killed_total_mobilised"]
    assert mobilised > 1.5
    assert mobilised > raised["killed_total_regulars"] / base["killed_total_regulars"]


def test_no_desertion_means_no_deserters():
    m = _run(dt.date(2023, 6, 1), desertion_per_week=0.0)
    nat = m.national_frame()
    assert nat["new_deserted"].sum() == 0
    assert nat["new_invalided"].sum() > 0
