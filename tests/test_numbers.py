"""Numbers as numbers: numpy scalars from batch_run grids and SALib samples are parameter values like any other.

Each kind is stored as the plain Python value it holds, so a run given ``np.int64(2)`` is bit-identical to
a run given ``2`` and the manifest stays plain JSON.  Real mistakes still get one line, in plain words.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest
from SALib.sample import latin

from draftsim.model import DraftModel, ParameterError, Parameters

UNTIL = dt.date(2022, 4, 30)     # 9 weekly steps: enough for contracts, emigration and deaths to differ by lever
STEPS = 9


def _run(**kwargs) -> pd.DataFrame:
    m = DraftModel(**{"seed": 1, "scale": 3000, **kwargs})
    m.run(until=UNTIL)
    return m.national_frame()


@pytest.mark.parametrize("value", [np.float64(2.5), np.float32(0.5), np.float16(1.5), np.int64(2), np.int32(2),
                                   np.uint8(2), np.array(2.5), 2, 2.5])
def test_a_number_parameter_takes_every_kind_of_number_and_stores_a_python_float(value):
    p = Parameters().replace(bonus_multiplier=value)
    assert type(p.bonus_multiplier) is float          # not np.float64, which is a float too but prints as np.float64(..)
    assert p.bonus_multiplier == float(np.asarray(value))


@pytest.mark.parametrize("value", [np.int64(4), np.int8(4), np.uint16(4), np.float64(4.0), np.float32(4.0), 4.0,
                                   np.array(4)])
def test_an_integer_parameter_takes_integral_numbers_and_stores_a_python_int(value):
    p = Parameters().replace(training_weeks=value)
    assert type(p.training_weeks) is int and p.training_weeks == 4


@pytest.mark.parametrize("value, expected", [
    (np.bool_(True), True), (np.bool_(False), False), (np.int64(1), True), (np.int64(0), False),
    (np.uint8(1), True), (1, True), (0, False), (np.float64(1.0), True), (0.0, False), (True, True)])
def test_a_switch_takes_booleans_and_zero_or_one_and_stores_a_python_bool(value, expected):
    p = Parameters().replace(e_register_enabled=value)
    assert p.e_register_enabled is expected


@pytest.mark.parametrize("value", [np.datetime64("2023-06-01"), np.datetime64("2023-06-01T00:00:00.000000000"),
                                   np.datetime64("2023-06-01T15:30"), pd.Timestamp("2023-06-01"),
                                   dt.datetime(2023, 6, 1, 12), "2023-06-01"])
def test_a_date_parameter_takes_numpy_and_pandas_dates_and_stores_a_python_date(value):
    p = Parameters().replace(belarus_start_date=value)
    assert type(p.belarus_start_date) is dt.date and p.belarus_start_date == dt.date(2023, 6, 1)


def test_every_way_in_stores_plain_values_that_json_writes_as_numbers():
    p = Parameters(bonus_multiplier=np.float64(2), training_weeks=np.int64(4), exit_ban_enabled=np.bool_(False))
    assert (type(p.bonus_multiplier), type(p.training_weeks), type(p.exit_ban_enabled)) == (float, int, bool)
    assert json.loads(json.dumps(p.as_dict()))["training_weeks"] == 4
    assert p == Parameters(bonus_multiplier=2.0, training_weeks=4, exit_ban_enabled=False)


@pytest.mark.parametrize("name, bad, message", [
    ("bonus_multiplier", np.float64("nan"), "bonus_multiplier: got nan; allowed: a number in [0.0, 20.0]"),
    ("bonus_multiplier", np.float32("inf"), "bonus_multiplier: got inf; allowed: a number in [0.0, 20.0]"),
    ("bonus_multiplier", np.int64(25), "bonus_multiplier: got 25.0; allowed: a number in [0.0, 20.0]"),
    ("bonus_multiplier", np.str_("lots"), "bonus_multiplier: got 'lots'; allowed: a number in [0.0, 20.0]"),
    ("bonus_multiplier", np.bool_(True), "bonus_multiplier: got True; allowed: a number in [0.0, 20.0]"),
    ("bonus_multiplier", np.array([1.0, 2.0]), "bonus_multiplier: got [1. 2.]; allowed: a number in [0.0, 20.0]"),
    ("training_weeks", np.float64(2.5), "training_weeks: got 2.5; allowed: an integer in [1, 52]"),
    ("training_weeks", np.int64(0), "training_weeks: got 0; allowed: an integer in [1, 52]"),
    ("e_register_enabled", np.int64(2), "e_register_enabled: got 2; allowed: true or false (or 1 or 0)"),
    ("e_register_enabled", 0.5, "e_register_enabled: got 0.5; allowed: true or false (or 1 or 0)"),
    ("e_register_enabled", np.float64("nan"), "e_register_enabled: got nan; allowed: true or false (or 1 or 0)"),
    ("belarus_start_date", np.datetime64("NaT", "D"),
     "belarus_start_date: got NaT; allowed: a date YYYY-MM-DD in [2022-02-24, 2030-12-31]"),
    ("belarus_start_date", np.datetime64("2031-01-01"),
     "belarus_start_date: got 2031-01-01; allowed: a date YYYY-MM-DD in [2022-02-24, 2030-12-31]"),
    ("belarus_start_date", np.int64(20250101),
     "belarus_start_date: got 20250101; allowed: a date YYYY-MM-DD in [2022-02-24, 2030-12-31]"),
])
def test_a_numpy_mistake_is_one_line_in_plain_words(name, bad, message):
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(**{name: bad})
    assert str(exc.value) == message


def test_seed_and_scale_take_numpy_numbers_and_give_the_same_run():
    m = DraftModel(seed=np.int64(3), scale=np.float32(3000))
    assert (type(m.seed), m.seed, type(m.scale), m.scale) == (int, 3, float, 3000.0)
    pd.testing.assert_frame_equal(_run(seed=np.uint32(3), scale=np.int64(3000), bonus_multiplier=np.float32(2)),
                                  _run(seed=3, scale=3000, bonus_multiplier=2.0))


WHOLE_MEN = "allowed: a whole number of men per agent in [1, 100000]"


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": np.float64(1.5)}, "seed: got 1.5; allowed: an integer >= 0"),
    ({"seed": np.int64(-1)}, "seed: got -1; allowed: an integer >= 0"),
    ({"seed": np.bool_(True)}, "seed: got True; allowed: an integer >= 0"),
    ({"scale": np.float64("nan")}, f"scale: got nan; {WHOLE_MEN}"),
    ({"scale": np.str_("big")}, f"scale: got 'big'; {WHOLE_MEN}"),
    ({"scale": np.int64(10**6)}, f"scale: got 1000000; {WHOLE_MEN}"),
    ({"scale": np.float64(2.5)}, f"scale: got 2.5; {WHOLE_MEN}"),
])
def test_bad_numpy_seed_or_scale_is_one_line(kwargs, message):
    with pytest.raises(ParameterError) as exc:
        DraftModel(**{"seed": 1, "scale": 3000, **kwargs})
    assert str(exc.value) == message


def _batch(parameters: dict) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rows = mesa.batch_run(DraftModel, parameters=parameters, rng=[1], max_steps=STEPS, number_processes=1,
                              data_collection_period=-1, display_progress=False)
    return pd.DataFrame(rows).sort_values(["bonus_multiplier", "e_register_enabled", "training_weeks"],
                                          ignore_index=True)


def test_mesa_batch_run_takes_numpy_grids_and_matches_python_numbers():
    numpy_grid = _batch({"scale": np.int64(3000), "bonus_multiplier": np.arange(1, 3), "training_weeks": np.array([2, 4]),
                         "e_register_enabled": np.array([0, 1]), "end_date": np.datetime64(UNTIL)})
    python_grid = _batch({"scale": 3000, "bonus_multiplier": [1, 2], "training_weeks": [2, 4],
                          "e_register_enabled": [False, True], "end_date": UNTIL})
    assert len(numpy_grid) == 8
    assert sorted(set(numpy_grid["bonus_multiplier"])) == [1, 2]
    assert sorted(set(numpy_grid["e_register_enabled"])) == [0, 1]
    assert set(numpy_grid["Step"]) == {STEPS}
    # the model's numbers are bit-identical; the parameter columns hold what was passed (0/1 vs bools, and
    # pandas turns the datetime64 end dates into its own dtype), so those compare by value
    assert (pd.to_datetime(numpy_grid.pop("end_date")) == pd.to_datetime(python_grid.pop("end_date"))).all()
    pd.testing.assert_frame_equal(numpy_grid, python_grid, check_dtype=False)
    assert numpy_grid["new_contracts"].nunique() > 1, "the levers should change the run"


def test_salib_rows_go_straight_into_the_model():
    problem = {"num_vars": 3, "names": ["bonus_multiplier", "enforcement", "e_register_enabled"],
               "bounds": [[0.5, 4.0], [0.0, 3.0], [0.0, 1.0]]}
    rows = latin.sample(problem, 4, seed=1)
    rows[:, 2] = rows[:, 2].round()               # a switch: SALib samples it as a float, rounded to 0.0 or 1.0
    runs = []
    for row in rows:
        m = DraftModel(seed=1, scale=3000, **dict(zip(problem["names"], row)))
        assert m.p.bonus_multiplier == row[0] and type(m.p.bonus_multiplier) is float
        assert m.p.e_register_enabled is bool(row[2])
        m.run(until=UNTIL)
        runs.append(m.national_frame())
    first = {name: float(x) for name, x in zip(problem["names"][:2], rows[0])}
    pd.testing.assert_frame_equal(runs[0], _run(**first, e_register_enabled=bool(rows[0][2])))
