"""Least squares from a stream's sums, in exact rational arithmetic.

A streamed pass (:mod:`.streaming`, :mod:`.dask_engine`) keeps n, Σu and Σuuᵀ of each row's
*basis columns* u = (b₁(x)…, y) exactly (:mod:`.exact_sums`). The model's features are a fixed
linear map of (1, b₁…): for a straight line or plane the x columns themselves; for a polynomial of
degree D, the Chebyshev polynomials T₁…T_D of t = (x − c)/h, with c a short float near the middle
of the first block's x and h a power of two covering its half-range. The raw powers x, x², …, x^D
are exact rational combinations of T₀…T_D (:meth:`Basis.to_features`), so the Gram matrix of
(1, x, …, x^D, y) follows from the basis' sums exactly, and the normal equations are solved
exactly (Gaussian elimination on fractions) with the answer rounded once.

Why a Chebyshev basis rather than the powers themselves: each basis value is rounded once in
float64 when it is computed from x, and that rounding is all the error there is. Rounded
Chebyshev values of t ∈ [−1, 1] perturb the fitted polynomial by about cond(T)·eps, a few ulps,
while rounded raw powers of Filip's x (cond ~1e15) would perturb it by everything. With x on a
grid of short numbers (Wampler's 0…20) t and its Chebyshev values are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import rational
from .errors import DataError
from .exact_sums import EXACT_COLUMNS, rounded
from .float_range import to_float
from .reference import Reference, _sqrt_fraction

#: Largest parameter count solved by exact elimination (a few tenths of a second on fractions);
#: above it a float64 solve is refined against the exact normal equations.
EXACT_PARAMS = 24


def _short(value: float, bits: int = 8) -> float:
    """``value`` rounded to ``bits`` significant bits (so that x − c is often exact)."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    m, e = math.frexp(value)
    return math.ldexp(round(m * (1 << bits)), e - bits)


@dataclass(frozen=True)
class Basis:
    """The columns a stream accumulates for the model's features.

    Attributes
    ----------
    degree : int
        1: the x columns as they are; D > 1: T₁…T_D of t = (x − centre)/half_width.
    centre, half_width : float
        Of the polynomial basis (half_width a power of two).
    """

    degree: int = 1
    centre: float = 0.0
    half_width: float = 1.0

    @classmethod
    def for_block(cls, degree: int, x: np.ndarray) -> Basis:
        """The basis for ``degree`` from the first block's x (ndarray of shape (rows,))."""
        if degree == 1:
            return cls()
        lo, hi = float(np.min(x)), float(np.max(x))
        centre = _short((lo + hi) / 2)
        half = max(hi - centre, centre - lo)
        half_width = 2.0 ** math.ceil(math.log2(half)) if half > 0 else 1.0
        return cls(degree, centre, half_width)

    def columns(self, block: np.ndarray) -> np.ndarray:
        """Rows of (x columns…, y) → rows of (basis columns…, y)."""
        if self.degree == 1:
            return block
        t = (block[:, 0] - self.centre) * (1.0 / self.half_width)  # 1/h: a power of two
        out = np.empty((block.shape[0], self.degree + 1))
        previous, current = np.ones_like(t), t
        out[:, 0] = t
        for k in range(1, self.degree):
            previous, current = current, 2.0 * t * current - previous
            out[:, k] = current
        out[:, -1] = block[:, -1]
        return out

    def to_features(self, n_columns: int) -> list[list[Fraction]]:
        """P with (1, features…) = P · (1, basis columns…), exactly; (d + 1) × (d + 1)."""
        if self.degree == 1:
            return [
                [Fraction(int(i == j)) for j in range(n_columns + 1)] for i in range(n_columns + 1)
            ]
        d = self.degree
        # Chebyshev polynomials as integer coefficients of t^i.
        cheb = [[1] + [0] * d, [0, 1] + [0] * (d - 1)]
        for k in range(2, d + 1):
            cheb.append(
                [2 * (cheb[k - 1][i - 1] if i else 0) - cheb[k - 2][i] for i in range(d + 1)]
            )
        # t^i in the Chebyshev basis: invert the lower-triangular (in i ≤ k) matrix exactly.
        mono = [[Fraction(0)] * (d + 1) for _ in range(d + 1)]  # mono[i][k]: t^i = Σ mono·T_k
        for i in range(d + 1):
            # t^i = (T_i − Σ_{j<i} cheb[i][j] t^j) / cheb[i][i]
            row = [Fraction(0)] * (d + 1)
            row[i] = Fraction(1)
            for j in range(i):
                if cheb[i][j]:
                    for k in range(d + 1):
                        row[k] -= cheb[i][j] * mono[j][k]
            mono[i] = [v / cheb[i][i] for v in row]
        c, h = Fraction(self.centre), Fraction(self.half_width)
        out = []
        for j in range(d + 1):  # x^j = Σ_i C(j, i) c^(j−i) h^i t^i
            row = [Fraction(0)] * (d + 1)
            for i in range(j + 1):
                coefficient = math.comb(j, i) * c ** (j - i) * h**i
                for k in range(d + 1):
                    row[k] += coefficient * mono[i][k]
            out.append(row)
        return out


