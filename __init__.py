"""draftsim: an agent-based model of wartime military recruitment and draft evasion in Russia.

The public API::

    from draftsim import DraftModel, load_scenario

    if __name__ == "__main__":          # Mesa's batch_run and sweeps start worker processes
        sc = load_scenario("baseline", {"bonus_multiplier": 2})
        m = DraftModel(sc.params, seed=1, scale=100, events=sc.events)
        m.run()
        national, regions = m.national_frame(), m.regions_frame()

The repository's top-level folders are this package's subpackages: ``draftsim.model`` (the model, its
parameters, scenarios and data), ``draftsim.agents`` (agents and their decision rules),
``draftsim.experiments`` (the ``draftsim`` command, sweeps and reports) and ``draftsim.viz`` (the live view).
"""

from importlib import metadata as _metadata

from draftsim.model import ParameterError, Parameters, Scenario, builtin_scenarios, load_scenario, parameter_table

try:
    __version__ = _metadata.version("draftsim")
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["DraftModel", "ParameterError", "Parameters", "Scenario", "__version__", "builtin_scenarios",
           "load_scenario", "parameter_table"]


def __getattr__(name: str):
    # DraftModel pulls in Mesa (~1.5 s with scipy, networkx, pandas); load it on first use so that
    # `draftsim params` and the error messages of bad input answer at once.
    if name == "DraftModel":
        from draftsim.model.model import DraftModel

        return DraftModel
    raise AttributeError(f"module 'draftsim' has no attribute {name!r}")
