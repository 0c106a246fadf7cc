"""docs/ODD.md keeps up with the code: every parameter, status and scenario, and the ODD outline."""

import re
from pathlib import Path

import pytest

from draftsim.agents.states import Status
from draftsim.model import builtin_scenarios, parameter_names

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

ODD_SECTIONS = (
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
)


@pytest.fixture(scope="module")
def odd() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def _mentioned(word: str, text: str) -> bool:
    """``word`` occurs as a whole identifier (not as part of a longer name)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


@pytest.mark.parametrize("name", parameter_names())
def test_every_parameter_is_documented(odd, name):
    assert _mentioned(name, odd), f"parameter '{name}' is not mentioned in docs/ODD.md"


@pytest.mark.parametrize("status", [s.name for s in Status])
def test_every_status_is_documented(odd, status):
    assert _mentioned(status, odd), f"Status.{status} is not mentioned in docs/ODD.md"


@pytest.mark.parametrize("scenario", list(builtin_scenarios()))
def test_every_builtin_scenario_is_documented(odd, scenario):
    assert _mentioned(scenario, odd), f"scenario '{scenario}' is not mentioned in docs/ODD.md"


def test_the_seven_odd_sections_are_there_in_order(odd):
    headings = [m.group(1).strip() for m in re.finditer(r"^#{1,3}\s+(.+)$", odd, flags=re.MULTILINE)]
    positions = []
    for number, title in enumerate(ODD_SECTIONS, start=1):
        pattern = re.compile(rf"^{number}\.?\s+{re.escape(title)}\s*$", flags=re.IGNORECASE)
        found = [i for i, h in enumerate(headings) if pattern.match(h)]
        assert found, f"docs/ODD.md has no heading '{number} {title}'"
        positions.append(found[0])
    assert positions == sorted(positions), "the ODD sections are out of order"


def test_the_parameter_table_is_generated_from_the_code(odd):
    import importlib.util

    spec = importlib.util.spec_from_file_location("parameter_table", ODD.parent / "parameter_table.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.regenerated(odd) == odd, "Appendix A is stale: run `python docs/parameter_table.py`"
