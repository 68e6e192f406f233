"""The Hessian's extreme eigenvalues, and the rates they give, correctly rounded.

The learning-rate analysis shows 2/λmax, 2/(λmin + λmax), λmax/λmin (and the momentum methods'
formulas) to every digit (``--json`` prints 17). Computed in float64 from float eigenvalues they
are off in the last digits: on the seed data 2/(λmin + λmax) came out 0.08333333333333336 for
exactly 1/12. Here each is the exact value rounded once:

* the Hessian is formed exactly, as rationals: H = (2/n)·[X 1]ᵀ[X 1] (+ 2·λ₂ on the weights) from
  the exact sums of the training-coordinate features (:class:`~.exact_sums.ExactSums`: a few BLAS
  products over the rows, no rational arithmetic per row; O(p²) rationals after);
* each extreme eigenvalue is enclosed in a rational interval, proven by Sylvester's law of
  inertia: the number of eigenvalues of H below σ (and equal to it) is the number of negative
  (and zero) pivots of an exact symmetric elimination of H − σI (O(p³) rationals; repeated
  eigenvalues included). The float eigenvalue (from the SVD of the Hessian's square root) and the
  Rayleigh quotient of its eigenvector, evaluated exactly (error about eps²), give a first guess
  that usually encloses at once; bisection narrows the interval further when needed;
* each formula (monotone in each eigenvalue) is evaluated at the interval's corners in decimal
  arithmetic of a precision far beyond float64's, widened by that arithmetic's own error, and
  accepted when both ends round to the same float64: that float is then the correctly rounded
  exact value. Otherwise the intervals are narrowed and the precision raised.

If the value lies exactly on a float64 rounding boundary (a tie) or the narrowing gives up after
:data:`MAX_ROUNDS`, the float nearest the interval's midpoint is kept, within one ulp. More than
:data:`~.exact_sums.EXACT_COLUMNS` feature columns are summed in float64 blocks (then the Hessian
itself is good to about 16 digits, and so are these numbers).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import numpy as np

from . import rational
from . import reference as reference_mod
from .exact_sums import ExactSums
from .optimizers.base import Stability

#: Refinement rounds before the midpoint's rounding is accepted (each narrows the eigenvalue
#: enclosures 2**16-fold and adds 16 decimal digits).
MAX_ROUNDS = 6
#: The first enclosure's relative half-width around the Rayleigh quotient (its error is ~eps²).
_FIRST_WIDTH = Fraction(1, 1 << 90)

#: A formula of (λmin, λmax), monotone in each argument, in Decimal or Fraction arithmetic: its
#: third argument turns a float constant into that arithmetic's number (exactly).
Formula = Callable[[Decimal, Decimal, Callable[[float], Decimal]], Decimal]


@dataclass(frozen=True)
class FeatureSums:
    """n, Σx and Σx·xᵀ of the training-coordinate feature rows, exactly.

    Attributes
    ----------
    n : int
    total : tuple of Fraction, length n_features
    products : tuple of tuples of Fraction, n_features × n_features
    """

    n: int
    total: tuple[Fraction, ...]
    products: tuple[tuple[Fraction, ...], ...]

    @classmethod
    def of(cls, features: np.ndarray) -> FeatureSums:
        """The sums of ``features``, ndarray of shape (n_samples, n_features).

        From :class:`~.exact_sums.ExactSums` (BLAS products of 18-bit slices); when a value has
        bits beyond its four slices (a column spanning more than 2**19 in size with full 53-bit
        values) they are summed again as Python integers, up to
        :data:`~.reference.EXACT_LIMIT` values; beyond that they are kept to 2**-72 of each
        column's largest value (far below float64's rounding: the numbers stay correctly
        rounded unless the Hessian's condition number amplifies that to their 17th digit).
        """
        n, d = features.shape
        sums = ExactSums(d)
        sums.add(features)
        if sums.lossless or n * (d + 1) ** 2 > reference_mod.EXACT_LIMIT:
            total, products = sums.raw()
        else:
            columns = [reference_mod._float_column(features[:, j]) for j in range(d)]
            total = [Fraction(sum(ints), den) for ints, den in columns]
            products = [
                [
                    Fraction(
                        reference_mod._dot(columns[i][0], columns[j][0]),
                        columns[i][1] * columns[j][1],
                    )
                    for j in range(d)
                ]
                for i in range(d)
            ]
        return cls(n, tuple(total), tuple(map(tuple, products)))

    def updated(self, removed: np.ndarray, added: np.ndarray) -> FeatureSums:
        """The sums after rows are taken out and put in (ndarrays of shape (k, n_features)):
        O(k·d²) exact work instead of a pass over the data (an edit of a million rows)."""
        d = len(self.total)
        total = list(self.total)
        products = [list(row) for row in self.products]
        n = self.n
        for rows, sign in ((removed, -1), (added, 1)):
            for row in np.asarray(rows, dtype=np.float64).reshape(-1, d).tolist():
                z = [Fraction(v) for v in row]
                for i in range(d):
                    total[i] += sign * z[i]
                    for j in range(d):
                        products[i][j] += sign * z[i] * z[j]
                n += sign
        return FeatureSums(n, tuple(total), tuple(map(tuple, products)))

    def hessian(self, fit_intercept: bool, l2: float = 0.0) -> list[list[Fraction]]:
        """∇² of MSE (+ λ₂‖w‖²) in these coordinates, exactly (intercept last)."""
        d = len(self.total)
        two_n = Fraction(2, self.n)
        p = d + int(fit_intercept)
        h = [[Fraction(0)] * p for _ in range(p)]
        for i in range(d):
            for j in range(d):
                h[i][j] = two_n * self.products[i][j]
            h[i][i] += 2 * Fraction(l2)
            if fit_intercept:
                h[i][d] = h[d][i] = two_n * self.total[i]
        if fit_intercept:
            h[d][d] = Fraction(2)
        return h


def exact_hessian(
    features: np.ndarray, fit_intercept: bool, l2: float = 0.0
) -> list[list[Fraction]]:
    """∇² of MSE (+ λ₂‖w‖²) in the coordinates of ``features`` (ndarray of shape (n_samples,
    n_features)), exactly (intercept last)."""
    return FeatureSums.of(features).hessian(fit_intercept, l2)


class _Integer:
    """H = M / den with M an integer matrix, for exact inertia counts."""

    def __init__(self, h: list[list[Fraction]]) -> None:
        den = 1
        for row in h:
            for v in row:
                den = math.lcm(den, v.denominator)
        self.den = den
        self.m = [[v.numerator * (den // v.denominator) for v in row] for row in h]
        self.p = len(h)

    def inertia(self, sigma: Fraction) -> tuple[int, int]:
        """(eigenvalues of H below σ, eigenvalues equal to σ), exactly: the inertia of H − σI
        from its symmetric elimination (Sylvester's law: congruence keeps the signs), pivoting
        on any nonzero diagonal entry, or on a 2×2 block [[0, a], [a, 0]] (one eigenvalue of
        each sign) when the diagonal left is all zero."""
        a, b = sigma.numerator, sigma.denominator
        # b·den·(H − σI) = b·M − a·den·I: the same inertia, in integers.
        shift = a * self.den
        rows = [[Fraction(b * v) for v in row] for row in self.m]
        for i in range(self.p):
            rows[i][i] -= shift
        negative = 0
        live = list(range(self.p))
        while live:
            k = next((i for i in live if rows[i][i] != 0), None)
            if k is not None:
                pivot = rows[k][k]
                negative += pivot < 0
                live.remove(k)
                for i in live:
                    factor = rows[i][k] / pivot
                    if factor:
                        ri, rk = rows[i], rows[k]
                        for j in live:
                            ri[j] -= factor * rk[j]
                continue
            pair = next(((i, j) for i in live for j in live if i < j and rows[i][j] != 0), None)
            if pair is None:  # what is left is zero: that many eigenvalues equal σ
                return negative, len(live)
            i, j = pair
            # The block [[0, c], [c, 0]] has eigenvalues ±c; eliminate the rest against it:
            # its inverse is [[0, 1/c], [1/c, 0]].
            negative += 1
            c = rows[i][j]
            live.remove(i)
            live.remove(j)
            ri, rj = rows[i], rows[j]
            for r in live:
                fi, fj = rows[r][j] / c, rows[r][i] / c  # row r · block⁻¹
                if fi or fj:
                    rr = rows[r]
                    for t in live:
                        rr[t] -= fi * ri[t] + fj * rj[t]
        return negative, 0


@dataclass
class _Enclosure:
    """lo ≤ λ ≤ hi (exact when lo == hi)."""

    lo: Fraction
    hi: Fraction


class Spectrum:
    """The extreme eigenvalues of an exactly known symmetric positive semi-definite matrix, and
    formulas of them correctly rounded to float64.

    Parameters
    ----------
    hessian : list of list of Fraction, p × p
    estimates : (ndarray of shape (p,), ndarray of shape (p, p))
        Float eigenvalues (ascending) and eigenvectors (columns) to start from.
    """

    def __init__(self, hessian: list[list[Fraction]], estimates: tuple[np.ndarray, np.ndarray]):
        self._h = hessian
        self._int = _Integer(hessian)
        self.p = len(hessian)
        values, vectors = estimates
        self._trace = sum((hessian[i][i] for i in range(self.p)), Fraction(0))
        self._min = self._enclose(0, float(values[0]), vectors[:, 0])
        self._max = (
            self._min
            if self.p == 1
            else self._enclose(self.p - 1, float(values[-1]), vectors[:, -1])
        )
        self._cache: dict = {}

    # -- enclosures ------------------------------------------------------------------------

    def _count(self, sigma: Fraction) -> tuple[int, int]:
        """(eigenvalues below σ, eigenvalues equal to σ)."""
        return self._int.inertia(sigma)

    def _enclose(self, index: int, estimate: float, vector: np.ndarray) -> _Enclosure:
        """An interval holding eigenvalue ``index`` (ascending), from the Rayleigh quotient."""
        v = [Fraction(x) for x in vector.tolist()]
        guess = self._rayleigh(v)
        if guess is None or guess <= 0:
            guess = Fraction(estimate) if estimate > 0 else self._trace / (1 << 64)
        # The quotient is the eigenvalue itself when the float vector is an exact eigenvector
        # (one parameter, a diagonal Hessian): then a rational eigenvalue is known exactly, and a
        # formula of it that falls exactly between two floats rounds to even.
        below, equal = self._count(guess)
        if below <= index < below + equal:
            return _Enclosure(guess, guess)
        guess = _short(guess, 200)
        width = _FIRST_WIDTH
        refined = False
        while True:
            if width > _FIRST_WIDTH and not refined and estimate > 0:
                # The float vector was not good enough (an ill-conditioned Hessian's smallest
                # eigenvalue: NIST Filip's float one has 6 digits): one step of inverse
                # iteration from it, solved exactly, leaves an error of about the square of
                # (float error)·(λ/gap), and its quotient another square of that.
                refined = True
                better = self._rayleigh(self._solve(Fraction(estimate), v))
                if better is not None and better > 0:
                    guess, width = _short(better, 200), _FIRST_WIDTH
                    continue
            if width >= 1:  # every eigenvalue of a PSD matrix lies in [0, trace]
                lo, hi = Fraction(0), max(2 * guess, self._trace)
            else:
                lo, hi = guess * (1 - width), guess * (1 + width)
            below, equal = self._count(lo)
            if below <= index < below + equal:
                return _Enclosure(lo, lo)
            if below <= index:  # λ ≥ lo
                below_hi, equal_hi = self._count(hi)
                if below_hi > index:  # λ < hi
                    return _Enclosure(lo, hi)
                if below_hi + equal_hi > index:
                    return _Enclosure(hi, hi)
            if width >= 1:
                raise ArithmeticError("no eigenvalue of the Hessian in [0, trace]")
            width *= 1 << 16

    def _rayleigh(self, v: list[Fraction] | None) -> Fraction | None:
        """vᵀHv / vᵀv exactly (None for no vector or a zero one)."""
        if not v:
            return None
        norm = sum((x * x for x in v), Fraction(0))
        if norm == 0:
            return None
        hv = [sum((hij * x for hij, x in zip(row, v)), Fraction(0)) for row in self._h]
        return sum((x * y for x, y in zip(v, hv)), Fraction(0)) / norm

    def _solve(self, sigma: Fraction, v: list[Fraction]) -> list[Fraction] | None:
        """x with (H − σI)·x = v, exactly (Gaussian elimination on rationals, any nonzero
        pivot); None when H − σI is singular (σ is an eigenvalue: the caller's counts find it)."""
        shifted = [
            [hij - (sigma if i == j else 0) for j, hij in enumerate(row)]
            for i, row in enumerate(self._h)
        ]
        try:
            x = rational.solve(shifted, v)
        except rational.Singular:
            return None
        # Scaled to its largest entry and shortened: the quotient needs only its direction.
        top = max(abs(c) for c in x)
        return [_short(c / top, 120) for c in x] if top else None

    def _narrow(self, index: int, enc: _Enclosure, relative: Fraction) -> None:
        """Bisect until hi − lo ≤ relative·hi (or the eigenvalue is hit exactly)."""
        while enc.hi - enc.lo > relative * enc.hi:
            if enc.lo > 0 and enc.hi > 4 * enc.lo:
                # far apart: the geometric mean (a power of two between them) halves the exponents
                mid = Fraction(2) ** ((_log2(enc.lo) + _log2(enc.hi)) // 2)
                if not enc.lo < mid < enc.hi:
                    mid = (enc.lo + enc.hi) / 2
            else:
                mid = (enc.lo + enc.hi) / 2
            if enc.lo == 0 and mid > enc.hi / (1 << 32):
                mid = enc.hi / (1 << 32)
            below, equal = self._count(mid)
            if below <= index < below + equal:
                enc.lo = enc.hi = mid
                return
            if below <= index:
                enc.lo = mid
            else:
                enc.hi = mid

    # -- correctly rounded formulas ------------------------------------------------------------

    def rounded(self, name: str, formula: Formula) -> float:
        """``formula(λmin, λmax)`` correctly rounded to float64 (cached by ``name``)."""
        if name not in self._cache:
            self._cache[name] = self._rounded(formula)
        return self._cache[name]

    def _rounded(self, formula: Formula) -> float:
        exact = self._exactly(formula)
        if exact is not None:
            return exact
        for round_ in range(MAX_ROUNDS):
            digits = 40 + 16 * round_
            relative = Fraction(1, 1 << (70 + 53 * round_))
            self._narrow(0, self._min, relative)
            self._narrow(self.p - 1, self._max, relative)
            low, high = self._bounds(formula, digits)
            if low is None:
                return math.nan
            a, b = _to_float(low), _to_float(high)
            if a == b:
                return a
        return _to_float((low + high) / 2)

    def _exactly(self, formula: Formula) -> float | None:
        """The formula rounded from its exact value, when both eigenvalues are known exactly and
        it is rational (no square root): exact ties then round to even, as float64 does."""
        for _ in range(2):
            if self._min.lo == self._min.hi and self._max.lo == self._max.hi:
                try:
                    value = formula(self._min.lo, self._max.lo, Fraction)
                except (AttributeError, TypeError):  # a square root: not rational
                    return None
                except ZeroDivisionError:
                    return math.nan
                return _to_float(Fraction(value))
            # One bisection step finds an eigenvalue that the first guess holds exactly.
            self._narrow(0, self._min, Fraction(1, 1 << 60))
            self._narrow(self.p - 1, self._max, Fraction(1, 1 << 60))
        return None

    def _bounds(self, formula: Formula, digits: int) -> tuple[Fraction | None, Fraction | None]:
        """Lower and upper bounds of the formula over the enclosures' corners, each widened by
        the decimal arithmetic's own error (a few roundings at ``digits`` digits)."""
        values = []
        corners = [
            (a, b) for a in (self._min.lo, self._min.hi) for b in (self._max.lo, self._max.hi)
        ]
        if self.p == 1:  # one eigenvalue: λmin and λmax are the same number
            corners = [(self._min.lo, self._min.lo), (self._min.hi, self._min.hi)]
        for lam_min, lam_max in corners:
            # Twice, 20 digits apart: their difference measures what the decimal roundings
            # (and any cancellation in the formula) cost the coarser one.
            coarse = _evaluate(formula, lam_min, lam_max, digits)
            fine = _evaluate(formula, lam_min, lam_max, digits + 20)
            if coarse is None or fine is None:
                return None, None
            error = 10 * abs(fine - coarse) + abs(fine) / 10 ** (digits - 4)
            values += [fine - error, fine + error]
        return min(values), max(values)

    @property
    def lam_min(self) -> float:
        """λmin correctly rounded."""
        return self.rounded("lam_min", lambda lo, hi, num: lo)

    @property
    def lam_max(self) -> float:
        """λmax correctly rounded."""
        return self.rounded("lam_max", lambda lo, hi, num: hi)

    @property
    def condition(self) -> float:
        """λmax/λmin correctly rounded (inf when λmin is 0)."""
        if self._min.hi == 0:
            return math.inf
        return self.rounded("condition", lambda lo, hi, num: hi / lo)


def _evaluate(formula: Formula, lam_min: Fraction, lam_max: Fraction, digits: int):
    """formula(λmin, λmax) in decimal arithmetic of ``digits`` digits, as a Fraction (None when
    not finite)."""
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        ctx.traps[decimal.DivisionByZero] = False
        ctx.traps[decimal.InvalidOperation] = False
        value = formula(_decimal(lam_min), _decimal(lam_max), Decimal)
        return Fraction(value) if value.is_finite() else None


def _decimal(q: Fraction) -> Decimal:
    """q to the current context's precision (the caller's slack covers this rounding)."""
    return Decimal(q.numerator) / Decimal(q.denominator)


def _to_float(q: Fraction) -> float:
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _log2(q: Fraction) -> int:
    return q.numerator.bit_length() - q.denominator.bit_length()


def _short(q: Fraction, bits: int) -> Fraction:
    """q rounded to a dyadic rational with about ``bits`` significant bits (keeps the
    enclosure's integers small; the enclosure is checked exactly anyway)."""
    if q == 0:
        return q
    e = _log2(q) - bits
    scale = Fraction(2) ** e
    return Fraction(round(q / scale)) * scale


def exact_stability(spectrum: Spectrum, optimizer) -> Stability:
    """``optimizer.stability`` with each number the exact value correctly rounded: the formulas
    of :meth:`~.optimizers.base.Optimizer.rate_formulas` evaluated on the spectrum."""
    base = optimizer.stability(spectrum.lam_min, spectrum.lam_max)
    formulas = optimizer.rate_formulas()
    key = repr(optimizer)

    def value(name: str, default: float | None) -> float | None:
        if default is None or name not in formulas:
            return default
        return spectrum.rounded(f"{key}:{name}", formulas[name])

    return replace(
        base,
        lr_max=value("lr_max", base.lr_max),
        lr_best=value("lr_best", base.lr_best),
        best_other={k: value(k, v) for k, v in base.best_other.items()},
    )
