"""Running the model: sweeps, single runs, the report, the calibration checks and the ``draftsim`` command.

A sweep in EMA Workbench's nouns: an experiment (``experiment.py``, checked by ``experiment_checks.py``,
``design_checks.py`` and ``checker.py``) has a design (``designs.py``) whose points and replicates are
the runs (``runs.py``); an executor runs them (``executors.py``), the store keeps them (``store.py``),
the analysis is ``sensitivity.py`` and the report ``report/``.  A single run's tables and figures are
``run.py`` and ``figures.py``; ``targets.py`` compares a run with observed figures; ``cli/`` is the
command line, one module per subcommand.
"""
