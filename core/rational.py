"""Linear systems solved exactly in rational arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


class Singular(ValueError):
    """No nonzero pivot in ``column``: the matrix is singular there."""

    def __init__(self, column: int) -> None:
        super().__init__(f"singular at column {column}")
        self.column = column


def solve(a: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction]:
    """x with A·x = b, exactly: Gaussian elimination on fractions, the first nonzero pivot of
    each column.

    Raises
    ------
    Singular
        Where a column has no nonzero pivot left (its ``column`` names it).
    """
    p = len(b)
    m = [[*row, bi] for row, bi in zip(a, b)]
    for col in range(p):
        pivot = next((r for r in range(col, p) if m[r][col] != 0), None)
        if pivot is None:
            raise Singular(col)
        m[col], m[pivot] = m[pivot], m[col]
        head = m[col]
        inv = 1 / head[col]
        for r in range(col + 1, p):
            factor = m[r][col] * inv
            if factor:
                row = m[r]
                for c in range(col, p + 1):
                    row[c] -= factor * head[c]
    x = [Fraction(0)] * p
    for i in range(p - 1, -1, -1):
        acc = m[i][p] - sum((m[i][j] * x[j] for j in range(i + 1, p)), Fraction(0))
        x[i] = acc / m[i][i]
    return x
