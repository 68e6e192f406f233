"""Sums and products of float64 arrays as if in twice float64's precision, for sums that cancel.

The refined least-squares solver (:mod:`.reference`) needs the gradient Xᵀ(y − Xθ) at a point
near the answer, where both the residuals and the sum cancel almost completely. In plain float64
that gradient is only right to about eps·Σ|xᵢ·rᵢ|, which costs the answer digits (up to
cond²·eps relative). Here every product is split exactly into a float and its rounding error
(Dekker's TwoProduct), every sum of two floats likewise (Knuth's TwoSum), and a whole block is
summed exactly up to a remainder of order eps² (Rump, Ogita and Oishi's ExtractVector): no
wider float type, so it gives the same answer on every platform (numpy's longdouble is float64
on some). Everything works on blocks of rows small enough to stay in the processor's cache.
"""

from __future__ import annotations

import math

import numpy as np

#: Dekker's splitter for float64: 2^27 + 1.
SPLIT = 134217729.0


def two_sum(a: np.ndarray, b: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """(s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth)."""
    s = a + b
    t = s - a
    return s, (a - (s - t)) + (b - t)


def split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hi, lo), a = hi + lo exactly, each with at most 26 significant bits (Dekker); |a| must
    be below about 1e300 (the multiplication by 2^27 + 1 must not overflow)."""
    c = SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def split_scalar(a: float) -> tuple[float, float]:
    c = SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def product_error(
    p: np.ndarray, ah: np.ndarray, al: np.ndarray, bh: np.ndarray | float, bl: np.ndarray | float
) -> np.ndarray:
    """e with p + e = a·b exactly, for p = fl(a·b) and the splits of a and b (Dekker)."""
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


def block_sum(values: np.ndarray, bound: float) -> tuple[float, float]:
    """Σ values as (exact, rest): ``exact`` is the sum of the values' leading parts, computed
    without any rounding; ``rest`` the plain sum of what is left, each at most about
    n·eps·bound, so its error is of order n²·eps²·bound. ``bound`` ≥ max|values|.

    Each value v is split as q + (v − q) with q = fl(σ + v) − σ for a power of two
    σ ≥ 2n·bound: every q is a multiple of ulp(σ)/2 and |Σq| ≤ σ, so Σq is exact in any order
    (Rump, Ogita and Oishi, "Accurate floating-point summation", 2008).
    """
    if bound == 0 or values.size == 0:
        return 0.0, 0.0
    sigma = math.ldexp(1.0, math.frexp(bound)[1] + (2 * values.size - 1).bit_length())
    q = (sigma + values) - sigma
    return float(q.sum()), float((values - q).sum())
