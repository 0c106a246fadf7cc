"""A plotly chart in the page: a small anywidget that hands a figure spec to plotly.js.

Why not ``solara.FigurePlotly``: it routes every update through plotly.py's validating
FigureWidget (~35 ms per chart per step here, ~350 ms for the page) and ships a 5 MB bundle per
chart.  This widget sends the figure as JSON and the browser redraws it with ``Plotly.react``;
plotly.js itself is loaded once per page from the server (``/static/assets/plotly.min.js``, the
copy inside the installed plotly package: see viz/server.py), never from a CDN.

The browser draws only the newest figure and only while the chart is in view, and tells the server
which revision it has drawn, so Play can wait for the page instead of running ahead of it.  Clicks
come back as ``{"event": "click", "customdata": ...}`` messages; the modebar's camera button saves
the chart as PNG.
"""

from __future__ import annotations

import anywidget
import traitlets

PLOTLY_URL = "static/assets/plotly.min.js"

ESM = """
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__draftsimPlotly) {
    // plotly.min.js is UMD: with Solara's require.js on the page it would register as an AMD module
    // instead of setting window.Plotly, so evaluate it with define/module/exports hidden.
    const base = document.baseURI.replace(/[^/]*$/, "");
    window.__draftsimPlotly = fetch(base + "%URL%").then((r) => {
      if (!r.ok) throw new Error("plotly.js not served: " + r.status);
      return r.text();
    }).then((code) => {
      new Function("define", "module", "exports", code).call(window, undefined, undefined, undefined);
      return window.Plotly;
    });
  }
  return window.__draftsimPlotly;
}

export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    const div = document.createElement("div");
    div.className = "draftsim-chart";
    el.appendChild(div);
    const config = () => ({
      displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false, showLink: false,
      modeBarButtonsToRemove: ["lasso2d", "select2d"],
      toImageButtonOptions: { format: "png", filename: model.get("filename"), scale: 2 },
    });
    // Draw the newest figure only: a figure that arrives while one is being drawn waits, and is
    // replaced by any newer one (Play never builds a backlog); a chart scrolled out of view waits
    // until it is seen again.
    let busy = false, dirty = false, visible = true;
    const draw = async () => {
      dirty = true;
      if (busy || !visible) return;
      busy = true;
      while (dirty && visible) {
        dirty = false;
        const fig = model.get("figure") || {};
        const revision = model.get("revision");
        const t0 = performance.now();
        try {
          await Plotly.react(div, fig.data || [], fig.layout || {}, config());
        } catch (err) {
          console.error("draftsim chart " + model.get("filename") + ": " + err);
        }
        div.dataset.revision = String(revision);
        div.dataset.drawMs = String(Math.round(performance.now() - t0));
        model.send({ event: "drawn", revision: revision });
      }
      busy = false;
    };
    await draw();   // the first draw also gives the div plotly's .on()
    model.on("change:figure", draw);
    const seen = new IntersectionObserver((entries) => {
      const now = entries.some((e) => e.isIntersecting);
      if (now !== visible) model.send({ event: "view", visible: now });
      visible = now;
      if (visible && dirty) draw();
    });
    seen.observe(div);
    div.on("plotly_click", (ev) => {
      const p = ev.points && ev.points[0];
      if (p) model.send({ event: "click", customdata: p.customdata ?? null, x: p.x ?? null, y: p.y ?? null });
    });
    return () => { seen.disconnect(); Plotly.purge(div); };
  },
};
""".replace("%URL%", PLOTLY_URL)


class PlotlyView(anywidget.AnyWidget):
    _esm = ESM
    figure = traitlets.Dict().tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)      # set with each figure; the page marks it when drawn
    filename = traitlets.Unicode("draftsim-chart").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drawn_revision = -1     # the newest revision the browser has drawn (-1: no browser has drawn yet)
        self.in_view = True          # False while the chart is scrolled out of view (it does not draw then)
        self.on_msg(self._on_browser)

    def _on_browser(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("event") == "drawn" and isinstance(content.get("revision"), int):
            self.drawn_revision = max(self.drawn_revision, content["revision"])
        elif content.get("event") == "view" and isinstance(content.get("visible"), bool):
            self.in_view = content["visible"]

    def caught_up(self, revision: int) -> bool:
        """Has the browser drawn ``revision`` (or does it not draw this chart now)?"""
        return self.drawn_revision < 0 or not self.in_view or self.drawn_revision >= revision
