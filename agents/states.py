"""The states a represented man can be in, the tactics of evasion and the recruitment channels."""

from enum import Enum, IntEnum


class Status(IntEnum):
    """Where a man is.  Every represented man is in exactly one status at every step."""

    CIVILIAN = 0        # in his region's pool, living his civilian life
    NOTIFIED = 1        # a notice has been served; he has not yet reported
    TRAINING = 2        # reported or enlisted, not yet at the front
    CONSCRIPT = 3       # serving his 12 months of conscription (not sent to the front)
    DEPLOYED = 4        # at the front
    WOUNDED = 5         # in hospital
    KILLED = 6
    DISCHARGED = 7      # left the army: invalided out or pardoned
    # evader statuses (agents.evader.Evader)
    ABROAD = 8          # emigrated, before or after a notice
    HIDING = 9          # left his registered address
    MEDICAL_EXEMPT = 10  # medical exemption bought by fraud or bribe
    DRUG_EXEMPT = 11    # faked drug dependency: registered, exempt, loses his driving licence
    SELF_HARMED = 12    # unfit after self-inflicted injury

    @property
    def is_evading(self) -> bool:
        return self >= Status.ABROAD


class Tactic(Enum):
    """How a notified man evades (or not)."""

    COMPLY = "comply"
    EMIGRATE = "emigrate"
    HIDE = "hide"
    MEDICAL = "medical"
    DRUGS = "drugs"
    SELF_HARM = "self_harm"


# states a man never leaves: kept as counts only (agents.person)
FINAL = frozenset({Status.KILLED, Status.DISCHARGED, Status.DRUG_EXEMPT, Status.SELF_HARMED})

EVASION_STATUS = {
    Tactic.EMIGRATE: Status.ABROAD,
    Tactic.HIDE: Status.HIDING,
    Tactic.MEDICAL: Status.MEDICAL_EXEMPT,
    Tactic.DRUGS: Status.DRUG_EXEMPT,
    Tactic.SELF_HARM: Status.SELF_HARMED,
}


class NoticeKind(Enum):
    CONSCRIPTION = "conscription"
    MOBILISATION = "mobilisation"


class Channel(Enum):
    """How a recruit entered the army (columns new_<channel> in the outputs)."""

    CONTRACT = "contracts"
    CONSCRIPT = "conscripts"
    MOBILISED = "mobilised"
    PRISONER = "prisoner_recruits"
    REGULAR = "regulars"   # the force deployed on the first day
