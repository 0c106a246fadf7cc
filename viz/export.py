"""Downloads from the page: the current run's tables and what it takes to reproduce them.

``national.csv`` is the national table of ``draftsim run`` (``DraftModel.national_frame()``) followed
by the value of every lever in force that week, so a run steered by hand can be replayed:
``setup.json`` lists the scenario, seed, scale and each lever change with its week, and under
``columns`` the data dictionary of both CSVs (from ``model/columns.py``, then the levers).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from draftsim.model.columns import COLUMNS, data_dictionary
from draftsim.model.provenance import jsonable, provenance
from draftsim.viz.levers import LEVERS
from draftsim.viz.session import LiveSession

LEVER_COLUMNS = [lv.parameter for lv in LEVERS]


def national_table(s: LiveSession) -> pd.DataFrame:
    with s.lock:
        frame = s.model.national_frame()
        levers = pd.DataFrame(s.levers_by_week, columns=LEVER_COLUMNS)
    return pd.concat([frame, levers.iloc[: len(frame)].reset_index(drop=True)], axis=1)


def regional_table(s: LiveSession) -> pd.DataFrame:
    with s.lock:
        return s.model.regions_frame()


def national_csv(s: LiveSession) -> bytes:
    return national_table(s).to_csv(index=False).encode("utf-8")


def regional_csv(s: LiveSession) -> bytes:
    return regional_table(s).to_csv(index=False).encode("utf-8")


def columns_dictionary() -> list[dict]:
    """The data dictionary of the two CSVs: the declared columns, then the lever columns of national.csv."""
    levers = [{"name": lv.parameter, "kind": "lever", "unit": lv.unit or ("on/off" if lv.kind == "switch" else ""),
               "dtype": "bool" if lv.kind == "switch" else "float64", "scope": "national", "label": lv.label,
               "meaning": f"the lever in force that week: {lv.help or lv.label}"} for lv in LEVERS]
    return data_dictionary(COLUMNS).to_dict("records") + levers


def setup_json(s: LiveSession) -> bytes:
    with s.lock:
        setup, started = s.setup(), s.started
    setup["kind"] = "draftsim live view"
    setup["replay"] = ("DraftModel(load_scenario(scenario).params, seed=seed, scale=scale, events=...); "
                       "step; after the step with index `step` of a change, update_parameters(parameter=new)")
    now = dt.datetime.now(dt.UTC)
    # the command is the server's (`draftsim viz` becomes `python -m solara run ...`)
    setup.update(provenance(started, now, (now - started).total_seconds()))
    setup["columns"] = columns_dictionary()
    return json.dumps(jsonable(setup), indent=2, default=str).encode("utf-8")


def filename(s: LiveSession, what: str, ext: str) -> str:
    return f"draftsim-{s.scenario}-seed{s.seed}-1to{s.scale}-{what}.{ext}"
