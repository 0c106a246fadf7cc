"""Scenarios: TOML files that set parameters and may add timeline events.

A scenario file has ``name``, ``description``, optionally ``extends`` (another scenario), a
``[parameters]`` table and ``[[events]]`` (date, parameter, value), and optionally ``posterior``: the
weighted parameter sample a calibration found (``draftsim calibrate`` writes ``calibrated.toml`` with
it; the path is relative to the scenario file).  Built-in scenarios live in
``model/scenarios/``; any path to a ``.toml`` file works too.  ``--set key=value`` overrides
apply last.  Every mistake raises a one-line :class:`ParameterError`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from draftsim.model.parameters import ParameterError, Parameters, coerce, parameter_names
from draftsim.model.timeline import Event, validate_event

ALLOWED_KEYS = {"name", "description", "extends", "parameters", "events", "posterior"}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    params: Parameters
    events: tuple[Event, ...] = ()
    source: str = ""
    overrides: dict = field(default_factory=dict)
    posterior: str = ""         # the calibration's posterior.parquet this scenario's point came from


def _builtin_dir():
    return resources.files("draftsim.model").joinpath("scenarios")


def builtin_scenarios() -> dict[str, str]:
    """name -> one-line description of every built-in scenario."""
    out = {}
    for f in sorted(_builtin_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".toml"):
            data = tomllib.loads(f.read_text(encoding="utf-8"))
            out[data.get("name", f.name[:-5])] = data.get("description", "")
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != "baseline", kv[0])))


def _read(name_or_path: str) -> tuple[dict, str]:
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.exists():
        if not path.is_file():
            raise ParameterError(f"scenario: no such file '{name_or_path}'")
        text, source = path.read_text(encoding="utf-8"), str(path.resolve())
    else:
        f = _builtin_dir().joinpath(f"{name_or_path}.toml")
        if not f.is_file():
            raise ParameterError(
                f"scenario: unknown '{name_or_path}'; allowed: {', '.join(builtin_scenarios())} or a path to a .toml file")
        text, source = f.read_text(encoding="utf-8"), f"builtin:{name_or_path}"
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"scenario {source}: malformed TOML: {exc}") from None


def load_scenario(name_or_path: str = "baseline", overrides: dict | None = None, _seen: tuple = ()) -> Scenario:
    data, source = _read(name_or_path)
    unknown = sorted(set(data) - ALLOWED_KEYS)
    if unknown:
        raise ParameterError(f"scenario {source}: unknown key '{unknown[0]}'; allowed: {', '.join(sorted(ALLOWED_KEYS))}")
    if not isinstance(data.get("parameters", {}), dict):
        raise ParameterError(f"scenario {source}: 'parameters' must be a table [parameters]")
    name = str(data.get("name", Path(name_or_path).stem))
    params, events = Parameters(), []
    if "extends" in data:
        parent_name = str(data["extends"])
        if not source.startswith("builtin:") and parent_name.endswith(".toml"):
            parent_name = str(Path(source).parent / parent_name)    # relative to the extending file
        if _read(parent_name)[1] in (*_seen, source):
            raise ParameterError(f"scenario {source}: 'extends' makes a cycle through '{data['extends']}'")
        parent = load_scenario(parent_name, None, (*_seen, source))
        params, events = parent.params, list(parent.events)
    values = data.get("parameters", {})
    for key in values:
        if key not in parameter_names():
            raise ParameterError(f"scenario {source}: unknown parameter '{key}'; see `draftsim params`")
    params = params.replace(**values) if values else params
    for i, e in enumerate(data.get("events", [])):
        events.append(_event(e, i, source))
    overrides = dict(overrides or {})
    if overrides:
        params = params.replace(**overrides)
    posterior = str(data.get("posterior", ""))
    if posterior and not source.startswith("builtin:"):
        posterior = str(Path(source).parent / posterior)
    return Scenario(name, str(data.get("description", "")), params, tuple(events), source,
                    {k: coerce(k, v) for k, v in overrides.items()}, posterior)


def _event(e, i: int, source: str) -> Event:
    if not isinstance(e, dict) or not {"date", "parameter"} <= set(e):
        raise ParameterError(f"scenario {source}: events[{i}] needs 'date' and 'parameter' (and 'value')")
    date = e["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise ParameterError(f"scenario {source}: events[{i}].date: got {e['date']!r}; allowed: a date YYYY-MM-DD") from None
    if not isinstance(date, dt.date):
        raise ParameterError(f"scenario {source}: events[{i}].date: allowed: a date YYYY-MM-DD")
    ev = Event(date, str(e["parameter"]), str(e.get("value", "")), str(e.get("description", "")))
    validate_event(ev)
    return ev


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["k=v", ...]`` from the command line into a dict (values are coerced later)."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"--set: expected KEY=VALUE, got '{pair}'")
        k, v = pair.split("=", 1)
        k = k.strip()
        if k not in parameter_names():
            raise ParameterError(f"--set: unknown parameter '{k}'; see `draftsim params` for the allowed names")
        out[k] = coerce(k, v)
    return out
