"""The widgets a step of the live view updates directly: charts, monitors and texts on a :class:`Board`."""

from __future__ import annotations

import time

import solara

from draftsim.viz.plotly_view import PlotlyView
from draftsim.viz.session import LiveSession


def testid(name: str, *children) -> solara.v.Html:
    return solara.v.Html(tag="div", attributes={"data-testid": name}, children=list(children))


class Board:
    """The widgets a step updates directly, one board per browser session.

    A step changes numbers, not the page's structure, so it bypasses reacton: each chart, monitor
    and text registers a widget and a function that computes its content, and ``update`` sets them
    all (~25 ms a week at the default scale).  A full reacton render of the page costs 60-250 ms and
    would make Play stutter; reacton renders only when the user changes something.
    """

    def __init__(self, session: LiveSession):
        self.session = session
        self.version = 0
        self.charts: dict[str, tuple] = {}
        self.texts: dict[str, tuple] = {}

    def attach_chart(self, name: str, widget: PlotlyView, build) -> None:
        self.charts[name] = (widget, build)
        with self.session.lock:
            fig = build()
        widget.revision = self.version
        widget.figure = fig

    def attach_text(self, name: str, widget, compute) -> None:
        self.texts[name] = (widget, compute)
        with self.session.lock:
            widget.children = [compute()]

    def detach(self, name: str, widget) -> None:
        for table in (self.charts, self.texts):
            if name in table and table[name][0] is widget:
                del table[name]

    def update(self) -> None:
        self.version += 1
        with self.session.lock:       # the Play thread may be stepping: read one consistent week
            figures = [(w, build()) for w, build in list(self.charts.values())]
            texts = [(w, compute()) for w, compute in list(self.texts.values())]
        for w, text in texts:
            w.children = [text]
        for w, fig in figures:
            w.revision = self.version   # first: the browser marks the revision it holds when it draws
            w.figure = fig

    def wait_until_shown(self, revision: int, timeout: float = 2.0) -> None:
        """Wait until the browser has drawn ``revision`` on every chart in view (a closed tab: ``timeout``)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all(w.caught_up(revision) for w, _ in list(self.charts.values())):
                return
            time.sleep(0.005)


@solara.component
def Chart(name: str, build, board: Board, on_click=None):
    """A plotly chart drawn from ``build()``, redrawn by the board after every step; ``on_click``
    receives the clicked point's customdata.  The figure goes to the widget directly, never as a prop:
    reacton would walk and compare every nested list of every figure on each render."""
    el = PlotlyView.element(filename=f"draftsim-{name}")

    def attach():
        widget = solara.get_widget(el)
        board.attach_chart(name, widget, build)     # every render: the toggles and region live in `build`
        return lambda: board.detach(name, widget)

    solara.use_effect(attach)

    def listen():
        widget = solara.get_widget(el)

        def handle(_, content, __):
            if on_click is not None and isinstance(content, dict) and content.get("event") == "click":
                on_click(content.get("customdata"))

        widget.on_msg(handle)
        return lambda: widget.on_msg(handle, remove=True)

    solara.use_effect(listen, [on_click])
    return testid(f"chart-{name}", el)


@solara.component
def Live(name: str, compute, board: Board, style: str = "", tag: str = "div"):
    """Text the board recomputes after every step."""
    el = solara.v.Html(tag=tag, attributes={"data-testid": name}, style_=style)   # children: set by the board only

    def attach():
        widget = solara.get_widget(el)
        board.attach_text(name, widget, compute)
        return lambda: board.detach(name, widget)

    solara.use_effect(attach)
    return el


@solara.component
def Monitor(label: str, name: str, compute, board: Board):
    with solara.Card(style="min-width: 130px; padding: 6px 10px; margin: 3px;", elevation=1):
        solara.Text(label, style="font-size: 11px; color: #666;")
        Live(f"monitor-{name}", compute, board, style="font-size: 18px; font-weight: 500;")
