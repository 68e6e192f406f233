"""Sums of products of a stream's columns, kept exactly (Ozaki's error-free splitting).

Least squares from streamed data needs n, Σz and Σzzᵀ of the columns z = (features…, y). In
float64 those sums keep about 16 digits of the co-moments, and the answer then keeps
16 − log10(cond(XᵀX)) = 16 − 2·log10(cond(X)) digits: about 6 on Longley. This module keeps the
sums exactly instead, at the price of a few BLAS products:

* every value (already centred on a provisional shift) is split, per column, into four slices of
  18 bits each (:data:`SLICE_BITS`), each slice a whole number of units ``2**-(18(s+1))`` of the
  column's largest power of two;
* products of two slices are then whole numbers below ``2**36`` units, and a sum of at most
  ``2**16`` of them (:data:`SUB_BLOCK` rows) stays below ``2**52``: every partial sum BLAS forms is
  an integer float64 holds exactly, in any order;
* one matrix product ``WᵀW`` of the slices (with a column of ones, for Σz) gives every such sum;
  Python integers then add them up, exactly, across slices and blocks.

What is left out is below ``2**-72`` of each column's largest value per value (four slices of 18
bits; about 1e-22), far below the rounding of the data itself. The provisional shift (the first
block's means, so that x = 1e9 + k/1000 does not cancel) is subtracted with its rounding error
kept (TwoSum), so it costs no digits either.

Costs: a (1 + 4k)-column matrix product per block instead of a k-column one (16× the flops of the
plain co-moments, still a small part of parsing the CSV for a few columns).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

#: Rows per BLAS product: 2**16 products below 2**36 units sum below 2**52 (exact in float64).
SUB_BLOCK = 1 << 16
#: Bits per slice; four slices keep 72 bits of each value below its column's largest power of 2.
SLICE_BITS = 18
SLICES = 4
#: Scale that makes every slice product an integer: slices s and t are multiples of
#: 2**-(18(s+1)) and 2**-(18(t+1)), so their product times 2**(18·2·SLICES) is whole.
_UNIT_EXP = SLICE_BITS * 2 * SLICES
#: Most columns summed exactly; wider data is summed in float64 per block (see ExactSums). The
#: exact sums cost about 3 s of CPU per million rows of 26 columns (0.3 s in float64) and 13 s
#: of 101 (2.6 s); parsing such a CSV takes about as long.
EXACT_COLUMNS = 64
#: Most slice values held at once (1 + 4k columns by the rows of a sub-block): 64 MB.
SLICE_VALUES = 1 << 23


def _slices(shifted: np.ndarray, error: np.ndarray, scale: np.ndarray, out: np.ndarray) -> bool:
    """Write the slices of ``(shifted + error) · scale`` into ``out``; True when they hold every
    value exactly (nothing is left below the last slice).

    ``shifted`` and ``error`` are ndarray of shape (k, rows), ``scale`` (k, 1) powers of two with
    |shifted · scale| < 1; ``out`` is ndarray of shape (SLICES·k, rows): slice s of column j is its
    row s·k + j. ``shifted`` and ``error`` are overwritten.
    """
    k = shifted.shape[0]
    lossless = True
    rest = np.multiply(shifted, scale, out=shifted)  # exact: a power of two
    err = np.multiply(error, scale, out=error)
    for s in range(SLICES):
        # Adding then subtracting 1.5·2**(52 − 18(s+1)) rounds to a multiple of 2**-(18(s+1))
        # (|rest| < 2**-(18s) keeps the sum in one binade); the difference is then exact.
        sigma = 1.5 * 2.0 ** (52 - SLICE_BITS * (s + 1))
        top = out[s * k : (s + 1) * k]
        np.add(rest, sigma, out=top)
        np.subtract(top, sigma, out=top)
        np.subtract(rest, top, out=rest)
        if s == 0:
            # The shift's rounding error (≤ half an ulp of the shifted value, so below 2**-53)
            # joins the remainder, itself below 2**-19: the sum rounds at 2**-72.
            joined = rest + err
            # Knuth's TwoSum: what that addition rounded off (left out of the sums).
            part = joined - rest
            lossless = not np.any((rest - (joined - part)) + (err - part))
            rest[...] = joined
    return lossless and not np.any(rest)


class ExactSums:
    """n, Σ(z − shift) and Σ(z − shift)(z − shift)ᵀ of rows z, as exact rationals.

    Parameters
    ----------
    k : int
        Columns per row.
    shift : ndarray of shape (k,), optional
        The provisional centre; by default the first block's column means.
    exact : bool, optional
        Default: exact up to :data:`EXACT_COLUMNS` columns. When False, each block's sums are
        float64 (BLAS) products, added exactly: 16 digits of the co-moments, and 1/16 of the
        flops (wide data, where (1 + 4k)² per row would cost too much).

    Attributes
    ----------
    n : int
    shift : ndarray of shape (k,)
    s1 : list of Fraction, length k
    s2 : list of list of Fraction, k × k (symmetric)
    lossless : bool
        Nothing was left out: the sums are the rows' exact sums (not merely to 2**-72 of each
        column's largest value).
    """

    def __init__(self, k: int, shift: np.ndarray | None = None, exact: bool | None = None):
        self.k = k
        self.exact = k <= EXACT_COLUMNS if exact is None else exact
        self.n = 0
        self.shift = None if shift is None else np.asarray(shift, dtype=np.float64)
        self.s1 = [Fraction(0)] * k
        self.s2 = [[Fraction(0)] * k for _ in range(k)]
        self.lossless = self.exact

    def add(self, block: np.ndarray) -> None:
        """Add rows, ndarray of shape (rows, k) of finite floats."""
        block = np.asarray(block, dtype=np.float64)
        if block.shape[0] == 0:
            return
        if self.shift is None:
            self.shift = block.mean(axis=0)
        if not self.exact:
            shifted = block - self.shift
            s1, s2 = shifted.sum(axis=0).tolist(), (shifted.T @ shifted).tolist()
            for i in range(self.k):
                self.s1[i] += Fraction(s1[i])
                for j in range(i, self.k):
                    self.s2[i][j] = self.s2[j][i] = self.s2[i][j] + Fraction(s2[i][j])
            self.n += block.shape[0]
            return
        rows = max(1, min(SUB_BLOCK, SLICE_VALUES // (1 + SLICES * self.k)))
        for start in range(0, block.shape[0], rows):
            self._add(block[start : start + rows])

    def _add(self, block: np.ndarray) -> None:
        rows, k = block.shape
        values = np.ascontiguousarray(block.T)  # (k, rows): each column's work is contiguous
        # Knuth's TwoSum: shifted + error == values − shift exactly.
        minus = -self.shift[:, None]
        shifted = values + minus
        b_part = shifted - values
        a_part = np.subtract(shifted, b_part)
        np.subtract(values, a_part, out=a_part)
        np.subtract(minus, b_part, out=b_part)
        error = np.add(a_part, b_part, out=a_part)
        top = np.max(np.abs(shifted), axis=1)
        exponent = np.where(top > 0, np.frexp(top)[1], 0).astype(np.int64)
        w = np.empty((1 + SLICES * k, rows))
        w[0] = 1.0
        if not _slices(shifted, error, np.ldexp(1.0, -exponent)[:, None], w[1:]):
            self.lossless = False
        gram = w @ w.T  # every entry an exact integer number of its units
        scaled = np.ldexp(gram, _UNIT_EXP)
        ints = [[int(v) for v in row] for row in scaled.tolist()]
        exps = exponent.tolist()
        for i in range(k):
            total = sum(ints[0][1 + s * k + i] for s in range(SLICES))
            # Σ slices: units of 2**-(18(s+1)) scaled by 2**_UNIT_EXP: whole numbers.
            self.s1[i] += Fraction(total) * _pow2(exps[i] - _UNIT_EXP)
        for i in range(k):
            for j in range(i, k):
                total = sum(
                    ints[1 + s * k + i][1 + t * k + j] for s in range(SLICES) for t in range(SLICES)
                )
                value = self.s2[i][j] + Fraction(total) * _pow2(exps[i] + exps[j] - _UNIT_EXP)
                self.s2[i][j] = self.s2[j][i] = value
        self.n += rows

    def merge(self, other: ExactSums) -> ExactSums:
        """The sums of both sets of rows, around this one's shift (exactly)."""
        out = ExactSums(self.k, self.shift, self.exact and other.exact)
        out.n = self.n + other.n
        out.lossless = self.lossless and other.lossless
        out.s1 = list(self.s1)
        out.s2 = [list(row) for row in self.s2]
        if self.shift is None:
            out.shift = other.shift
            out.s1, out.s2 = list(other.s1), [list(r) for r in other.s2]
            return out
        if other.n == 0:
            return out
        # Σ(z − a)… from Σ(z − b)… with d = b − a: (z − a) = (z − b) + d.
        d = [Fraction(b) - Fraction(a) for a, b in zip(self.shift.tolist(), other.shift.tolist())]
        m = other.n
        for i in range(self.k):
            out.s1[i] += other.s1[i] + m * d[i]
        for i in range(self.k):
            for j in range(self.k):
                out.s2[i][j] += (
                    other.s2[i][j] + other.s1[i] * d[j] + d[i] * other.s1[j] + m * d[i] * d[j]
                )
        return out

    # -- what least squares reads ------------------------------------------------------------

    def mean(self) -> list[Fraction]:
        """The exact column means."""
        return [Fraction(c) + s / self.n for c, s in zip(self.shift.tolist(), self.s1)]

    def comoment(self) -> list[list[Fraction]]:
        """Σ(z − z̄)(z − z̄)ᵀ, exactly."""
        n, s1 = self.n, self.s1
        return [[self.s2[i][j] - s1[i] * s1[j] / n for j in range(self.k)] for i in range(self.k)]

    def raw(self) -> tuple[list[Fraction], list[list[Fraction]]]:
        """Σz and Σzzᵀ (not centred), exactly."""
        c = [Fraction(v) for v in self.shift.tolist()]
        n, s1, s2 = self.n, self.s1, self.s2
        total = [s1[i] + n * c[i] for i in range(self.k)]
        products = [
            [s2[i][j] + s1[i] * c[j] + c[i] * s1[j] + n * c[i] * c[j] for j in range(self.k)]
            for i in range(self.k)
        ]
        return total, products


def rounded(value: Fraction) -> float:
    """``value`` rounded to float64, ±inf beyond its range (the callers refuse such data by
    name, as the in-memory path does)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


_POW2: dict[int, Fraction] = {}


def _pow2(e: int) -> Fraction:
    value = _POW2.get(e)
    if value is None:
        value = _POW2[e] = Fraction(2) ** e
    return value
