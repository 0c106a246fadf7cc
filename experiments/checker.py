"""One-line errors for a TOML file: the reader every check of an experiment file uses.

Each method takes a value read from the file and returns it checked, or raises
:class:`ExperimentError`: ``experiment FILE: KEY: got VALUE; allowed: WHAT``, with VALUE as it reads in
TOML and, for a misspelt name, the closest allowed one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from typing import Any

from draftsim.experiments.errors import UsageError


class ExperimentError(UsageError):
    """A mistake in an experiment file: ``experiment FILE: KEY: got VALUE; allowed: WHAT``."""


def show(v: Any, limit: int = 80) -> str:
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
        text = "[" + ", ".join(show(x, limit) for x in v) + "]"
    elif isinstance(v, dict):
        text = "{" + ", ".join(f"{k} = {show(x, limit)}" for k, x in v.items()) + "}"
    else:
        text = repr(v)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def near(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Checker:
    """Reads one parsed file; every method raises a one-line ExperimentError naming the key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, got: str, allowed: str):
        raise ExperimentError(f"experiment {self.source}: {key}: got {got}; allowed: {allowed}")

    def toml(self, text: str, top_keys) -> dict:
        """The file's tables, if it is TOML and holds only ``top_keys`` at its top."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.fail("toml", f"a syntax error ({' '.join(str(exc).split())})", "a valid TOML file (https://toml.io)")
        self.unknown_keys(data, top_keys)
        return data

    def unknown_keys(self, table: dict, allowed, prefix: str = "", why: str = "") -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"{prefix}{key}", "an unknown key", ", ".join(allowed) + why + near(key, allowed))

    def table(self, data: dict, key: str, path: str, required: bool = False) -> dict | None:
        if key not in data:
            if required:
                self.fail(path, "nothing", f"a [{path}] table")
            return None
        if not isinstance(data[key], dict):
            self.fail(path, show(data[key]), f"a [{path}] table")
        return data[key]

    def string(self, value, key: str, pattern: re.Pattern | None = None, what: str = "a string") -> str:
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            self.fail(key, show(value), what)
        return value

    def integer(self, value, key: str, low: int, high: int | None = None, what: str | None = None) -> int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
        if not ok:
            self.fail(key, show(value), what or (f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"))
        return value

    def boolean(self, value, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, show(value), "true or false")
        return value

    def date(self, value, key: str) -> dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(key, show(value), "a date YYYY-MM-DD")
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.fail(key, show(value), "a date YYYY-MM-DD")
        return value

    def model_error(self, key: str, exc: Exception, name: str | None, value) -> None:
        """Re-raise the model's one-line ParameterError under this file's key path."""
        msg = " ".join(str(exc).split())
        head = f"{name}: got "
        if name is not None and msg.startswith(head) and "; allowed: " in msg:
            got, allowed = msg[len(head):].split("; allowed: ", 1)
            self.fail(key, got, allowed)
        self.fail(key, show(value), msg)
