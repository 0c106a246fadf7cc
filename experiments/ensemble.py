"""Ensembles over a calibration's posterior: which parameter values the runs take, checked before anything runs.

``draftsim calibrate`` writes ``posterior.parquet``, a weighted sample: one column per calibrated parameter
and ``weight``.  An ensemble runs ``draws`` parameter sets drawn from it by systematic resampling
(:func:`draftsim.experiments.calibration.posterior.draw`: each sample point appears about ``draws * weight``
times, the same seed gives the same draws), each at its own seeds (:func:`draftsim.experiments.runs.replicate_seed`).
The runs' spread is then the posterior predictive spread: parameter uncertainty and the model's own noise.

:func:`load_posterior` reads and checks the file.  Every mistake goes to ``fail(got, allowed)``, which
raises the caller's one-line error (``--posterior: ...`` on the command line, ``experiment FILE:
posterior.file: ...`` in an experiment file), so a bad file is refused before anything is written.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

MAX_DRAWS = 10_000                  # run ids hold the draw in four digits
ALLOWED = "a posterior.parquet written by `draftsim calibrate` (one column per parameter and `weight`)"
NUMERIC_TYPES = ("float", "int")    # what a calibration varies; bools and dates have no posterior


@dataclass(frozen=True)
class EnsemblePosterior:
    """A checked posterior file: where it is, its sha256 and the weighted sample."""

    path: str                       # absolute
    sha256: str
    names: tuple[str, ...]          # the parameters it sets, in the file's column order
    types: tuple[str, ...]          # their types in the parameter table: float or int
    posterior: Any                  # calibration.posterior.Posterior

    @property
    def rows(self) -> int:
        return len(self.posterior.weights)

    def describe(self, draws: list[dict[str, Any]]) -> dict[str, Any]:
        """What a manifest records of it."""
        return {"file": self.path, "sha256": self.sha256, "parameters": list(self.names), "rows": self.rows,
                "effective_sample_size": round(self.posterior.effective_size, 3), "draws": len(draws),
                "draw_rule": "systematic resampling (experiments/calibration/posterior.py: draw), seeded by the root seed"}


def load_posterior(path: str | Path, fail: Callable[[str, str], NoReturn]) -> EnsemblePosterior:
    """Read and check ``posterior.parquet``; ``fail(got, allowed)`` raises the caller's one-line error."""
    import numpy as np
    import pandas as pd

    from draftsim.experiments.calibration.posterior import read_posterior
    from draftsim.model import parameter_table
    from draftsim.model.provenance import sha256

    p = Path(path)
    shown = f"'{path}'"
    if p.is_dir():
        fail(f"{shown} (a folder)", ALLOWED)
    if not p.is_file():
        fail(f"{shown} (no such file)", ALLOWED)
    if not os.access(p, os.R_OK):
        fail(f"{shown} (not readable)", ALLOWED)
    try:
        frame = pd.read_parquet(p)
    except Exception as exc:        # noqa: BLE001 - pyarrow raises several kinds for a file that is not Parquet
        fail(f"{shown} (not a Parquet table: {' '.join(str(exc).split())[:120]})", ALLOWED)
    columns = [str(c) for c in frame.columns]
    if "weight" not in columns:
        fail(f"{shown} without a 'weight' column (columns: {', '.join(columns) or 'none'})", ALLOWED)
    names = [c for c in columns if c != "weight"]
    if not names:
        fail(f"{shown} with a 'weight' column only", ALLOWED + ": at least one parameter column")
    table = {row["name"]: row for row in parameter_table()}
    types = []
    for name in names:
        if name not in table:
            close = difflib.get_close_matches(name, list(table), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fail(f"{shown} with column '{name}', not a model parameter", "columns named as `draftsim params` lists them"
                 + hint + " and 'weight'")
        if table[name]["type"] not in NUMERIC_TYPES:
            fail(f"{shown} with column '{name}', a {table[name]['type']} parameter", "numeric (float or int) parameters")
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all():
            fail(f"{shown} with a value of '{name}' that is missing or not a finite number", "finite numbers")
        types.append(table[name]["type"])
    try:
        posterior = read_posterior(p)
    except (ValueError, TypeError) as exc:
        message = " ".join(str(exc).split()).removeprefix(f"{p}: ")
        fail(f"{shown} ({message.split('; allowed:')[0]})", ALLOWED + " with weights >= 0, finite and not all 0")
    return EnsemblePosterior(str(p.resolve()), sha256(p), tuple(names), tuple(types), posterior)


def posterior_draws(post: EnsemblePosterior, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter sets drawn from the posterior, each {parameter: value} in the parameter's type
    (an int parameter's value rounded half up, as a sampled design's are)."""
    from draftsim.experiments.calibration.posterior import draw
    from draftsim.experiments.designs import round_half_up

    rows = draw(post.posterior, n, seed)
    return [{name: (round_half_up(float(x)) if kind == "int" else float(x)) for name, kind, x in zip(post.names, post.types, row)}
            for row in rows]


def check_draws(params, draws: list[dict[str, Any]], fail: Callable[[str, str], NoReturn]) -> None:
    """Every draw through ``Parameters.replace``: a value out of the model's range is refused before anything runs."""
    from draftsim.model import ParameterError

    seen = set()
    for i, values in enumerate(draws):
        key = tuple(values.items())
        if key in seen:
            continue
        seen.add(key)
        try:
            params.replace(**values)
        except ParameterError as exc:
            fail(f"draw {i}: {' '.join(str(exc).split())}", "values inside each parameter's range (see `draftsim params`)")


def draws_table(runs, names: tuple[str, ...]):
    """``draws.csv``: one row per run, in run order: draw, replicate, seed and the draw's parameter values."""
    import pandas as pd

    rows = [{"run_id": r.run_id, "point": r.point, "draw": r.draw, "replicate": r.replicate, "seed": r.seed,
             **{n: r.params[n] for n in names}} for r in runs]
    return pd.DataFrame(rows, columns=["run_id", "point", "draw", "replicate", "seed", *names])
