"""What a calibration leaves in its folder beside the waves' sweeps: tables, REPORT.md and the manifest."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np


def _tables(cal, waves):
    import pandas as pd

    rows, fits, ruled = [], [], []
    for w in waves:
        rows.append({"wave": w.number, "points": len(w.unit_points), "runs": len(w.unit_points) * cal.matching.replicates,
                     "nroy_share": w.nroy_share, "emulator_variance_share": w.emulator_share,
                     "ruling_out_most": ";".join(w.ruled_out.worst(3)), "share_meeting_all": w.ruled_out.share_meeting_all})
        for f in w.fits:
            fits.append({"wave": w.number, "target": f.name, "validation_share_within_3": f.validation_share_within_3,
                         "seed_sd": float(np.sqrt(f.var_stochastic)),
                         **{f"length_scale_{n}": s for n, s in zip(cal.space.names, f.length_scales)}})
        for t in cal.targets:
            ruled.append({"wave": w.number, "target": t.name, "share_ruled_out_alone": w.ruled_out.share_ruled_out[t.name]})
    return pd.DataFrame(rows), pd.DataFrame(fits), pd.DataFrame(ruled)


def posterior_method(cal, abc=None) -> str:
    if cal.posterior.chosen == "abc":
        return "ABC-SMC with pyabc inside the NROY space (experiments/calibration/abc.py)"
    return "emulator importance sampling in the NROY space (experiments/calibration/posterior.py)"


def _abc_lines(cal, abc) -> list[str]:
    if abc is None:
        return []
    plan = cal.posterior
    lines = [f"Population {plan.population}, up to {plan.generations} generations, median epsilon schedule to min_epsilon "
             f"{plan.min_epsilon:g} (the root mean square over targets of miss / sqrt(sd² + discrepancy² + seed variance)); "
             f"stopped: {abc.stopped_because}.  {abc.runs} model runs counted (the prior sample's included); "
             f"pyabc's database: `{abc.db}` (parameters in unit-cube coordinates `u_<name>`).", "",
             "| generation | epsilon | runs | accepted | acceptance rate | effective sample size |", "|---|---|---|---|---|---|"]
    for g in abc.generations:
        lines.append(f"| {g['generation']} | {g['epsilon']:.4g} | {g['runs']} | {g['accepted']} | {g['acceptance_rate']:.1%} | "
                     f"{g['effective_size']:.0f} |")
    return [*lines, ""]


def report_text(cal, waves, reason: str, nroy_points: int, whole_prior=None, posterior=None, check=None,
                representative=None, abc=None) -> str:
    last = waves[-1]
    lines = [f"# Calibration {cal.name}", "", *([cal.description, ""] if cal.description else []),
             f"History matching of {cal.space.dim} parameters against {len(cal.targets)} targets, scenario "
             f"{Path(cal.scenario).name}, 1:{cal.scale} men per agent, {cal.matching.replicates} replicates a point, "
             f"implausibility cut-off {cal.matching.cutoff:g} ({cal.matching.rule.replace('_', ' ')} over targets), "
             f"model discrepancy {cal.matching.discrepancy:.0%} of each observed value unless the file says otherwise.",
             "", f"**Stopped after wave {last.number}: {reason}.**", "",
             "| wave | points | runs | NROY share of the prior | targets ruling out most | emulator variance share |",
             "|---|---|---|---|---|---|"]
    for w in waves:
        lines.append(f"| {w.number} | {len(w.unit_points)} | {len(w.unit_points) * cal.matching.replicates} | "
                     f"{w.nroy_share:.3%} | {', '.join(w.ruled_out.worst(3))} | {w.emulator_share:.3f} |")
    lines += ["", "## Targets (last wave)", "",
              ("| target | observed | obs. sd | discrepancy sd | seed sd | emulator leave-out within ±3 "
               "| share of the wave's space it rules out alone |"),
              "|---|---|---|---|---|---|---|"]
    for t, f in zip(cal.targets, last.fits):
        lines.append(f"| {t.name} | {t.target.observed:,.6g} | {t.sd:,.4g} | {t.discrepancy:,.4g} | "
                     f"{np.sqrt(f.var_stochastic):,.4g} | {f.validation_share_within_3:.0%} | "
                     f"{last.ruled_out.share_ruled_out[t.name]:.1%} |")
    conflicts = last.ruled_out.conflicts
    lines += ["", "## Conflicting targets", ""]
    if conflicts:
        lines.append("Pairs that some parameter values meet one at a time but none meets together (on the prior "
                     "sample still in play before the last wave): a finding about the model's structure.")
        lines.append("")
        for a, b, sa, sb in conflicts:
            lines.append(f"- {a} (met by {sa:.1%}) and {b} (met by {sb:.1%})")
    else:
        lines.append("No pair of targets is met one at a time but never together.")
    if whole_prior is not None:
        lines += ["", "## Over the whole prior, by the last wave's emulators", "",
                  f"The share of the prior sample ({cal.matching.candidates} points) where each target alone is met "
                  f"(implausibility <= {cal.matching.cutoff:g}); {whole_prior.share_meeting_all:.3%} meet all at once.", "",
                  "| target | share of the prior meeting it alone |", "|---|---|"]
        for t in sorted(cal.targets, key=lambda t: whole_prior.share_met_alone[t.name]):
            lines.append(f"| {t.name} | {whole_prior.share_met_alone[t.name]:.2%} |")
        never = [t.name for t in cal.targets if whole_prior.share_met_alone[t.name] == 0.0]
        lines += ["", ("Met nowhere in the prior: " + ", ".join(never) + ".") if never else "Every target is met somewhere alone."]
        if whole_prior.conflicts:
            lines += ["", "Pairs each met somewhere but never together:", ""]
            lines += [f"- {a} ({sa:.1%}) and {b} ({sb:.1%})" for a, b, sa, sb in whole_prior.conflicts]
        if whole_prior.release:
            lines += ["", "No point of the prior meets every target. Letting targets go one at a time, each time the one whose "
                      "release leaves most of the prior meeting all the rest (a conflict among three or more targets shows "
                      "here even when no pair conflicts):", "", "| step | target let go | share of the prior then meeting all the others |",
                      "|---|---|---|"]
            lines += [f"| {i} | {t} | {share:.3%} |" for i, (t, share) in enumerate(whole_prior.release, 1)]
    if posterior is not None:
        title = "ABC-SMC with pyabc" if cal.posterior.chosen == "abc" else "emulator importance sampling"
        lines += ["", f"## Posterior ({title} inside the NROY space)", ""]
        if len(posterior.weights):
            lines += _abc_lines(cal, abc)
            lines += [f"{len(posterior.weights)} draws, effective sample size {posterior.effective_size:.0f} "
                      "(`posterior.parquet`).", "", "| parameter | prior | 5% | 50% | 95% |", "|---|---|---|---|---|"]
            q = posterior.quantiles()
            for p in cal.space.priors:
                lines.append(f"| {p.name} | {p.kind} [{p.low:g}, {p.high:g}] | {q[p.name][0]:.4g} | {q[p.name][1]:.4g} | "
                             f"{q[p.name][2]:.4g} |")
        else:
            lines.append("None: the NROY space is empty" + (", so ABC-SMC did not run." if cal.posterior.chosen == "abc" else "."))
    if representative is not None:
        lines += ["", "`calibrated.toml` extends the base scenario with the posterior's medoid: "
                  + ", ".join(f"{k} = {v:.4g}" for k, v in representative.items()) + "."]
    lines += _check_lines(cal, check, posterior)
    lines += ["", f"{nroy_points} points of the prior sample ({cal.matching.candidates}) are left in the NROY space "
              "(`nroy.parquet`).", ""]
    return "\n".join(lines)


def _num(x: float) -> str:
    return "-" if not np.isfinite(x) else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}")


def _check_lines(cal, check, posterior) -> list[str]:
    lines = ["", "## Posterior predictive check (real runs)", ""]
    if check is None:
        why = "the posterior is empty" if posterior is None or not len(posterior.weights) else "[predictive] draws = 0"
        return [*lines, f"Not run: {why}."]
    covers = int((check["verdict"] == "covers").sum())
    lines += [f"{cal.predictive.draws} posterior draws x {cal.predictive.replicates} seeds, run by the model (`predictive/`, "
              "`predictive.csv`, `predictive.png`): what the source would count, 5-50-95% over the runs, against the observed "
              f"value. The runs' 5-95% holds the observed value for {covers} of {len(check)} targets.", "",
              "| target | observed (band) | model 5% | 50% | 95% | runs within ±2 sd | verdict |", "|---|---|---|---|---|---|---|"]
    for r in check.itertuples():
        lines.append(f"| {r.target} | {_num(r.observed)} ({_num(r.low)}-{_num(r.high)}) | {_num(r.q05)} | {_num(r.q50)} | "
                     f"{_num(r.q95)} | {r.share_within_2sd:.0%} | {r.verdict} |")
    return lines


POSTERIOR = "posterior.parquet"


def write_posterior(out: Path, posterior) -> None:
    """``posterior.parquet``: a column per parameter and ``weight``, written whole or not at all."""
    import pandas as pd

    from draftsim.experiments.store import tmp_name

    final = out / POSTERIOR
    tmp = tmp_name(final)
    pd.DataFrame(posterior.points, columns=list(posterior.names)).assign(weight=posterior.weights).to_parquet(tmp, index=False)
    tmp.replace(final)


def write_outputs(cal, out: Path, waves, pool, keep, reason: str, started, t0: float, command: list[str], sha: str,
                  whole_prior=None, posterior=None, check=None, abc=None) -> None:
    import pandas as pd

    from draftsim.experiments.store import write_text_atomic
    from draftsim.model.provenance import provenance, write_manifest

    table, fits, ruled = _tables(cal, waves)
    table["stopped_because"] = [""] * (len(table) - 1) + [reason]
    for name, frame in (("waves.csv", table), ("emulators.csv", fits), ("ruled_out.csv", ruled)):
        write_text_atomic(out / name, frame.to_csv(index=False, lineterminator="\n"))
    kept = cal.space.from_unit(pool[keep]) if keep.any() else np.empty((0, cal.space.dim))
    pd.DataFrame(kept, columns=cal.space.names).to_parquet(out / "nroy.parquet", index=False)
    if posterior is not None:
        write_posterior(out, posterior)
        q = posterior.quantiles() if len(posterior.weights) else {}
        summary = pd.DataFrame([{"parameter": n, "q05": q[n][0], "q50": q[n][1], "q95": q[n][2]} for n in q],
                               columns=["parameter", "q05", "q50", "q95"])
        write_text_atomic(out / "posterior.csv", summary.to_csv(index=False, lineterminator="\n"))
    representative = None
    if posterior is not None and len(posterior.weights):
        from draftsim.experiments.calibration.predictive import calibrated_scenario
        from draftsim.experiments.calibration.predictive import representative as medoid

        representative = medoid(cal, posterior)
        write_text_atomic(out / "calibrated.toml", calibrated_scenario(cal, representative, "posterior.parquet", posterior.quantiles()))
    if check is not None:
        from draftsim.experiments.calibration.predictive import figure

        write_text_atomic(out / "predictive.csv", check.to_csv(index=False, lineterminator="\n"))
        figure(check, out / "predictive.png", f"calibration {cal.name} | 1:{cal.scale} men per agent | "
               f"{cal.predictive.draws} posterior draws x {cal.predictive.replicates} seeds")
    write_text_atomic(out / "REPORT.md", report_text(cal, waves, reason, int(keep.sum()), whole_prior, posterior, check,
                                                     representative, abc))
    finished = dt.datetime.now(dt.UTC)
    write_manifest(out, {
        "kind": "draftsim calibrate",
        "calibration": {"name": cal.name, "sha256": sha, "scenario": cal.scenario, "until": cal.until,
                        "scale": cal.scale, "seed": cal.seed,
                        "parameters": [{"name": p.name, "low": p.low, "high": p.high, "prior": p.kind} for p in cal.space.priors],
                        "targets": [{"name": t.name, "observed": t.target.observed, "sd": t.sd, "discrepancy": t.discrepancy,
                                     "model_outcome": t.target.model_outcome} for t in cal.targets],
                        "matching": cal.matching.__dict__},
        "waves": table.to_dict(orient="records"),
        "stopped_because": reason,
        "posterior": None if posterior is None else {
            "method": posterior_method(cal), "asked": cal.posterior.method,
            "draws": int(len(posterior.weights)), "effective_size": posterior.effective_size,
            "abc": None if abc is None else {
                "population": cal.posterior.population, "generations_max": cal.posterior.generations,
                "min_epsilon": cal.posterior.min_epsilon, "stopped_because": abc.stopped_because, "runs": abc.runs,
                "seconds": abc.seconds, "sampler": abc.sampler, "db": abc.db, "generations": abc.generations}},
        "representative_point": representative,
        "predictive_check": None if check is None else {
            "draws": cal.predictive.draws, "replicates": cal.predictive.replicates,
            "targets_covered": int((check["verdict"] == "covers").sum()), "targets": len(check)},
        "whole_prior": None if whole_prior is None else {
            "share_meeting_all": whole_prior.share_meeting_all, "share_met_alone": whole_prior.share_met_alone,
            "release_order": [list(r) for r in whole_prior.release],
            "conflicts": [list(c) for c in whole_prior.conflicts]},
        **provenance(started, finished, time.perf_counter() - t0, command),
    })
