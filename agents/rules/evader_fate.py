"""What an evader does next: weekly hazards of being caught, giving up or coming home.

* A hiding man is caught more easily the bigger his digital footprint and the stronger the
  enforcement, and far more easily once the electronic register is on.  He gives up (reports)
  at a background rate, plus, once economic exclusion bites (20 days after the notice is
  served), a rate that grows with what he has to lose online.
* A bought medical exemption is exposed at a small rate scaled by enforcement.
* An emigrant comes home at a constant rate (~25% within two years).
"""

from __future__ import annotations


def catch_hazard(p, footprint, enforcement, e_register):
    h = p.hide_catch_per_week * enforcement * (0.5 + footprint)
    return min(h * (p.e_register_catch_multiplier if e_register else 1.0), 1.0)


def give_up_hazard(p, footprint, weeks_since_notice, exclusion_law):
    h = p.give_up_per_week
    if exclusion_law and weeks_since_notice * 7 >= p.exclusion_after_days:
        h += p.exclusion_give_up_per_week * footprint
    return min(h, 1.0)


def catch_hazard_bound(p, enforcement, e_register):
    """The largest catch hazard any hiding man can have (footprint 1), for thinning."""
    return catch_hazard(p, 1.0, enforcement, e_register)


def give_up_hazard_bound(p, exclusion_law):
    return give_up_hazard(p, 1.0, 10**6, exclusion_law)


def exposure_hazard(p, enforcement):
    return min(p.medical_detection_per_week * enforcement, 1.0)


def return_hazard(p):
    return p.emigrant_return_per_week
