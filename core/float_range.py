"""Whether float64 can hold a problem's numbers, and one-line refusals when it cannot.

float64 holds magnitudes from about 2.2e-308 (smallest normal number) to 1.8e308. Gradient descent
on x multiplies by x² (the curvature), its loss is a square of y's scale, and its answer can be far
larger or smaller than the data. When one of these falls outside that range, the run's numbers
would be inf, NaN or silently zero; the problem is refused instead, with what overflowed, its
approximate size and what to do.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import TypeVar

import numpy as np

from .errors import DataError

#: The smallest positive normal float64, 2^-1022.
TINY = 2.0**-1022

_F = TypeVar("_F", bound=Callable)


def quiet(function: _F) -> _F:
    """Run ``function`` with numpy's floating-point warnings off.

    At the ends of float64 (data near 1e±308, a rate far above the stable one, a start at 1e200)
    the arithmetic overflows by design: the kernel stops a run whose loss is no longer finite,
    the analysis reports no bound, and every number shown is checked before it is shown (strict
    JSON gives null with a reason; the text gives words). numpy's RuntimeWarnings about those
    steps are noise on the user's terminal, so the core's entry points (what the command line
    and the app call) run under ``np.errstate(all="ignore")``, a fresh one per call (an errstate
    may not be entered twice at once).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def magnitude(value: Fraction | int) -> str:
    """≈10^k for a rational of any size (float() would overflow), e.g. "1e+400"."""
    value = abs(Fraction(value))
    if value == 0:
        return "0"
    bits = value.numerator.bit_length() - value.denominator.bit_length()
    k = math.floor(bits * math.log10(2))
    # Refine with exact integer comparisons so the power of ten is right.
    while Fraction(10) ** k > value:
        k -= 1
    while Fraction(10) ** (k + 1) <= value:
        k += 1
    lead = value / Fraction(10) ** k
    return f"{float(lead):.2g}e{k:+d}"


def fits(value: Fraction) -> bool:
    """True when ``value`` is 0 or its magnitude is within float64's normal range."""
    if value == 0:
        return True
    a = abs(value)
    return Fraction(TINY) <= a <= Fraction(1.7976931348623157e308)


def out_of_range(value: Fraction | float, what: str, advice: str) -> str:
    """The one-line message for ``what`` (about ``value``) beyond float64."""
    value = Fraction(value) if isinstance(value, float) and math.isfinite(value) else value
    size = magnitude(value) if isinstance(value, Fraction) else "beyond 1.8e308"
    side = "below" if isinstance(value, Fraction) and abs(value) < 1 else "above"
    return f"{what} is about {size}, {side} the range float64 holds (2.2e-308 to 1.8e308); {advice}"


def to_float(value: Fraction, what: str, advice: str, error: type[ValueError] = DataError) -> float:
    """``float(value)``, or ``error`` with a one-line message when float64 cannot hold it
    (overflow, or a non-zero value below the normal range)."""
    if not fits(value):
        raise error(out_of_range(value, what, advice))
    return float(value)


def squared_spread(column: np.ndarray, centre: bool) -> Fraction:
    """Mean of (x − x̄)² (or of x² without centring) of a column, as an exact-enough rational
    whatever its size: computed in power-of-two units, so it cannot overflow or underflow."""
    top = float(np.max(np.abs(column))) if column.size else 0.0
    if top == 0:
        return Fraction(0)
    e = math.frexp(top)[1]
    scaled = np.ldexp(column, -e)
    if centre:
        scaled = scaled - scaled.mean()
    return Fraction(float((scaled * scaled).mean())) * Fraction(2) ** (2 * e)


def check_curvature(dataset, scaling, quadratic, standardized: bool) -> None:
    """Refuse a problem whose curvature along some feature (its mean squared spread, in the
    coordinates gradient descent runs in) float64 cannot hold: gradient descent's steps are
    multiplied by it, so an underflow makes the run stand still and an overflow makes it
    "diverge" at any learning rate.

    Raises
    ------
    DataError
    """
    names = dataset.feature_names
    fix = (
        "rescale it"
        if standardized
        else "standardise (--standardize, or the standardise box), or rescale it"
    )
    finite = np.isfinite(dataset.features).all(axis=0)
    if not finite.all():
        # a power of x beyond float64 (1e200 squared): its values cannot even be stored
        j = int(np.argmin(finite))
        raw = Fraction(float(np.max(np.abs(dataset.raw_x[:, 0]))))
        raise DataError(
            out_of_range(
                raw ** (j + 1) if dataset.degree > 1 else math.inf,
                f"{dataset.source}: column {names[j]!r}: its largest value",
                "lower the degree, or rescale x",
            )
        )
    for j, name in enumerate(names):
        g = float(quadratic.gram[j, j])
        column = dataset.features[:, j]
        # (min and max, not column == column[0]: no array of the data's size)
        constant = (
            bool(column.min() == column.max())
            if quadratic.fit_intercept
            else not bool(np.any(column))
        )
        if constant or (math.isfinite(g) and g >= TINY):
            continue
        spread = squared_spread(scaling.features(dataset.features)[:, j], quadratic.fit_intercept)
        raise DataError(
            out_of_range(
                spread,
                f"{dataset.source}: column {name!r}: the curvature gradient descent moves along "
                "(the mean squared spread of the column)",
                fix,
            )
        )
    if not np.all(np.isfinite(quadratic.factor)):
        raise DataError(
            f"{dataset.source}: the columns' products are beyond the range float64 holds "
            "(1.8e308); standardise (--standardize, or the standardise box), or rescale them"
        )
    if standardized:
        for j, name in enumerate(names):
            s = float(scaling.scale[j])
            if 0 < s < TINY:
                raise DataError(
                    out_of_range(
                        Fraction(s),
                        f"{dataset.source}: column {name!r}: its standard deviation",
                        "rescale it",
                    )
                )
