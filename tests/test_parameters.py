"""Parameters and scenarios: defaults in range, one-line errors, built-in scenarios, malformed files."""

from __future__ import annotations

import datetime as dt

import pytest

from draftsim.model import DraftModel, ParameterError, Parameters, builtin_scenarios, load_scenario, parameter_table
from draftsim.model.scenarios import parse_overrides

TABLE = {row["name"]: row for row in parameter_table()}
COUNTERFACTUALS = {
    "double-bonus": {"bonus_multiplier": 2.0},
    "no-e-register": {"e_register_enabled": False},
    "no-exit-ban": {"exit_ban_enabled": False},
    "no-mobilisation": {"mobilisation_enabled": False},
    "no-prison-recruitment": {"prison_recruitment_enabled": False},
}


def _one_line_naming(exc: pytest.ExceptionInfo, name: str) -> str:
    msg = str(exc.value)
    assert msg and "\n" not in msg, msg
    assert name in msg, msg
    return msg


# --- Parameters ----------------------------------------------------------------------------------------
def test_every_default_is_within_its_range():
    p = Parameters()
    assert len(TABLE) > 50
    for name, row in TABLE.items():
        value = getattr(p, name)
        assert row["default"] == (value.isoformat() if isinstance(value, dt.date) else value)
        assert row["unit"] and row["source"], name
        if row["type"] == "bool":
            assert isinstance(value, bool)
            continue
        low, high = row["low"], row["high"]
        assert low is not None and high is not None, name
        if row["type"] == "date":
            low, high = dt.date.fromisoformat(low), dt.date.fromisoformat(high)
        assert low <= value <= high, name
        assert low < high, name


def test_the_table_types_match_the_values():
    p = Parameters()
    kinds = {"float": float, "int": int, "bool": bool, "date": dt.date}
    for name, row in TABLE.items():
        value = getattr(p, name)
        assert isinstance(value, kinds[row["type"]]), name
        if row["type"] == "int":
            assert not isinstance(value, bool)


@pytest.mark.parametrize("name, bad", [
    ("bonus_elasticity", -0.1), ("bonus_elasticity", 3.5), ("bonus_elasticity", float("nan")),
    ("bonus_elasticity", "lots"), ("bonus_elasticity", True), ("bonus_elasticity", None),
    ("kill_hazard_per_week", 0.5), ("casualty_intensity", float("inf")), ("asc_hide", -51),
    ("training_weeks", 0), ("training_weeks", 2.5), ("recruiters_per_region", 51), ("contract_age_max", 17),
    ("mobilisation_enabled", "perhaps"), ("mobilisation_enabled", 2), ("mobilisation_enabled", 0.5),
    ("exit_ban_enabled", None),
    ("start_date", dt.date(2021, 1, 1)), ("end_date", "2031-01-01"), ("end_date", "yesterday"),
    ("belarus_start_date", 20250101),
])
def test_a_bad_value_raises_a_one_line_error_naming_the_parameter(name, bad):
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(**{name: bad})
    msg = _one_line_naming(exc, name)
    assert "allowed" in msg


def test_the_error_message_says_what_is_allowed():
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(bonus_multiplier=25)
    assert str(exc.value) == "bonus_multiplier: got 25.0; allowed: a number in [0.0, 20.0]"


def test_cross_field_constraints():
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(end_date=dt.date(2022, 2, 24))
    _one_line_naming(exc, "end_date")
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(contract_age_min=40, contract_age_max=30)
    _one_line_naming(exc, "contract_age_max")


def test_an_unknown_name_raises():
    with pytest.raises(ParameterError) as exc:
        Parameters().replace(bonus_multiplyer=2.0)
    _one_line_naming(exc, "bonus_multiplyer")
    with pytest.raises(ParameterError):
        DraftModel(seed=1, scale=20_000, no_such_lever=True)
    with pytest.raises(ParameterError) as exc:
        parse_overrides(["no_such_lever=1"])
    _one_line_naming(exc, "no_such_lever")


def test_good_values_are_coerced_to_the_parameter_type():
    p = Parameters().replace(bonus_multiplier="2", training_weeks="4", exit_ban_enabled="off",
                             end_date="2024-12-31", casualty_intensity=2)
    assert p.bonus_multiplier == 2.0 and isinstance(p.bonus_multiplier, float)
    assert p.training_weeks == 4 and isinstance(p.training_weeks, int)
    assert p.exit_ban_enabled is False
    assert p.end_date == dt.date(2024, 12, 31)
    assert p.casualty_intensity == 2.0
    assert Parameters().replace() == Parameters()
    assert parse_overrides(["bonus_multiplier=3", " enforcement = 2"]) == {"bonus_multiplier": 3.0, "enforcement": 2.0}


def test_parameters_are_immutable():
    p = Parameters()
    with pytest.raises(AttributeError):
        p.bonus_multiplier = 3.0  # type: ignore[misc]


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"seed": True}, {"scale": 0.5}, {"scale": 1e6}])
def test_bad_seed_or_scale_raise(kwargs):
    args = {"seed": 1, "scale": 20_000, **kwargs}
    with pytest.raises(ParameterError) as exc:
        DraftModel(**args)
    _one_line_naming(exc, next(iter(kwargs)))


