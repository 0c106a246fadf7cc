"""A plotly chart in the page: a small anywidget that hands a figure spec to plotly.js.

Why not ``solara.FigurePlotly``: it routes every update through plotly.py's validating
FigureWidget (~35 ms per chart per step here, ~350 ms for the page) and ships a 5 MB bundle per
chart.  This widget sends the figure as JSON and the browser redraws it with ``Plotly.react``;
plotly.js itself is loaded once per page from the server (``/static/assets/plotly.min.js``, the
copy inside the installed plotly package: see viz/server.py), never from a CDN.

The browser reports clicks back as ``{"event": "click", "customdata": ...}`` messages; the modebar's
camera button saves the chart as PNG.
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
      displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["lasso2d", "select2d"],
      toImageButtonOptions: { format: "png", filename: model.get("filename"), scale: 2 },
    });
    let drawn = Promise.resolve();
    const draw = () => {
      const fig = model.get("figure") || {};
      drawn = drawn.then(() => Plotly.react(div, fig.data || [], fig.layout || {}, config())).then(() => {
        div.dataset.revision = String(model.get("revision"));
      });
    };
    draw();
    await drawn;   // plotly adds .on() to the div when it first draws
    model.on("change:figure", draw);
    div.on("plotly_click", (ev) => {
      const p = ev.points && ev.points[0];
      if (p) model.send({ event: "click", customdata: p.customdata ?? null, x: p.x ?? null, y: p.y ?? null });
    });
    return () => Plotly.purge(div);
  },
};
""".replace("%URL%", PLOTLY_URL)


class PlotlyView(anywidget.AnyWidget):
    _esm = ESM
    figure = traitlets.Dict().tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)      # set with each figure; the page marks it when drawn
    filename = traitlets.Unicode("draftsim-chart").tag(sync=True)
