"""The MSE of given parameters on the data, from the residuals, to full float64 accuracy.

This is the number a user reads as "the MSE of these parameters". The trainer's fast path
(:mod:`.quadratic`) is a model of the loss that is cheap per epoch; the numbers printed for an
epoch come from here, computed on the data itself, so they are the MSE of the parameters shown.

Each residual yᵢ − Σⱼ xᵢⱼ·wⱼ − b is computed as if in twice the working precision (Ogita, Rump
and Oishi's Dot2: every product split exactly into a float and its rounding error by Dekker's
TwoProduct, every sum by Knuth's TwoSum), then rounded once; so it is right to about one unit in
its last place however much the terms cancel. The squares are summed in extended precision. Before
that, every column, y and the parameters are scaled by powers of two (exact), so values near the
ends of float64 neither overflow in the splitting nor lose digits to underflow.
"""

from __future__ import annotations

import math

import numpy as np

#: Dekker's splitter for float64: 2^27 + 1.
_SPLIT = 134217729.0


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, al * bl - (((p - ah * bh) - al * bh) - ah * bl)


def _exponent(values: np.ndarray) -> int:
    """e with max|values| in [2^(e−1), 2^e) (0 for all zeros)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    return math.frexp(top)[1] if top > 0 else 0


def residuals(
    features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float
) -> tuple[np.ndarray, int]:
    """y − X·w − b, accurately, in units of 2^scale.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    weights : ndarray of shape (n_features,)
    intercept : float

    Returns
    -------
    r : ndarray of shape (n_samples,)
        The residuals divided by 2^scale (each to within about an ulp).
    scale : int
    """
    x = np.asarray(features, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    ey = max(_exponent(y), _exponent(np.array([intercept])))
    # Scaled so that y and b are below 1 and each column below 1: products and splits cannot
    # overflow unless a term is itself beyond float64 next to y (then the residual is inf).
    with np.errstate(all="ignore"):
        s = np.ldexp(np.asarray(y, dtype=np.float64), -ey)
        e = np.zeros_like(s)
        s, err = _two_sum(s, np.full_like(s, -math.ldexp(intercept, -ey)))
        e += err
        for j in range(x.shape[1]):
            ex = _exponent(x[:, j])
            col = np.ldexp(x[:, j], -ex)
            wj = math.ldexp(float(w[j]), ex - ey) if w[j] != 0 else 0.0
            if not math.isfinite(wj) or abs(wj) > 2.0**995:
                return np.full(s.shape, math.inf), ey
            p, perr = _two_product(col, np.full_like(col, -wj))
            s, serr = _two_sum(s, p)
            e += perr + serr
        return s + e, ey


def mse(features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float) -> float:
    """Mean squared error of (weights, intercept) on the data, to within a few ulps.

    Returns inf when the MSE is beyond float64's range.
    """
    r, scale = residuals(features, y, weights, intercept)
    if not np.all(np.isfinite(r)):
        return math.inf
    n = r.shape[0]
    ext = r.astype(np.longdouble)
    mean = float((ext * ext).sum() / n)
    try:
        return math.ldexp(mean, 2 * scale)
    except OverflowError:
        return math.inf
