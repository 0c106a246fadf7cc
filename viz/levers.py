"""The levers a student can move on the page, each bound to a model parameter and bounded.

The widget bounds each input in the browser; ``Lever.check`` bounds it again on the server, so a
crafted websocket message cannot push the model outside what the page offers.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftsim.model import Parameters
from draftsim.model.formats import whole


class LeverError(ValueError):
    """A lever value outside what the page allows (one line: the lever and its range)."""


@dataclass(frozen=True)
class Lever:
    parameter: str          # the model parameter it sets
    label: str
    kind: str               # "slider" or "switch"
    low: float = 0.0
    high: float = 1.0
    step: float = 0.1
    unit: str = ""
    help: str = ""

    def check(self, value) -> float | bool:
        """The value, validated and coerced, or LeverError naming the lever and what is allowed."""
        if self.kind == "switch":
            if not isinstance(value, bool):
                raise LeverError(f"{self.parameter}: got {value!r}; allowed: true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise LeverError(f"{self.parameter}: got {value!r}; allowed: a number in [{self.low:g}, {self.high:g}]")
        if not self.low <= value <= self.high:
            raise LeverError(f"{self.parameter}: got {value:g}; allowed: [{self.low:g}, {self.high:g}]")
        return float(value)

    def describe(self, value) -> str:
        if self.kind == "switch":
            return "on" if value else "off"
        return f"{whole(value)}{self.unit}" if self.step >= 1 else f"{value:g}{self.unit}"


LEVERS: tuple[Lever, ...] = (
    Lever("federal_bonus_multiplier", "Federal sign-on bonus", "slider", 0.0, 5.0, 0.1, "×",
          "multiplies the federal bonus decreed at each date (195,000 ₽, then 400,000 ₽ from Aug 2024)"),
    Lever("regional_bonus_multiplier", "Regional sign-on bonus", "slider", 0.0, 5.0, 0.1, "×",
          "multiplies the bonuses the 85 governors set"),
    Lever("e_register_enabled", "Electronic register", "switch",
          help="notices served electronically from 1 Nov 2024; hiding at another address stops working"),
    Lever("exit_ban_enabled", "Exit ban after a notice", "switch",
          help="from Aug 2023 a notified man may not leave the country"),
    Lever("enforcement", "Enforcement intensity", "slider", 0.0, 3.0, 0.1, "×",
          "how hard police and commissariats look for evaders"),
    Lever("hazing_reputation", "Hazing reputation", "slider", 0.0, 1.0, 0.05, "",
          "how notorious abuse in the barracks is (0 none, 1 notorious); deters volunteers"),
    Lever("casualty_intensity", "Casualty intensity", "slider", 0.0, 3.0, 0.1, "×",
          "multiplies the weekly risk of being killed or wounded at the front"),
    Lever("prison_recruitment_enabled", "Prisoner recruitment", "switch",
          help="Wagner, then the Ministry of Defence, recruits in prison colonies from Jul 2022"),
    Lever("foreign_troops_enabled", "Foreign contingent (as it happened)", "switch",
          help="North Korean troops arriving from Nov 2024"),
    Lever("foreign_men_per_month", "Foreign troops, extra", "slider", 0.0, 20_000.0, 500.0, " men/month",
          "a steady flow of allied troops on top of the timeline: what if?"),
)
BY_PARAMETER = {lever.parameter: lever for lever in LEVERS}


def lever(parameter: str) -> Lever:
    try:
        return BY_PARAMETER[parameter]
    except KeyError:
        raise LeverError(f"lever: got {parameter!r}; allowed: {', '.join(BY_PARAMETER)}") from None


def lever_values(params: Parameters) -> dict[str, float | bool]:
    return {name: getattr(params, name) for name in BY_PARAMETER}