# --- scenarios -------------------------------------------------------------------------------------------
def test_every_builtin_scenario_loads():
    names = builtin_scenarios()
    assert list(names)[0] == "baseline"
    assert set(COUNTERFACTUALS) <= set(names)
    for name, description in names.items():
        sc = load_scenario(name)
        assert sc.name == name
        assert sc.description == description and description
        assert isinstance(sc.params, Parameters)
        assert sc.source == f"builtin:{name}"


@pytest.mark.parametrize("name", sorted(COUNTERFACTUALS))
def test_a_counterfactual_changes_exactly_its_one_lever(name):
    base, alt = load_scenario("baseline"), load_scenario(name)
    b, a = base.params.as_dict(), alt.params.as_dict()
    changed = {k: a[k] for k in a if a[k] != b[k]}
    assert changed == COUNTERFACTUALS[name]
    assert alt.events == base.events


def test_overrides_apply_last_and_are_recorded():
    sc = load_scenario("double-bonus", {"bonus_multiplier": "3", "enforcement": 2})
    assert sc.params.bonus_multiplier == 3.0 and sc.params.enforcement == 2.0
    assert sc.overrides == {"bonus_multiplier": 3.0, "enforcement": 2.0}
    with pytest.raises(ParameterError) as exc:
        load_scenario("baseline", {"enforcement": 99})
    _one_line_naming(exc, "enforcement")


def _write(tmp_path, text: str, name: str = "sc.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_scenario_file_with_events_loads_and_runs(tmp_path):
    path = _write(tmp_path, """
name = "early-bonus"
description = "a federal bonus from the first spring"
extends = "baseline"

[parameters]
enforcement = 2.0

[[events]]
date = 2022-04-01
parameter = "federal_bonus"
value = "500000"
""")
    sc = load_scenario(path)
    assert sc.name == "early-bonus" and sc.params.enforcement == 2.0
    assert sc.params.replacement_target_per_month == load_scenario("baseline").params.replacement_target_per_month
    assert [(e.date, e.parameter, e.value) for e in sc.events] == [(dt.date(2022, 4, 1), "federal_bonus", "500000")]
    m = DraftModel(sc.params, seed=1, scale=20_000, events=sc.events)
    m.run(until=dt.date(2022, 5, 1))
    assert m.national_frame()["federal_bonus_rub"].iloc[-1] == 500_000.0


@pytest.mark.parametrize("text, words", [
    ('name = "x"\n[parameters\nbonus_multiplier = 2\n', ["malformed TOML"]),
    ('name = "x"\nbonus_multiplier = 2\n', ["unknown key", "bonus_multiplier"]),
    ('name = "x"\n[parameters]\nbonus_multiplyer = 2\n', ["unknown parameter", "bonus_multiplyer"]),
    ('name = "x"\n[parameters]\nbonus_multiplier = 200\n', ["bonus_multiplier"]),
    ('name = "x"\n[parameters]\nexit_ban_enabled = "sometimes"\n', ["exit_ban_enabled"]),
    ('name = "x"\nparameters = 3\n', ["parameters"]),
    ('name = "x"\n[[events]]\ndate = "2023-13-45"\nparameter = "federal_bonus"\nvalue = "1"\n', ["date"]),
    ('name = "x"\n[[events]]\ndate = "soon"\nparameter = "federal_bonus"\nvalue = "1"\n', ["date"]),
    ('name = "x"\n[[events]]\ndate = 2023\nparameter = "federal_bonus"\nvalue = "1"\n', ["date"]),
    ('name = "x"\n[[events]]\nparameter = "federal_bonus"\nvalue = "1"\n', ["date"]),
    ('name = "x"\n[[events]]\ndate = 2023-01-01\nparameter = "invade_mars"\nvalue = "1"\n', ["invade_mars"]),
    ('name = "x"\nextends = "no-such-scenario"\n', ["no-such-scenario"]),
])
def test_a_bad_scenario_file_raises_a_one_line_error(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(ParameterError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert "\n" not in msg, msg
    for w in words:
        assert w in msg, msg


def test_an_extends_cycle_raises(tmp_path):
    _write(tmp_path, f'name = "a"\nextends = "{tmp_path / "b.toml"}"\n', "a.toml")
    _write(tmp_path, f'name = "b"\nextends = "{tmp_path / "a.toml"}"\n', "b.toml")
    with pytest.raises(ParameterError) as exc:
        load_scenario(str(tmp_path / "a.toml"))
    assert "\n" not in str(exc.value) and "cycle" in str(exc.value)


def test_unknown_builtin_or_missing_file_raises(tmp_path):
    with pytest.raises(ParameterError) as exc:
        load_scenario("no-such-scenario")
    assert "baseline" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        load_scenario(str(tmp_path / "missing.toml"))
    assert "missing.toml" in str(exc.value)
