"""The page's charts as plotly figure specs, built from a LiveSession (pure functions: no Solara).

Every time chart carries a marker at the current date and a dotted line, labelled, where a lever
was moved.  Figures are plain JSON-ready dicts ``{"data": [...], "layout": {...}}`` that the
browser draws with plotly.js (viz/plotly_view.py); building them through plotly.py's validating
classes would cost ~5x more per step (``tests/test_viz_charts.py`` validates them there instead).
"""

from __future__ import annotations

import numpy as np

from draftsim.model import columns as schema
from draftsim.model.units import WEEKS_PER_MONTH
from draftsim.viz import flows as fl
from draftsim.viz.lives import CODES, COLOURS, LABELS
from draftsim.viz.session import LiveSession

WEEK_MS = 7 * 86_400_000          # plotly date axes count in milliseconds
FONT = dict(family="Roboto, Arial, sans-serif", size=12)
HEIGHT = 300


def _layout(title: str, height: int = HEIGHT, **extra) -> dict:
    return {**dict(title=dict(text=title, x=0.01, font=dict(size=14)), height=height, font=FONT,
                   margin=dict(l=55, r=15, t=40, b=35), template="plotly_white", hovermode="x unified",
                   legend=dict(orientation="h", y=-0.18, x=0, font=dict(size=11)), uirevision="keep"), **extra}


def figure(data: list[dict], layout: dict) -> dict:
    return {"data": _jsonable(data), "layout": _jsonable(layout)}


def _jsonable(v):
    """numpy to lists, NaN to None (JSON has no NaN)."""
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "f":
            return [None if x != x else x for x in v.tolist()]
        return v.tolist()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


def weekly(s: LiveSession) -> dict:
    """x of a weekly series as start and step: plotly parses no date strings, the browser gets fewer bytes."""
    return dict(x0=s.history[0]["date"], dx=WEEK_MS)


def markers(s: LiveSession, yref: str = "paper") -> tuple[list[dict], list[dict]]:
    """Shapes and annotations: the current date and each lever change."""
    shapes = [dict(type="line", xref="x", yref=yref, x0=s.date, x1=s.date, y0=0, y1=1,
                   line=dict(color="#e53935", width=1.5))]
    notes = []
    for k, c in enumerate(s.changes):
        shapes.append(dict(type="line", xref="x", yref=yref, x0=c.date, x1=c.date, y0=0, y1=1,
                           line=dict(color="#616161", width=1, dash="dot")))
        notes.append(dict(x=c.date, y=1 - 0.09 * (k % 4), xref="x", yref="paper", text=c.text, showarrow=False,
                          xanchor="left", font=dict(size=9, color="#424242"), bgcolor="rgba(255,255,255,0.7)"))
    return shapes, notes


def _series(n, *names: str) -> list[tuple[str, str, np.ndarray]]:
    """Columns drawn as they are declared in model/columns.py: their label, their colour."""
    return [(schema.label(c), schema.colour(c), n(c)) for c in names]


def _lines(s: LiveSession, title: str, series: list[tuple[str, str, np.ndarray]], yaxis: dict | None = None) -> dict:
    x = weekly(s)
    shapes, notes = markers(s)
    data = [dict(type="scatter", mode="lines", name=name, y=y, line=dict(color=colour, width=1.6), **x)
            for name, colour, y in series]
    layout = _layout(title, shapes=shapes, annotations=notes, yaxis=dict(rangemode="tozero", **(yaxis or {})),
                     xaxis=dict(type="date", nticks=6))
    return figure(data, layout)


def recruits_by_channel(s: LiveSession) -> dict:
    n = s.national_series
    return _lines(s, "Recruits per week, by channel", [
        ("contract (civilians)", schema.colour("new_contracts"), n("new_contracts") - n("new_contracts_from_conscripts")),
        *_series(n, "new_contracts_from_conscripts", "new_conscripts", "new_mobilised", "new_prisoner_recruits", "new_foreign"),
    ])


def evasion_by_tactic(s: LiveSession) -> dict:
    n = s.national_series
    return _lines(s, "Evasion per week, by tactic", _series(
        n, "new_evaders_emigrate", "new_evaders_hide", "new_evaders_medical", "new_evaders_drugs", "new_evaders_self_harm",
        "new_emigrants_pre_emptive"))


def deployed_force(s: LiveSession) -> dict:
    return _lines(s, "Men under arms", _series(s.national_series, "deployed", "in_training", "conscripts_serving",
                                               "foreign_deployed"))


def casualties(s: LiveSession) -> dict:
    n = s.national_series
    return _lines(s, "Casualties per week", [
        ("killed", schema.colour("new_killed"), n("new_killed") + n("new_foreign_killed")),
        ("wounded", schema.colour("new_wounded"), n("new_wounded") + n("new_foreign_wounded")),
    ])


