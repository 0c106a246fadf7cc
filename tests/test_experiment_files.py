"""Experiment files: the examples load, defaults apply, every mistake is one line naming its key,
and the outcomes computed from a real run match the numbers read off the model's own tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pytest

from draftsim.experiments.errors import UsageError
from draftsim.experiments.experiment import ExperimentError, examples, experiment_from_text, load_experiment, point_parameters
from draftsim.experiments.outcomes import (
    DEFAULT_KEEP,
    DEFAULT_OUTCOMES,
    NATIONAL_COLUMNS,
    WEEKS_PER_MONTH,
    OutcomeSpec,
    compute_outcomes,
    model_outcomes,
    region_attributes,
    regions_last,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "experiments" / "examples"
VALID = '''name = "t"
scale = 5000
until = 2022-06-30
[design]
kind = "grid"
[design.parameters]
bonus_multiplier = [1.0, 2.0]
'''
LHS = 'name = "t"\nuntil = 2022-06-30\n[design]\nkind = "lhs"\nsamples = 4\n[design.parameters]\n'
SOBOL = 'name = "t"\nuntil = 2022-06-30\n[design]\nkind = "sobol"\nsamples = 8\n[design.parameters]\n'
MORRIS = 'name = "t"\nuntil = 2022-06-30\n[design]\nkind = "morris"\ntrajectories = 4\n[design.parameters]\n'
LIST = 'name = "t"\nuntil = 2022-06-30\n[design]\nkind = "list"\n'


def outcome(body: str) -> str:
    return VALID + "[[outcomes]]\n" + body


# --- the examples ------------------------------------------------------------------------------------
def test_the_examples_are_packaged_and_load_by_path_and_by_name():
    files = sorted(p.stem for p in EXAMPLES.glob("*.toml"))
    assert files == sorted(examples()) == ["bonus_vs_register", "lhs_exploration", "morris_screening", "sobol_levers"]
    for name in files:
        by_path, by_name = load_experiment(EXAMPLES / f"{name}.toml"), load_experiment(name)
        assert by_path == by_name and by_path.name == name and by_path.description
        assert by_path.text == (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")
        assert by_path.sha256 == hashlib.sha256((EXAMPLES / f"{name}.toml").read_bytes()).hexdigest()
        assert by_path.path == str((EXAMPLES / f"{name}.toml").resolve())


def test_bonus_vs_register_crosses_bonus_register_and_exit_ban_with_ten_replicates():
    exp = load_experiment("bonus_vs_register")
    assert exp.design.kind == "grid" and exp.replicates == 10
    assert [f.name for f in exp.design.factors] == ["federal_bonus_multiplier", "e_register_enabled", "exit_ban_enabled"]
    assert exp.design.factors[1].values == exp.design.factors[2].values == (True, False)
    assert 1.0 in exp.design.factors[0].values                  # the historical bonus is one of the levels


def test_sobol_levers_has_six_levers():
    exp = load_experiment("sobol_levers")
    assert exp.design.kind == "sobol" and len(exp.design.factors) == 6 and exp.design.samples == 64


# --- defaults and resolution ---------------------------------------------------------------------------
def test_a_minimal_file_gets_the_defaults(tmp_path):
    f = tmp_path / "minimal.toml"
    f.write_text('[design]\nkind = "grid"\n[design.parameters]\nbonus_multiplier = [1.0]\n', encoding="utf-8")
    exp = load_experiment(f)
    assert (exp.name, exp.description, exp.scenario, exp.until, exp.scale, exp.replicates, exp.seed) == (
        "minimal", "", "baseline", None, 1000, 1, 0)
    assert exp.outcomes == DEFAULT_OUTCOMES and exp.keep == DEFAULT_KEEP
    assert [o.metric for o in exp.outcomes] == ["mean_monthly", "total", "final", "bonus_spending_rub", "poorest_quarter_share"]
    assert exp.last_day == dt.date(2025, 12, 31)


def test_default_outcomes_of_a_run_that_ends_before_2023_cover_the_whole_run():
    exp = experiment_from_text(VALID.replace("2022-06-30", "2022-12-31"))
    assert exp.outcomes[0] == OutcomeSpec("contracts_per_month", "mean_monthly", "new_contracts")
    assert exp.outcomes[1:] == DEFAULT_OUTCOMES[1:]


def test_a_scenario_path_is_relative_to_the_experiment_file(tmp_path):
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "rich.toml").write_text('name = "rich"\nextends = "baseline"\n[parameters]\nmonthly_pay_rub = 300000\n',
                                               encoding="utf-8")
    f = tmp_path / "e.toml"
    f.write_text('scenario = "sc/rich.toml"\nuntil = "2026-06-30"\n' + VALID.split("until = 2022-06-30\n")[1], encoding="utf-8")
    exp = load_experiment(f)
    assert exp.scenario == str((tmp_path / "sc" / "rich.toml").resolve())
    assert exp.until == dt.date(2026, 6, 30)                 # a string date works too
    params = point_parameters(exp, {"bonus_multiplier": 2.0})
    assert (params.monthly_pay_rub, params.bonus_multiplier) == (300000.0, 2.0)
    assert params.end_date == dt.date(2026, 6, 30)          # until past the scenario's end extends the run


def test_an_experiment_accepts_the_models_whole_scale_range():
    from draftsim.model.units import SCALE_RANGE

    low, high = (int(x) for x in SCALE_RANGE)
    for ok in (low, high):
        assert experiment_from_text(VALID.replace("scale = 5000", f"scale = {ok}")).scale == ok
    for bad in (low - 1, high + 1):
        with pytest.raises(ExperimentError, match=f"scale: got {bad}; "):
            experiment_from_text(VALID.replace("scale = 5000", f"scale = {bad}"))


# --- every mistake: one line naming the key -------------------------------------------------------------
BAD = [
    # (file text, key path, a fragment of the message)
    ('colour = "red"\n' + VALID, "colour", "allowed: name, description"),
    ("replicate = 3\n" + VALID, "replicate", "did you mean 'replicates'"),
    ("name = 'x'\nvalid = [1,\n", "toml", "valid TOML"),
    ('name = "two words"\n' + VALID.split("\n", 1)[1], "name", "letters, digits"),
    ("replicates = 0\n" + VALID, "replicates", "[1, 100000]"),
    ("replicates = 2.5\n" + VALID, "replicates", "an integer"),
    (VALID.replace("scale = 5000", "scale = 0"), "scale", "[1, 100000]"),
    (VALID.replace("scale = 5000", "scale = 1000000"), "scale", "[1, 100000]"),
    (VALID.replace("scale = 5000", 'scale = "coarse"'), "scale", "men per agent"),
    ("seed = -1\n" + VALID, "seed", "an integer in [0,"),
    (VALID.replace("2022-06-30", '"soon"'), "until", "YYYY-MM-DD"),
    (VALID.replace("2022-06-30", '"2022-13-01"'), "until", "YYYY-MM-DD"),
    (VALID.replace("2022-06-30", "2021-01-01"), "until", "2022-02-24"),
    (VALID.replace("2022-06-30", "2031-01-01"), "until", "2030-12-31"),
    ('scenario = "basline"\n' + VALID, "scenario", "did you mean 'baseline'"),
    ('scenario = "missing/nowhere.toml"\n' + VALID, "scenario", "no file"),
    ('name = "t"\n', "design", "a [design] table"),
    ('design = "grid"\n', "design", "a [design] table"),
    (VALID.replace('kind = "grid"', 'kind = "factorial"'), "design.kind", "grid | list | lhs | sobol | morris"),
    (VALID.replace('kind = "grid"', 'kind = "grid"\nsamples = 10'), "design.samples", "(for kind grid)"),
    (VALID.replace("bonus_multiplier", "bonus_multiplyer"), "design.parameters.bonus_multiplyer", "did you mean 'bonus_multiplier'"),
    (VALID.replace("[1.0, 2.0]", "[1.0, 30.0]"), "design.parameters.bonus_multiplier", "got 30.0; allowed: a number in [0.0, 20.0]"),
    (VALID.replace("[1.0, 2.0]", '["lots"]'), "design.parameters.bonus_multiplier", "a number in"),
    (VALID.replace("[1.0, 2.0]", "2.0"), "design.parameters.bonus_multiplier", "a non-empty list of values"),
    (VALID.replace("[1.0, 2.0]", "[]"), "design.parameters.bonus_multiplier", "a non-empty list of values"),
    (VALID.replace("[1.0, 2.0]", "[1.0, 1]"), "design.parameters.bonus_multiplier", "distinct values"),
    (VALID.replace("bonus_multiplier = [1.0, 2.0]", "e_register_enabled = [true, 3]"), "design.parameters.e_register_enabled",
     "true or false"),
    (VALID.replace("bonus_multiplier = [1.0, 2.0]", "training_weeks = [2, 2.5]"), "design.parameters.training_weeks",
     "an integer in [1, 52]"),
    (VALID.replace("bonus_multiplier = [1.0, 2.0]", "contract_age_min = [50]\ncontract_age_max = [40]"), "design.parameters",
     "contract_age_max"),
    (VALID.replace("[design.parameters]\nbonus_multiplier = [1.0, 2.0]\n", ""), "design.parameters", "a [design.parameters] table"),
    (LHS + "e_register_enabled = [true, false]\n", "design.parameters.e_register_enabled", "grid or list"),
    (LHS + "belarus_start_date = [2024-01-01, 2025-01-01]\n", "design.parameters.belarus_start_date", "grid or list"),
    (LHS + "bonus_multiplier = [3.0, 0.5]\n", "design.parameters.bonus_multiplier", "low < high"),
    (LHS + "bonus_multiplier = [1.0]\n", "design.parameters.bonus_multiplier", "[low, high]"),
    (LHS + "bonus_multiplier = [0.5, 25.0]\n", "design.parameters.bonus_multiplier", "[0.0, 20.0]"),
    (LHS + "training_weeks = [2.5, 8]\n", "design.parameters.training_weeks", "an integer"),
    (LHS.replace("samples = 4\n", "") + "bonus_multiplier = [0.5, 3.0]\n", "design.samples", "got nothing"),
    (LHS.replace("samples = 4", "samples = 0") + "bonus_multiplier = [0.5, 3.0]\n", "design.samples", "[1, 1000000]"),
    (SOBOL.replace("samples = 8", "samples = 100") + "bonus_multiplier = [0.5, 3.0]\nenforcement = [0.5, 2.0]\n",
     "design.samples", "a power of two"),
    (SOBOL.replace("samples = 8", "samples = 8\nsecond_order = 1") + "bonus_multiplier = [0.5, 3.0]\nenforcement = [0.5, 2.0]\n",
     "design.second_order", "true or false"),
    (SOBOL + "bonus_multiplier = [0.5, 3.0]\n", "design.second_order", "a single parameter"),
    (SOBOL + "bonus_multiplier = [0.5, 3.0]\nenforcement = [0.5, 2.0]\ntrajectories = 4\n", "design.parameters.trajectories",
     "an unknown parameter"),
    (MORRIS.replace("trajectories = 4\n", "") + "bonus_multiplier = [0.5, 3.0]\n", "design.trajectories", "got nothing"),
    (MORRIS.replace("trajectories = 4", "trajectories = 4\nlevels = 5") + "bonus_multiplier = [0.5, 3.0]\n", "design.levels", "even"),
    (MORRIS + "training_weeks = [2, 3]\n", "design.parameters.training_weeks", "at least levels - 1 = 3 wide"),
    (MORRIS.replace("trajectories = 4", "trajectories = 4\nsamples = 4") + "bonus_multiplier = [0.5, 3.0]\n", "design.samples",
     "(for kind morris)"),
    (LIST + "points = []\n", "design.points", "a non-empty list of tables"),
    (LIST + "points = [{bonus_multiplier = 2.0}, {bonus_multiplir = 1.0}]\n", "design.points[1].bonus_multiplir",
     "did you mean 'bonus_multiplier'"),
    (LIST + "points = [{bonus_multiplier = 2.0}, {bonus_multiplier = -1.0}]\n", "design.points[1].bonus_multiplier", "got -1.0"),
    (LIST + "points = [{bonus_multiplier = 2.0}, {bonus_multiplier = 2}]\n", "design.points[1]", "same as design.points[0]"),
    (LIST + "points = [{bonus_multiplier = 2.0}, 3]\n", "design.points[1]", "a table of parameter = value"),
    (LIST + "points = [{contract_age_min = 50, contract_age_max = 40}]\n", "design.points[0]", "contract_age_max"),
    ("outcomes = []\n" + VALID, "outcomes", "one or more [[outcomes]]"),
    (outcome('name = "x"\nmetric = "median"\ncolumn = "new_contracts"\n'), "outcomes[0].metric", "mean_monthly | total"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contract"\n'), "outcomes[0].column", "did you mean 'new_contracts'"),
    (outcome('name = "x"\nmetric = "total"\n'), "outcomes[0].column", "got nothing"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "deployed"\n'), "outcomes[0].column", "a weekly flow column"),
    (outcome('name = "x"\nmetric = "final"\ncolumn = "new_killed"\n'), "outcomes[0].column", "a stock or level column"),
    (outcome('name = "x"\nmetric = "bonus_spending_rub"\ncolumn = "bonus_paid_rub"\n'), "outcomes[0].column", "no column"),
    (outcome('name = "x"\nmetric = "poorest_quarter_share"\nstart = 2022-03-01\n'), "outcomes[0].start", "no start date"),
    (outcome('name = "x"\nmetric = "final"\ncolumn = "deployed"\nstart = 2022-03-01\n'), "outcomes[0].start", "no start date"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contracts"\nstart = "2022-02-30"\n'), "outcomes[0].start", "YYYY-MM-DD"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contracts"\nstart = 2023-01-01\n'), "outcomes[0].start",
     "[2022-02-24, 2022-06-30]"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contracts"\nstart = 2022-05-01\nend = 2022-04-01\n'), "outcomes[0].end",
     "on or after start"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contracts"\nwindow = 4\n'), "outcomes[0].window", "name, metric, column"),
    (outcome('name = "bad name"\nmetric = "total"\ncolumn = "new_contracts"\n'), "outcomes[0].name", "letters, digits and '_'"),
    (outcome('name = "bonus_multiplier"\nmetric = "total"\ncolumn = "new_contracts"\n'), "outcomes[0].name", "a design parameter"),
    (outcome('name = "seed"\nmetric = "total"\ncolumn = "new_contracts"\n'), "outcomes[0].name", "the runs table"),
    (outcome('name = "x"\nmetric = "total"\ncolumn = "new_contracts"\n[[outcomes]]\nname = "x"\nmetric = "total"\n'
             'column = "new_killed"\n'), "outcomes[1].name", "not used by another outcome"),
    (VALID + '[timeseries]\ncolumns = ["new_contracts", "deploy"]\n', "timeseries.columns[1]", "did you mean 'deployed'"),
    (VALID + '[timeseries]\ncolumns = ["date"]\n', "timeseries.columns[0]", "a national column"),
    (VALID + '[timeseries]\ncolumns = ["deployed", "deployed"]\n', "timeseries.columns[1]", "each column once"),
    (VALID + '[timeseries]\ncolumns = "deployed"\n', "timeseries.columns", "a list of national column names"),
    (VALID + '[timeseries]\nevery = 4\n', "timeseries.every", "allowed: columns"),
]


@pytest.mark.parametrize("text, key, fragment", BAD, ids=[f"{i:02d}-{case[1]}" for i, case in enumerate(BAD)])
def test_each_mistake_is_one_line_naming_its_key(text, key, fragment):
    with pytest.raises(ExperimentError) as info:
        experiment_from_text(text, "bad.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"experiment bad.toml: {key}: got "), message
    assert "; allowed: " in message and fragment in message, message
    assert isinstance(info.value, UsageError)                 # the CLI prints it as one line and exits 2


def test_a_missing_file_a_folder_and_non_utf8_bytes_are_named(tmp_path):
    cases = [(tmp_path / "nope.toml", "got no such file"), (tmp_path, "got a folder")]
    binary = tmp_path / "latin1.toml"
    binary.write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
    cases.append((binary, "not UTF-8"))
    for path, fragment in cases:
        with pytest.raises(ExperimentError) as info:
            load_experiment(path)
        message = str(info.value)
        assert message.startswith(f"experiment {path}: path: got ") and fragment in message and "\n" not in message
    with pytest.raises(ExperimentError, match="bonus_vs_register"):
        load_experiment("no_such_example")                 # the error lists the packaged examples


# --- outcomes computed from a real run ------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_run():
    from draftsim.model import DraftModel

    exp = experiment_from_text(VALID.replace("2022-06-30", "2022-12-31"))
    model = DraftModel(point_parameters(exp, {}), seed=3, scale=1000, events=())
    model.run(until=exp.until)
    return model


def test_national_columns_are_the_models(tiny_run):
    columns = list(tiny_run.national_frame().columns)
    assert sorted(columns) == sorted(NATIONAL_COLUMNS) and len(columns) == len(NATIONAL_COLUMNS)


def test_outcomes_match_the_models_tables(tiny_run):
    national, regions = tiny_run.national_frame(), tiny_run.regions_frame()
    last = regions[regions["step"] == regions["step"].max()].set_index("region")
    fast = regions_last(tiny_run)
    assert fast.equals(last[fast.columns])                       # the cheap last week is the frame's last week
    attrs = region_attributes(tiny_run)
    assert list(attrs.columns) == ["men", "poverty", "distance"] and len(attrs) == 85

    specs = (
        OutcomeSpec("monthly", "mean_monthly", "new_contracts", dt.date(2022, 10, 1), dt.date(2022, 12, 31)),
        OutcomeSpec("emigrants", "total", "new_emigrants"),
        OutcomeSpec("emigrants_autumn", "total", "new_emigrants", dt.date(2022, 9, 1), None),
        OutcomeSpec("killed", "final", "killed_total"),
        OutcomeSpec("killed_by_october", "final", "killed_total", None, dt.date(2022, 10, 1)),
        OutcomeSpec("mean_deployed", "mean", "deployed"),
        OutcomeSpec("peak_alarm", "max", "alarm"),
        OutcomeSpec("bonus", "bonus_spending_rub"),
        OutcomeSpec("poorest", "poorest_quarter_share"),
    )
    got = compute_outcomes(specs, national, last, attrs)
    assert got == model_outcomes(tiny_run, specs)
    autumn = national[(national["date"] >= dt.date(2022, 10, 1)) & (national["date"] <= dt.date(2022, 12, 31))]
    assert got["monthly"] == pytest.approx(autumn["new_contracts"].mean() * 365.25 / 12 / 7)
    assert WEEKS_PER_MONTH == pytest.approx(4.348, abs=1e-3)
    assert got["emigrants"] == national["new_emigrants"].sum() > got["emigrants_autumn"] > 0
    assert got["killed"] == national["killed_total"].iloc[-1] > got["killed_by_october"] > 0
    assert got["killed_by_october"] == national.loc[national["date"] <= dt.date(2022, 10, 1), "killed_total"].iloc[-1]
    assert got["mean_deployed"] == pytest.approx(national["deployed"].mean())
    assert got["peak_alarm"] == national["alarm"].max() == 1.0            # mobilisation, Sep 2022
    assert got["bonus"] == pytest.approx(national["bonus_paid_rub"].sum()) and got["bonus"] > 0
    poverty = {r.iso: r.poverty_share for r in tiny_run.regions}
    poorest = sorted(poverty, key=lambda iso: (-poverty[iso], iso))[:21]
    assert got["poorest"] == pytest.approx(last.loc[poorest, "recruits_total"].sum() / last["recruits_total"].sum())
    assert 0 < got["poorest"] < 1


def test_a_window_without_weeks_gives_nan(tiny_run):
    spec = OutcomeSpec("later", "total", "new_contracts", dt.date(2024, 1, 1), None)
    assert math.isnan(model_outcomes(tiny_run, (spec,))["later"])
