"""Who is killed, wounded or withdrawn at the front in a week.

Every soldier at the front faces the same weekly hazard of being killed (`kill_hazard_per_week`, scaled by
the `casualty_intensity` lever); the wounded come at a fixed ratio to the killed. Prisoner assault units
and foreign troops face a multiple of both hazards. A Russian soldier who is neither killed nor wounded
may still leave the front for other reasons (illness, desertion, transfer to the rear) at a constant
weekly rate, `non_combat_exit_per_week`. What follows a wound (back to duty or discharged) is the
soldier's own step (`agents/man.py`).
"""

from __future__ import annotations


def casualty_hazards(p, multiplier: float = 1.0) -> tuple[float, float]:
    """Weekly probability of being killed, and of being wounded if not killed, for a unit that faces
    ``multiplier`` times the front's hazard."""
    h_kill = min(p.kill_hazard_per_week * p.casualty_intensity, 1.0)
    h_wound = min(h_kill * p.wounded_to_killed, 1.0)
    return min(h_kill * multiplier, 1.0), min(h_wound * multiplier, 1.0)
