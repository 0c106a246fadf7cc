"""Reading a finished sweep folder into a :class:`Sweep`: its tables, manifest and experiment file.

Older or hand-made folders are read too: names are looked up under every key a manifest has used
(:func:`dig`), and what a manifest lacks is taken from the experiment file or the tables.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftsim.experiments.errors import UsageError
from draftsim.experiments.store import PARTS, RUN_COLUMNS, STATE

SERIES_KEYS = ("run_id", "point", "replicate", "date", "seed", "status")
ALLOWED = "allowed: a finished sweep folder (with runs.parquet and manifest.json, as written by `draftsim sweep`)"


@dataclass
class Sweep:
    folder: Path
    manifest: dict
    runs: Any                                  # pandas DataFrame, one row per run, sorted by run_id
    timeseries: Any | None                     # long DataFrame or None
    sensitivity: Any | None
    failures: dict[str, dict]                  # run_id -> record from failures.jsonl
    experiment: dict                           # the parsed experiment file ({} if unreadable)
    experiment_text: str | None
    kind: str
    factors: list[str]
    outcomes: list[str]
    kept: list[str]
    replicates: int = field(init=False)

    def __post_init__(self):
        self.replicates = int(self.runs["replicate"].nunique()) if len(self.runs) else 0


def dig(d: Any, *paths: str, default: Any = None) -> Any:
    """The first of the dotted ``paths`` present (and not None) in nested dicts ``d``."""
    for path in paths:
        cur = d
        for key in path.split("."):
            if not isinstance(cur, dict) or key not in cur:
                break
            cur = cur[key]
        else:
            if cur is not None:
                return cur
    return default


def _not_a_sweep(folder: Path, why: str) -> UsageError:
    return UsageError(f"DIR: '{folder}' {why}; {ALLOWED}")


def load_sweep(folder: Path | str) -> Sweep:
    import pandas as pd

    folder = Path(folder)
    if not folder.exists():
        raise _not_a_sweep(folder, "does not exist")
    if not folder.is_dir():
        raise _not_a_sweep(folder, "is not a folder")
    # the state file marks a sweep that has not finished; the parts folder holds its runs so far
    if (folder / STATE).exists() or ((folder / PARTS).is_dir() and not (folder / "runs.parquet").is_file()):
        raise UsageError(f"DIR: '{folder}' holds an unfinished sweep; finish it with "
                         f"`draftsim sweep EXPERIMENT.toml --out {folder} --resume`, then build the report")
    if not (folder / "runs.parquet").is_file():
        raise _not_a_sweep(folder, "has no runs.parquet")
    if not (folder / "manifest.json").is_file():
        raise _not_a_sweep(folder, "has no manifest.json")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        runs = pd.read_parquet(folder / "runs.parquet")
    except (OSError, ValueError) as exc:
        raise _not_a_sweep(folder, f"cannot be read ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(manifest, dict):
        raise _not_a_sweep(folder, "has a manifest.json that is not a JSON object")
    missing = [c for c in ("run_id", "point", "replicate", "status") if c not in runs.columns]
    if missing:
        raise _not_a_sweep(folder, f"has a runs.parquet without the column{'s' if len(missing) > 1 else ''} "
                                   f"{', '.join(missing)}")
    runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)

    text = dig(manifest, "experiment.text")
    if text is None and (folder / "experiment.toml").is_file():
        text = (folder / "experiment.toml").read_text(encoding="utf-8")
    try:
        experiment = tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        experiment = {}
    design = experiment.get("design", {}) if isinstance(experiment.get("design"), dict) else {}
    entry = dig(manifest, "experiment.design")          # a table, or just the kind
    kind = str(dig(manifest, "experiment.design_kind", "experiment.design.kind")
               or (entry if isinstance(entry, str) else None) or design.get("kind") or "unknown")
    factors = [f for f in _factor_names(manifest, design) if f in runs.columns]
    outcomes = _outcome_names(manifest, experiment, runs, factors)

    series = pd.read_parquet(folder / "timeseries.parquet") if (folder / "timeseries.parquet").is_file() else None
    kept = [c for c in series.columns if c not in SERIES_KEYS] if series is not None else []
    if series is not None and "date" in series.columns:
        series = series.assign(date=pd.to_datetime(series["date"]))
    sensitivity = pd.read_csv(folder / "sensitivity.csv") if (folder / "sensitivity.csv").is_file() else None
    return Sweep(folder=folder, manifest=manifest, runs=runs, timeseries=series, sensitivity=sensitivity,
                 failures=_read_failures(folder / "failures.jsonl"), experiment=experiment, experiment_text=text,
                 kind=kind, factors=factors, outcomes=outcomes, kept=kept)


def _factor_names(manifest: dict, design: dict) -> list[str]:
    """Factor names from the manifest (a list of names or of {name: ...}, or a dict), else from the file."""
    listed = dig(manifest, "experiment.factors", "experiment.design.factors")
    if isinstance(listed, dict):
        return list(listed)
    if isinstance(listed, list) and listed:
        return [f["name"] if isinstance(f, dict) else str(f) for f in listed]
    if isinstance(design.get("parameters"), dict):
        return list(design["parameters"])
    if isinstance(design.get("points"), list):
        return list(dict.fromkeys(k for p in design["points"] if isinstance(p, dict) for k in p))
    return []


def _outcome_names(manifest: dict, experiment: dict, runs, factors: list[str]) -> list[str]:
    """The outcomes the manifest or the file names (in their order), else every numeric column that is
    neither bookkeeping nor a factor."""
    import pandas as pd

    listed = dig(manifest, "experiment.outcomes") or experiment.get("outcomes") or []
    named = [o.get("name") if isinstance(o, dict) else o for o in listed if isinstance(o, (dict, str))]
    named = [n for n in named if n in runs.columns]
    if named:
        return named
    return [c for c in runs.columns if c not in RUN_COLUMNS and c not in factors
            and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])]


def _read_failures(path: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue                       # a torn last line is no reason to lose the report
            if isinstance(record, dict) and "run_id" in record:
                out[str(record["run_id"])] = record
    return out
