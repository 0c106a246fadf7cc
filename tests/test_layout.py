"""The package's import graph: no cycles, and every layer imports only the layers below it.

agents and model know nothing of experiments or viz; viz knows nothing of experiments; the
command line (experiments.cli) may start the live view.  Imports inside functions count too: a
lazy import is still a dependency.  The graph is read from the source with ``ast``, so a test
module that imports everything cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("agents", "model", "viz", "experiments")
FORBIDDEN = {"agents": ("experiments", "viz"), "model": ("experiments", "viz"), "viz": ("experiments",)}


def module_name(path: Path) -> str:
    parts = ["draftsim", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    files = [ROOT / "__init__.py", *(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))]
    return {module_name(p): p for p in files}


def imported(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in the file."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import; the package imports absolutely (draftsim....)"
            base = node.module or ""
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` the module mod
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:        # `import draftsim.a.b.C`-style: the module holding it
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = package_modules()
    return {name: imported(path, name, modules) for name, path in modules.items()}


def test_the_graph_is_read_from_the_source(graph):
    # the parser finds what is there: top-level imports, a lazy (in-function) one, `from package import module`
    assert "draftsim.model.provenance" in graph["draftsim.experiments.cli.run"]
    assert "draftsim.experiments.report" in graph["draftsim.experiments.cli.report"]      # inside main()
    assert "draftsim.experiments.figures" in graph["draftsim.experiments.cli.run"]        # inside main()
    assert {"draftsim.experiments.cli.run", "draftsim.experiments.cli.viz"} <= graph["draftsim.experiments.cli"]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycles_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles(graph):
    assert cycles(graph) == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_from_the_layers_above_it(graph, layer):
    prefix = f"draftsim.{layer}"
    bad = sorted(f"{m} -> {t}" for m, targets in graph.items() if m == prefix or m.startswith(prefix + ".")
                 for t in targets if any(t == f"draftsim.{up}" or t.startswith(f"draftsim.{up}.") for up in FORBIDDEN[layer]))
    assert bad == []


def test_every_package_is_in_the_wheel():
    """pyproject lists the packages explicitly (the root is the package): a new subpackage must be added."""
    import tomllib

    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    on_disk = {"draftsim", *(module_name(p) for layer in LAYERS for p in (ROOT / layer).rglob("__init__.py"))}
    assert sorted(listed) == sorted(on_disk)
