"""draftsim's public API: the model, its parameters and its scenarios.

    from model import DraftModel, load_scenario
    sc = load_scenario("baseline", {"bonus_multiplier": 2})
    m = DraftModel(sc.params, seed=1, scale=100, events=sc.events)
    m.run()
    m.national_frame(), m.regions_frame()
"""

from model.model import DraftModel
from model.parameters import ParameterError, Parameters, parameter_names, parameter_table
from model.scenarios import Scenario, builtin_scenarios, load_scenario, parse_overrides

__all__ = ["DraftModel", "Parameters", "ParameterError", "Scenario", "builtin_scenarios", "load_scenario",
           "parameter_names", "parameter_table", "parse_overrides"]
