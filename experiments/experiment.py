"""Experiment files: what a sweep runs, read from TOML and checked before anything runs.

    name = "bonus_vs_register"
    description = "Federal bonus x electronic register x exit ban"
    scenario = "baseline"          # a built-in scenario or a .toml path (relative to this file)
    until = 2025-12-31             # last simulated day (default: the scenario's end_date)
    scale = 1000                   # men per agent
    replicates = 10
    seed = 20240301                # root seed

    [design]
    kind = "grid"                  # grid | list | lhs | sobol | morris
    [design.parameters]
    bonus_multiplier = [1.0, 2.0]  # grid: values; lhs, sobol, morris: [low, high]

    [[outcomes]]                   # optional; see experiments.outcomes for the metrics
    name = "contracts_per_month_2023_2025"
    metric = "mean_monthly"
    column = "new_contracts"
    start = 2023-01-01
    end = 2025-12-31

    [timeseries]
    columns = ["new_contracts", "deployed"]

Every mistake raises :class:`ExperimentError`, one line naming the key and what it allows:
``experiment FILE: design.parameters.bonus_multiplier: got 30.0; allowed: a number in [0.0, 20.0]``.
Parameter names, types and ranges are the model's own (``model.parameter_table``), and every
design point goes through ``Parameters.replace``, so a file that loads runs nothing the model
would refuse.  The packaged examples (``experiments/examples/``) load by name too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from draftsim.experiments.designs import KINDS, Design, Factor, design_points
from draftsim.experiments.errors import UsageError
from draftsim.experiments.outcomes import COLUMNS_FOR, DEFAULT_KEEP, METRICS, NATIONAL_COLUMNS, OutcomeSpec, default_outcomes

TOP_KEYS = ("name", "description", "scenario", "until", "scale", "replicates", "seed", "design", "outcomes", "timeseries")
DESIGN_KEYS = {
    "grid": ("kind", "parameters"),
    "list": ("kind", "points"),
    "lhs": ("kind", "parameters", "samples"),
    "sobol": ("kind", "parameters", "samples", "second_order"),
    "morris": ("kind", "parameters", "trajectories", "levels"),
}
OUTCOME_KEYS = ("name", "metric", "column", "start", "end")
TIMESERIES_KEYS = ("columns",)
# columns of the sweep's runs table: an outcome may not take one of these names (nor a factor's)
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "duration_s", "error")
SCALE_RANGE = (1, 100_000)          # = model.model.SCALE_RANGE (a test checks), without importing Mesa
MAX_REPLICATES = 100_000
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
OUTCOME_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExperimentError(UsageError):
    """A mistake in an experiment file: ``experiment FILE: KEY: got VALUE; allowed: WHAT``."""


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    scenario: str                 # built-in name, or the absolute path of a scenario file
    until: dt.date | None
    scale: int
    replicates: int
    seed: int
    design: Design
    outcomes: tuple[OutcomeSpec, ...]
    keep: tuple[str, ...]
    text: str
    sha256: str
    path: str | None

    @property
    def last_day(self) -> dt.date:
        """The last simulated day: ``until``, or the scenario's end_date."""
        return self.until or base_scenario(self.scenario).params.end_date

    def points(self) -> list[dict[str, object]]:
        return design_points(self.design, self.seed)


# --- entry points -------------------------------------------------------------------------------------
def examples() -> dict[str, str]:
    """name -> description of the packaged example experiments."""
    out = {}
    for f in sorted(_examples_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".toml"):
            try:
                out[f.name[:-5]] = str(tomllib.loads(f.read_text(encoding="utf-8")).get("description", ""))
            except tomllib.TOMLDecodeError:
                out[f.name[:-5]] = ""
    return out


