"""What ``draftsim run`` writes: its tables and the summary it prints (the command is :mod:`draftsim.experiments.cli.run`).

Output folder (``--out``, default ``runs/<scenario>-<YYYYmmdd-HHMMSS>``):

- ``national.csv`` / ``national.parquet``: ``DraftModel.national_frame()``, one row per weekly step;
- ``regions.csv`` / ``regions.parquet``: ``DraftModel.regions_frame()``, one row per region and step;
- ``columns.csv``: the data dictionary of both tables (name, kind, unit, dtype, scope, label, meaning),
  written from ``model/columns.py``; the Parquet files keep its dtypes, the CSVs ISO dates;
- ``figures/*.png``: see :mod:`draftsim.experiments.figures`;
- ``manifest.json``: scenario, resolved parameters, seed, scale, the provenance block
  (:func:`draftsim.model.provenance.provenance`: code and package versions, timings, command line)
  and the list of files.

Everything is written into a hidden sibling folder first and renamed into place at the end,
so an interrupted or failed run leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from draftsim.model.formats import whole
from draftsim.model.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd


def region_table(model) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"region": [r.iso for r in model.regions], "name": [r.name for r in model.regions],
                         "men_census": [float(r.men_census) for r in model.regions]})


def write_tables(model, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from draftsim.model.columns import write_data_dictionary

    # the national table is the one the sweep keeps columns of and the live view exports
    national, regions = model.national_frame(), model.regions_frame()
    for name, df in (("national", national), ("regions", regions)):
        df.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        df.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")
    write_data_dictionary(folder)
    return national, regions


# --- the stdout summary ----------------------------------------------------------------------------
def summary(national: pd.DataFrame, out: Path, wall: float, goals: str | None = None) -> str:
    """The totals of a run and, when given, the block of issue 12's goals (:func:`draftsim.experiments.goals.block`)."""
    import pandas as pd

    def total(col: str) -> float:
        return float(national[col].sum()) if col in national else float("nan")

    def last(col: str) -> float:
        return float(national[col].iloc[-1]) if col in national and len(national) else float("nan")

    rows = [
        ("contract recruits", whole(total("new_contracts")),
         f"of which {whole(total('new_contracts_from_conscripts'))} serving conscripts"),
        ("conscripts", whole(total("new_conscripts")), ""),
        ("mobilised", whole(total("new_mobilised")), ""),
        ("prisoner recruits", whole(total("new_prisoner_recruits")), ""),
        ("foreign troops", whole(total("new_foreign")), ""),
        ("notices sent", whole(total("new_notices_sent")), ""),
        ("evaders", whole(total("new_evaders")), "men who evaded a notice"),
        ("emigrants", whole(total("new_emigrants")),
         f"of which {whole(total('new_emigrants_pre_emptive'))} pre-emptive"),
        ("killed", whole(last("killed_total")), "cumulative, Russian"),
        ("wounded", whole(last("wounded_total")), "cumulative"),
        ("deployed at the end", whole(last("deployed")), ""),
    ]
    dates = pd.to_datetime(national["date"]) if len(national) else pd.Series(dtype="datetime64[ns]")
    window = national[(dates >= "2023-01-01") & (dates <= "2025-12-31")] if len(national) else national
    if len(window) and "new_contracts" in window:
        per_month = float(window["new_contracts"].sum()) / (len(window) * 7 / DAYS_PER_MONTH)
        span = f"{window['date'].iloc[0]} to {window['date'].iloc[-1]}"
        full = dates.iloc[0] <= pd.Timestamp("2023-01-01") and dates.iloc[-1] >= pd.Timestamp("2025-12-25")
        rows.append(("contracts per month 2023-2025", whole(per_month),
                     f"mean over {len(window)} weeks" + ("" if full else f", partial: {span}")))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    first = national["date"].iloc[0] if len(national) else "?"
    lastd = national["date"].iloc[-1] if len(national) else "?"
    lines = [f"totals over {len(national)} weekly steps, {first} to {lastd} (real men):"]
    lines += [f"  {a:<{width}}  {b:>{vwidth}}  {c}".rstrip() for a, b, c in rows]
    if goals:
        lines.append(goals)
    lines.append(f"wall time {wall:.1f} s; output in {out}")
    return "\n".join(lines)
