"""The live view (Solara): one browser session's run, its levers, charts and downloads.

It imports the model (``draftsim.model``, ``draftsim.agents``) and nothing of ``experiments``;
``draftsim viz`` (:mod:`draftsim.experiments.cli.viz`) starts it through :mod:`draftsim.viz.server`.
"""
