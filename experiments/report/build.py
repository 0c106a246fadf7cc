"""Putting a report together: read the sweep, draw, tabulate, write REPORT.md, all in a staged folder."""

from __future__ import annotations

from pathlib import Path

from draftsim.experiments.outdir import StagedDir
from draftsim.experiments.report.figures import fan_figures, heatmap_figures, response_figures, sensitivity_figures
from draftsim.experiments.report.load import load_sweep
from draftsim.experiments.report.render import render
from draftsim.experiments.report.tables import write_tables


def build_report(sweep_dir: Path | str, out_dir: Path | str | None = None) -> Path:
    """Write the report of the finished sweep in ``sweep_dir`` to ``out_dir`` (default ``sweep_dir/report``,
    which must be new or empty) and return the report folder."""
    sweep_dir = Path(sweep_dir)
    out = Path(out_dir) if out_dir is not None else sweep_dir / "report"
    sweep = load_sweep(sweep_dir)
    staged = StagedDir(out, option="--out")
    staged.check()                                      # fail before drawing anything
    with staged as tmp:
        figures = tmp / "figures"
        drawn = [*response_figures(sweep, figures), *heatmap_figures(sweep, figures),
                 *sensitivity_figures(sweep, figures), *fan_figures(sweep, figures)]
        tables = write_tables(sweep, tmp / "tables")
        if sweep.experiment_text:
            (tmp / "experiment.toml").write_text(sweep.experiment_text, encoding="utf-8")
        (tmp / "sweep_manifest.json").write_bytes((sweep_dir / "manifest.json").read_bytes())
        (tmp / "REPORT.md").write_text(render(sweep, drawn, tables, staged.path), encoding="utf-8")
    return staged.path