def _feature_gram(
    n: int, total: list[Fraction], products: list[list[Fraction]], basis: Basis
) -> list[list[Fraction]]:
    """Σ over rows of (1, features…, y)(1, features…, y)ᵀ, exactly."""
    k = len(total)
    full = [[Fraction(n), *total]] + [[total[i], *products[i]] for i in range(k)]
    if basis.degree == 1:
        return full
    d = k - 1
    transform = [[*row, Fraction(0)] for row in basis.to_features(d)]
    transform.append([Fraction(0)] * (d + 1) + [Fraction(1)])
    return _congruence(transform, full)


class SumsLoss:
    """The MSE of any parameters from the exact sums: (1/n)·Σ(y − Xw − b)² expanded as the
    quadratic form of (b, w, −1) in the exact Gram matrix of (1, features, y), evaluated in
    rational arithmetic and rounded once. (On moment-equivalent rows the same MSE would cancel
    catastrophically where the features are large and the residuals small: Filip's x¹⁰.)

    Parameters
    ----------
    n : int
    total, products : exact Σu and Σuuᵀ of the basis columns and y
    basis : Basis
    """

    def __init__(
        self, n: int, total: list[Fraction], products: list[list[Fraction]], basis: Basis
    ) -> None:
        self.n = n
        self._gram = _feature_gram(n, total, products, basis)

    def mse(self, weights: np.ndarray, intercept: float) -> float:
        """The MSE over every row read, float (inf when the parameters are not finite or the
        MSE is beyond float64)."""
        values = [float(intercept), *np.asarray(weights, dtype=np.float64).tolist()]
        if not all(math.isfinite(v) for v in values):
            return math.inf
        t = [Fraction(v) for v in values] + [Fraction(-1)]
        g = self._gram
        total = sum(
            (t[i] * sum((g[i][j] * t[j] for j in range(len(t)) if t[j]), Fraction(0)))
            for i in range(len(t))
            if t[i]
        )
        try:
            return float(max(total, Fraction(0)) / self.n)
        except OverflowError:
            return math.inf


def feature_moments(
    n: int, total: list[Fraction], products: list[list[Fraction]], basis: Basis
) -> tuple[np.ndarray, np.ndarray]:
    """Means and centred co-moments of (features…, y), computed exactly and rounded once."""
    gram = _feature_gram(n, total, products, basis)
    size = len(gram)
    mean = [gram[0][i] / n for i in range(1, size)]
    co = [
        [rounded(gram[i][j] - gram[0][i] * gram[0][j] / n) for j in range(1, size)]
        for i in range(1, size)
    ]
    return np.array([rounded(v) for v in mean]), np.array(co)


def least_squares(
    n: int,
    total: list[Fraction],
    products: list[list[Fraction]],
    basis: Basis,
    fit_intercept: bool,
    source: str,
    feature_names: tuple[str, ...],
    exact: bool = True,
) -> Reference:
    """The least-squares answer from the exact sums of (basis columns…, y).

    Parameters
    ----------
    n : int
        Rows.
    total, products : exact Σu and Σuuᵀ of u = (basis columns…, y)
    basis : Basis
    fit_intercept : bool
    source : str
        For messages.
    feature_names : tuple of str
        The model's features (for messages).
    exact : bool
        Whether the sums are exact; float64 sums (wide data) hold about 16 digits, so columns
        too near dependent for float64 to solve are refused rather than solved from them.

    Raises
    ------
    DataError
        Too few rows, dependent columns, or an answer beyond float64.
    """
    k = len(total)  # basis columns + y
    d = k - 1
    gram = _feature_gram(n, total, products, basis)
    # Parameters: the features (indices 1..d), then the intercept (index 0).
    cols = list(range(1, d + 1)) + ([0] if fit_intercept else [])
    p = len(cols)
    if n < p:
        what = f"{d} weight{'s' if d != 1 else ''}" + (" and an intercept" if fit_intercept else "")
        raise DataError(
            f"{source}: {n} row{'s' if n != 1 else ''} cannot fit {p} parameters ({what}); "
            f"at least {p} rows are needed"
        )
    a = [[gram[i][j] for j in cols] for i in cols]
    b = [gram[i][d + 1] for i in cols]
    names = [*feature_names, "the intercept"]
    theta = _solve(a, b, [names[c - 1] if c else names[-1] for c in cols], source, exact)
    yy = gram[d + 1][d + 1]
    ss_res = yy - sum(t * bi for t, bi in zip(theta, b))
    ss_res = max(ss_res, Fraction(0))
    ss_tot = yy - gram[0][d + 1] ** 2 / n if fit_intercept else yy
    rescale = "rescale x or y so that the answer fits"
    weights = [
        to_float(t, f"{source}: the least-squares weight of {name!r}", rescale)
        for t, name in zip(theta[:d], feature_names)
    ]
    intercept = (
        to_float(theta[d], f"{source}: the least-squares intercept", rescale)
        if fit_intercept
        else 0.0
    )
    spread = "rescale y (its squares must fit in float64)"
    mse = ss_res / n
    return Reference(
        weights=np.array(weights),
        intercept=intercept,
        mse=to_float(mse, f"{source}: the least-squares MSE", spread) if mse else 0.0,
        rmse=_sqrt_fraction(mse),
        r2=None if ss_tot == 0 else float(1 - ss_res / ss_tot),
        ss_res=to_float(ss_res, f"{source}: the least-squares sum of squares", spread),
        ss_tot=to_float(ss_tot, f"{source}: the total sum of squares of y", spread),
        residual_sd=_sqrt_fraction(ss_res / (n - p)) if n > p else None,
        n_samples=n,
        n_params=p,
        method="exact sums",
    )


