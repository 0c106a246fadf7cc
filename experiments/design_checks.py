"""The checks of an experiment file's ``[design]`` table: its kind, factors and design points.

Values are coerced to the parameter's own type and range-checked by the model itself
(``Parameters.replace``), so the factors of a checked design hold only values the model accepts.
"""

from __future__ import annotations

import functools

from draftsim.experiments.checker import Checker, near, show
from draftsim.experiments.designs import KINDS, Design, Factor, design_points

DESIGN_KEYS = {
    "grid": ("kind", "parameters"),
    "list": ("kind", "points"),
    "lhs": ("kind", "parameters", "samples"),
    "sobol": ("kind", "parameters", "samples", "second_order"),
    "morris": ("kind", "parameters", "trajectories", "levels"),
}


@functools.cache
def _parameter_types() -> dict[str, dict]:
    from draftsim.model import parameter_table

    return {row["name"]: row for row in parameter_table()}


def checked_design(c: Checker, table: dict, params, parameter_error) -> Design:
    kind = table.get("kind")
    if kind not in KINDS:
        c.fail("design.kind", show(kind), " | ".join(KINDS) + (near(kind, KINDS) if isinstance(kind, str) else ""))
    c.unknown_keys(table, DESIGN_KEYS[kind], "design.", f" (for kind {kind})")
    if kind == "list":
        return _list_design(c, table.get("points"), params, parameter_error)
    parameters = c.table(table, "parameters", "design.parameters", required=True)
    if not parameters:
        c.fail("design.parameters", "an empty table", "at least one parameter (see `draftsim params`)")
    types = _parameter_types()
    for name in parameters:
        if name not in types:
            c.fail(f"design.parameters.{name}", "an unknown parameter", "a name listed by `draftsim params`" + near(name, types))
    if kind == "grid":
        factors = tuple(_grid_factor(c, name, values, params, parameter_error) for name, values in parameters.items())
        return Design("grid", factors, None, {})
    factors = tuple(_range_factor(c, kind, name, bounds, params, parameter_error) for name, bounds in parameters.items())
    if kind == "lhs":
        samples = c.integer(table.get("samples"), "design.samples", 1, 1_000_000,
                            "a number of Latin hypercube samples in [1, 1000000]")
        return Design("lhs", factors, samples, {})
    if kind == "sobol":
        n = table.get("samples")
        ok = isinstance(n, int) and not isinstance(n, bool) and n >= 2 and n & (n - 1) == 0
        if not ok:
            c.fail("design.samples", show(n), "a power of two >= 2 (e.g. 64, 128, 256): SALib's Saltelli sample needs one")
        second = c.boolean(table.get("second_order", True), "design.second_order")
        if second and len(factors) < 2:
            c.fail("design.second_order", "true", "false with a single parameter (no pairs to analyse)")
        return Design("sobol", factors, n, {"calc_second_order": second})
    trajectories = c.integer(table.get("trajectories"), "design.trajectories", 2, 100_000,
                             "a number of Morris trajectories in [2, 100000]")
    levels = table.get("levels", 4)
    if not (isinstance(levels, int) and not isinstance(levels, bool) and levels >= 2 and levels % 2 == 0 and levels <= 100):
        c.fail("design.levels", show(levels), "an even number of grid levels in [2, 100] (e.g. 4)")
    for f in factors:
        if f.type == "int" and (f.high - f.low) < levels - 1:
            c.fail(f"design.parameters.{f.name}", show([int(f.low), int(f.high)]),
                   f"an integer range at least levels - 1 = {levels - 1} wide, so that every Morris level is a different integer")
    return Design("morris", factors, trajectories, {"levels": levels})


def _coerce(c: Checker, key: str, name: str, value, params, parameter_error):
    """The value in the parameter's type, checked against its range by the model itself."""
    from draftsim.model.parameters import coerce

    try:
        value = coerce(name, value)
        params.replace(**{name: value})
    except parameter_error as exc:
        c.model_error(key, exc, name, value)
    return value


def _grid_factor(c: Checker, name: str, values, params, parameter_error) -> Factor:
    key = f"design.parameters.{name}"
    kind = _parameter_types()[name]["type"]
    if not isinstance(values, list) or not values:
        c.fail(key, show(values), f"a non-empty list of values, e.g. {name} = [{_example(kind)}]")
    coerced = [_coerce(c, key, name, v, params, parameter_error) for v in values]
    for i, v in enumerate(coerced):
        if v in coerced[:i]:
            c.fail(key, show(values), f"distinct values ({show(v)} is listed twice)")
    return Factor(name, tuple(coerced), None, None, kind)


def _example(kind: str) -> str:
    return {"bool": "true, false", "int": "1, 2", "date": "2023-01-01, 2024-01-01"}.get(kind, "1.0, 2.0")


def _range_factor(c: Checker, kind: str, name: str, bounds, params, parameter_error) -> Factor:
    key = f"design.parameters.{name}"
    row = _parameter_types()[name]
    if row["type"] not in ("float", "int"):
        c.fail(key, show(bounds), f"a float or int parameter for kind {kind} ({name} is a {row['type']}: "
                                   f"{row['type']} parameters go in grid or list designs)")
    if not isinstance(bounds, list) or len(bounds) != 2:
        c.fail(key, show(bounds), f"[low, high] within [{row['low']}, {row['high']}]")
    low, high = (_coerce(c, key, name, b, params, parameter_error) for b in bounds)
    if not low < high:
        c.fail(key, show(bounds), f"[low, high] with low < high, within [{row['low']}, {row['high']}]")
    return Factor(name, None, low, high, row["type"])


def _list_design(c: Checker, points, params, parameter_error) -> Design:
    if not isinstance(points, list) or not points:
        c.fail("design.points", show(points),
               "a non-empty list of tables, e.g. points = [{bonus_multiplier = 1.0}, {bonus_multiplier = 2.0}]")
    types = _parameter_types()
    names: list[str] = []
    for i, point in enumerate(points):
        if not isinstance(point, dict):
            c.fail(f"design.points[{i}]", show(point), "a table of parameter = value, e.g. {bonus_multiplier = 2.0}")
        for name in point:
            if name not in types:
                c.fail(f"design.points[{i}].{name}", "an unknown parameter", "a name listed by `draftsim params`" + near(name, types))
            if name not in names:
                names.append(name)
    if not names:
        c.fail("design.points", show(points), "points that set at least one parameter")
    filled = []
    for i, point in enumerate(points):
        # a parameter a point does not set keeps the scenario's value, so that every point has every factor
        full = {n: (_coerce(c, f"design.points[{i}].{n}", n, point[n], params, parameter_error) if n in point
                    else getattr(params, n)) for n in names}
        if full in filled:
            c.fail(f"design.points[{i}]", show(point), f"points that differ from each other (same as design.points[{filled.index(full)}])")
        filled.append(full)
    factors = []
    for n in names:
        levels = []
        for p in filled:
            if p[n] not in levels:
                levels.append(p[n])
        factors.append(Factor(n, tuple(levels), None, None, types[n]["type"]))
    return Design("list", tuple(factors), None, {"points": tuple(filled)})


def check_points(c: Checker, design: Design, seed: int, params, parameter_error) -> None:
    """Every point through the model's own checks, which include those between parameters (ages, dates)."""
    for i, point in enumerate(design_points(design, seed)):
        try:
            params.replace(**point)
        except parameter_error as exc:
            key = f"design.points[{i}]" if design.kind == "list" else "design.parameters"
            c.fail(key, f"a point {show(point)}", f"values the model accepts together ({' '.join(str(exc).split())})")