def _examples_dir():
    return resources.files("draftsim.experiments").joinpath("examples")


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file (or a packaged example, by name)."""
    label = str(path)
    p = Path(path)
    if not p.exists() and not label.endswith(".toml") and label in examples():
        p = Path(str(_examples_dir().joinpath(f"{label}.toml")))
    if p.is_dir():
        raise ExperimentError(f"experiment {label}: path: got a folder; allowed: an experiment .toml file")
    if not p.is_file():
        names = ", ".join(examples())
        raise ExperimentError(f"experiment {label}: path: got no such file; allowed: an experiment .toml file "
                              f"or a packaged example ({names})")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExperimentError(f"experiment {label}: path: got bytes that are not UTF-8 ({exc.reason} at byte {exc.start}); "
                              f"allowed: a UTF-8 text file") from None
    return _parse(text, label, p.resolve().parent, str(p.resolve()))


def experiment_from_text(text: str, source: str = "<text>", base_dir: Path | None = None) -> Experiment:
    """Check an experiment given as text; relative scenario paths resolve against ``base_dir`` (default: cwd)."""
    return _parse(text, source, Path(base_dir) if base_dir is not None else Path.cwd(), None)


def base_scenario(scenario: str):
    """The experiment's scenario (``Experiment.scenario``), loaded once per process (again if its file changes)."""
    try:
        stamp = Path(scenario).stat().st_mtime_ns if scenario.endswith(".toml") else None
    except OSError:
        stamp = None
    return _load_scenario(scenario, stamp)


@functools.lru_cache(maxsize=32)
def _load_scenario(scenario: str, _stamp: int | None):
    from draftsim.model import load_scenario

    return load_scenario(scenario)


def point_parameters(experiment: Experiment, point: dict[str, Any]):
    """The model ``Parameters`` of one design point: the scenario's, extended to ``until`` when
    ``until`` is past its end_date (as ``draftsim run --until`` does), then the point's values.
    Run it as ``DraftModel(params, seed=..., scale=experiment.scale, events=base_scenario(...).events)``
    and ``model.run(until=experiment.until)``."""
    params = _extended(base_scenario(experiment.scenario).params, experiment.until)
    return params.replace(**point) if point else params


def _extended(params, until: dt.date | None):
    return params.replace(end_date=until) if until is not None and until > params.end_date else params


