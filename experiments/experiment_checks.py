"""The checks of an experiment file (:mod:`draftsim.experiments.experiment` describes the format).

:func:`check` reads the TOML text and returns the fields of an ``Experiment``, or raises
:class:`ExperimentError`: one line naming the key, what it got and what it allows.  Parameter names,
types and ranges are the model's own (``model.parameter_table``) and every design point goes through
``Parameters.replace``, so a file that passes runs nothing the model would refuse.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from draftsim.experiments.checker import Checker, near, show
from draftsim.experiments.design_checks import check_points, checked_design
from draftsim.experiments.designs import Design
from draftsim.experiments.outcomes import COLUMNS_FOR, DEFAULT_KEEP, METRICS, NATIONAL_COLUMNS, OutcomeSpec, default_outcomes
from draftsim.experiments.store import DRAW_COLUMNS, RUN_COLUMNS
from draftsim.model.units import SCALE_RANGE

TOP_KEYS = ("name", "description", "scenario", "until", "scale", "replicates", "seed", "design", "posterior", "outcomes",
            "timeseries")
POSTERIOR_KEYS = ("file", "draws")
OUTCOME_KEYS = ("name", "metric", "column", "start", "end", "against")
TIMESERIES_KEYS = ("columns",)
SCALE_LOW, SCALE_HIGH = (int(x) for x in SCALE_RANGE)     # an experiment's scale is a whole number of men
MAX_REPLICATES = 100_000
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
OUTCOME_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --- the scenario the experiment runs ------------------------------------------------------------------
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


def extended(params, until: dt.date | None):
    """``params`` with end_date moved to ``until`` when ``until`` is past it."""
    return params.replace(end_date=until) if until is not None and until > params.end_date else params


# --- the checks ---------------------------------------------------------------------------------------
def check(text: str, source: str, base_dir: Path, path: str | None) -> dict[str, Any]:
    """The checked fields of an ``Experiment`` (all but text, sha256 and path) from the file's text."""
    from draftsim.model import ParameterError

    c = Checker(source)
    data = c.toml(text, TOP_KEYS)

    default_name = Path(path).stem if path else "experiment"
    name = c.string(data.get("name", default_name), "name", NAME_RE,
                    "a name of letters, digits, '_', '.' and '-', starting with a letter or digit")
    description = c.string(data.get("description", ""), "description")

    scenario, until, params, scale, seed = run_settings(c, data, base_dir)
    last_day = until or params.end_date
    replicates = c.integer(data.get("replicates", 1), "replicates", 1, MAX_REPLICATES)

    posterior_table = c.table(data, "posterior", "posterior")
    design_table = c.table(data, "design", "design", required=posterior_table is None)
    # without a [design], the posterior's draws are the design: one point, the scenario as it is
    design = Design("list", (), None, {"points": [{}]}) if design_table is None else checked_design(c, design_table, params, ParameterError)
    check_points(c, design, seed, params, ParameterError)
    posterior, draws = _posterior(c, posterior_table, base_dir, design, params, seed)
    outcomes = _outcomes(c, data.get("outcomes"), design, params.start_date, last_day, posterior.names if posterior else ())
    keep = _keep(c, c.table(data, "timeseries", "timeseries"))
    return {"name": name, "description": description, "scenario": scenario, "until": until, "scale": scale,
            "replicates": replicates, "seed": seed, "design": design, "outcomes": outcomes, "keep": keep,
            "posterior": posterior, "posterior_draws": draws}


def _posterior(c: Checker, table: dict | None, base_dir: Path, design: Design, params, seed: int):
    """The checked ``[posterior]`` table: the posterior file and its draws (None, None without one)."""
    if table is None:
        return None, None
    from draftsim.experiments.ensemble import MAX_DRAWS, check_draws, load_posterior, posterior_draws

    c.unknown_keys(table, POSTERIOR_KEYS, "posterior.")
    value = c.string(table.get("file"), "posterior.file", what="the path of a posterior.parquet (relative to this file)")
    draws = c.integer(table.get("draws"), "posterior.draws", 1, MAX_DRAWS)
    path = Path(value).expanduser()
    post = load_posterior(path if path.is_absolute() else base_dir / path, lambda got, allowed: c.fail("posterior.file", got, allowed))
    both = [n for n in design.names if n in post.names]
    if both:
        c.fail("posterior.file", f"{show(value)}, which sets the design parameter {both[0]}",
               f"a posterior that sets none of [design.parameters] (it sets {', '.join(post.names)})")
    values = posterior_draws(post, draws, seed)
    check_draws(params, values, lambda got, allowed: c.fail("posterior.file", got, allowed))
    return post, tuple(values)


def run_settings(c: Checker, data: dict, base_dir: Path):
    """The file's scenario, until, parameters (end_date extended to until), scale and seed, checked:
    what an experiment file and a calibration file share."""
    from draftsim.model import ParameterError
    from draftsim.model.parameters import DATE_MAX

    scenario = _scenario(c, data.get("scenario", "baseline"), base_dir)
    try:
        params = base_scenario(scenario).params
    except ParameterError as exc:
        c.fail("scenario", show(data.get("scenario", "baseline")), f"a valid scenario ({' '.join(str(exc).split())})")
    until = None
    if "until" in data:
        until = c.date(data["until"], "until")
        if not params.start_date <= until <= DATE_MAX:
            c.fail("until", until.isoformat(), f"a date in [{params.start_date}, {DATE_MAX}] (the scenario starts on {params.start_date})")
    scale = c.integer(data.get("scale", 1000), "scale", SCALE_LOW, SCALE_HIGH,
                      what=f"an integer number of men per agent in [{SCALE_LOW}, {SCALE_HIGH}]")
    seed = c.integer(data.get("seed", 0), "seed", 0, 2**63 - 1)
    return scenario, until, extended(params, until), scale, seed


