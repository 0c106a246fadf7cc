"""The model, its parameters and its scenarios (re-exported by ``draftsim``).

    from draftsim.model import DraftModel, load_scenario
    sc = load_scenario("baseline", {"bonus_multiplier": 2})
    m = DraftModel(sc.params, seed=1, scale=100, events=sc.events)
    m.run()
    m.national_frame(), m.regions_frame()
"""

from draftsim.model.parameters import ParameterError, Parameters, parameter_names, parameter_table
from draftsim.model.scenarios import Scenario, builtin_scenarios, load_scenario, parse_overrides

__all__ = ["DraftModel", "Parameters", "ParameterError", "Scenario", "builtin_scenarios", "load_scenario",
           "parameter_names", "parameter_table", "parse_overrides"]


def __getattr__(name: str):
    # DraftModel pulls in Mesa (and with it scipy, networkx, pandas: ~1.5 s); load it on first use so
    # that `draftsim params`, scenario checks and their error messages answer at once.
    if name == "DraftModel":
        from draftsim.model.model import DraftModel

        return DraftModel
    raise AttributeError(f"module 'draftsim.model' has no attribute {name!r}")
