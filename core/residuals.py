"""The MSE of given parameters on the data, from the residuals, to full float64 accuracy.

This is the number a user reads as "the MSE of these parameters". The trainer's fast path
(:mod:`.quadratic`) is a model of the loss that is cheap per epoch; the numbers printed for an
epoch come from here, computed on the data itself, so they are the MSE of the parameters shown.

Each residual yᵢ − Σⱼ xᵢⱼ·wⱼ − b is computed as if in twice the working precision (Ogita, Rump
and Oishi's Dot2: every product split exactly into a float and its rounding error by Dekker's
TwoProduct, every sum by Knuth's TwoSum), then rounded once; so it is right to about one unit in
its last place however much the terms cancel. The squares, all non-negative, are summed pairwise.
Before that, every column, y and the parameters are scaled by powers of two (exact), so values
near the ends of float64 neither overflow in the splitting nor lose digits to underflow.
"""

from __future__ import annotations

import math

import numpy as np

#: Dekker's splitter for float64: 2^27 + 1.
_SPLIT = 134217729.0


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _exponent(values: np.ndarray) -> int:
    """e with max|values| in [2^(e−1), 2^e) (0 for all zeros)."""
    # The largest and the smallest, not max(|values|): no copy of the data's size.
    top = max(abs(float(np.max(values))), abs(float(np.min(values)))) if values.size else 0.0
    return math.frexp(top)[1] if top > 0 else 0


#: Rows worked on at once: small enough that the dozen arrays of a chunk stay in the processor's
#: cache (a pass over a million rows at once goes to memory for every one of its ~15 steps).
CHUNK = 1 << 14


class ResidualLoss:
    """The MSE of any parameters on one dataset. The rows are worked through in chunks of
    :data:`CHUNK`, about 15 cache-resident passes per column each, so nothing of the data's
    size is allocated or copied: making one costs a scan for each column's largest value.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    """

    def __init__(self, features: np.ndarray, y: np.ndarray) -> None:
        self._x = np.asarray(features, dtype=np.float64)
        self._y_data = np.asarray(y, dtype=np.float64)
        self._ey = _exponent(self._y_data)
        self._ex = [_exponent(self._x[:, j]) for j in range(self._x.shape[1])]
        m = min(CHUNK, self._y_data.shape[0])
        self._buffers = [np.empty(m) for _ in range(5)]

    def residuals(self, weights: np.ndarray, intercept: float) -> tuple[np.ndarray, int]:
        """y − X·w − b, accurately, in units of 2^scale.

        Returns
        -------
        r : ndarray of shape (n_samples,)
            The residuals divided by 2^scale (each to within about an ulp); inf where a term is
            beyond float64 next to y.
        scale : int
        """
        n = self._y_data.shape[0]
        out = np.empty(n)
        scale = 0
        for lo in range(0, n, CHUNK):
            r, scale = self._chunk(lo, weights, intercept)
            out[lo : lo + r.shape[0]] = r
        return out, scale

    def _chunk(self, lo: int, weights: np.ndarray, intercept: float) -> tuple[np.ndarray, int]:
        """The residuals of rows lo … lo + CHUNK − 1 (a view of an internal buffer)."""
        w = np.asarray(weights, dtype=np.float64).tolist()
        ey = max(self._ey, _exponent(np.array([intercept])))
        shift = ey - self._ey
        y = self._y_data[lo : lo + CHUNK]
        m = y.shape[0]
        s, e, p, t, u = (b[:m] for b in self._buffers)
        with np.errstate(all="ignore"):
            np.ldexp(y, -self._ey, out=s)
            np.ldexp(s, -shift, out=s)
            e.fill(0.0)
            p.fill(-math.ldexp(intercept, -ey))
            _two_sum_into(s, p, e, t, u)
            for j, (ex, wj) in enumerate(zip(self._ex, w)):
                if wj == 0:
                    continue
                try:
                    bj = math.ldexp(-wj, ex - ey)
                except OverflowError:  # a term beyond float64 next to y
                    bj = math.inf
                if not math.isfinite(bj) or abs(bj) > 2.0**995:
                    s.fill(math.inf)
                    return s, ey
                col = np.ldexp(self._x[lo : lo + m, j], -ex)
                hi, lo_part = _split(col)
                bh, bl = _split_scalar(bj)
                # TwoProduct(col, bj) = p + error; the error is accumulated in e.
                np.multiply(col, bj, out=p)
                np.multiply(hi, bh, out=t)
                np.subtract(p, t, out=t)
                np.multiply(lo_part, bh, out=u)
                np.subtract(t, u, out=t)
                np.multiply(hi, bl, out=u)
                np.subtract(t, u, out=t)
                np.multiply(lo_part, bl, out=u)
                np.subtract(u, t, out=u)
                np.add(e, u, out=e)
                # TwoSum(s, p): s ← s + p, its error into e.
                _two_sum_into(s, p, e, t, u)
            np.add(s, e, out=s)
        return s, ey

    def mse(self, weights: np.ndarray, intercept: float) -> float:
        """Mean squared error of (weights, intercept), to within a few ulps; inf beyond
        float64's range."""
        n = self._y_data.shape[0]
        partials = []
        scale = 0
        for lo in range(0, n, CHUNK):
            r, scale = self._chunk(lo, weights, intercept)
            with np.errstate(all="ignore"):
                # Non-negative terms: numpy's pairwise sum keeps the relative error to a few
                # ulps; the chunks' sums are added exactly (fsum).
                partials.append(
                    float(np.dot(r, r)) if r.shape[0] < 64 else float(np.sum(np.square(r, out=r)))
                )
        total = math.fsum(partials)
        if not math.isfinite(total):
            return math.inf
        try:
            return math.ldexp(total / n, 2 * scale)
        except OverflowError:
            return math.inf


def _split_scalar(a: float) -> tuple[float, float]:
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_sum_into(s: np.ndarray, p: np.ndarray, e: np.ndarray, t: np.ndarray, u: np.ndarray):
    """s ← s + p, e ← e + (the rounding error of that sum); t, u are scratch."""
    np.add(s, p, out=t)  # t = sum
    np.subtract(t, s, out=u)  # u = bb = sum − a
    np.subtract(p, u, out=p)  # p = b − bb
    np.subtract(t, u, out=u)  # u = sum − bb
    np.subtract(s, u, out=u)  # u = a − (sum − bb)
    np.add(u, p, out=u)
    np.add(e, u, out=e)
    s[...] = t


def mse(features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float) -> float:
    """:meth:`ResidualLoss.mse` for a one-off call."""
    return ResidualLoss(features, y).mse(weights, intercept)
