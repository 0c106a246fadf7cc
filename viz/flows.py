"""The Sankey of men: where they came from and where they went, in a week or since the start.

Civilian pool → notice served or contract signed → enlisted by channel or evaded by tactic →
deployed → killed, wounded (some return to duty) or discharged.  Prisoners and foreign troops
enter beside the civilian pool.  Flows are the model's weekly ledger (``new_*`` columns); a
week's Sankey shows that week's movements, not one cohort followed through.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftsim.model import columns as schema
from draftsim.model.formats import whole

NODES = (
    "Civilian men", "Prison colonies", "Allied states",
    "Notice served",
    "Contract", "Conscript", "Mobilised", "Prisoner recruit", "Foreign troops",
    "Evaded: abroad", "Evaded: hiding", "Evaded: medical exemption", "Evaded: drug registration",
    "Evaded: self-harm", "Emigrated before any notice",
    "Deployed",
    "Killed", "Wounded", "Returned to duty", "Discharged",
)
# a node that stands for one declared column takes its colour (model/columns.py), so the Sankey and the charts agree
NODE_COLUMNS = {
    "Civilian men": "civilians", "Notice served": "new_notices_sent", "Contract": "new_contracts",
    "Conscript": "new_conscripts", "Mobilised": "new_mobilised", "Prisoner recruit": "new_prisoner_recruits",
    "Foreign troops": "new_foreign", "Evaded: abroad": "new_evaders_emigrate", "Evaded: hiding": "new_evaders_hide",
    "Evaded: medical exemption": "new_evaders_medical", "Evaded: drug registration": "new_evaders_drugs",
    "Evaded: self-harm": "new_evaders_self_harm", "Emigrated before any notice": "new_emigrants_pre_emptive",
    "Deployed": "deployed", "Killed": "new_killed", "Wounded": "new_wounded", "Returned to duty": "new_returned_to_duty",
    "Discharged": "new_discharged",
}
COLOURS = {"Prison colonies": "#6d4c41", "Allied states": "#00897b",
           **{node: schema.colour(col) for node, col in NODE_COLUMNS.items()}}

# (source, target, how the value is read from the flows: column names added, minus those after "-")
LINKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Civilian men", "Notice served", ("notices_sent", "-notices_failed")),
    ("Civilian men", "Contract", ("contracts", "-contracts_from_conscripts")),
    ("Civilian men", "Emigrated before any notice", ("emigrants_pre_emptive",)),
    ("Prison colonies", "Prisoner recruit", ("prisoner_recruits",)),
    ("Allied states", "Foreign troops", ("foreign",)),
    ("Notice served", "Conscript", ("conscripts",)),
    ("Notice served", "Mobilised", ("mobilised",)),
    ("Notice served", "Evaded: abroad", ("evaders_emigrate",)),
    ("Notice served", "Evaded: hiding", ("evaders_hide",)),
    ("Notice served", "Evaded: medical exemption", ("evaders_medical",)),
    ("Notice served", "Evaded: drug registration", ("evaders_drugs",)),
    ("Notice served", "Evaded: self-harm", ("evaders_self_harm",)),
    ("Conscript", "Contract", ("contracts_from_conscripts",)),
    ("Contract", "Deployed", ("contracts",)),
    ("Mobilised", "Deployed", ("mobilised",)),
    ("Prisoner recruit", "Deployed", ("prisoner_recruits",)),
    ("Foreign troops", "Deployed", ("foreign",)),
    ("Deployed", "Killed", ("killed", "foreign_killed")),
    ("Deployed", "Wounded", ("wounded", "foreign_wounded")),
    ("Wounded", "Returned to duty", ("returned_to_duty",)),
    ("Deployed", "Discharged", ("discharged",)),
)


@dataclass(frozen=True)
class Sankey:
    labels: list[str]
    colours: list[str]
    source: list[int]
    target: list[int]
    value: list[float]

    def link(self, source: str, target: str) -> float:
        for s, t, v in zip(self.source, self.target, self.value):
            if self.labels[s].startswith(source) and self.labels[t].startswith(target):
                return v
        return 0.0


def link_value(flows: dict[str, float], terms: tuple[str, ...]) -> float:
    return max(sum(-flows[t[1:]] if t.startswith("-") else flows[t] for t in terms), 0.0)


def sankey(flows: dict[str, float]) -> Sankey:
    """Nodes and links for plotly, from flows keyed by ledger flow (``model.reporting.NATIONAL_FLOWS``).

    Links of zero men are left out, and so are the nodes they would leave empty.
    """
    links = [(s, t, link_value(flows, terms)) for s, t, terms in LINKS]
    links = [(s, t, v) for s, t, v in links if v > 0]
    used = [n for n in NODES if any(n in (s, t) for s, t, _ in links)]
    index = {n: i for i, n in enumerate(used)}
    through = {n: max(sum(v for s, _, v in links if s == n), sum(v for _, t, v in links if t == n)) for n in used}
    return Sankey(
        labels=[f"{n} {whole(through[n])}" for n in used],
        colours=[COLOURS[n] for n in used],
        source=[index[s] for s, _, _ in links],
        target=[index[t] for _, t, _ in links],
        value=[v for _, _, v in links],
    )


def week_flows(row: dict) -> dict[str, float]:
    """A national row's weekly flows, keyed without the ``new_`` prefix."""
    return {k[4:]: v for k, v in row.items() if k.startswith("new_")}
