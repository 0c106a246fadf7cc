"""How numbers are written for people, the same in the command's output, the report and the live view."""

from __future__ import annotations

import math

import numpy as np


def _missing(x) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and not math.isfinite(x))


def whole(x, missing: str = "n/a") -> str:
    """A count or sum of money, rounded, thousands grouped: 1,234,567."""
    return missing if _missing(x) else f"{x:,.0f}"


def compact(x, _pos=None) -> str:
    """Three significant digits with a suffix, for axis ticks: 1.23M, 45.6k, 0.5 (also a matplotlib FuncFormatter)."""
    x = float(x)
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"


def significant(x, missing: str = "n/a") -> str:
    """For tables: four significant digits (more left of the point), thousands grouped:
    123,456,789 / 12.35 / 0.01234; integers as they are, text and dates unchanged."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if not isinstance(x, (float, np.floating)):
        return str(x)                     # text, dates: as they are
    x = float(x)
    if not math.isfinite(x):
        return missing
    if x == 0:
        return "0"
    decimals = min(6, max(0, 3 - math.floor(math.log10(abs(x)))))
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text     # 1.000 -> 1, 0.1250 -> 0.125
