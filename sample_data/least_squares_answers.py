"""Exact ordinary least-squares answers for the sample CSVs, printed as a markdown table.

Every number is read from the CSV text straight into ``fractions.Fraction`` (never via
float), the normal equations ``(X^T X) b = X^T y`` are solved exactly by Gauss-Jordan
elimination over the rationals, and only the final answers are rounded for printing.
So the table is the exact least-squares answer for the data as written, rounded once,
and it does not depend on numpy or on floating-point conditioning.

The model has an intercept; x is every column but the last, y is the last column.
MSE is SSres / n. R² is centred: 1 - SSres / sum((y - mean y)^2).

Run with ``python sample_data/least_squares_answers.py``; the output is the table in
sample_data/README.md. Standard library only.
"""

from __future__ import annotations

import csv
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent

FILES = (
    "seed.csv",
    "anscombe_1.csv",
    "anscombe_2.csv",
    "anscombe_3.csv",
    "anscombe_4.csv",
    "cars.csv",
    "women.csv",
    "noisy_line.csv",
    "badly_scaled.csv",
    "multi_feature.csv",
)

SIGNIFICANT_DIGITS = 12


def read_exact(path: Path) -> tuple[list[str], list[list[Fraction]]]:
    """Read a CSV with a header row into exact rationals, one list per row."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[Fraction(cell.strip()) for cell in row] for row in reader if row]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"{path}: a row has {len(row)} cells, the header {len(header)}")
    return header, rows


def solve_exact(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Solve the square system ``a @ x = b`` exactly (Gauss-Jordan with pivot search)."""
    n = len(a)
    m = [[*a[i], b[i]] for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            raise ValueError("the normal equations are singular")
        m[col], m[pivot] = m[pivot], m[col]
        inv = 1 / m[col][col]
        m[col] = [v * inv for v in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                factor = m[r][col]
                m[r] = [vr - factor * vc for vr, vc in zip(m[r], m[col], strict=True)]
    return [m[i][n] for i in range(n)]


def ols_exact(rows: list[list[Fraction]]) -> tuple[list[Fraction], Fraction, Fraction]:
    """Least squares with intercept, x = all columns but the last, y = the last.

    Returns
    -------
    coef : list of Fraction, length n_features + 1
        Intercept first, then one slope per x column in column order.
    mse : Fraction
        SSres / n.
    r_squared : Fraction
        Centred R², 1 - SSres / SStot.
    """
    design = [[Fraction(1), *row[:-1]] for row in rows]
    y = [row[-1] for row in rows]
    p = len(design[0])
    xtx = [[sum(r[i] * r[j] for r in design) for j in range(p)] for i in range(p)]
    xty = [sum(r[i] * yi for r, yi in zip(design, y, strict=True)) for i in range(p)]
    coef = solve_exact(xtx, xty)
    ss_res = sum(
        (yi - sum(c * v for c, v in zip(coef, r, strict=True))) ** 2
        for r, yi in zip(design, y, strict=True)
    )
    n = len(y)
    y_mean = sum(y) / n
    ss_tot = sum((yi - y_mean) ** 2 for yi in y)
    return coef, ss_res / n, 1 - ss_res / ss_tot


def fmt(value: Fraction, digits: int = SIGNIFICANT_DIGITS) -> str:
    """Round an exact value once, to ``digits`` significant digits, in ``format(x, '.12g')`` style.

    The rounding is done in decimal from the exact rational (no double rounding through a
    binary float); the rounded decimal has at most 12 digits, so it survives the trip
    through float and ``'.12g'`` unchanged.
    """
    if value == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        exponent = exact.adjusted() - digits + 1
        rounded = exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    return format(float(rounded), f".{digits}g")


def table(files: tuple[str, ...] = FILES) -> str:
    """The markdown table of exact answers for ``files`` (names relative to this folder)."""
    lines = ["| file | intercept | slopes | MSE | R² |", "|---|---|---|---|---|"]
    for name in files:
        _, rows = read_exact(HERE / name)
        coef, mse, r2 = ols_exact(rows)
        slopes = "; ".join(fmt(c) for c in coef[1:])
        lines.append(f"| {name} | {fmt(coef[0])} | {slopes} | {fmt(mse)} | {fmt(r2)} |")
    return "\n".join(lines)


def main() -> None:
    sys.stdout.write(table() + "\n")


if __name__ == "__main__":
    main()
