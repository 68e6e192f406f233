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


#: What a number column shows where not even one significant digit of its value fits (a
#: spreadsheet's "###"): never a number with digits cut off.
TOO_NARROW = "#"


def fit(value: float | None, width: int, digits: int = DIGITS) -> str:
    """:func:`num` with as many significant digits (at most ``digits``) as fit in ``width``
    characters: fewer digits, each correctly rounded, never cut-off ones.

    Scientific forms have a short exponent (``1.2e5``, ``-3e-7``: Python reads both back), and
    where the usual form is too long at some number of digits (``0.000123457``), the same digits
    in scientific form are tried. If not even one digit fits, :data:`TOO_NARROW` repeated to
    the width (at most 3): the cell says it is too narrow rather than show a number that is not
    the value.
    """
    if width <= 0:
        return ""
    if value is None or not math.isfinite(float(value)):
        text = num(value, digits)
        return text if len(text) <= width else TOO_NARROW * min(width, 3)
    value = float(value)
    for d in range(digits, 0, -1):
        text = num(value, d)
        if "e" in text or len(text) > width:
            text = _short_scientific(value, d)
        if len(text) <= width:
            return text
    return TOO_NARROW * min(width, 3)


def _short_scientific(value: float, digits: int) -> str:
    """``value`` rounded to ``digits`` significant digits in scientific form, without the
    exponent's "+" and leading zeros or the mantissa's trailing zeros: ``1.2e5``, ``-3e-7``."""
    mantissa, exponent = format(value, f".{digits - 1}e").split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def plain(value: float) -> str:
    """A value as a person would type it back: whole numbers without ".0", others in full
    (repr round-trips exactly)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def count(value: int) -> str:
    """An integer with thousands separators."""
    return f"{value:,}"
