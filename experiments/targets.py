"""Model vs observed: the plausible magnitudes the baseline must land near (national_targets.csv).

``compare(national)`` takes a run's national table and returns one row per target with the
model's figure, the observed central value and band, and the ratio model/observed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from draftsim.model.formats import whole
from draftsim.model.units import DAYS_PER_MONTH


def _window(df: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    d = pd.to_datetime(df["date"])
    return df[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]


def _months(start: str, end: str) -> float:
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days / DAYS_PER_MONTH


def _at(df: pd.DataFrame, date: str, column: str) -> float:
    d = pd.to_datetime(df["date"])
    return float(df.loc[d <= pd.Timestamp(date), column].iloc[-1])



# (label, observed, low, high, unit, source, how the model figure is computed)
TARGETS = [
    ("contract recruits per month, 2023-2025", 37_500, 34_000, 41_000, "men/month",
     "Medvedev / Shoigu / MoD claims, 2023-2025",
     lambda df: _window(df, "2023-01-01", "2025-12-31")["new_contracts"].sum() / _months("2023-01-01", "2025-12-31")),
    ("mobilised, autumn 2022", 300_000, 300_000, 318_000, "men", "Shoigu 28 Oct 2022; Putin 4 Nov 2022",
     lambda df: _window(df, "2022-09-15", "2022-11-30")["new_mobilised"].sum()),
    ("men emigrating in the first week after 21 Sep 2022", 261_000, 200_000, 261_000, "men",
     "FSB estimate (Novaya Gazeta); ~200k (NYT)",
     lambda df: _window(df, "2022-09-15", "2022-09-21")["new_emigrants"].sum()),
    ("killed by mid-2024", 120_000, 110_000, 140_000, "men", "Meduza/Mediazona probate estimate",
     lambda df: _at(df, "2024-06-30", "killed_total")),
    ("killed by May 2023", 47_000, 40_000, 55_000, "men", "Meduza/Mediazona probate estimate",
     lambda df: _at(df, "2023-05-27", "killed_total")),
    ("killed by Aug 2025", 220_000, 190_000, 250_000, "men", "Meduza/Mediazona",
     lambda df: _at(df, "2025-08-31", "killed_total")),
    ("prisoners recruited Jul 2022 - Feb 2023", 45_000, 40_000, 50_000, "men", "Prigozhin; Russia Behind Bars",
     lambda df: _window(df, "2022-07-01", "2023-02-28")["new_prisoner_recruits"].sum()),
    ("prisoners recruited Jul 2022 - Dec 2023", 110_000, 100_000, 120_000, "men", "human-rights estimates",
     lambda df: _window(df, "2022-07-01", "2023-12-31")["new_prisoner_recruits"].sum()),
    ("prison population, Oct 2023", 266_000, 266_000, 266_000, "people", "Deputy Justice Minister, Oct 2023",
     lambda df: _at(df, "2023-10-31", "prison_population")),
    ("conscripts called up in 2023", 277_000, 277_000, 277_000, "men", "decrees (147k spring + 130k autumn)",
     lambda df: _window(df, "2023-01-01", "2023-12-31")["new_conscripts"].sum()),
    ("mean regional bonus, Mar 2024", 225_000, 200_000, 250_000, "RUB", "iStories / Re:Russia",
     lambda df: _at(df, "2024-03-31", "mean_regional_bonus_rub")),
    ("mean regional bonus, Apr 2025", 1_250_000, 1_100_000, 1_400_000, "RUB", "J. Kluge",
     lambda df: _at(df, "2025-04-30", "mean_regional_bonus_rub")),
    ("North Korean troops killed by Sep 2025", 2_000, 600, 2_000, "men", "NIS Sep 2025",
     lambda df: _at(df, "2025-09-30", "foreign_killed_total")),
]


def compare(national: pd.DataFrame) -> pd.DataFrame:
    """One row per target the run covers: model figure, observed, band, ratio."""
    rows = []
    for label, observed, low, high, unit, source, fn in TARGETS:
        try:
            value = float(fn(national))
        except (IndexError, KeyError):
            continue
        rows.append({"target": label, "model": value, "observed": observed, "low": low, "high": high,
                     "unit": unit, "ratio": value / observed if observed else float("nan"), "source": source})
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    """Print the model-vs-observed table for the baseline (mean over seeds) as Markdown."""
    import argparse

    from draftsim.model import DraftModel, load_scenario

    ap = argparse.ArgumentParser(prog="python -m draftsim.experiments.targets", description=main.__doc__)
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--scale", type=float, default=100.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    tables = []
    for seed in args.seeds:
        m = DraftModel(sc.params, seed=seed, scale=args.scale, events=sc.events)
        m.run()
        tables.append(compare(m.national_frame()).set_index("target"))
    model = pd.concat([t["model"] for t in tables], axis=1)
    t = tables[0].copy()
    t["model"], t["min"], t["max"] = model.mean(axis=1), model.min(axis=1), model.max(axis=1)
    t["ratio"] = t["model"] / t["observed"]
    print(f"Scenario {args.scenario}, scale 1:{args.scale:g}, seeds {args.seeds} (model: mean [min-max])\n")
    print("| target | model | observed (band) | model / observed | source |")
    print("|---|---|---|---|---|")
    for name, r in t.iterrows():
        print(f"| {name} | {whole(r['model'])} [{whole(r['min'])}-{whole(r['max'])}] | {whole(r['observed'])} "
              f"({whole(r['low'])}-{whole(r['high'])}) | {r['ratio']:.2f} | {r['source']} |")


if __name__ == "__main__":
    main()
