"""Exact rational linear algebra for the tests (test support; holds no tests).

Independent of the core's solvers: plain Gauss-Jordan elimination in :class:`~fractions.Fraction`,
so the answer is the exact solution of the system the test writes down.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def solve(a: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction]:
    """The exact solution x of ``a x = b`` for a square, non-singular ``a``.

    Parameters
    ----------
    a : sequence of sequences of Fraction
        The p×p matrix, by rows.
    b : sequence of Fraction
        The right-hand side, length p.

    Returns
    -------
    list of Fraction
        x, exactly.
    """
    p = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b)]
    for c in range(p):
        pivot = next(r for r in range(c, p) if m[r][c] != 0)
        m[c], m[pivot] = m[pivot], m[c]
        for r in range(p):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [u - f * v for u, v in zip(m[r], m[c])]
    return [m[i][p] / m[i][i] for i in range(p)]


def gram(rows: Sequence[Sequence[Fraction]], ys: Sequence[Fraction]):
    """(XᵀX, Xᵀy) of the design ``rows`` and the responses ``ys``, exactly."""
    p = len(rows[0])
    xtx = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    xty = [sum(r[i] * y for r, y in zip(rows, ys)) for i in range(p)]
    return xtx, xty


def exact_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Slope and intercept of y = m·x + b by the closed form, in exact arithmetic, each rounded
    once to the nearest float."""
    n = len(xs)
    fx, fy = [Fraction(v) for v in xs], [Fraction(v) for v in ys]
    mx, my = sum(fx) / n, sum(fy) / n
    m = sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True)) / sum(
        (a - mx) ** 2 for a in fx
    )
    return float(m), float(my - m * mx)