# --- the checks ---------------------------------------------------------------------------------------
def _show(v: Any, limit: int = 80) -> str:
    """A value as it reads in TOML, on one line."""
    if v is None:
        text = "nothing"
    elif isinstance(v, bool):
        text = "true" if v else "false"
    elif isinstance(v, str):
        text = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(v, (dt.date, dt.datetime, dt.time)):
        text = v.isoformat()
    elif isinstance(v, list | tuple):
        text = "[" + ", ".join(_show(x, limit) for x in v) + "]"
    elif isinstance(v, dict):
        text = "{" + ", ".join(f"{k} = {_show(x, limit)}" for k, x in v.items()) + "}"
    else:
        text = repr(v)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _near(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Checker:
    """Reads one parsed file; every method raises a one-line ExperimentError naming the key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, got: str, allowed: str):
        raise ExperimentError(f"experiment {self.source}: {key}: got {got}; allowed: {allowed}")

    def unknown_keys(self, table: dict, allowed, prefix: str = "", why: str = "") -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"{prefix}{key}", "an unknown key", ", ".join(allowed) + why + _near(key, allowed))

    def table(self, data: dict, key: str, path: str, required: bool = False) -> dict | None:
        if key not in data:
            if required:
                self.fail(path, "nothing", f"a [{path}] table")
            return None
        if not isinstance(data[key], dict):
            self.fail(path, _show(data[key]), f"a [{path}] table")
        return data[key]

    def string(self, value, key: str, pattern: re.Pattern | None = None, what: str = "a string") -> str:
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            self.fail(key, _show(value), what)
        return value

    def integer(self, value, key: str, low: int, high: int | None = None, what: str | None = None) -> int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
        if not ok:
            self.fail(key, _show(value), what or (f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"))
        return value

    def boolean(self, value, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, _show(value), "true or false")
        return value

    def date(self, value, key: str) -> dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(key, _show(value), "a date YYYY-MM-DD")
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.fail(key, _show(value), "a date YYYY-MM-DD")
        return value

    def model_error(self, key: str, exc: Exception, name: str | None, value) -> None:
        """Re-raise the model's one-line ParameterError under this file's key path."""
        msg = " ".join(str(exc).split())
        head = f"{name}: got "
        if name is not None and msg.startswith(head) and "; allowed: " in msg:
            got, allowed = msg[len(head):].split("; allowed: ", 1)
            self.fail(key, got, allowed)
        self.fail(key, _show(value), msg)


def _parse(text: str, source: str, base_dir: Path, path: str | None) -> Experiment:
    from draftsim.model import ParameterError
    from draftsim.model.parameters import DATE_MAX

    c = _Checker(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        c.fail("toml", f"a syntax error ({' '.join(str(exc).split())})", "a valid TOML file (https://toml.io)")
    c.unknown_keys(data, TOP_KEYS)

    default_name = Path(path).stem if path else "experiment"
    name = c.string(data.get("name", default_name), "name", NAME_RE,
                    "a name of letters, digits, '_', '.' and '-', starting with a letter or digit")
    description = c.string(data.get("description", ""), "description")

    scenario = _scenario(c, data.get("scenario", "baseline"), base_dir)
    try:
        base = base_scenario(scenario)
    except ParameterError as exc:
        c.fail("scenario", _show(data.get("scenario", "baseline")), f"a valid scenario ({' '.join(str(exc).split())})")
    params = base.params

    until = None
    if "until" in data:
        until = c.date(data["until"], "until")
        if not params.start_date <= until <= DATE_MAX:
            c.fail("until", until.isoformat(), f"a date in [{params.start_date}, {DATE_MAX}] (the scenario starts on {params.start_date})")
    params = _extended(params, until)
    last_day = until or params.end_date
    scale = c.integer(data.get("scale", 1000), "scale", *SCALE_RANGE,
                      what=f"an integer number of men per agent in [{SCALE_RANGE[0]}, {SCALE_RANGE[1]}]")
    replicates = c.integer(data.get("replicates", 1), "replicates", 1, MAX_REPLICATES)
    seed = c.integer(data.get("seed", 0), "seed", 0, 2**63 - 1)

    design = _design(c, c.table(data, "design", "design", required=True), params, ParameterError)
    _check_points(c, design, seed, params, ParameterError)
    outcomes = _outcomes(c, data.get("outcomes"), design, params.start_date, last_day)
    keep = _keep(c, c.table(data, "timeseries", "timeseries"))
    return Experiment(name=name, description=description, scenario=scenario, until=until, scale=scale,
                      replicates=replicates, seed=seed, design=design, outcomes=outcomes, keep=keep, text=text,
                      sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), path=path)


def _scenario(c: _Checker, value, base_dir: Path) -> str:
    from draftsim.model import builtin_scenarios

    c.string(value, "scenario", what="a built-in scenario name or a path to a scenario .toml file")
    builtins = builtin_scenarios()
    if value in builtins:
        return value
    if value.endswith(".toml") or "/" in value or "\\" in value:
        p = Path(value).expanduser()
        p = p if p.is_absolute() else base_dir / p
        if not p.is_file():
            c.fail("scenario", _show(value), f"a scenario .toml file (no file {p})")
        return str(p.resolve())
    c.fail("scenario", _show(value), f"a built-in scenario ({', '.join(builtins)}) or a path to a .toml file"
           + _near(value, builtins))
    raise AssertionError  # unreachable


# --- the design ---------------------------------------------------------------------------------------
@functools.cache
def _parameter_types() -> dict[str, dict]:
    from draftsim.model import parameter_table

    return {row["name"]: row for row in parameter_table()}


def _design(c: _Checker, table: dict, params, parameter_error) -> Design:
    kind = table.get("kind")
    if kind not in KINDS:
        c.fail("design.kind", _show(kind), " | ".join(KINDS) + (_near(kind, KINDS) if isinstance(kind, str) else ""))
    c.unknown_keys(table, DESIGN_KEYS[kind], "design.", f" (for kind {kind})")
    if kind == "list":
        return _list_design(c, table.get("points"), params, parameter_error)
    parameters = c.table(table, "parameters", "design.parameters", required=True)
    if not parameters:
        c.fail("design.parameters", "an empty table", "at least one parameter (see `draftsim params`)")
    types = _parameter_types()
    for name in parameters:
        if name not in types:
            c.fail(f"design.parameters.{name}", "an unknown parameter", "a name listed by `draftsim params`" + _near(name, types))
    if kind == "grid":
        factors = tuple(_grid_factor(c, name, values, params, parameter_error) for name, values in parameters.items())
        return Design("grid", factors, None, {})
    factors = tuple(_range_factor(c, kind, name, bounds, params, parameter_error) for name, bounds in parameters.items())
    if kind == "lhs":
        samples = c.integer(table.get("samples"), "design.samples", 1, 1_000_000,
                            "a number of Latin hypercube samples in [1, 1000000]")
        return Design("lhs", factors, samples, {})
    if kind == "sobol":
        n = table.get("samples")
        ok = isinstance(n, int) and not isinstance(n, bool) and n >= 2 and n & (n - 1) == 0
        if not ok:
            c.fail("design.samples", _show(n), "a power of two >= 2 (e.g. 64, 128, 256): SALib's Saltelli sample needs one")
        second = c.boolean(table.get("second_order", True), "design.second_order")
        if second and len(factors) < 2:
            c.fail("design.second_order", "true", "false with a single parameter (no pairs to analyse)")
        return Design("sobol", factors, n, {"calc_second_order": second})
    trajectories = c.integer(table.get("trajectories"), "design.trajectories", 2, 100_000,
                             "a number of Morris trajectories in [2, 100000]")
    levels = table.get("levels", 4)
    if not (isinstance(levels, int) and not isinstance(levels, bool) and levels >= 2 and levels % 2 == 0 and levels <= 100):
        c.fail("design.levels", _show(levels), "an even number of grid levels in [2, 100] (e.g. 4)")
    for f in factors:
        if f.type == "int" and (f.high - f.low) < levels - 1:
            c.fail(f"design.parameters.{f.name}", _show([int(f.low), int(f.high)]),
                   f"an integer range at least levels - 1 = {levels - 1} wide, so that every Morris level is a different integer")
    return Design("morris", factors, trajectories, {"levels": levels})


def _coerce(c: _Checker, key: str, name: str, value, params, parameter_error):
    """The value in the parameter's type, checked against its range by the model itself."""
    from draftsim.model.parameters import coerce

    try:
        value = coerce(name, value)
        params.replace(**{name: value})
    except parameter_error as exc:
        c.model_error(key, exc, name, value)
    return value


def _grid_factor(c: _Checker, name: str, values, params, parameter_error) -> Factor:
    key = f"design.parameters.{name}"
    kind = _parameter_types()[name]["type"]
    if not isinstance(values, list) or not values:
        c.fail(key, _show(values), f"a non-empty list of values, e.g. {name} = [{_example(kind)}]")
    coerced = [_coerce(c, key, name, v, params, parameter_error) for v in values]
    for i, v in enumerate(coerced):
        if v in coerced[:i]:
            c.fail(key, _show(values), f"distinct values ({_show(v)} is listed twice)")
    return Factor(name, tuple(coerced), None, None, kind)


def _example(kind: str) -> str:
    return {"bool": "true, false", "int": "1, 2", "date": "2023-01-01, 2024-01-01"}.get(kind, "1.0, 2.0")


def _range_factor(c: _Checker, kind: str, name: str, bounds, params, parameter_error) -> Factor:
    key = f"design.parameters.{name}"
    row = _parameter_types()[name]
    if row["type"] not in ("float", "int"):
        c.fail(key, _show(bounds), f"a float or int parameter for kind {kind} ({name} is a {row['type']}: "
                                   f"{row['type']} parameters go in grid or list designs)")
    if not isinstance(bounds, list) or len(bounds) != 2:
        c.fail(key, _show(bounds), f"[low, high] within [{row['low']}, {row['high']}]")
    low, high = (_coerce(c, key, name, b, params, parameter_error) for b in bounds)
    if not low < high:
        c.fail(key, _show(bounds), f"[low, high] with low < high, within [{row['low']}, {row['high']}]")
    return Factor(name, None, low, high, row["type"])


def _list_design(c: _Checker, points, params, parameter_error) -> Design:
    if not isinstance(points, list) or not points:
        c.fail("design.points", _show(points),
               "a non-empty list of tables, e.g. points = [{bonus_multiplier = 1.0}, {bonus_multiplier = 2.0}]")
    types = _parameter_types()
    names: list[str] = []
    for i, point in enumerate(points):
        if not isinstance(point, dict):
            c.fail(f"design.points[{i}]", _show(point), "a table of parameter = value, e.g. {bonus_multiplier = 2.0}")
        for name in point:
            if name not in types:
                c.fail(f"design.points[{i}].{name}", "an unknown parameter", "a name listed by `draftsim params`" + _near(name, types))
            if name not in names:
                names.append(name)
    if not names:
        c.fail("design.points", _show(points), "points that set at least one parameter")
    filled = []
    for i, point in enumerate(points):
        # a parameter a point does not set keeps the scenario's value, so that every point has every factor
        full = {n: (_coerce(c, f"design.points[{i}].{n}", n, point[n], params, parameter_error) if n in point
                    else getattr(params, n)) for n in names}
        if full in filled:
            c.fail(f"design.points[{i}]", _show(point), f"points that differ from each other (same as design.points[{filled.index(full)}])")
        filled.append(full)
    factors = []
    for n in names:
        levels = []
        for p in filled:
            if p[n] not in levels:
                levels.append(p[n])
        factors.append(Factor(n, tuple(levels), None, None, types[n]["type"]))
    return Design("list", tuple(factors), None, {"points": tuple(filled)})


def _check_points(c: _Checker, design: Design, seed: int, params, parameter_error) -> None:
    """Every point through the model's own checks, which include those between parameters (ages, dates)."""
    for i, point in enumerate(design_points(design, seed)):
        try:
            params.replace(**point)
        except parameter_error as exc:
            key = f"design.points[{i}]" if design.kind == "list" else "design.parameters"
            c.fail(key, f"a point {_show(point)}", f"values the model accepts together ({' '.join(str(exc).split())})")


# --- outcomes and kept columns ------------------------------------------------------------------------
def _outcomes(c: _Checker, value, design: Design, first_day: dt.date, last_day: dt.date) -> tuple[OutcomeSpec, ...]:
    if value is None:
        return default_outcomes(last_day)
    if not isinstance(value, list) or not value:
        c.fail("outcomes", _show(value), "one or more [[outcomes]] tables (or none, for the defaults)")
    specs: list[OutcomeSpec] = []
    taken = set(RUN_COLUMNS) | set(design.names)
    for i, table in enumerate(value):
        key = f"outcomes[{i}]"
        if not isinstance(table, dict):
            c.fail(key, _show(table), "an [[outcomes]] table with name, metric and (for some metrics) column, start, end")
        c.unknown_keys(table, OUTCOME_KEYS, f"{key}.")
        name = c.string(table.get("name"), f"{key}.name", OUTCOME_NAME_RE,
                        "a name of letters, digits and '_' (a column of runs.csv), e.g. \"contracts_per_month\"")
        if name in taken:
            c.fail(f"{key}.name", _show(name), "a name not used by another outcome, a design parameter or "
                                               f"the runs table ({', '.join(RUN_COLUMNS)})")
        taken.add(name)
        metric = table.get("metric")
        if metric not in METRICS:
            c.fail(f"{key}.metric", _show(metric), " | ".join(METRICS) + (_near(metric, METRICS) if isinstance(metric, str) else ""))
        rule = METRICS[metric]
        column = None
        if rule.column is None:
            if "column" in table:
                c.fail(f"{key}.column", _show(table["column"]), f"no column for metric {metric}")
        else:
            allowed = COLUMNS_FOR[rule.column]
            column = table.get("column")
            if column not in allowed:
                what = {"flow": "a weekly flow column", "level": "a stock or level column", "numeric": "a numeric column"}[rule.column]
                c.fail(f"{key}.column", _show(column), f"{what} of the national table for metric {metric}: "
                                                       + ", ".join(allowed) + (_near(column, allowed) if isinstance(column, str) else ""))
        start = end = None
        for bound in ("start", "end"):
            if bound in table:
                if not getattr(rule, bound):
                    c.fail(f"{key}.{bound}", _show(table[bound]), f"no {bound} date for metric {metric}")
                when = c.date(table[bound], f"{key}.{bound}")
                if not first_day <= when <= last_day:
                    c.fail(f"{key}.{bound}", when.isoformat(), f"a date within the run, [{first_day}, {last_day}]")
                start, end = (when, end) if bound == "start" else (start, when)
        if start is not None and end is not None and end < start:
            c.fail(f"{key}.end", end.isoformat(), f"a date on or after start ({start})")
        specs.append(OutcomeSpec(name, metric, column, start, end))
    return tuple(specs)


def _keep(c: _Checker, table: dict | None) -> tuple[str, ...]:
    if table is None:
        return DEFAULT_KEEP
    c.unknown_keys(table, TIMESERIES_KEYS, "timeseries.")
    columns = table.get("columns", list(DEFAULT_KEEP))
    if not isinstance(columns, list):
        c.fail("timeseries.columns", _show(columns), "a list of national column names, e.g. [\"new_contracts\", \"deployed\"]")
    allowed = [col for col in NATIONAL_COLUMNS if col != "date"]   # the date is always kept
    for i, col in enumerate(columns):
        if col not in allowed:
            c.fail(f"timeseries.columns[{i}]", _show(col), "a national column: " + ", ".join(allowed)
                   + (_near(col, allowed) if isinstance(col, str) else ""))
        if col in columns[:i]:
            c.fail(f"timeseries.columns[{i}]", _show(col), "each column once")
    return tuple(columns)
