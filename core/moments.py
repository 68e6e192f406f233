"""The data's sufficient statistics as rationals, so an edit of a few rows updates the
least-squares answer in O(p²) work instead of solving it again from the rows.

For rows z = (features…, 1, y), the moments S = Σ z·zᵀ hold everything least squares needs: the
normal equations are S_θθ·θ = S_θy over the parameters' rows of S (the 1 row only with an
intercept), and SSres = S_yy − θᵀ·S_θy at the answer. An edit removes and adds rows, which
changes S by their outer products: added and subtracted here in exact rational arithmetic, so
an update loses nothing, however many edits follow one another.

The moments start from the data in one of two ways (:attr:`Moments.exact` says which):

* exactly (Python integers, as :func:`~.reference.solve`'s exact solver forms them) when the
  data is within :data:`~.reference.EXACT_LIMIT`; the answer is then bit for bit the exact
  solver's;
* for larger data (one power of each x column, at most :data:`MAX_FEATURES` of them), to about
  twice float64's precision: each product split exactly into a float and its rounding error
  (Dekker's TwoProduct) and each sum accumulated pairwise with its rounding errors kept (Knuth's
  TwoSum), about 30 passes over the data in all. The relative error of a moment is then about
  eps²·log²(n) ≈ 1e-29 of its absolute sum, so the answer solved from it exactly is float64's
  rounding of the least-squares answer unless the problem is very ill-conditioned; above a
  condition number of :data:`~.reference.EXACT_PREFERRED_CONDITION`, and for an almost exact fit
  (where SSres would be below the moments' own error) :meth:`Moments.reference` declines and
  the caller solves from the rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import reference as reference_mod
from .dataset import Dataset

#: Most feature columns whose moments are formed in twice float64's precision (the work grows
#: with their square: 8 columns of 1,000,000 rows take about half a second).
MAX_FEATURES = 8
#: Below this fraction of Σy², SSres from the twice-precision moments is not trusted.
TRUSTED_SS_RES = 1e-12

#: Dekker's splitter for float64: 2^27 + 1.
_SPLIT = 134217729.0


@dataclass(frozen=True)
class Change:
    """Rows that an edit took out and put in.

    Attributes
    ----------
    removed, added : ndarray of shape (k, n_columns + 1)
        Each row's x columns as loaded, then y.
    """

    removed: np.ndarray
    added: np.ndarray

    def inverse(self) -> Change:
        """The change that undoes this one."""
        return Change(self.added, self.removed)


@dataclass(frozen=True, eq=False)
class Moments:
    """S = Σ z·zᵀ for z = (features…, 1, y) over the rows, as rationals.

    Attributes
    ----------
    sums : tuple of tuples of Fraction, shape (d + 2, d + 2)
        Symmetric; index d is the constant 1, index d + 1 is y.
    n_samples : int
    degree : int
        The dataset's: features are x, x², …, x^degree of the one x column when above 1.
    exact : bool
        True when the sums are exactly the data's; False when formed to about eps²
        (see the module's docstring).
    """

    sums: tuple[tuple[Fraction, ...], ...]
    n_samples: int
    degree: int
    exact: bool

    @classmethod
    def of(cls, dataset: Dataset) -> Moments | None:
        """The moments of ``dataset``, or None when they would cost too much to form (larger
        data with polynomial features or more than :data:`MAX_FEATURES` columns, or values so
        large their products are beyond float64)."""
        n, d = dataset.n_samples, dataset.n_features
        if dataset.streamed is not None:
            return None
        if n * (d + 2) ** 2 <= reference_mod.EXACT_LIMIT:
            return cls._exactly(dataset)
        if dataset.degree != 1 or d > MAX_FEATURES:
            return None
        return cls._twice_precise(dataset)

    @classmethod
    def _exactly(cls, dataset: Dataset) -> Moments:
        columns = reference_mod._exact_columns(dataset, True)  # features…, ones, y
        ints = [c[0] for c in columns]
        dens = [c[1] for c in columns]
        q = len(columns)
        rows = [[Fraction(0)] * q for _ in range(q)]
        for i in range(q):
            for j in range(i, q):
                rows[i][j] = rows[j][i] = Fraction(
                    reference_mod._dot(ints[i], ints[j]), dens[i] * dens[j]
                )
        return cls(tuple(map(tuple, rows)), dataset.n_samples, dataset.degree, True)

    @classmethod
    def _twice_precise(cls, dataset: Dataset) -> Moments:
        columns = [*dataset.features.T, dataset.y]
        # Each column scaled by a power of two (exact) to below 1, so Dekker's split cannot
        # overflow; products under 2^-1000 of the largest are far below what is kept.
        exponents = []
        for col in columns:
            top = float(np.max(np.abs(col))) if col.size else 0.0
            exponents.append(math.frexp(top)[1] if top > 0 else 0)
        d = dataset.n_features
        k = d + 1
        pairs = [(a, b) for a in range(k) for b in range(a, k)]
        sums = _Sums(len(pairs) + k)
        n = dataset.n_samples
        for lo in range(0, n, _CHUNK):
            chunk = [np.ldexp(col[lo : lo + _CHUNK], -e) for col, e in zip(columns, exponents)]
            halves = []
            for x in chunk:
                c = _SPLIT * x
                high = c - (c - x)
                halves.append((high, x - high))
            for i, x in enumerate(chunk):
                sums.add(len(pairs) + i, x, None)
            for i, (a, b) in enumerate(pairs):
                (ha, la), (hb, lb) = halves[a], halves[b]
                p = chunk[a] * chunk[b]
                # TwoProduct: the product's rounding error, exactly.
                err = ((ha * hb - p) + ha * lb + la * hb) + la * lb
                sums.add(i, p, err)
        totals = sums.totals()
        q = d + 2
        rows = [[Fraction(0)] * q for _ in range(q)]
        rows[d][d] = Fraction(n)
        place = [*range(d), d + 1]  # the data columns' places in z (the 1 is at d)
        for i, (a, b) in enumerate(pairs):
            value = totals[i] * Fraction(2) ** (exponents[a] + exponents[b])
            rows[place[a]][place[b]] = rows[place[b]][place[a]] = value
        for i in range(k):
            value = totals[len(pairs) + i] * Fraction(2) ** exponents[i]
            rows[place[i]][d] = rows[d][place[i]] = value
        return cls(tuple(map(tuple, rows)), n, 1, False)

    def _row(self, values: np.ndarray) -> list[Fraction]:
        """z for one row of (x columns…, y), exactly."""
        xs = [Fraction(v) for v in values[:-1].tolist()]
        if self.degree > 1:
            xs = [xs[0] ** k for k in range(1, self.degree + 1)]
        return [*xs, Fraction(1), Fraction(float(values[-1]))]

    def updated(self, change: Change) -> Moments:
        """The moments after ``change``: its removed rows' outer products subtracted and its added
        rows' added, exactly."""
        rows = [list(r) for r in self.sums]
        q = len(rows)
        n = self.n_samples
        for values, sign in [*((r, -1) for r in change.removed), *((r, 1) for r in change.added)]:
            z = self._row(np.asarray(values, dtype=np.float64))
            for i in range(q):
                zi = z[i] * sign
                row = rows[i]
                for j in range(q):
                    row[j] += zi * z[j]
            n += sign
        return Moments(tuple(map(tuple, rows)), n, self.degree, self.exact)

    def reference(self, dataset: Dataset, fit_intercept: bool) -> reference_mod.Reference | None:
        """The least-squares answer for ``dataset`` (whose moments these are) solved exactly from
        the moments, or None when the rows should be solved from instead (see the module's
        docstring; the caller's :func:`~.reference.solve` then gives the data's answer, its
        error messages included).

        Raises
        ------
        DataError
            Columns that are linear combinations of each other (exact moments only).
        """
        d = len(self.sums) - 2
        p = d + int(fit_intercept)
        n = self.n_samples
        if n != dataset.n_samples or n < p:
            return None
        y = d + 1
        params = [*range(d), *([d] if fit_intercept else [])]
        s = self.sums
        if not self.exact and not self._well_conditioned(params, fit_intercept):
            return None
        system = [[s[i][j] for j in params] + [s[i][y]] for i in params]
        den = 1
        for row in system:
            for v in row:
                den = max(den, v.denominator)  # all powers of two: the largest is their lcm
        ints = [[v.numerator * (den // v.denominator) for v in row] for row in system]
        phi, det = reference_mod._bareiss_solve(ints, dataset, fit_intercept)
        theta = [Fraction(f, det) for f in phi]
        yy = s[y][y]
        ss_res = yy - sum((t * s[i][y] for t, i in zip(theta, params)), Fraction(0))
        ss_tot = yy - s[d][y] * s[d][y] / n if fit_intercept else yy
        if not self.exact and ss_res < TRUSTED_SS_RES * yy:
            return None
        # Solved exactly from moments accurate to about eps²: named as a fresh solve of this size
        # names its answer.
        method = "exact" if self.exact else "refined"
        return reference_mod.exact_answer(dataset, fit_intercept, theta, ss_res, ss_tot, method)

    def _well_conditioned(self, params: list[int], fit_intercept: bool) -> bool:
        """The condition number of the centred, column-scaled design, from the moments (as the
        rows' solver measures it), at most EXACT_PREFERRED_CONDITION."""
        s = self.sums
        n = self.n_samples
        d = len(params) - int(fit_intercept)
        one = len(s) - 2
        gram = np.empty((d, d))
        for i in range(d):
            for j in range(d):
                g = s[i][j] - (s[i][one] * s[j][one] / n if fit_intercept else 0)
                gram[i, j] = float(g)
        diag = np.sqrt(np.diag(gram))
        if not np.all(np.isfinite(diag)) or np.any(diag <= 0):
            return False
        with np.errstate(all="ignore"):
            scaled = gram / np.outer(diag, diag)
            if fit_intercept:
                # The ones column (norm √n), with the centred columns orthogonal to it.
                m = np.zeros((d + 1, d + 1))
                m[:d, :d] = scaled
                m[d, d] = 1.0
                scaled = m
            condition = float(np.sqrt(np.linalg.cond(scaled)))
        return math.isfinite(condition) and condition <= reference_mod.EXACT_PREFERRED_CONDITION


#: Rows a pass works on at once: small enough that its arrays stay in the processor's cache.
_CHUNK = 1 << 14


class _Sums:
    """Several sums over chunks of values, each to about eps² of its absolute sum: every sum is
    a vector of running totals (one per position in a chunk), each addition's rounding error
    kept by Knuth's TwoSum in a vector of errors; at the end the totals are added pairwise the
    same way."""

    def __init__(self, count: int) -> None:
        self._totals: list[np.ndarray | None] = [None] * count
        self._errors: list[np.ndarray | None] = [None] * count

    def add(self, i: int, values: np.ndarray, errors: np.ndarray | None) -> None:
        total = self._totals[i]
        if total is None:
            self._totals[i] = values.copy()
            self._errors[i] = np.zeros_like(values) if errors is None else errors.copy()
            return
        m = values.shape[0]  # the last chunk may be shorter
        t = total[:m]
        s = t + values
        z = s - t
        e = self._errors[i][:m]
        e += (t - (s - z)) + (values - z)
        if errors is not None:
            e += errors
        t[...] = s

    def totals(self) -> list[Fraction]:
        out = []
        for total, errors in zip(self._totals, self._errors):
            if total is None:
                out.append(Fraction(0))
                continue
            # The errors are about eps of the totals: summing them plainly costs eps² of the sum.
            out.append(_sum(total) + Fraction(float(errors.sum())))
        return out


def _sum(values: np.ndarray) -> Fraction:
    """Σ values to about eps²·log²(n) of Σ|values|: pairwise, each addition's rounding error
    (TwoSum) kept and those errors summed apart, returned as an exact rational of the result."""
    v = values
    odd: list[float] = []
    errors = 0.0
    while v.shape[0] > 1:
        m = v.shape[0] // 2
        if v.shape[0] % 2:
            odd.append(float(v[-1]))
        a, b = v[:m], v[m : 2 * m]
        s = a + b
        z = s - a
        errors += float(((a - (s - z)) + (b - z)).sum())
        v = s
    total = Fraction(float(v[0])) if v.shape[0] else Fraction(0)
    return total + sum(map(Fraction, odd), Fraction(0)) + Fraction(errors)
