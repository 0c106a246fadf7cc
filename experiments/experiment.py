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

    [posterior]                    # optional: every design point runs at each of `draws` posterior draws
    file = "posterior.parquet"     # from draftsim calibrate, relative to this file
    draws = 50                     # without a [design], the draws are the design (one point, the scenario)

    [[outcomes]]                   # optional; see draftsim.experiments.outcomes for the metrics
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

The checks live in :mod:`.experiment_checks` (the file as a whole, outcomes, kept columns),
:mod:`.design_checks` (the ``[design]`` table) and :mod:`.checker` (the one-line errors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from draftsim.experiments.checker import ExperimentError
from draftsim.experiments.designs import Design, design_points
from draftsim.experiments.experiment_checks import base_scenario, check, extended
from draftsim.experiments.outcomes import OutcomeSpec


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
    posterior: Any = None                       # ensemble.EnsemblePosterior of a [posterior] table
    posterior_draws: tuple[dict, ...] | None = None   # its draws: every design point runs each of them

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
    return _experiment(text, label, p.resolve().parent, str(p.resolve()))


def experiment_from_text(text: str, source: str = "<text>", base_dir: Path | None = None) -> Experiment:
    """Check an experiment given as text; relative scenario paths resolve against ``base_dir`` (default: cwd)."""
    return _experiment(text, source, Path(base_dir) if base_dir is not None else Path.cwd(), None)


def _experiment(text: str, source: str, base_dir: Path, path: str | None) -> Experiment:
    return Experiment(**check(text, source, base_dir, path), text=text,
                      sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), path=path)


def point_parameters(experiment: Experiment, point: dict[str, Any]):
    """The model ``Parameters`` of one design point: the scenario's, extended to ``until`` when
    ``until`` is past its end_date (as ``draftsim run --until`` does), then the point's values.
    Run it as ``DraftModel(params, seed=..., scale=experiment.scale, events=base_scenario(...).events)``
    and ``model.run(until=experiment.until)``."""
    params = extended(base_scenario(experiment.scenario).params, experiment.until)
    return params.replace(**point) if point else params
