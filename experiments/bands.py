"""5-50-95% bands over the runs of an ensemble, from the tables a sweep folder holds.

- ``national_bands.csv``, long: one row per (design point,) national column and week: ``date, column, runs,
  q05, q50, q95``; a sweep's rows start with ``point`` and the design factors;
- ``regions_bands.csv``: one row per (design point and) region: ``region, name, men_census, runs``, then
  ``killed_per_10k_q05/q50/q95`` and ``recruits_per_10k_q05/q50/q95``: cumulative killed and recruits at the
  end of the run per 10,000 men aged 16-61 in the 2021 census (``men_16_61_census2021``).

A band is taken over every successful run of a design point: its posterior draws times their replicates.
The quantiles are numpy's default (linear interpolation between order statistics, Hyndman & Fan type 7),
of the values as stored; a quantile does not depend on the order of the runs, so the bands are the same
bit for bit whatever executed the runs.  One design point is read at a time, so memory grows with the
runs of a point, not of the sweep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

QUANTILES = (0.05, 0.5, 0.95)
Q_NAMES = ("q05", "q50", "q95")
PER_10K = {"killed_per_10k": "killed_total", "recruits_per_10k": "recruits_total"}


def _point_table(path: Path, point: int | None, columns: list[str]):
    import pyarrow.parquet as pq

    filters = [("point", "=", point)] if point is not None else None
    return pq.read_table(path, columns=columns, filters=filters).to_pandas()


def _quantiles(wide) -> np.ndarray:
    """(3, columns) quantiles over the rows (runs) of a runs x something table, NaN-aware."""
    values = wide.to_numpy(dtype=np.float64)
    if not len(values):
        return np.full((len(QUANTILES), values.shape[1]), np.nan)
    return np.nanquantile(values, QUANTILES, axis=0)


def national_bands(series: Path, columns: list[str], points: list[dict[str, Any]] | None = None):
    """Bands of every ``columns`` series by week; ``points``: the design points (None: one, and no point column)."""
    import pandas as pd

    frames = []
    for p, values in _points(points):
        df = _point_table(series, p, ["run_id", "date", *columns])
        runs = df["run_id"].nunique()
        for col in columns:
            wide = df.pivot(index="run_id", columns="date", values=col)
            q = _quantiles(wide)
            frame = pd.DataFrame({"date": [d.isoformat() if hasattr(d, "isoformat") else str(d) for d in wide.columns],
                                  "column": col, "runs": runs, **dict(zip(Q_NAMES, q))})
            frames.append(_with_point(frame, p, values))
    head = [] if points is None else ["point", *_factor_names(points)]
    if not frames:
        return pd.DataFrame(columns=[*head, "date", "column", "runs", *Q_NAMES])
    return pd.concat(frames, ignore_index=True)


def region_bands(regions: Path, points: list[dict[str, Any]] | None = None):
    """Bands of killed and recruits per 10,000 census men by region."""
    import pandas as pd

    from draftsim.model.model import read_regions

    names = {r["iso"]: r["region_en"] for r in read_regions()}
    frames = []
    for p, values in _points(points):
        df = _point_table(regions, p, ["run_id", "region", "killed_total", "recruits_total", "men_census"])
        order = list(dict.fromkeys(df["region"]))
        frame = pd.DataFrame({"region": order, "name": [names.get(r, r) for r in order]})
        frame["men_census"] = df.groupby("region", sort=False)["men_census"].first().reindex(order).to_numpy()
        frame["runs"] = df["run_id"].nunique()
        for out, col in PER_10K.items():
            per_10k = df.assign(v=df[col] / df["men_census"].where(df["men_census"] > 0) * 1e4)
            wide = per_10k.pivot(index="run_id", columns="region", values="v").reindex(columns=order)
            for name, q in zip(Q_NAMES, _quantiles(wide)):
                frame[f"{out}_{name}"] = q
        frames.append(_with_point(frame, p, values))
    if not frames:
        return pd.DataFrame(columns=["region", "name", "men_census", "runs",
                                     *(f"{o}_{q}" for o in PER_10K for q in Q_NAMES)])
    return pd.concat(frames, ignore_index=True)


def _points(points):
    if points is None:
        return [(None, {})]
    return list(enumerate(points))


def _factor_names(points) -> list[str]:
    return list(dict.fromkeys(k for p in points for k in p))


def _with_point(frame, p, values):
    if p is None:
        return frame
    for i, (k, v) in enumerate({"point": p, **values}.items()):
        frame.insert(i, k, v if not hasattr(v, "isoformat") else v.isoformat())
    return frame


def write_bands(folder: Path, series: str, columns: list[str], points: list[dict[str, Any]] | None, write) -> list[str]:
    """``national_bands.csv`` and ``regions_bands.csv`` in ``folder``, each through ``write(final, fn)`` (atomic)."""
    national = national_bands(folder / series, columns, points)
    regional = region_bands(folder / "regions.parquet", points)
    write(folder / "national_bands.csv", lambda p: national.to_csv(p, index=False, lineterminator="\n"))
    write(folder / "regions_bands.csv", lambda p: regional.to_csv(p, index=False, lineterminator="\n"))
    return ["national_bands.csv", "regions_bands.csv"]