def bonus_levels(s: LiveSession, region_index: int | None = None) -> dict:
    n = s.national_series
    series = _series(n, "federal_bonus_rub", "mean_regional_bonus_rub")
    if region_index is not None:
        series.append((f"regional, {s.region_names()[region_index]}", schema.colour("regional_bonus_rub"),
                       s.region_series(region_index, "regional_bonus_rub")))
    return _lines(s, "Sign-on bonus (₽)", series, yaxis=dict(tickformat=",.0f"))


def quota_fulfilment(s: LiveSession) -> dict:
    n = s.national_series
    contracts = n("new_contracts")
    monthly = np.convolve(contracts, np.ones(4) / 4, mode="full")[: len(contracts)] * WEEKS_PER_MONTH
    quota = n("quota_per_month")
    share = np.divide(monthly, quota, out=np.full_like(monthly, np.nan), where=quota > 0)
    fig = _lines(s, "Contracts against the federal target (4-week mean)", [("contracts / target", "#1e88e5", share)],
                 yaxis=dict(tickformat=".0%"))
    fig["layout"]["shapes"].append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=1, y1=1,
                                        line=dict(color="#9e9e9e", dash="dash", width=1)))
    return fig


TIME_SERIES = {
    "recruits": recruits_by_channel, "evasion": evasion_by_tactic, "deployed": deployed_force,
    "casualties": casualties, "bonus": bonus_levels, "quota": quota_fulfilment,
}


def flows_sankey(s: LiveSession, cumulative: bool) -> dict:
    flows = dict(s.totals) if cumulative else fl.week_flows(s.model.latest)
    sk = fl.sankey(flows)
    title = f"Flows of men since {s.history[0]['date']}" if cumulative else f"Flows of men in the week of {s.date}"
    data = [dict(type="sankey", arrangement="snap", valueformat=",.0f",
                 node=dict(label=sk.labels, color=sk.colours, pad=12, thickness=14, line=dict(width=0)),
                 link=dict(source=sk.source, target=sk.target, value=sk.value, color="rgba(120,120,120,0.25)"))]
    return figure(data, _layout(title, height=420, hovermode="closest"))


MAP_METRICS = {
    "recruits": ("recruits_total", "Recruits per 10,000 men"),
    "deaths": ("killed_total", "Deaths per 10,000 men"),
}
MAP_WINDOWS = {"all": "since the start", "13w": "last 13 weeks"}


def map_rates(s: LiveSession, metric: str, window: str) -> np.ndarray:
    column, _ = MAP_METRICS[metric]
    latest = s.region_latest()
    now = np.asarray(latest[column], dtype=float)
    if window == "13w":
        past = s.model.region_history[max(len(s.model.region_history) - 14, 0)]
        now = now - np.asarray(past[column], dtype=float) if len(s.model.region_history) > 13 else now
    men = np.asarray(latest["men"], dtype=float)
    return np.divide(now * 1e4, men, out=np.zeros_like(now), where=men > 0)


def region_map(s: LiveSession, metric: str = "recruits", window: str = "all", selected: int | None = None) -> dict:
    """Regions at their capitals (longitude against latitude, shrunk by cos 60° so Russia keeps its shape)."""
    regions = s.model.regions
    latest = s.region_latest()
    rate = map_rates(s, metric, window)
    men = np.asarray(latest["men"], dtype=float)
    killed = np.asarray(latest["killed_total"], dtype=float)
    recruits = np.asarray(latest["recruits_total"], dtype=float)
    bonus = np.asarray(latest["regional_bonus_rub"], dtype=float)
    size = 6 + 30 * np.sqrt(men / max(men.max(), 1.0))
    custom = [[r.iso, r.name, m, rc, k, b] for r, m, rc, k, b in zip(regions, men, recruits, killed, bonus)]
    _, label = MAP_METRICS[metric]
    data = [dict(
        type="scatter", mode="markers", x=[r.lon for r in regions], y=[r.lat for r in regions], customdata=custom,
        marker=dict(size=size, color=rate, colorscale="YlOrRd", reversescale=True, cmin=0, showscale=True,
                    line=dict(width=0.5, color="#555"),
                    colorbar=dict(title=dict(text="per 10k", font=dict(size=10)), thickness=10)),
        hovertemplate=("<b>%{customdata[1]}</b> (%{customdata[0]})<br>men 16-61: %{customdata[2]:,.0f}"
                       "<br>recruits: %{customdata[3]:,.0f}<br>killed: %{customdata[4]:,.0f}"
                       "<br>regional bonus: %{customdata[5]:,.0f} ₽<br>" + label + ": %{marker.color:.1f}<extra></extra>"),
    )]
    if selected is not None:
        r = regions[selected]
        data.append(dict(type="scatter", mode="markers", x=[r.lon], y=[r.lat], hoverinfo="skip", showlegend=False,
                         marker=dict(size=float(size[selected]) + 8, color="rgba(0,0,0,0)", line=dict(width=2.5, color="#1e88e5"))))
    layout = _layout(f"{label}, {MAP_WINDOWS[window]} — click a region", height=420, hovermode="closest", showlegend=False,
                     xaxis=dict(visible=False, range=[18, 182]),
                     yaxis=dict(visible=False, range=[40, 72], scaleanchor="x", scaleratio=2.0),
                     plot_bgcolor="#f5f7fa")
    return figure(data, layout)


