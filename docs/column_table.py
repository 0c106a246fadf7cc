"""Regenerate the output column tables of README.md ("Outputs") and docs/ODD.md (4.11) from draftsim.model.columns.

    python docs/column_table.py            # rewrite the tables in place
    python docs/column_table.py --check    # exit 1 if a table is stale (tests/test_docs.py)
"""
import sys
from pathlib import Path

from draftsim.model import columns

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "README.md", ROOT / "docs" / "ODD.md")
TABLES = {"NATIONAL": columns.NATIONAL, "REGIONAL": columns.REGIONAL}


def cell(s) -> str:
    return str(s).replace("|", "\\|")


def table(cols) -> str:
    lines = ["| column | kind | unit | dtype | meaning |", "|---|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.kind} | {cell(c.unit)} | {c.dtype} | {cell(c.meaning)} |" for c in cols]
    return "\n".join(lines)


def markers(which: str) -> tuple[str, str]:
    return (f"<!-- BEGIN {which} COLUMNS (generated from draftsim.model.columns: python docs/column_table.py) -->",
            f"<!-- END {which} COLUMNS -->")


def regenerated(text: str) -> str:
    for which, cols in TABLES.items():
        begin, end = markers(which)
        i, j = text.index(begin) + len(begin), text.index(end)
        text = text[:i] + "\n" + table(cols) + "\n" + text[j:]
    return text


if __name__ == "__main__":
    stale = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        if regenerated(text) != text:
            stale.append(path)
            if "--check" not in sys.argv[1:]:
                path.write_text(regenerated(text), encoding="utf-8")
    if "--check" in sys.argv[1:]:
        sys.exit(1 if stale else 0)
    print(len(columns.COLUMNS), "columns;", "rewrote", ", ".join(p.name for p in stale) or "nothing")