def _scenario(c: Checker, value, base_dir: Path) -> str:
    from draftsim.model import builtin_scenarios

    c.string(value, "scenario", what="a built-in scenario name or a path to a scenario .toml file")
    builtins = builtin_scenarios()
    if value in builtins:
        return value
    if value.endswith(".toml") or "/" in value or "\\" in value:
        p = Path(value).expanduser()
        p = p if p.is_absolute() else base_dir / p
        if not p.is_file():
            c.fail("scenario", show(value), f"a scenario .toml file (no file {p})")
        return str(p.resolve())
    c.fail("scenario", show(value), f"a built-in scenario ({', '.join(builtins)}) or a path to a .toml file"
           + near(value, builtins))
    raise AssertionError  # unreachable


# --- outcomes and kept columns ------------------------------------------------------------------------
def _outcomes(c: Checker, value, design: Design, first_day: dt.date, last_day: dt.date,
              posterior_names=()) -> tuple[OutcomeSpec, ...]:
    if value is None:
        return default_outcomes(last_day)
    if not isinstance(value, list) or not value:
        c.fail("outcomes", show(value), "one or more [[outcomes]] tables (or none, for the defaults)")
    specs: list[OutcomeSpec] = []
    taken = set(DRAW_COLUMNS if posterior_names else RUN_COLUMNS) | set(design.names) | set(posterior_names)
    for i, table in enumerate(value):
        key = f"outcomes[{i}]"
        if not isinstance(table, dict):
            c.fail(key, show(table), "an [[outcomes]] table with name, metric and (for some metrics) column, start, end")
        c.unknown_keys(table, OUTCOME_KEYS, f"{key}.")
        name = c.string(table.get("name"), f"{key}.name", OUTCOME_NAME_RE,
                        "a name of letters, digits and '_' (a column of runs.csv), e.g. \"contracts_per_month\"")
        if name in taken:
            c.fail(f"{key}.name", show(name), "a name not used by another outcome, a design parameter or "
                                               f"a posterior parameter or the runs table ({', '.join(RUN_COLUMNS)})")
        taken.add(name)
        metric = table.get("metric")
        if metric not in METRICS:
            c.fail(f"{key}.metric", show(metric), " | ".join(METRICS) + (near(metric, METRICS) if isinstance(metric, str) else ""))
        rule = METRICS[metric]
        column = None
        if rule.column is None:
            if "column" in table:
                c.fail(f"{key}.column", show(table["column"]), f"no column for metric {metric}")
        else:
            allowed = COLUMNS_FOR[rule.column]
            column = table.get("column")
            if column not in allowed:
                what = {"flow": "a weekly flow column", "level": "a stock or level column", "numeric": "a numeric column",
                        "regional": "a stock or cumulative level", "killed_channel": "a channel of the dead"}[rule.column]
                scope = "regional" if rule.column == "regional" else "national"
                c.fail(f"{key}.column", show(column), f"{what} of the {scope} table for metric {metric}: "
                                                       + ", ".join(allowed) + (near(column, allowed) if isinstance(column, str) else ""))
        against = None
        if rule.against:
            from draftsim.experiments.targets import check_against

            against = table.get("against")
            problem = check_against(against, metric) if isinstance(against, str) else check_against("", metric)
            if problem:
                c.fail(f"{key}.against", show(against), problem)
        elif "against" in table:
            c.fail(f"{key}.against", show(table["against"]), "no against for metric " + str(metric) + " (only "
                   + ", ".join(m for m, r in METRICS.items() if r.against) + ")")
        start = end = None
        for bound in ("start", "end"):
            if bound in table:
                if not getattr(rule, bound):
                    c.fail(f"{key}.{bound}", show(table[bound]), f"no {bound} date for metric {metric}")
                when = c.date(table[bound], f"{key}.{bound}")
                if not first_day <= when <= last_day:
                    c.fail(f"{key}.{bound}", when.isoformat(), f"a date within the run, [{first_day}, {last_day}]")
                start, end = (when, end) if bound == "start" else (start, when)
        if start is not None and end is not None and end < start:
            c.fail(f"{key}.end", end.isoformat(), f"a date on or after start ({start})")
        specs.append(OutcomeSpec(name, metric, column, start, end, against))
    return tuple(specs)


def _keep(c: Checker, table: dict | None) -> tuple[str, ...]:
    if table is None:
        return DEFAULT_KEEP
    c.unknown_keys(table, TIMESERIES_KEYS, "timeseries.")
    columns = table.get("columns", list(DEFAULT_KEEP))
    if not isinstance(columns, list):
        c.fail("timeseries.columns", show(columns), "a list of national column names, e.g. [\"new_contracts\", \"deployed\"]")
    allowed = [col for col in NATIONAL_COLUMNS if col != "date"]   # the date is always kept
    for i, col in enumerate(columns):
        if col not in allowed:
            c.fail(f"timeseries.columns[{i}]", show(col), "a national column: " + ", ".join(allowed)
                   + (near(col, allowed) if isinstance(col, str) else ""))
        if col in columns[:i]:
            c.fail(f"timeseries.columns[{i}]", show(col), "each column once")
    return tuple(columns)