def region_panel(s: LiveSession, region_index: int) -> dict:
    """The region against the national average: recruits, evaders, deaths per 10,000 men and the bonus."""
    x = weekly(s)
    hist = s.model.region_history
    men = np.array([w["men"][region_index] for w in hist], dtype=float)
    men_all = np.array([float(np.sum(w["men"])) for w in hist])

    def per10k(column: str, diff: bool = False):
        mine = s.region_series(region_index, column)
        allr = np.array([float(np.sum(w[column])) for w in hist])
        if diff:
            mine, allr = np.diff(mine, prepend=0.0), np.diff(allr, prepend=0.0)
        return mine * 1e4 / np.maximum(men, 1), allr * 1e4 / np.maximum(men_all, 1)

    panels = [
        ("recruits per 10k, weekly", per10k("recruits_total", diff=True)),
        ("evaded per 10k, weekly", per10k("new_evaders")),
        ("killed per 10k, total", per10k("killed_total")),
        ("regional bonus, ₽", (s.region_series(region_index, "regional_bonus_rub"), s.national_series("mean_regional_bonus_rub"))),
    ]
    name = s.region_names()[region_index]
    data, layout = [], _layout(f"{name} against the national average", height=460, hovermode="x unified")
    shapes, _ = markers(s)
    layout["shapes"], layout["annotations"] = [], []
    for k, (title, (mine, nat)) in enumerate(panels):
        row, col = divmod(k, 2)
        ax = "" if k == 0 else str(k + 1)
        xd = [0.0, 0.47] if col == 0 else [0.53, 1.0]
        yd = [0.58, 0.92] if row == 0 else [0.06, 0.40]
        layout[f"xaxis{ax}"] = dict(domain=xd, anchor=f"y{ax}", type="date", nticks=4)
        layout[f"yaxis{ax}"] = dict(domain=yd, anchor=f"x{ax}", rangemode="tozero")
        data.append(dict(type="scatter", mode="lines", **x, y=mine, name=name, legendgroup="r", showlegend=k == 0,
                         line=dict(color="#6a1b9a", width=1.6), xaxis=f"x{ax}", yaxis=f"y{ax}"))
        data.append(dict(type="scatter", mode="lines", **x, y=nat, name="Russia", legendgroup="n", showlegend=k == 0,
                         line=dict(color="#9e9e9e", width=1.4), xaxis=f"x{ax}", yaxis=f"y{ax}"))
        layout["annotations"].append(dict(text=title, x=xd[0], y=yd[1] + 0.02, xref="paper", yref="paper",
                                          showarrow=False, xanchor="left", yanchor="bottom", font=dict(size=11)))
        layout["shapes"].extend({**sh, "xref": f"x{ax}", "yref": f"y{ax} domain"} for sh in shapes)
    layout["legend"] = dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom", font=dict(size=11))
    return figure(data, layout)


def lives_chart(s: LiveSession, region_index: int, touched_only: bool) -> dict:
    lives = s.lives(region_index, touched_only)
    position = {c: i for i, c in enumerate(CODES)}
    z = [[position[int(c)] for c in life.statuses] for life in lives]
    text = [[LABELS[int(c)] for c in life.statuses] for life in lives]
    y = [f"man {k + 1}, {life.age_at_start:.0f} in 2022" for k, life in enumerate(lives)]
    n = len(CODES) - 1
    scale = []
    for i, c in enumerate(CODES):
        scale += [[i / (n + 1), COLOURS[c]], [(i + 1) / (n + 1), COLOURS[c]]]
    data = [dict(type="heatmap", **weekly(s), y=y, z=z, text=text, zmin=-0.5, zmax=n + 0.5, colorscale=scale, showscale=False,
                 xgap=0, ygap=2, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>")]
    # a legend of statuses as invisible markers
    seen = sorted({int(c) for life in lives for c in life.statuses}, key=position.get)
    data += [dict(type="scatter", mode="markers", x=[None], y=[None], name=LABELS[c], showlegend=True,
                  marker=dict(size=10, symbol="square", color=COLOURS[c])) for c in seen]
    who = "men something happened to" if touched_only else "men drawn at random"
    layout = _layout(f"Lives: {len(lives)} {who}, {s.region_names()[region_index]}", height=120 + 26 * max(len(lives), 1),
                     hovermode="closest", xaxis=dict(type="date", nticks=8), yaxis=dict(autorange="reversed"),
                     margin=dict(l=120, r=15, t=40, b=35))
    layout["legend"] = dict(orientation="h", y=-0.12, x=0, font=dict(size=10), yanchor="top")
    if not lives:
        layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
        layout["annotations"] = [dict(text="Nothing has happened yet to the men watched here:<br>switch the filter off to see them",
                                      x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=12, color="#666"))]
    return figure(data, layout)

