"""How numbers are written on screen: rounded from the core's float64 values, never recomputed.

``format(x, ".6g")`` rounds correctly, so every digit shown is right for the value the core holds.
"""

from __future__ import annotations

import math

#: Significant digits shown for parameters, losses and predictions.
DIGITS = 6


def num(value: float | None, digits: int = DIGITS) -> str:
    """A float with ``digits`` significant digits ('—' for None; beyond float64, '>1.8e308' or
    '<-1.8e308', and 'n/a' for a NaN: never 'inf' or 'nan' presented as a value)."""
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else (">1.8e308" if value > 0 else "<-1.8e308")
    text = format(value, f".{digits}g")
    return "0" if text == "-0" else text


def fit(value: float | None, width: int, digits: int = DIGITS) -> str:
    """:func:`num` with as many significant digits (at most ``digits``) as fit in ``width``
    characters: fewer digits, never cut-off ones."""
    for d in range(digits, 0, -1):
        text = num(value, d)
        if len(text) <= width:
            return text
    return text


def plain(value: float) -> str:
    """A value as a person would type it back: whole numbers without ".0", others in full
    (repr round-trips exactly)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def count(value: int) -> str:
    """An integer with thousands separators."""
    return f"{value:,}"
