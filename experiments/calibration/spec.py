"""Calibration files: what a calibration varies, what it compares, and how it matches, checked before anything runs.

    name = "national"
    description = "The weightiest parameters against every national target"
    scenario = "baseline"              # a built-in scenario or a .toml path (relative to this file)
    until = 2025-12-31                 # last simulated day (default: the scenario's end_date)
    scale = 1000                       # men per agent
    seed = 1                           # root seed: designs, replicates, emulators

    [parameters]                       # the prior: uniform on [low, high], or a table with a prior
    pay_elasticity = [0.1, 1.0]
    kill_hazard_per_week = { low = 0.001, high = 0.01, prior = "log-uniform" }

    [[targets]]                        # by name from the targets table (model/data/national_targets.csv) ...
    name = "killed_by_mid_2024"
    # sd = 7500                        # the observation's sd (default: its band read as +-2 sd)
    # discrepancy = 0.1                # model discrepancy sd as a share of the observed value

    [[targets]]                        # ... or defined here, in the outcome vocabulary of experiments
    name = "contracts_2023_2025"
    observed = 37500
    sd = 1750
    outcome = "mean_monthly:new_contracts"
    weeks = "2023-01-01..2025-12-31"
    # observation = "direct"           # direct | named_list | all_people (experiments/observation.py)

    [[targets]]                        # regional: a statistic over the 85 regions on the last day of weeks
    name = "deaths_rank"
    observed = 1.0
    sd = 0.05
    outcome = "spearman:killed_total"  # per 10k men; or dispersion:killed_total (coefficient of variation)
    weeks = "2023-04-12..2023-04-12"
    against = "regional_deaths_2023_04:deaths_per_10k_men_2023_04"

    [history_matching]
    waves = 3                          # at most; it stops sooner when the space stops shrinking
    points = 64                        # design points per wave
    replicates = 3                     # runs per point (seeds): the stochastic variance
    cutoff = 3.0                       # implausibility cut-off
    rule = "max"                       # max | second_max (one target may miss)
    discrepancy = 0.05                 # default model discrepancy sd, as a share of the observed value
    candidates = 20000                 # prior sample on which the NROY space is measured

    [posterior]                        # the weighted sample inside the final NROY space
    method = "auto"                    # abc (ABC-SMC, needs pyabc) | emulator | auto: abc if pyabc is installed
    population = 100                   # ABC: parameter sets a generation (each a model run)
    generations = 4                    # ABC: at most; it stops sooner at min_epsilon
    min_epsilon = 1.0                  # ABC: tolerance, the RMS over targets of miss / total sd

    [predictive]                       # the posterior predictive check: real runs at posterior draws
    draws = 20                         # 0: no check
    replicates = 3                     # seeds per draw

Every mistake raises :class:`CalibrationError`, one line naming the key:
``calibration FILE: parameters.pay_elasticity: got [0.1, 9.0]; allowed: [low, high] within the parameter's range [0, 3]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftsim.experiments.calibration.history_matching import RULES
from draftsim.experiments.calibration.space import PRIORS, Prior, Space
from draftsim.experiments.checker import Checker, ExperimentError, near, show
from draftsim.experiments.experiment_checks import run_settings
from draftsim.experiments.observation import OBSERVATIONS
from draftsim.experiments.outcomes import METRICS
from draftsim.experiments.targets import Target, check_against, check_outcome, read_targets

TOP_KEYS = ("name", "description", "scenario", "until", "scale", "seed", "parameters", "targets", "history_matching",
            "predictive", "posterior")
TABLE_TARGET_KEYS = ("name", "sd", "discrepancy")
INLINE_TARGET_KEYS = ("name", "observed", "sd", "discrepancy", "outcome", "weeks", "against", "observation", "unit", "source")
MATCHING_KEYS = ("waves", "points", "replicates", "cutoff", "rule", "discrepancy", "candidates")
PREDICTIVE_KEYS = ("draws", "replicates")
PRIOR_KEYS = ("low", "high", "prior")
POSTERIOR_KEYS = ("method", "population", "generations", "min_epsilon")
POSTERIOR_METHODS = ("auto", "abc", "emulator")
ABC_KEYS = ("population", "generations", "min_epsilon")
INSTALL_ABC = "pip install 'draftsim[calibrate]'"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
TARGET_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
WEEKS_RE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


class CalibrationError(ExperimentError):
    """A mistake in a calibration file: ``calibration FILE: KEY: got VALUE; allowed: WHAT``."""


class _Checker(Checker):
    def fail(self, key: str, got: str, allowed: str):
        raise CalibrationError(f"calibration {self.source}: {key}: got {got}; allowed: {allowed}")

    def number(self, value, key: str, low: float, high: float = math.inf, low_open: bool = False, what: str | None = None) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
            and (value > low if low_open else value >= low) and value <= high
        if not ok:
            bound = f"> {low:g}" if low_open else f">= {low:g}"
            self.fail(key, show(value), what or (f"a number {bound}" + (f" and <= {high:g}" if high < math.inf else "")))
        return float(value)


@dataclass(frozen=True)
class CalibrationTarget:
    target: Target              # what is observed and how the model's figure is computed (experiments/targets.py)
    sd: float                   # the observation's standard deviation
    discrepancy: float          # the model discrepancy's standard deviation

    @property
    def name(self) -> str:
        return self.target.name


@dataclass(frozen=True)
class Matching:
    waves: int = 3
    points: int = 64
    replicates: int = 3
    cutoff: float = 3.0
    rule: str = "max"
    discrepancy: float = 0.05
    candidates: int = 20_000


def abc_available() -> bool:
    """Whether pyabc is installed (found, not imported: importing it takes seconds)."""
    return importlib.util.find_spec("pyabc") is not None


@dataclass(frozen=True)
class PosteriorPlan:
    method: str = "auto"        # as the file says
    chosen: str = "emulator"    # abc | emulator: what runs (auto resolved when the file is read)
    population: int = 100
    generations: int = 4
    min_epsilon: float = 1.0


@dataclass(frozen=True)
class Predictive:
    draws: int = 20             # posterior draws run for the predictive check (0: no check)
    replicates: int = 3         # seeds per draw


@dataclass(frozen=True)
class Calibration:
    name: str
    description: str
    scenario: str
    until: dt.date | None
    scale: int
    seed: int
    space: Space
    targets: tuple[CalibrationTarget, ...]
    matching: Matching
    predictive: Predictive
    text: str
    sha256: str
    path: str | None
    posterior: PosteriorPlan = PosteriorPlan()


def load_calibration(path: str | Path) -> Calibration:
    p = Path(path)
    if not p.is_file():
        raise CalibrationError(f"calibration {path}: path: got {'a folder' if p.is_dir() else 'no such file'}; "
                               "allowed: a calibration .toml file")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CalibrationError(f"calibration {path}: path: got bytes that are not UTF-8 ({exc.reason} at byte {exc.start}); "
                               "allowed: a UTF-8 text file") from None
    return _calibration(text, str(path), p.resolve().parent, str(p.resolve()))


def calibration_from_text(text: str, source: str = "<text>", base_dir: Path | None = None) -> Calibration:
    return _calibration(text, source, Path(base_dir) if base_dir is not None else Path.cwd(), None)


def _calibration(text: str, source: str, base_dir: Path, path: str | None) -> Calibration:
    c = _Checker(source)
    data = c.toml(text, TOP_KEYS)
    name = c.string(data.get("name", Path(path).stem if path else "calibration"), "name", NAME_RE,
                    "a name of letters, digits, '_', '.' and '-', starting with a letter or digit")
    description = c.string(data.get("description", ""), "description")
    scenario, until, params, scale, seed = run_settings(c, data, base_dir)
    last_day = until or params.end_date
    space = _space(c, c.table(data, "parameters", "parameters", required=True))
    matching = _matching(c, c.table(data, "history_matching", "history_matching") or {}, space)
    targets = _targets(c, data.get("targets"), last_day, matching.discrepancy)
    predictive = _predictive(c, c.table(data, "predictive", "predictive") or {})
    posterior = _posterior(c, c.table(data, "posterior", "posterior") or {})
    return Calibration(name, description, scenario, until, scale, seed, space, targets, matching, predictive, text,
                       hashlib.sha256(text.encode("utf-8")).hexdigest(), path, posterior)


def _space(c: _Checker, table: dict) -> Space:
    from draftsim.model.parameters import parameter_table

    rows = {r["name"]: r for r in parameter_table()}
    numeric = [n for n, r in rows.items() if r["type"] in ("float", "int")]
    if not table:
        c.fail("parameters", "an empty table", "at least one model parameter with its prior range, e.g. pay_elasticity = [0.1, 1.0]")
    priors = []
    for name, value in table.items():
        key = f"parameters.{name}"
        if name not in rows:
            c.fail(key, "an unknown parameter", "a model parameter (draftsim params)" + near(name, rows))
        row = rows[name]
        if row["type"] not in ("float", "int"):
            c.fail(key, f"a {row['type']} parameter", "a number parameter: " + ", ".join(numeric[:6]) + ", ...")
        kind = "uniform"
        if isinstance(value, dict):
            c.unknown_keys(value, PRIOR_KEYS, prefix=key + ".")
            kind = c.string(value.get("prior", "uniform"), key + ".prior", what=" | ".join(PRIORS))
            if kind not in PRIORS:
                c.fail(key + ".prior", show(kind), " | ".join(PRIORS) + near(kind, PRIORS))
            value = [value.get("low"), value.get("high")]
        lo_allowed, hi_allowed = float(row["low"]), float(row["high"])
        ok = (isinstance(value, list) and len(value) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
              and lo_allowed <= value[0] < value[1] <= hi_allowed and (kind != "log-uniform" or value[0] > 0))
        if not ok:
            c.fail(key, show(value), f"[low, high] with low < high within the parameter's range [{row['low']:g}, {row['high']:g}]"
                   + ("; low > 0 for a log-uniform prior" if kind == "log-uniform" else ""))
        priors.append(Prior(name, float(value[0]), float(value[1]), kind))
    return Space(tuple(priors))


def _matching(c: _Checker, table: dict, space: Space) -> Matching:
    c.unknown_keys(table, MATCHING_KEYS, prefix="history_matching.")
    d = Matching()
    k = "history_matching."
    rule = c.string(table.get("rule", d.rule), k + "rule", what=" | ".join(RULES))
    if rule not in RULES:
        c.fail(k + "rule", show(rule), " | ".join(RULES) + near(rule, RULES))
    points = c.integer(table.get("points", d.points), k + "points", max(4, 2 * space.dim + 2), 100_000,
                       what=f"an integer in [{max(4, 2 * space.dim + 2)}, 100000] (at least 2 points per parameter, plus 2)")
    return Matching(
        waves=c.integer(table.get("waves", d.waves), k + "waves", 1, 20),
        points=points,
        replicates=c.integer(table.get("replicates", d.replicates), k + "replicates", 2, 1000,
                             what="an integer in [2, 1000] (the stochastic variance needs two runs a point)"),
        cutoff=c.number(table.get("cutoff", d.cutoff), k + "cutoff", 0.0, low_open=True),
        rule=rule,
        discrepancy=c.number(table.get("discrepancy", d.discrepancy), k + "discrepancy", 0.0, 10.0),
        candidates=c.integer(table.get("candidates", d.candidates), k + "candidates", 1000, 10_000_000))


def _predictive(c: _Checker, table: dict) -> Predictive:
    c.unknown_keys(table, PREDICTIVE_KEYS, prefix="predictive.")
    d = Predictive()
    return Predictive(draws=c.integer(table.get("draws", d.draws), "predictive.draws", 0, 10_000,
                                      what="an integer in [0, 10000] (0: no predictive check)"),
                      replicates=c.integer(table.get("replicates", d.replicates), "predictive.replicates", 1, 1000))


def _posterior(c: _Checker, table: dict) -> PosteriorPlan:
    c.unknown_keys(table, POSTERIOR_KEYS, prefix="posterior.")
    d, k = PosteriorPlan(), "posterior."
    method = c.string(table.get("method", d.method), k + "method", what=" | ".join(POSTERIOR_METHODS))
    if method not in POSTERIOR_METHODS:
        c.fail(k + "method", show(method), " | ".join(POSTERIOR_METHODS) + near(method, POSTERIOR_METHODS))
    if method == "abc" and not abc_available():
        c.fail(k + "method", '"abc", but pyabc is not installed', f'"emulator" or "auto", or install pyabc: {INSTALL_ABC}')
    if method == "emulator":
        for key in ABC_KEYS:
            if key in table:
                c.fail(k + key, f'{show(table[key])} with method "emulator"', f'{", ".join(ABC_KEYS)} only with method "abc" or "auto"')
    chosen = "abc" if method == "abc" or (method == "auto" and abc_available()) else "emulator"
    return PosteriorPlan(method, chosen,
                         population=c.integer(table.get("population", d.population), k + "population", 4, 100_000),
                         generations=c.integer(table.get("generations", d.generations), k + "generations", 1, 100),
                         min_epsilon=c.number(table.get("min_epsilon", d.min_epsilon), k + "min_epsilon", 0.0))


def _targets(c: _Checker, value: Any, last_day: dt.date, default_discrepancy: float) -> tuple[CalibrationTarget, ...]:
    if not isinstance(value, list) or not value:
        c.fail("targets", show(value), "one or more [[targets]] tables, each naming a target of the table or defining one")
    table = {t.name: t for t in read_targets()}
    out, seen = [], set()
    for i, entry in enumerate(value):
        key = f"targets[{i}]"
        if not isinstance(entry, dict):
            c.fail(key, show(entry), "a [[targets]] table")
        name = c.string(entry.get("name"), key + ".name", TARGET_NAME_RE, "a name of letters, digits and '_'")
        if name in seen:
            c.fail(key + ".name", show(name), "each target once")
        seen.add(name)
        inline = any(k in entry for k in ("observed", "outcome", "weeks"))
        if not inline:
            c.unknown_keys(entry, TABLE_TARGET_KEYS, prefix=key + ".",
                           why=" (or observed, outcome and weeks to define a target here)")
            if name not in table:
                c.fail(key + ".name", show(name), "a target of model/data/national_targets.csv or regional_targets.csv (python -m "
                       "draftsim.experiments.targets lists them), or observed, outcome and weeks to define one"
                       + near(name, table))
            target = table[name]
            if not target.compared:
                c.fail(key + ".name", show(name), f"a target the model can be compared with ({name}: {target.not_compared_because})")
        else:
            c.unknown_keys(entry, INLINE_TARGET_KEYS, prefix=key + ".")
            target = _inline(c, key, name, entry)
        end = target.needs_until
        if end > last_day:
            c.fail(key + ".name", show(name), f"a target the run reaches (it needs the run to {end}; the run ends on {last_day})")
        if "sd" in entry:
            sd = c.number(entry["sd"], key + ".sd", 0.0, low_open=True)
        elif target.sd is not None:
            sd = target.sd
        else:
            c.fail(key + ".sd", "nothing", f"the observation's sd, a number > 0 (the table gives {name} no band)")
        share = c.number(entry.get("discrepancy", default_discrepancy), key + ".discrepancy", 0.0, 10.0)
        out.append(CalibrationTarget(target, sd, share * abs(target.observed)))
    return tuple(out)


def _inline(c: _Checker, key: str, name: str, entry: dict) -> Target:
    for k in ("observed", "outcome", "weeks"):
        if k not in entry:
            c.fail(f"{key}.{k}", "nothing", "observed, outcome and weeks (a target defined in the file)")
    observed = c.number(entry["observed"], key + ".observed", -math.inf)
    outcome = c.string(entry["outcome"], key + ".outcome")
    problem = check_outcome(outcome)
    if problem:
        c.fail(key + ".outcome", show(outcome), problem)
    weeks = c.string(entry["weeks"], key + ".weeks", WEEKS_RE, 'weeks "YYYY-MM-DD..YYYY-MM-DD"')
    a, b = WEEKS_RE.fullmatch(weeks).groups()
    try:
        start, end = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    except ValueError:
        c.fail(key + ".weeks", show(weeks), 'weeks "YYYY-MM-DD..YYYY-MM-DD" of real dates')
    if start > end:
        c.fail(key + ".weeks", show(weeks), "a first week on or before the last")
    obs = c.string(entry.get("observation", "direct"), key + ".observation", what=" | ".join(OBSERVATIONS))
    if obs not in OBSERVATIONS:
        c.fail(key + ".observation", show(obs), " | ".join(OBSERVATIONS) + near(obs, OBSERVATIONS))
    against = ""
    metric = outcome.partition(":")[0]
    if metric in METRICS and METRICS[metric].against:
        against = entry.get("against")
        problem = check_against(against, metric) if isinstance(against, str) else check_against("", metric)
        if problem:
            c.fail(key + ".against", show(against), problem)
    elif "against" in entry:
        c.fail(key + ".against", show(entry["against"]), "no against (only for a "
               + " | ".join(m for m, r in METRICS.items() if r.against) + " outcome)")
    return Target(name, "inline", start, end, observed, None, None, c.string(entry.get("unit", ""), key + ".unit"),
                  c.string(entry.get("source", "calibration file"), key + ".source"), "", outcome, None, "", obs, against)
