"""The policy in force at each date: the historical timeline replayed, gated by the levers.

``policy_timeline.csv`` (copied from the shared data with its sources) lists dated events; a
scenario may add its own.  The conscription campaigns are the decreed call-ups
(``conscription_callups.csv``: a forcing, so it is not in the targets table).  Lever switches turn a mechanism off:
a standing measure (e-register, exit ban, prison recruitment) is in force only while its switch is
on; a one-off event (a foreign contingent's arrival, a mobilisation) is skipped if its switch is off
when it falls due.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from importlib import resources

from draftsim.model.parameters import ParameterError, Parameters

KNOWN_EVENTS = {
    "war_start", "prisoner_recruitment", "mobilisation_target", "federal_bonus", "e_summons_law",
    "exit_ban_from_notice", "no_show_fine", "draft_age_max",
    "regional_bonus_moscow", "e_register", "foreign_troops", "regional_bonus_cuts",
    "e_summons_only", "conscription_year_round",
}
# Events recorded but not forcing anything: ``e_summons_only`` and ``conscription_year_round`` fall
# outside the modelled mechanisms or period.  (The observed mean regional bonus is a target, in
# national_targets.csv, not an event: the governors' rule sets the model's.)


@dataclass(frozen=True)
class Event:
    date: dt.date
    parameter: str
    value: str
    description: str = ""


@dataclass(frozen=True)
class Campaign:
    """A dated call-up: a conscription campaign or a mobilisation wave."""

    start: dt.date
    end: dt.date
    target_men: float

    def weeks(self) -> float:
        return max((self.end - self.start).days / 7.0, 1.0)

    def covers(self, date: dt.date) -> bool:
        return self.start <= date <= self.end


@dataclass
class Policy:
    """What is in force in a given week."""

    war_started: bool = False
    federal_bonus_rub: float = 0.0
    prisoner_recruitment: str = "off"
    exclusion_law: bool = False
    e_register: bool = False
    exit_ban: bool = False
    no_show_fine_rub: float = 3000.0
    draft_age_max: int = 27
    moscow_bonus_rub: float | None = None
    budget_pressure: bool = False
    foreign_arrivals_men: float = 0.0   # arriving this week
    mobilisation: Campaign | None = None
    conscription: Campaign | None = None
    mobilisation_announced: bool = False  # this week
    applied: list = field(default_factory=list)


def packaged(name: str):
    return resources.files("draftsim.model").joinpath("data", name)


def read_events(path=None) -> list[Event]:
    src = path or packaged("policy_timeline.csv")
    with src.open(encoding="utf-8") as fh:
        return [Event(dt.date.fromisoformat(r["date"]), r["parameter"], r["value"], r["event"]) for r in csv.DictReader(fh)]


def read_callups() -> list[Campaign]:
    with packaged("conscription_callups.csv").open(encoding="utf-8") as fh:
        return [Campaign(dt.date.fromisoformat(r["period_start"]), dt.date.fromisoformat(r["period_end"]), float(r["men"]))
                for r in csv.DictReader(fh)]


def validate_event(e: Event) -> None:
    if e.parameter not in KNOWN_EVENTS:
        raise ParameterError(f"events.parameter: unknown '{e.parameter}'; allowed: {', '.join(sorted(KNOWN_EVENTS))}")


class Timeline:
    """Replays events week by week and answers "what is in force now?".

    The lever switches are read every week (standing measures) or when an event falls due
    (one-off events), so a switch flipped mid-run acts from the next week.
    """

    def __init__(self, params: Parameters, extra_events: list[Event] = ()):
        self.params = params
        events = sorted([*read_events(), *extra_events], key=lambda e: e.date)
        for e in events:
            validate_event(e)
        self.events = events
        self.mobilisations = self._waves(events)
        self.callups = read_callups()
        self.policy = Policy(no_show_fine_rub=params.no_show_fine_rub, draft_age_max=params.conscription_age_max)
        self.decreed = Policy()   # the standing measures as decreed, before the lever switches
        self._next = 0

    def _enabled(self, e: Event) -> bool:
        """Events of a switched-off one-off mechanism (arrivals, mobilisation) are not replayed."""
        p = self.params
        gate = {
            "foreign_troops": p.foreign_troops_enabled,
            "mobilisation_target": p.mobilisation_enabled,
        }
        return gate.get(e.parameter, True)

    def _switch(self, pol: Policy) -> None:
        """Standing measures are in force when decreed and their switch is on, so a switch flipped
        mid-run acts from that week in either direction."""
        p, d = self.params, self.decreed
        pol.e_register = d.e_register and p.e_register_enabled
        pol.exit_ban = d.exit_ban and p.exit_ban_enabled
        pol.prisoner_recruitment = d.prisoner_recruitment if p.prison_recruitment_enabled else "off"

    @staticmethod
    def _waves(events: list[Event]) -> list[Campaign]:
        waves, open_start, target = [], None, 0.0
        for e in events:
            if e.parameter != "mobilisation_target":
                continue
            value = float(e.value or 0)
            if value > 0 and open_start is None:
                open_start, target = e.date, value
            elif value == 0 and open_start is not None:
                waves.append(Campaign(open_start, e.date, target))
                open_start = None
        if open_start is not None:  # announced, never declared complete: assume five weeks
            waves.append(Campaign(open_start, open_start + dt.timedelta(weeks=5), target))
        return waves

    def advance(self, week_start: dt.date) -> Policy:
        """Apply every event dated before the end of this week; return the policy in force."""
        pol = self.policy
        week_end = week_start + dt.timedelta(days=7)
        pol.foreign_arrivals_men = 0.0
        pol.mobilisation_announced = False
        pol.applied = []
        while self._next < len(self.events) and self.events[self._next].date < week_end:
            e = self.events[self._next]
            self._next += 1
            if self._enabled(e):
                self._apply(pol, e)
                self._apply(self.decreed, e)
                pol.applied.append(e)
        self._switch(pol)
        waves = self.mobilisations if self.params.mobilisation_enabled else []
        pol.mobilisation = next((w for w in waves if w.covers(week_start)), None)
        pol.conscription = next((c for c in self.callups if c.covers(week_start)), None)
        if pol.mobilisation is not None:
            pol.conscription = None  # commissariats do not run both at once (autumn 2022 was delayed to 1 Nov)
        return pol

    def _apply(self, pol: Policy, e: Event) -> None:
        name, v = e.parameter, e.value
        if name == "war_start":
            pol.war_started = True
        elif name == "federal_bonus":
            pol.federal_bonus_rub = float(v)
        elif name == "prisoner_recruitment":
            pol.prisoner_recruitment = v or "on"
        elif name == "mobilisation_target" and float(v or 0) > 0:
            pol.mobilisation_announced = True
        elif name == "e_summons_law":
            pol.exclusion_law = v != "off"
        elif name == "e_register":
            pol.e_register = v != "off"
        elif name == "exit_ban_from_notice":
            pol.exit_ban = v != "off"
        elif name == "no_show_fine":
            pol.no_show_fine_rub = float(v)
        elif name == "draft_age_max":
            pol.draft_age_max = int(float(v))
        elif name == "regional_bonus_moscow":
            pol.moscow_bonus_rub = float(v)
        elif name == "regional_bonus_cuts":
            pol.budget_pressure = v != "off"
        elif name == "foreign_troops":
            pol.foreign_arrivals_men += float(v)
