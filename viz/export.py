"""Downloads from the page: the current run's tables and what it takes to reproduce them.

``national.csv`` has the model's national columns (README, "Outputs") followed by the value of
every lever in force that week, so a run steered by hand can be replayed: ``setup.json`` lists the
scenario, seed, scale and each lever change with its week.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

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
        frame = s.model.regions_frame()
        names = {r.iso: r.name for r in s.model.regions}
    frame.insert(frame.columns.get_loc("region") + 1, "region_name", frame["region"].map(names))
    return frame


def national_csv(s: LiveSession) -> bytes:
    return national_table(s).to_csv(index=False).encode("utf-8")


def regional_csv(s: LiveSession) -> bytes:
    return regional_table(s).to_csv(index=False).encode("utf-8")


def setup_json(s: LiveSession) -> bytes:
    with s.lock:
        setup, started = s.setup(), s.started
    setup["kind"] = "draftsim live view"
    setup["replay"] = ("DraftModel(load_scenario(scenario).params, seed=seed, scale=scale, events=...); "
                       "step; after the step with index `step` of a change, update_parameters(parameter=new)")
    now = dt.datetime.now(dt.UTC)
    # the command is the server's (`draftsim viz` becomes `python -m solara run ...`)
    setup.update(provenance(started, now, (now - started).total_seconds()))
    return json.dumps(jsonable(setup), indent=2, default=str).encode("utf-8")


def filename(s: LiveSession, what: str, ext: str) -> str:
    return f"draftsim-{s.scenario}-seed{s.seed}-1to{s.scale}-{what}.{ext}"
