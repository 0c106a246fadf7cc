"""What a parameter's value may be, and the one-line error when it is not.

Values reach the model as ``--set`` strings, TOML values, Python numbers, and numpy scalars from
Mesa's batch_run grids and SALib samples.  Each is turned into the parameter's plain Python type, so
that manifests and JSON stay clean and a run given ``np.int64(2)`` is bit-identical to one given ``2``,
and then checked against the parameter's range.

The rules, for every kind of number (Python, numpy, 0-d arrays):

- a number parameter takes any int or float that is finite;
- an integer parameter takes an int, or a float with no fractional part (samplers produce ``4.0``);
- a switch takes True/False, or a number equal to 0 or 1 (``np.array([0, 1])`` grids, 0/1 columns
  that pandas stores as float), as ``--set name=0`` does; 2 or 0.5 is a mistake;
- a date takes a date, a datetime (its day) or ``np.datetime64``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any


class ParameterError(ValueError):
    """A parameter, scenario or option that is not allowed; the message is one line."""


TRUE_WORDS = frozenset({"true", "1", "on", "yes"})
FALSE_WORDS = frozenset({"false", "0", "off", "no"})


def plain(value: Any) -> Any:
    """A numpy scalar or 0-d array as the Python value it holds; anything else unchanged."""
    np = sys.modules.get("numpy")   # a value cannot be a numpy object unless numpy is loaded; the CLI stays light
    if np is None or not isinstance(value, (np.generic, np.ndarray)) or np.ndim(value) != 0:
        return value
    if isinstance(value, np.ndarray):
        value = value[()]
    if isinstance(value, np.datetime64):
        # .item() of a nanosecond datetime64 (pandas' unit) is an int, not a date; NaT stays itself (no date)
        return value if np.isnat(value) else value.astype("datetime64[D]").item()
    return value.item()


def shown(value: Any) -> str:
    """The value in plain words for an error message: ``2``, ``'lots'``, ``2023-01-01``, ``nan``."""
    value = plain(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def allowed(kind: type, low: Any = None, high: Any = None) -> str:
    if kind is bool:
        return "true or false (or 1 or 0)"
    noun = {float: "a number", int: "an integer", dt.date: "a date YYYY-MM-DD"}[kind]
    if high is None:
        return f"{noun} >= {shown(low)}" if low is not None else noun
    return f"{noun} in [{shown(low)}, {shown(high)}]"


def to_kind(name: str, kind: type, value: Any, low: Any = None, high: Any = None) -> Any:
    """``value`` as a plain ``kind`` within [low, high], or a one-line ParameterError naming ``name``."""
    converted = _convert(kind, plain(value))
    if converted is None:
        raise ParameterError(f"{name}: got {shown(value)}; allowed: {allowed(kind, low, high)}")
    if kind is not bool and ((low is not None and converted < low) or (high is not None and converted > high)):
        raise ParameterError(f"{name}: got {shown(converted)}; allowed: {allowed(kind, low, high)}")
    return converted


def _convert(kind: type, value: Any) -> Any:
    """The value as ``kind``, or None when it is not one."""
    if isinstance(value, str):
        return _from_text(kind, value.strip())
    if kind is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else None
    if isinstance(value, bool):
        return value if kind is bool else None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if kind is bool:
        return bool(value) if value in (0, 1) else None
    if kind is int:
        return int(value) if float(value).is_integer() else None
    return float(value)


def _from_text(kind: type, s: str) -> Any:
    try:
        if kind is bool:
            word = s.lower()
            return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
        if kind is dt.date:
            return dt.date.fromisoformat(s)
        number = (int if kind is int else float)(s.replace("_", ""))
    except ValueError:
        return None
    return number if kind is int or math.isfinite(number) else None