def _congruence(t: list[list[Fraction]], m: list[list[Fraction]]) -> list[list[Fraction]]:
    """T·M·Tᵀ, exactly."""
    size = len(m)
    tm = [
        [sum((row[a] * m[a][b] for a in range(size) if row[a]), Fraction(0)) for b in range(size)]
        for row in t
    ]
    return [
        [
            sum((tm[i][b] * t[j][b] for b in range(size) if t[j][b]), Fraction(0))
            for j in range(size)
        ]
        for i in range(size)
    ]


def _solve(
    a: list[list[Fraction]], b: list[Fraction], names: list[str], source: str, exact: bool = True
) -> list[Fraction]:
    """A·θ = b: exactly (Gaussian elimination on fractions) up to EXACT_PARAMS parameters; above,
    a float64 solve refined against the exact residual b − A·θ until it no longer changes any
    parameter, and exactly after all where refinement cannot get there (A too near singular for
    float64: it used to stop after six steps with eight digits, or to call a column that was
    only nearly dependent a linear combination of the others). Sums that are not ``exact``
    (float64, of wide data) and too near singular for float64 are refused: the exact answer of
    rounded sums would show digits that are not the data's."""
    if not exact:
        af = np.array([[float(v) for v in row] for row in a])
        scale = np.sqrt(np.abs(np.diag(af)))
        scale[scale == 0] = 1.0
        condition = float(np.linalg.cond(af / np.outer(scale, scale)))
        theta = _refined(a, b) if condition <= FLOAT_SUMS_CONDITION else None
        if theta is None:
            raise DataError(
                f"{source}: the {len(b)} columns are too nearly dependent to solve from float64 "
                f"sums (condition number about {condition:.1g}; data wider than "
                f"{EXACT_COLUMNS} columns is summed in float64 when streamed); load it without "
                "--stream, or drop nearly dependent columns"
            )
        return theta
    if len(b) > EXACT_PARAMS:
        theta = _refined(a, b)
        if theta is not None:
            return theta
    return _exact(a, b, names, source)


def _exact(
    a: list[list[Fraction]], b: list[Fraction], names: list[str], source: str
) -> list[Fraction]:
    """A·θ = b by Gaussian elimination on fractions; a zero pivot names a dependent column."""
    try:
        return rational.solve(a, b)
    except rational.Singular as exc:
        raise _dependent(names, exc.column, source) from None


#: Largest condition number of the (diagonally scaled) normal equations solved from float64
#: sums: their 16 digits then give the answer at least 6, as many as the app shows.
FLOAT_SUMS_CONDITION = 1e10
#: Refinement steps at most; each gains about −log10(cond(A)·eps) digits.
REFINE_STEPS = 40


def _refined(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction] | None:
    """θ from a float64 Cholesky solve of the (diagonally scaled) A, refined with exact
    residuals until a step changes no parameter by more than 2⁻⁶⁰ of itself; None where that
    cannot be had (A not positive definite in float64, or a step that does not shrink)."""
    af = np.array([[float(v) for v in row] for row in a])
    scale = np.sqrt(np.diag(af))
    if np.any(scale == 0):
        return None
    try:
        factor = np.linalg.cholesky(af / np.outer(scale, scale))
    except np.linalg.LinAlgError:
        return None
    theta = [Fraction(0)] * len(b)
    last = math.inf
    for _ in range(REFINE_STEPS):
        residual = [
            bi - sum((aij * t for aij, t in zip(row, theta)), Fraction(0)) for row, bi in zip(a, b)
        ]
        r = np.array([float(v) for v in residual]) / scale
        step = np.linalg.solve(factor.T, np.linalg.solve(factor, r)) / scale
        if not np.all(np.isfinite(step)):
            return None
        theta = [t + Fraction(float(s)) for t, s in zip(theta, step.tolist())]
        now = np.array([float(t) for t in theta])
        if np.all(np.abs(step) <= 2.0**-60 * np.abs(now)):
            return theta
        size = float(np.max(np.abs(step) / np.maximum(np.abs(now), np.finfo(float).tiny)))
        if size > last / 2:  # not converging (fast enough to be worth going on)
            return None
        last = size
    return None


def _dependent(names: list[str], column: int, source: str) -> DataError:
    from .errors import listing

    before = listing([repr(c) for c in names[:column]]) or "the others"
    return DataError(
        f"{source}: column {names[column]!r} is a linear combination of {before}, so the "
        "least-squares answer is not unique; drop one of them"
    )
