"""Running the model: the ``draftsim`` command, output folders, figures and calibration checks.

Uses the model only through ``model``'s public API (DraftModel, load_scenario, ...).
"""
