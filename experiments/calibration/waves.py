"""The waves of a history match: each wave is a sweep, its results are emulated, and the NROY space shrinks.

Wave k is an experiment file written into the calibration folder (``wave-0k.toml``: a ``list`` design of
the wave's points, the calibration's replicates, scale and scenario, and as outcomes the pieces of every
target's model figure) and run by the sweep machinery into ``wave-0k/`` — streamed, resumable after
kill -9, on this machine or a Dask cluster, with the same seeds whatever the number of workers.  The
wave's points are a function of the earlier waves' results (fixed seeds throughout), and the file is
kept, so a resumed calibration reruns nothing.

After each wave, per target: the replicate means and their sampling variance, the pooled seed-to-seed
variance of one run, a Gaussian-process emulator fitted to the runs of every wave so far, and its
leave-out check.  The NROY space is measured
on one fixed prior sample (``candidates`` points): a candidate stays if no wave's emulators rule it out.
The calibration stops when the space is empty (the targets that conflict are named), when it stopped
shrinking (less than 10% smaller than after the wave before), when the emulators' variance is small
against the other variances everywhere in it, or after the last wave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from draftsim.experiments.calibration import history_matching as hm
from draftsim.experiments.calibration.emulator import Emulator, validate

STOPPED_SHRINKING = 0.9            # NROY share / the share after the wave before
EMULATOR_SMALL = 0.1               # emulator variance / the other variances, everywhere in NROY
CANDIDATE_SEED_OFFSET = 7_919      # the fixed prior sample: a seed of its own, apart from the designs'


def component_name(target: str, i: int) -> str:
    return f"{target}__{i}"


def wave_seed(root: int, wave: int) -> int:
    return (root + 1_000_003 * wave) % 2**63


def toml_value(v) -> str:
    """A value as TOML writes it (the calibration's generated files: waves, the predictive check, recovery)."""
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def wave_experiment(cal, wave: int, points: list[dict[str, float]] | None, *, name: str | None = None,
                    description: str | None = None, replicates: int | None = None,
                    posterior: tuple[str, int] | None = None) -> str:
    """The experiment file that runs one wave (see the module's doc), or, with a name of its own, another
    sweep of the calibration's outcomes: with ``posterior`` (file, draws) and no points, its draws are the
    design (the predictive check)."""
    lines = [f'name = "{name or f"{cal.name}-wave-{wave:02d}"}"',
             f'description = "{description or f"history matching wave {wave} of calibration {cal.name}"}"',
             f"scenario = {toml_string(cal.scenario)}", f"scale = {cal.scale}",
             f"replicates = {replicates or cal.matching.replicates}", f"seed = {wave_seed(cal.seed, wave)}"]
    if cal.until is not None:
        lines.append(f"until = {cal.until.isoformat()}")
    if posterior is not None:
        lines += ["", "[posterior]", f"file = {toml_string(posterior[0])}", f"draws = {posterior[1]}"]
    if points is not None:
        lines += ["", "[design]", 'kind = "list"', "points = ["]
        for p in points:
            lines.append("  {" + ", ".join(f"{k} = {toml_value(v)}" for k, v in p.items()) + "},")
        lines.append("]")
    for t in cal.targets:
        _, specs = t.target.specs()
        for i, s in enumerate(specs):
            lines += ["", "[[outcomes]]", f'name = "{component_name(t.name, i)}"', f'metric = "{s.metric}"',
                      f'column = "{s.column}"']
            if s.start is not None:
                lines.append(f"start = {s.start.isoformat()}")
            lines.append(f"end = {s.end.isoformat()}")
            if s.against:
                lines.append(f"against = {toml_string(s.against)}")
    lines.append("")
    return "\n".join(lines)


def toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def design_values(cal, unit: np.ndarray) -> list[dict[str, float]]:
    """Unit-cube points as parameter values (whole numbers for integer parameters, rounded half up)."""
    from draftsim.model.parameters import parameter_table

    types = {r["name"]: r["type"] for r in parameter_table()}
    out = []
    for row in cal.space.as_dicts(cal.space.from_unit(unit)):
        out.append({k: (int(math.floor(v + 0.5)) if types[k] == "int" else v) for k, v in row.items()})
    return out


def target_values(cal, runs) -> dict[str, np.ndarray]:
    """Each target's model figure (through its observation model) for every run of a wave's ``runs.parquet`` (NaN for a failed run)."""
    out = {}
    ok = (runs["status"] == "ok").to_numpy()
    for t in cal.targets:
        how, specs = t.target.specs()
        parts = [runs[component_name(t.name, i)].to_numpy(dtype=float) for i in range(len(specs))]
        if how == "ratio":
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(parts[1] != 0, parts[0] / parts[1], np.nan)
        else:
            value = np.sum(parts, axis=0)
        out[t.name] = np.where(ok, t.target.observe(value), np.nan)      # what the source would count
    return out


@dataclass
class TargetFit:
    name: str
    emulator: Emulator
    var_stochastic: float
    validation_share_within_3: float
    length_scales: tuple[float, ...]


@dataclass
class Wave:
    number: int
    unit_points: np.ndarray
    fits: list[TargetFit] = field(default_factory=list)
    nroy_share: float = math.nan
    ruled_out: hm.RuledOut | None = None
    emulator_share: float = math.nan      # max over targets of the median emulator / other variance in NROY


def accumulate(history, unit: np.ndarray, runs):
    """The unit points and runs of every wave so far (``history``: None or the earlier waves'), with this
    wave's added; point indices run on across waves."""
    import pandas as pd

    if history is None:
        return unit, runs
    x0, runs0 = history
    return np.concatenate([x0, unit]), pd.concat([runs0, runs.assign(point=runs["point"].to_numpy() + len(x0))],
                                                 ignore_index=True)


def fit_wave(cal, wave: int, unit_points: np.ndarray, x: np.ndarray, runs) -> Wave:
    """Emulators of every target fitted to ``runs`` at unit points ``x`` (every wave's so far: a small wave in a
    small NROY space still has the whole history of runs to learn from); ``unit_points`` are this wave's own."""
    values = target_values(cal, runs)
    point = runs["point"].to_numpy()
    out = Wave(wave, unit_points)
    for i, t in enumerate(cal.targets):
        good = np.isfinite(values[t.name])
        ids, mean, var_mean, pooled = hm.replicate_summary(values[t.name][good], point[good])
        seed = wave_seed(cal.seed, wave) % 2**31 + i
        em = Emulator(seed=seed).fit(x[ids], mean, var_mean)
        check = validate(x[ids], mean, var_mean, folds=min(10, len(ids)), seed=seed, emulator=em)
        out.fits.append(TargetFit(t.name, em, pooled, check.share_within_3, em.describe().length_scales))
    return out


def implausibilities(cal, wave: Wave, unit: np.ndarray, chunk: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    """(n, targets) implausibilities of unit-cube points under one wave's emulators, and the ratio of each
    point's emulator variance to the target's other variances."""
    imp = np.empty((len(unit), len(cal.targets)))
    ratio = np.empty_like(imp)
    for lo in range(0, len(unit), chunk):
        part = unit[lo:lo + chunk]
        for j, (t, fit) in enumerate(zip(cal.targets, wave.fits)):
            mean, var = fit.emulator.predict(part)
            other = t.sd**2 + t.discrepancy**2 + fit.var_stochastic
            imp[lo:lo + chunk, j] = hm.implausibility(t.target.observed, mean, t.sd**2, t.discrepancy**2, var,
                                                      fit.var_stochastic)
            ratio[lo:lo + chunk, j] = var / other if other > 0 else np.inf
    return imp, ratio


def candidates(cal) -> np.ndarray:
    return cal.space.sample_unit(cal.matching.candidates, seed=wave_seed(cal.seed, CANDIDATE_SEED_OFFSET), method="lhs")


def first_points(cal) -> np.ndarray:
    return cal.space.sample_unit(cal.matching.points, seed=wave_seed(cal.seed, 1), method="lhs")


def update(cal, wave: Wave, pool: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Score the prior sample with this wave's emulators: the new NROY mask, and the wave's diagnostics."""
    imp, ratio = implausibilities(cal, wave, pool[keep])
    names = [t.name for t in cal.targets]
    wave.ruled_out = hm.what_rules_out(imp, names, cal.matching.cutoff)
    stays = hm.not_ruled_out(imp, cal.matching.cutoff, cal.matching.rule)
    new_keep = keep.copy()
    new_keep[np.flatnonzero(keep)] = stays
    wave.nroy_share = float(new_keep.mean())
    wave.emulator_share = float(np.max(np.median(ratio[stays], axis=0))) if stays.any() else math.nan
    return new_keep


def stop_reason(cal, waves: list[Wave]) -> str | None:
    """Why the history match ends after the last of ``waves`` (None: go on)."""
    last = waves[-1]
    if last.nroy_share == 0.0:
        return "the NROY space is empty: no parameter values meet every target at once"
    if last.emulator_share < EMULATOR_SMALL:
        return (f"the emulators' variance is small against the other variances in the NROY space "
                f"(at most {last.emulator_share:.2f} of them)")
    if len(waves) >= 2 and waves[-2].nroy_share > 0 and last.nroy_share / waves[-2].nroy_share > STOPPED_SHRINKING:
        return f"the NROY space stopped shrinking ({waves[-2].nroy_share:.3%} -> {last.nroy_share:.3%} of the prior)"
    if len(waves) >= cal.matching.waves:
        return f"the last wave ({cal.matching.waves}) is done"
    return None


def nroy_mask(cal, waves: list[Wave], unit: np.ndarray) -> np.ndarray:
    """Points that no wave's emulators rule out."""
    keep = np.ones(len(unit), dtype=bool)
    for w in waves:
        if keep.any():
            imp, _ = implausibilities(cal, w, unit[keep])
            keep[np.flatnonzero(keep)] = hm.not_ruled_out(imp, cal.matching.cutoff, cal.matching.rule)
    return keep


def next_points(cal, wave_number: int, pool: np.ndarray, keep: np.ndarray, waves: list[Wave]) -> np.ndarray:
    """The next wave's design: spread over the NROY part of the prior sample.  When that part holds fewer
    points than a wave needs, more are found near them (Gaussian steps of 5% of each range, kept only if no
    wave rules them out), so that a small NROY space still gets a full wave."""
    seed = wave_seed(cal.seed, wave_number) % 2**32
    kept, n = pool[keep], cal.matching.points
    if 0 < len(kept) < 5 * n:
        rng = np.random.default_rng(seed)
        found = [kept]
        for _ in range(20):
            base = kept[rng.integers(len(kept), size=20 * n)]
            near = np.clip(base + rng.normal(0.0, 0.05, base.shape), 0.0, 1.0)
            found.append(near[nroy_mask(cal, waves, near)])
            if sum(len(f) for f in found) >= 5 * n:
                break
        kept = np.concatenate(found)
    return hm.next_wave(kept, np.ones(len(kept), dtype=bool), n, seed=seed)


def wave_dir(out: Path, wave: int) -> Path:
    return out / f"wave-{wave:02d}"


def wave_file(out: Path, wave: int) -> Path:
    return out / f"wave-{wave:02d}.toml"
