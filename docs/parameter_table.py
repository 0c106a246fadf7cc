"""Regenerate the parameter table of docs/ODD.md (Appendix A) from draftsim.parameter_table().

    python docs/parameter_table.py            # rewrite the table in place
    python docs/parameter_table.py --check    # exit 1 if the table is stale (tests/test_docs.py)
"""
import sys
from pathlib import Path

from draftsim.model import parameter_table


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1e4 else f"{v:.6g}"
    if isinstance(v, int) and abs(v) >= 1e4:
        return f"{v:,}"
    return str(v)


def cell(s):
    return str(s).replace("|", "\\|")


def table() -> str:
    lines = ["| name | default | unit | range | source | meaning |", "|---|---|---|---|---|---|"]
    for r in parameter_table():
        rng = "true / false" if r["type"] == "bool" else f"[{fmt(r['low'])}, {fmt(r['high'])}]"
        lines.append(f"| `{r['name']}` | {cell(fmt(r['default']))} | {cell(r['unit'])} | {rng} | "
                     f"{cell(r['source'])} | {cell(r['doc'])} |")
    return "\n".join(lines)


BEGIN = "<!-- BEGIN PARAMETER TABLE (generated from draftsim.parameter_table()) -->"
END = "<!-- END PARAMETER TABLE -->"
ODD = Path(__file__).resolve().parent / "ODD.md"


def regenerated(text: str) -> str:
    i, j = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:i] + "\n" + table() + "\n" + text[j:]


if __name__ == "__main__":
    text = ODD.read_text(encoding="utf-8")
    if "--check" in sys.argv[1:]:
        sys.exit(0 if regenerated(text) == text else 1)
    ODD.write_text(regenerated(text), encoding="utf-8")
    print(len(parameter_table()), "parameters")
