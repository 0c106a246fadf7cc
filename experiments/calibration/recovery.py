"""Parameter recovery: can the calibration find parameter values that are known?

    python -m draftsim.experiments.calibration.recovery [CALIBRATION.toml] [--out DIR] [--workers N]
                                                       [--truth-seed INT] [--seeds N]

Takes a calibration file (by default the national example), picks a "true" point inside its prior (a
seeded uniform draw from the middle 60% of each range, in the prior's unit cube), runs the model there with
``--seeds`` seeds, and replaces every target's observed value by the mean of what the source would have
counted (each target keeps its outcome, weeks, observation model, sd and discrepancy).  Then it calibrates
against those made-up observations (``DIR/calibration/``, a normal ``draftsim calibrate`` folder) and
reports, per parameter, the truth, the posterior's 5-50-95% and whether the 90% interval holds the truth
(``DIR/recovery.csv``, ``DIR/RECOVERY.md``).  The model is then exactly right by construction, so a
calibration that misses the truth here would be wrong about the real data too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from pathlib import Path

import numpy as np

MIDDLE = 0.6              # the truth is drawn from the middle 60% of each prior range (unit cube)
SEED_OFFSET = 15_485_863  # the truth's runs: seeds apart from every wave's


def truth_point(cal, seed: int) -> dict[str, float]:
    from draftsim.experiments.calibration.waves import design_values

    rng = np.random.default_rng(seed)
    unit = 0.5 + (rng.random((1, cal.space.dim)) - 0.5) * MIDDLE
    return design_values(cal, unit)[0]


def made_observations(cal, truth: dict[str, float], seeds: int) -> dict[str, float]:
    """Each target's mean over ``seeds`` runs at ``truth`` of what its source would count."""
    from draftsim.experiments.experiment import base_scenario
    from draftsim.experiments.outcomes import region_attributes
    from draftsim.experiments.targets import model_value
    from draftsim.model import DraftModel

    sc = base_scenario(cal.scenario)
    until = cal.until or sc.params.end_date
    params = sc.params.replace(end_date=max(until, sc.params.end_date), **truth)
    values = {t.name: [] for t in cal.targets}
    for s in range(seeds):
        m = DraftModel(params, seed=SEED_OFFSET + s, scale=cal.scale, events=sc.events)
        m.run(until=until)
        national, attrs = m.national_frame(), region_attributes(m)
        for t in cal.targets:
            values[t.name].append(model_value(t.target, national, m.region_history, attrs))
    return {k: float(np.mean(v)) for k, v in values.items()}


def recovery_file(cal, observed: dict[str, float]) -> str:
    """The calibration file with every target defined inline at its made-up observed value."""
    import tomllib

    from draftsim.experiments.calibration.waves import toml_string, toml_value

    # the scenario as the calibration resolved it: the new file lives in another folder
    head = re.sub(r'(?m)^scenario\s*=.*$', "", cal.text.split("[[targets]]")[0]).rstrip()
    text = head.replace("[parameters]", f"scenario = {toml_string(cal.scenario)}\n\n[parameters]", 1) + "\n"
    data = tomllib.loads(cal.text)
    blocks = []
    for t in cal.targets:
        tg = t.target
        first, last = tg.model_weeks or (tg.start, tg.end)
        lines = ["[[targets]]", f'name = "{t.name}"', f"observed = {observed[t.name]!r}", f"sd = {t.sd!r}",
                 f"discrepancy = {t.discrepancy / abs(tg.observed) if tg.observed else 0.0!r}",
                 f'outcome = "{tg.model_outcome}"', f'weeks = "{first}..{last}"', f'observation = "{tg.observation}"']
        if tg.against:
            lines.append(f'against = "{tg.against}"')
        blocks.append("\n".join(lines))
    rest = "".join(f"\n[{k}]\n" + "".join(f"{kk} = {toml_value(vv)}\n" for kk, vv in data[k].items())
                   for k in ("history_matching", "posterior", "predictive") if k in data)
    return text + "\n" + "\n\n".join(blocks) + "\n" + rest


def summarise(cal, truth: dict[str, float], folder: Path):
    import pandas as pd

    post = pd.read_csv(folder / "posterior.csv").set_index("parameter")
    rows = []
    for p in cal.space.priors:
        q = post.loc[p.name] if p.name in post.index else None
        lo, mid, hi = (q["q05"], q["q50"], q["q95"]) if q is not None else (math.nan,) * 3
        rows.append({"parameter": p.name, "prior_low": p.low, "prior_high": p.high, "truth": truth[p.name],
                     "q05": lo, "q50": mid, "q95": hi, "holds_truth": bool(lo <= truth[p.name] <= hi),
                     "interval_share_of_prior": (hi - lo) / (p.high - p.low)})
    return pd.DataFrame(rows)


def report(table, cal, seconds: float) -> str:
    held = int(table["holds_truth"].sum())
    lines = [f"# Parameter recovery: {cal.name}", "",
             f"{cal.space.dim} parameters, {len(cal.targets)} targets made by the model at a known point "
             f"(1:{cal.scale}, mean of the truth's runs), calibrated back in {seconds / 60:.1f} min. "
             f"The posterior's 5-95% holds the truth for **{held} of {len(table)}** parameters.", "",
             "| parameter | prior | truth | 5% | 50% | 95% | holds | 90% interval / prior range |", "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.parameter} | [{r.prior_low:g}, {r.prior_high:g}] | {r.truth:.4g} | {r.q05:.4g} | {r.q50:.4g} | "
                     f"{r.q95:.4g} | {'yes' if r.holds_truth else '**no**'} | {r.interval_share_of_prior:.0%} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import time
    from importlib import resources

    from draftsim.experiments.calibration.spec import load_calibration
    from draftsim.experiments.cli import main as cli

    default = resources.files("draftsim.experiments.calibration").joinpath("examples", "national.toml")
    ap = argparse.ArgumentParser(prog="python -m draftsim.experiments.calibration.recovery", description=__doc__.split("\n\n")[0])
    ap.add_argument("calibration", nargs="?", default=str(default), help="a calibration file (default: the national example)")
    ap.add_argument("--out", type=Path, default=Path(f"recovery-{dt.datetime.now():%Y%m%d-%H%M%S}"))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--truth-seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=3, help="runs at the truth averaged into the made-up observations")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    cal = load_calibration(args.calibration)
    truth = truth_point(cal, args.truth_seed)
    print("draftsim recovery: truth " + ", ".join(f"{k} = {v:.4g}" for k, v in truth.items()), flush=True)
    observed = made_observations(cal, truth, args.seeds)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "recover.toml"
    path.write_text(recovery_file(cal, observed), encoding="utf-8")
    code = cli(["calibrate", str(path), "--out", str(args.out / "calibration"),
                *(["--workers", str(args.workers)] if args.workers else [])])
    if code:
        return code
    table = summarise(cal, truth, args.out / "calibration")
    table.to_csv(args.out / "recovery.csv", index=False, lineterminator="\n")
    text = report(table, cal, time.perf_counter() - t0)
    (args.out / "RECOVERY.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
