"""Issue 12's goals: where the burden of the war falls, by region, by channel and over time.

Each goal reads one or more targets of the targets tables (``experiments/targets.py``) through their
observation models and says whether the model meets it.  Most goals are a target's band (the band was set
to the goal); the regional rank correlation's goal, 0.6, is looser than its target's band (0.8-1.0), which
states where a perfect model would land.

:func:`evaluate` takes ``{target name: model value}`` (one run's, or an ensemble's median); a goal whose
targets the run does not reach, or cannot compute (the dead by channel need the model's
``killed_total_<channel>`` columns), is neither met nor missed (``met = None``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from draftsim.model.formats import compact

TITLE = "Where the burden falls (issue 12's goals)"
SHARES = {"killed_share_professional_2023_04": "professional", "killed_share_volunteers_2023_04": "volunteers",
          "killed_share_mobilised_2023_04": "mobilised", "killed_share_prisoners_2023_04": "prisoners"}


@dataclass(frozen=True)
class Goal:
    label: str
    targets: tuple[str, ...]
    rule: str                       # "at_least": the value >= threshold; "in_band": every target inside its band
    threshold: float | None = None


@dataclass(frozen=True)
class Status:
    label: str
    value: str                      # the model's figure as shown
    goal: str                       # the goal as shown
    met: bool | None                # None: not reached or not computable


GOALS = (
    Goal("regional deaths to Apr 2023: rank corr.", ("regional_deaths_rank_2023_04",), "at_least", 0.6),
    Goal("regional deaths: sd of log rate", ("regional_deaths_log_sd_2023_04",), "in_band"),
    Goal("Tuva's rank (1 = highest rate)", ("regional_deaths_rank_tuva_2023_04",), "in_band"),
    Goal("Buryatia's rank", ("regional_deaths_rank_buryatia_2023_04",), "in_band"),
    Goal("Moscow's rank", ("regional_deaths_rank_moscow_2023_04",), "in_band"),
    Goal("St Petersburg's rank", ("regional_deaths_rank_st_petersburg_2023_04",), "in_band"),
    Goal("the dead by channel, Apr 2023", tuple(SHARES), "in_band"),
    Goal("deaths by month: corr. of changes", ("named_deaths_monthly_changes_2022_2024",), "at_least", 0.5),
    Goal("Bakhmut: deaths Jan-Mar / Apr-Sep 2023", ("named_deaths_bakhmut_ratio_2023",), "at_least", 1.3),
    Goal("mean regional bonus, March 2024", ("mean_regional_bonus_2024_03",), "in_band"),
    Goal("mean regional bonus, April 2025", ("mean_regional_bonus_2025_04",), "in_band"),
)


def _number(x: float, unit: str) -> str:
    if unit == "RUB":
        return compact(x, None)
    if unit == "rank":
        return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"
    return f"{x:.2f}"


def evaluate(values: dict[str, float], targets=None) -> list[Status]:
    """The status of every goal given the model's value of each target (missing or NaN: not reached)."""
    from draftsim.experiments.targets import read_targets

    by = {t.name: t for t in (targets if targets is not None else read_targets())}
    out = []
    for g in GOALS:
        ts = [by[n] for n in g.targets]
        got = [values.get(n, math.nan) for n in g.targets]
        known = all(v is not None and math.isfinite(v) for v in got)
        if len(ts) > 1:                 # shares of the dead: the worst gap, in points
            goal = "each within ±8 pts"
            if not known:
                out.append(Status(g.label, "n/a", goal, None))
                continue
            gaps = {SHARES[t.name]: 100 * (v - t.observed) for t, v in zip(ts, got)}
            worst = max(gaps, key=lambda k: abs(gaps[k]))
            met = all(t.in_band(v) for t, v in zip(ts, got))
            out.append(Status(g.label, f"{worst} {gaps[worst]:+.0f} pts", goal, met))
            continue
        t, v = ts[0], got[0]
        if g.rule == "at_least":
            goal = f">= {g.threshold:g}"
            met = (v >= g.threshold) if known else None
        elif t.unit == "rank":
            goal = f"top {t.high:.0f}" if t.low == 1 else f"bottom {t.high - t.low + 1:.0f}"
            met = t.in_band(v) if known else None
        else:
            goal = f"{_number(t.low, t.unit)}-{_number(t.high, t.unit)}"
            met = t.in_band(v) if known else None
        out.append(Status(g.label, _number(v, t.unit) if known else "n/a", goal, met))
    return out


def mark(met: bool | None) -> str:
    return {True: "✓", False: "✗", None: "-"}[met]


def block(statuses: list[Status]) -> str:
    """The goals as a few lines of text for the run's summary (under 100 columns)."""
    width = max(len(s.label) for s in statuses)
    vwidth = max(len(s.value) for s in statuses)
    met = sum(s.met is True for s in statuses)
    judged = sum(s.met is not None for s in statuses)
    lines = [f"{TITLE}: {met} of {judged} met" + (f" ({len(statuses) - judged} not computable)" if judged < len(statuses) else "")]
    lines += [f"  {s.label:<{width}}  {s.value:>{vwidth}}  goal {s.goal:<20} {mark(s.met)}".rstrip() for s in statuses]
    return "\n".join(lines)


def model_values(model) -> dict[str, float]:
    """Every goal's target value of one run that has run (as the source would count; NaN if not reached)."""
    from draftsim.experiments.targets import compare, read_targets

    wanted = {n for g in GOALS for n in g.targets}
    targets = tuple(t for t in read_targets() if t.name in wanted)
    table = compare(model.national_frame(), targets, model)
    return dict(zip(table["target"], table["model"].astype(float))) if len(table) else {}
