"""Every output column, declared once: what it counts, in what unit, where it appears and how it is drawn.

The ledger's flows, the national and regional tables, the outcomes an experiment may name, the
labels and colours of the figures and of the live view, the data dictionary (``columns.csv``) and
the column tables of README.md and docs/ODD.md are all read from :data:`COLUMNS`.

Kinds: ``key`` (step, date, region), ``flow`` (an amount during the week), ``stock`` (men in a state
at the end of the week), ``level`` (a running total or a policy level), ``switch`` (on or off).
Head counts are whole men (agents times their region's whole ``men_per_agent``) and stored as int64;
rubles, shares and targets as float64; dates as dates (pyarrow date32); switches as bool.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftsim.agents.states import Channel, Status

KINDS = ("key", "flow", "stock", "level", "switch")
SCOPES = ("national", "regional", "both")
DTYPES = ("int64", "float64", "bool", "date", "string")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    unit: str
    scope: str
    dtype: str
    meaning: str
    label: str = ""                 # how a figure, chart or legend names it
    colour: str | None = None       # where it is drawn
    ledger: str | None = None       # the ledger flow it reads: this week's (a flow) or the running total (a level)
    status: Status | None = None    # a stock: men of this status (prisoner recruits included)

    def __post_init__(self):
        if self.kind not in KINDS or self.scope not in SCOPES or self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: kind {self.kind!r}, scope {self.scope!r}, dtype {self.dtype!r}; "
                             f"allowed: {KINDS}, {SCOPES}, {DTYPES}")

    @property
    def national(self) -> bool:
        return self.scope in ("national", "both")

    @property
    def regional(self) -> bool:
        return self.scope in ("regional", "both")


def _men(name, kind, scope, meaning, label="", colour=None, ledger=None, status=None) -> Column:
    return Column(name, kind, "men", scope, "int64", meaning, label, colour, ledger, status)


def _flow(ledger, scope, meaning, label="", colour=None) -> Column:
    """A weekly head count booked in the ledger, reported as ``new_<ledger>``."""
    return _men(f"new_{ledger}", "flow", scope, meaning, label, colour, ledger=ledger)


def _stock(name, status, scope, meaning, label="", colour=None) -> Column:
    return _men(name, "stock", scope, meaning, label, colour, status=status)


N, R, B = "national", "regional", "both"
# Series drawn together (recruits by channel, evasion by tactic) take distinct hues of the Okabe-Ito palette,
# which colour-blind readers can tell apart; stocks keep the status colours of the live view's lives chart.
COLUMNS: tuple[Column, ...] = (
    Column("step", "key", "week", B, "int64", "step number, 0 for the first week"),
    Column("date", "key", "date", B, "date", "first day of the week"),
    Column("region", "key", "code", R, "string", "the region, by its ISO-style code (MOW: Moscow)"),
    Column("region_name", "key", "name", R, "string", "the region's name"),
    _men("men", "stock", R, "men of the region alive and not abroad: pool civilians plus non-prisoner agents"),
    # --- flows ---
    _flow("contracts", B, "contracts signed this week: civilians plus conscripts who signed", "contract volunteers", "#0072b2"),
    _flow("contracts_from_conscripts", N, "of which serving conscripts pressed to sign",
          "contract (serving conscripts)", "#90caf9"),
    _flow("conscripts", B, "men who reported on a conscription notice (e-notice compliers once it counts as served; "
          "evaders when caught or giving up)",
          "conscripts", "#e69f00"),
    _flow("mobilised", B, "men who reported on a mobilisation notice (e-notice compliers once it counts as served; "
          "evaders when caught or giving up)",
          "mobilised reservists", "#cc79a7"),
    _flow("prisoner_recruits", B, "prisoners taking a pardon offer", "prisoner recruits", "#8c564b"),
    _flow("foreign", N, "foreign troops arriving", "foreign troops", "#009e73"),
    _flow("notices_sent", N, "notices sent: electronic plus paper (paper notices beyond capacity are not sent)",
          "notices sent", "#fdd835"),
    _men("notices_sent", "flow", N, "a copy of new_notices_sent, under the name draftsim run has always written it",
         ledger="notices_sent"),
    _flow("notices_electronic", N, "of which electronic"),
    _flow("notices_failed", N, "paper notices that found nobody at the registered address (sent and failed)"),
    _flow("evaders", B, "served men who evaded the notice, all tactics"),
    _flow("evaders_emigrate", N, "of which went abroad", "notice evaded: emigrated", "#0072b2"),
    _flow("evaders_hide", N, "of which hid (left the registered address)", "notice evaded: hid", "#e69f00"),
    _flow("evaders_medical", N, "of which bought a medical exemption", "notice evaded: medical exemption", "#009e73"),
    _flow("evaders_drugs", N, "of which faked a drug dependency", "notice evaded: drug registration", "#cc79a7"),
    _flow("evaders_self_harm", N, "of which harmed themselves", "notice evaded: self-harm", "#d55e00"),
    _flow("emigrants", B, "all emigrants: notified men who fled plus pre-emptive emigrants"),
    _flow("emigrants_pre_emptive", N, "of which left before any notice", "pre-emptive emigration (no notice)", "#56b4e9"),
    _flow("killed", B, "Russian soldiers killed", "killed", "#b71c1c"),
    _flow("wounded", N, "Russian soldiers wounded", "wounded", "#ff8a65"),
    _flow("returned_to_duty", N, "wounded soldiers back at the front", "returned to duty", "#1565c0"),
    _flow("discharged", N, "soldiers leaving the forces alive: invalided, deserted and pardoned", "discharged", "#795548"),
    _flow("invalided", N, "of which wounded men invalided out of the forces"),
    _flow("deserted", N, "of which soldiers who deserted the front for good"),
    _flow("caught", N, "evaders caught, including exposed exemptions"),
    _flow("gave_up", N, "evaders who gave up"),
    _flow("returned_home", N, "emigrants coming home"),
    _flow("conscripts_released", N, "conscripts who finished their service and went back to the pool as reservists"),
    _flow("entrants", N, "men turning 16 joining the pool (first week of a year)"),
    _flow("aged_out", N, "idle civilians past 61.5 leaving the pool (first week of a year)"),
    _flow("pardoned", N, "Wagner recruits pardoned after their service"),
    _flow("foreign_killed", N, "foreign troops killed"),
    _flow("foreign_wounded", N, "wound events among foreign troops (the share 1 - wounded_return_share leaves the front)"),
    # --- stocks at the end of the week ---
    _stock("civilians", Status.CIVILIAN, N, "men in the civilian pool", "civilians", "#9e9e9e"),
    _stock("notified", Status.NOTIFIED, N, "men waiting for an e-notice to count as served"),
    _stock("in_training", Status.TRAINING, N, "recruits in training", "in training", "#90caf9"),
    _stock("conscripts_serving", Status.CONSCRIPT, N, "conscripts serving", "conscripts serving", "#64b5f6"),
    _stock("deployed", Status.DEPLOYED, B, "Russian soldiers at the front", "deployed (Russian)", "#0d47a1"),
    _stock("wounded_in_hospital", Status.WOUNDED, N, "wounded soldiers in hospital"),
    _stock("discharged_total", Status.DISCHARGED, N, "men who left the forces alive: invalided, deserted and pardoned"),
    _stock("abroad", Status.ABROAD, N, "emigrants abroad"),
    _stock("hiding", Status.HIDING, N, "evaders hiding"),
    _stock("medical_exempt", Status.MEDICAL_EXEMPT, N, "evaders holding a bought medical exemption"),
    _stock("drug_exempt", Status.DRUG_EXEMPT, N, "evaders registered as drug-dependent"),
    _stock("self_harmed", Status.SELF_HARMED, N, "evaders who harmed themselves"),
    _stock("killed_total", Status.KILLED, B, "Russian soldiers killed since the start", "killed (cumulative)", "#b71c1c"),
    *(_men(f"killed_total_{channel.value}", "level", B, f"of which {meaning}", ledger=f"killed_{channel.value}")
      for channel, meaning in (
          (Channel.REGULAR, "regulars of the invasion force"), (Channel.CONTRACT, "contract soldiers (incl. conscripts who signed)"),
          (Channel.CONSCRIPT, "conscripts (conscripts are not sent to the front: 0 unless that changes)"),
          (Channel.MOBILISED, "mobilised reservists"), (Channel.PRISONER, "prisoner recruits"))),
    # --- running totals and levels ---
    _men("wounded_total", "level", N, "wound events of Russian soldiers since the start", "wounded (cumulative)",
         "#ff8a65", ledger="wounded"),
    _men("emigrants_total", "level", B, "emigrants since the start", ledger="emigrants"),
    _men("recruits_total", "level", B, "men who entered the forces since the start: contracts from civilians, "
         "conscripts, mobilised and prisoners (a conscript who later signs is counted once)", "recruits", "#1e88e5"),
    _men("contracts_total", "level", R, "contracts signed since the start", ledger="contracts"),
    _men("mobilised_total", "level", R, "men who reported on a mobilisation notice since the start", ledger="mobilised"),
    _men("evaders_total", "level", R, "men who evaded a notice since the start", ledger="evaders"),
    _men("prison_population", "stock", B, "prisoners not (yet) recruited"),
    _men("foreign_deployed", "stock", N, "foreign troops at the front", "foreign deployed", "#26a69a"),
    _men("foreign_killed_total", "level", N, "foreign troops killed since the start"),
    Column("federal_bonus_rub", "level", "RUB", N, "float64", "the federal sign-on bonus in force "
           "(times federal_bonus_multiplier and bonus_multiplier)", "federal", "#3949ab"),
    Column("mean_regional_bonus_rub", "level", "RUB", N, "float64", "unweighted mean of the 85 regional bonuses "
           "(times regional_bonus_multiplier and bonus_multiplier)", "regional, mean of 85", "#fb8c00"),
    Column("regional_bonus_rub", "level", "RUB", R, "float64", "the region's sign-on bonus "
           "(times regional_bonus_multiplier and bonus_multiplier)", "regional", "#6a1b9a"),
    Column("quota_per_month", "level", "men per month", B, "float64",
           "recruitment quota: the region's, or nationally the sum over regions"),
    Column("bonus_paid_rub", "flow", "RUB", N, "float64", "sign-on bonuses paid to this week's contract recruits",
           ledger="bonus_paid_rub"),
    Column("fines_rub", "flow", "RUB", N, "float64", "fines charged to caught evaders and men giving up", ledger="fines_rub"),
    Column("alarm", "level", "index 0-1", N, "float64", "civilians' fear of the draft (alarm index)"),
    Column("e_register", "switch", "on/off", N, "bool", "the electronic register is in force"),
    Column("exit_ban", "switch", "on/off", N, "bool", "notified men may not leave the country"),
)
BY_NAME = {c.name: c for c in COLUMNS}
NATIONAL = tuple(c for c in COLUMNS if c.national)
REGIONAL = tuple(c for c in COLUMNS if c.regional)
NATIONAL_NAMES = tuple(c.name for c in NATIONAL)
REGIONAL_NAMES = tuple(c.name for c in REGIONAL)
FLOWS = tuple(c.name for c in NATIONAL if c.kind == "flow")
LEVELS = tuple(c.name for c in NATIONAL if c.kind in ("stock", "level"))     # what a "final" outcome may take
SWITCHES = tuple(c.name for c in NATIONAL if c.kind == "switch")
LEDGER_FLOWS = tuple(dict.fromkeys(c.ledger for c in COLUMNS if c.kind in ("flow", "level") and c.ledger))
LEDGER_TOTALS = tuple(c for c in COLUMNS if c.kind == "level" and c.ledger)
STOCKS = tuple(c for c in COLUMNS if c.status is not None)


def column(name: str) -> Column:
    return BY_NAME[name]


def label(name: str) -> str:
    return BY_NAME[name].label or name


def colour(name: str) -> str | None:
    return BY_NAME[name].colour


# --- frames ------------------------------------------------------------------------------------------
def typed(frame, columns=NATIONAL):
    """``frame`` with exactly the declared columns, in their order and dtypes.

    A head count that is not a whole number raises (it would be a bug: agents times a whole number of men),
    never rounded; a missing or an undeclared column raises too."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    names = [c.name for c in columns]
    extra = [n for n in frame.columns if n not in names]
    missing = [n for n in names if n not in frame.columns]
    if extra or missing:
        raise ValueError(f"table columns: undeclared {extra}, missing {missing} (model/columns.py declares them)")
    out = {}
    for c in columns:
        values = frame[c.name]
        if c.dtype == "int64":
            raw = values.to_numpy(dtype=np.float64)
            if not np.array_equal(raw, np.trunc(raw)):
                bad = raw[raw != np.trunc(raw)][0]
                raise ValueError(f"{c.name}: got {float(bad):g}; allowed: whole men (int64)")
            out[c.name] = raw.astype(np.int64)
        elif c.dtype == "date":
            out[c.name] = values.astype(pd.ArrowDtype(pa.date32()))
        elif c.dtype == "string":
            out[c.name] = values.astype(str)
        else:
            out[c.name] = values.to_numpy(dtype=c.dtype)
    return pd.DataFrame(out, index=frame.index)


def data_dictionary(columns=COLUMNS):
    """One row per column: what ``columns.csv`` of an output folder holds."""
    import pandas as pd

    fields = ("name", "kind", "unit", "dtype", "scope", "label", "meaning")
    return pd.DataFrame([[getattr(c, f) for f in fields] for c in columns], columns=list(fields))


def write_data_dictionary(folder, columns=COLUMNS):
    """``columns.csv`` in ``folder``: the data dictionary of the tables written there."""
    from pathlib import Path

    path = Path(folder) / "columns.csv"
    data_dictionary(columns).to_csv(path, index=False, lineterminator="\n")
    return path
