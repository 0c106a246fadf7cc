"""The report of a finished sweep: ``draftsim report DIR`` builds a publication bundle from its folder.

Reads the sweep's ``runs.parquet``, ``timeseries.parquet``, ``manifest.json``, ``failures.jsonl`` and
``sensitivity.csv`` (sobol/morris) and writes, into a new folder (default ``DIR/report``)::

    REPORT.md                     what was run, provenance, figures inline, how to reproduce
    figures/<stem>.{png,svg,pdf}  PNG at 300 dpi; stems: response_<outcome>_vs_<factor>,
                                  response_<outcome>_by_point (list designs), heatmap_<outcome>,
                                  sobol_<outcome>, morris_mu_star_<outcome>, morris_sigma_<outcome>,
                                  fan_<column>
    tables/summary.{csv,md,tex}   per design point and outcome: n, mean, sd, 95% CI over replicates
    tables/sensitivity.{csv,md,tex}   sobol/morris indices, when the sweep has them
    experiment.toml, sweep_manifest.json   copies, so the bundle stands alone

Failed runs are left out of every statistic and figure, and counted and listed in REPORT.md.
The folder is staged and renamed into place (see :class:`draftsim.experiments.outdir.StagedDir`), so an
existing report is never overwritten and a failure leaves nothing behind.

Its rooms: :mod:`.load` reads the sweep folder, :mod:`.tables` and :mod:`.figures` reduce and draw
(:mod:`.draw` holds the matplotlib code), :mod:`.render` writes REPORT.md one section per function,
and :mod:`.build` puts the bundle together.
"""

from draftsim.experiments.report.build import build_report

__all__ = ["build_report"]
