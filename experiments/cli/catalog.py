"""``draftsim scenarios`` and ``draftsim params``: what can be run and what can be set."""

from __future__ import annotations


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1]).rstrip() for r in rows]


def scenarios_main(args, argv) -> int:
    from draftsim.model import builtin_scenarios

    items = builtin_scenarios()
    width = max(map(len, items))
    for name, description in items.items():
        print(f"{name:<{width}}  {description}")
    return 0


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:_.0f}" if v.is_integer() and abs(v) >= 1e4 else f"{v:.6g}"
    return str(v)


def allowed(row: dict) -> str:
    if row["type"] == "bool":
        return "true|false"
    lo, hi = _fmt(row["low"]), _fmt(row["high"])
    return f"[{lo}, {hi}]" if lo or hi else "any"


def params_main(args, argv) -> int:
    from draftsim.model import parameter_table

    table = parameter_table()
    rows = [["name", "type", "default", "unit", "allowed", "source"]]
    rows += [[r["name"], r["type"], _fmt(r["default"]), r["unit"], allowed(r), r["source"]] for r in table]
    lines = _table(rows)
    print(lines[0])
    for line, r in zip(lines[1:], table):
        print(line)
        if args.long and r["doc"]:
            print(f"    {r['doc']}")
    return 0


def register_scenarios(subparsers) -> None:
    p = subparsers.add_parser("scenarios", help="list the built-in scenarios",
                              description="List the built-in scenarios (use with `draftsim run --scenario NAME`).")
    p.set_defaults(handler=scenarios_main)


def register_params(subparsers) -> None:
    p = subparsers.add_parser("params", help="list every parameter with default, unit, allowed range and source",
                              description="List every parameter (set with `draftsim run --set NAME=VALUE`).")
    p.add_argument("--long", action="store_true", help="also print each parameter's description")
    p.set_defaults(handler=params_main)
