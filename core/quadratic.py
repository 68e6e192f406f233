"""The fast path: the MSE and its gradient from sufficient statistics, O(d²) an epoch whatever n is.

For the least-squares optimum θ* = (w*, b*), with centred second moments G = Xcᵀ·Xc / n and
feature means x̄,

    MSE(w, b) = MSE* + δᵀ·G·δ + c²,      δ = w − w*,  c = (b − b*) + x̄·δ
    ∂MSE/∂w   = 2·G·δ + 2·c·x̄
    ∂MSE/∂b   = 2·c

(without an intercept: G = Xᵀ·X / n uncentred, and c = 0). Every term is non-negative, so the
MSE cannot go negative, and none suffers the cancellation of yᵀy − 2·wᵀXᵀy + wᵀXᵀXw.

Each form is accurate near its anchor. Anchored at the optimum (above), the error is about
eps·‖R‖·‖δ‖: tiny near θ*, so a near-perfect fit keeps its digits, but on an ill-conditioned
problem (a degree-20 polynomial) w* has huge cancelling components, ‖δ‖ ≈ ‖w*‖ for the whole run,
and the per-epoch MSE was only ~1e-3 relatively right. Anchored at zero, with R and z from one QR
decomposition of [Xc, yc]/√n (R the features' triangular factor, z the y column's first d entries,
ρ its last diagonal entry),

    MSE(w, b) = ‖R·w − z‖² + ρ² + c²,      c = (b − ȳ) + x̄·w
    ∂MSE/∂w   = 2·Rᵀ(R·w − z) + 2·c·x̄

the error is about eps·Σⱼ‖xⱼ‖·|wⱼ|: Householder QR is backward stable column by column, so this
is the MSE of the data with each column changed by a few eps, which is what rounding the
parameters themselves can change. Each epoch uses the form whose anchor is nearer (weighted by
the columns' sizes), so the MSE of every epoch is the MSE of its parameters, up to that rounding.
Two details make the split exact: the columns are centred twice (x − x̄ with x̄ rounded leaves a
mean of eps·|x̄|, against a spread that can be 1e-11 of it), and the constant κ that rounding
w*, b* and the means leaves in c is computed once in rational arithmetic.

One centred column is never ill-conditioned: g·δ² (g = Σ(x − x̄)²/n) keeps its digits everywhere,
and only c needs the choice of anchor (at w = 0 on x = 1e9 + k/1000, (b − b*) + x̄·δ cancels 1e9
against 1e9).

The Hessian's eigenvalues come from the singular values of R, never from an eigen-decomposition of
a rounded G (whose tiny eigenvalues come out negative on a degree-20 polynomial).

This is algebraically the seed script's dm = (−2/n)·Σ x·(y − ŷ), db = (−2/n)·Σ (y − ŷ); tests
check the two agree. The per-epoch MSE (the history file, the loss chart, the log) is this
model's value; the current epoch's, on the status line and in --json, is recomputed on the data
itself (:mod:`.residuals`). Tests hold both to the exact MSE of the printed parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

#: Rows worked on at once by :meth:`Quadratic.from_features` (more go by chunks: no centred copy
#: of the data, and the arrays stay in the processor's cache).
CHUNK = 1 << 14
#: Largest condition number of the column-scaled G for which R of large data comes from G's
#: Cholesky factor: δᵀGδ from it is then good to about cond·eps ≈ 2e-12 relative (from a QR
#: factor of the data, to about √cond·eps), as good as the fast path needs; above it, QR.
CHOLESKY_CONDITION = 1e4


def _cholesky_factor(gram: np.ndarray) -> np.ndarray | None:
    """R with RᵀR = ``gram`` from a Cholesky factorisation of the column-scaled matrix, or None
    when that matrix's condition number is above CHOLESKY_CONDITION (or it is not positive
    definite in float64)."""
    diag = np.diag(gram)
    if np.any(diag <= 0) or not np.all(np.isfinite(gram)):
        return None
    unit = 1 / np.sqrt(diag)
    try:
        lower = np.linalg.cholesky(gram * np.outer(unit, unit))
    except np.linalg.LinAlgError:
        return None
    if np.linalg.cond(lower) ** 2 > CHOLESKY_CONDITION:
        return None
    return lower.T / unit


@dataclass(frozen=True, eq=False)
class Quadratic:
    """The MSE as a quadratic in the parameters (in training coordinates).

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        G: centred (with intercept) or raw (without) second moments of the features, over n
        (used as is only for one feature).
    factor : ndarray of shape (n_features, n_features)
        R, upper triangular, with RᵀR = G: from a QR factorisation of the centred features, or
        for large data (when the column-scaled G is well conditioned, so that it loses nothing
        that matters) from a Cholesky factorisation of G, which saves a factorisation of all
        rows.
    mean : ndarray of shape (n_features,)
        x̄, the feature means (zeros without an intercept: unused).
    z : ndarray of shape (n_features,)
        The y column of the QR factor of [Xc, yc]/√n (Rᵀz = Xcᵀ·yc/n).
    y_mean : tuple of float
        ȳ as a sum of two floats (0.0 without an intercept).
    rho2 : float
        ρ², the square of that factor's last diagonal entry: the least-squares MSE of the
        factored (backward-perturbed) data, which ‖R·w − z‖² + ρ² needs to be consistent (MSE*
        for one feature).
    mean_lo : ndarray of shape (n_features,)
        What x̄ leaves out of the exact mean (the columns are centred on x̄ + x̄_lo).
    w_star : ndarray of shape (n_features,)
    b_star : float
    mse_star : float
    fit_intercept : bool
    """

    gram: np.ndarray
    factor: np.ndarray
    mean: np.ndarray
    w_star: np.ndarray
    b_star: float
    mse_star: float
    fit_intercept: bool
    z: np.ndarray
    y_mean: tuple[float, float]
    rho2: float
    mean_lo: np.ndarray

    @classmethod
    def from_features(
        cls,
        features: np.ndarray,
        y: np.ndarray,
        w_star: np.ndarray,
        b_star: float,
        mse_star: float,
        fit_intercept: bool,
    ) -> Quadratic:
        """One O(n·d²) pass over the (training-coordinate) features.

        Parameters
        ----------
        features : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
        """
        n = features.shape[0]
        y = np.asarray(y, dtype=np.float64)
        if n <= CHUNK:
            gram, factor, z, rho2, mean, mean_lo, y_mean = _factors(
                features, y, fit_intercept, mse_star
            )
        else:
            gram, factor, z, rho2, mean, mean_lo, y_mean = _factors_by_chunks(
                features, y, fit_intercept, mse_star
            )
        w_star = np.asarray(w_star, dtype=np.float64)
        return cls(
            gram,
            factor,
            mean,
            w_star,
            float(b_star),
            float(mse_star),
            fit_intercept,
            z,
            y_mean,
            rho2,
            mean_lo,
        )

    def __post_init__(self) -> None:
        # The form anchored at the optimum takes (w*, b*) as the data's exact optimum, with MSE*
        # there; c's offset from it, κ = b* − ȳ + (x̄ + x̄_lo)·w* (what rounding w*, b*, x̄ and ȳ
        # to floats leaves), is computed exactly once.
        d = self.gram.shape[0]
        try:
            fw = [Fraction(v) for v in self.w_star.tolist()]
            kappa = float(
                Fraction(self.b_star)
                - Fraction(self.y_mean[0])
                - Fraction(self.y_mean[1])
                + sum(
                    (
                        (Fraction(m) + Fraction(lo)) * v
                        for m, lo, v in zip(self.mean.tolist(), self.mean_lo.tolist(), fw)
                    ),
                    Fraction(0),
                )
            )
        except (ValueError, OverflowError):  # not finite: refused by the caller
            kappa = math.nan
        object.__setattr__(self, "_kappa", kappa if self.fit_intercept else 0.0)
        # Weights of the choice of form: how much each parameter's rounding moves the terms.
        with np.errstate(all="ignore"):
            weight = np.sqrt(np.sum(self.factor * self.factor, axis=0)) + np.abs(self.mean)
        object.__setattr__(self, "_weight", weight)
        object.__setattr__(self, "_y0", self.y_mean[0])
        object.__setattr__(self, "_y1", self.y_mean[1])
        # The one-feature coefficients as floats, read once rather than every epoch.
        if d == 1:
            object.__setattr__(self, "_g", float(self.gram[0, 0]))
            object.__setattr__(self, "_mean1", float(self.mean[0]))
            object.__setattr__(self, "_w1", float(self.w_star[0]))
            object.__setattr__(self, "_r1", float(self.factor[0, 0]))
            object.__setattr__(self, "_z1", float(self.z[0]))
            scalar = (
                self._g,
                self._w1,
                self._mean1,
                self.b_star,
                self._y0,
                self._y1,
                self._kappa,
                self.mse_star,
            )
            object.__setattr__(self, "_scalar", scalar)

    @property
    def n_features(self) -> int:
        return int(self.gram.shape[0])

    def evaluate(self, w: np.ndarray, b: float) -> tuple[float, np.ndarray, float]:
        """MSE and gradient at one point, with the trainer's exact arithmetic.

        Returns
        -------
        mse : float
        grad_w : ndarray of shape (n_features,)
        grad_b : float (0.0 without an intercept)
        """
        if self.n_features == 1:
            mse, gw, gb = self.evaluate_scalar(float(w[0]), b)
            return mse, np.array([gw]), gb
        w = np.asarray(w, dtype=np.float64)
        dw = w - self.w_star
        a, a_star = self._weight * w, self._weight * dw
        db, b0 = b - self.b_star, b - self._y0
        if float(a_star @ a_star) + db * db < float(a @ a) + b0 * b0:
            # nearer the optimum than zero: anchored there (a near-perfect fit keeps its digits)
            v = self.factor @ dw
            c = db + float(self.mean @ dw) + self._kappa
            floor = self.mse_star
        else:
            v = self.factor @ w - self.z
            c = (b0 - self._y1) + float(self.mean @ w)
            floor = self.rho2
        gd = self.factor.T @ v
        excess = float(v @ v)
        if self.fit_intercept:
            return excess + floor + c * c, 2 * gd + (2 * c) * self.mean, 2 * c
        return excess + floor, 2 * gd, 0.0

    def _root(self) -> np.ndarray:
        """M with ∇²MSE = 2·MᵀM: R, and with an intercept [[R, 0], [x̄ᵀ, 1]] (b last)."""
        d = self.n_features
        if not self.fit_intercept:
            return self.factor
        m = np.zeros((d + 1, d + 1))
        m[:d, :d] = self.factor
        m[d, :d] = self.mean
        m[d, d] = 1.0
        return m

    def evaluate_scalar(self, w: float, b: float) -> tuple[float, float, float]:
        """:meth:`evaluate` for one feature in plain floats (the one-feature fast path: a numpy
        scalar operation costs ~20× a float one); also elementwise on arrays of (w, b). Returns
        (mse, ∂MSE/∂w, ∂MSE/∂b).

        One centred column is never ill-conditioned, so g·δ² (δ = w − w*) keeps its digits
        everywhere. c is computed in the form anchored at the optimum near it, and anchored at
        zero otherwise (x = 1e9 + k/1000 at w = 0: (b − b*) + x̄·δ would cancel 1e9 against
        1e9); the gradient keeps the seed-checked form 2·g·δ + 2·c*·x̄."""
        if isinstance(w, np.ndarray):
            return self._evaluate_arrays(w, b)
        # one attribute read for all the constants: at a few hundred ns an epoch, reads count
        g, w1, mean, b_star, y0, y1, kappa, mse_star = self._scalar
        dw = w - w1
        if self.fit_intercept:
            db = b - b_star
            c = db + mean * dw
            b0 = b - y0
            # c in the form whose terms are smaller: (b − b*) + x̄·δ near the optimum, and
            # (b − ȳ) + x̄·w near zero (one column: comparing the intercept's terms suffices)
            c0 = c + kappa if db * db < b0 * b0 else (b0 - y1) + mean * w
            return mse_star + g * dw * dw + c0 * c0, 2 * g * dw + 2 * c * mean, 2 * c
        return mse_star + g * dw * dw, 2 * g * dw, 0.0

    def _evaluate_arrays(self, w: np.ndarray, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`evaluate_scalar` elementwise, with the same arithmetic."""
        g, w1, mean, b_star, y0, y1, kappa, mse_star = self._scalar
        dw = w - w1
        if self.fit_intercept:
            db = b - b_star
            c = db + mean * dw
            b0 = b - y0
            c0 = np.where(db * db < b0 * b0, c + kappa, (b0 - y1) + mean * w)
            return mse_star + g * dw * dw + c0 * c0, 2 * g * dw + 2 * c * mean, 2 * c
        return mse_star + g * dw * dw, 2 * g * dw, np.zeros_like(dw)

    def scalar_gradient(self) -> tuple[tuple[str, ...], dict[str, float]]:
        """:meth:`evaluate_scalar`'s gradient as Python statements on ``w`` and ``b`` that assign
        ``gw`` and ``gb``, and the constants they read: what the kernel's fused loop inlines.
        The same operations in the same order (2·c is exact, so 2·c·x̄ = gb·x̄ and 2·g·δ =
        (2g)·δ), so the loop steps on exactly the gradient the records show; a test holds the
        two to the last bit."""
        constants = {"q_w1": self._w1, "q_g2": 2 * self._g}
        if not self.fit_intercept:
            return ("gw = q_g2 * (w - q_w1)", "gb = 0.0"), constants
        constants.update(q_b_star=self.b_star, q_mean=self._mean1)
        return (
            "dw = w - q_w1",
            "gb = 2.0 * (b - q_b_star + q_mean * dw)",
            "gw = q_g2 * dw + gb * q_mean",
        ), constants

    def hessian(self) -> np.ndarray:
        """∇²MSE, ndarray of shape (p, p) with p = n_features (+1 with an intercept; b last)."""
        m = self._root()
        return 2 * (m.T @ m)

    def hessian_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending, never negative) and eigenvectors (columns) of ∇²MSE, from the
        singular values of its square root M: λᵢ = 2·sᵢ², accurate even when ∇²MSE is too
        ill-conditioned for its own eigen-decomposition. Computed once (copies are returned)."""
        values, vectors = self._eigen
        return values.copy(), vectors.copy()

    @cached_property
    def _eigen(self) -> tuple[np.ndarray, np.ndarray]:
        _, s, vt = np.linalg.svd(self._root())
        order = np.argsort(s)
        return 2 * s[order] ** 2, vt[order].T


def _factors(features: np.ndarray, y: np.ndarray, fit_intercept: bool, mse_star: float):
    """(G, R, z, ρ², x̄, x̄_lo, (ȳ, ȳ_lo)) of :meth:`Quadratic.from_features`, at once."""
    n, d = features.shape
    if fit_intercept:
        # Centred twice: x − x̄ with x̄ rounded leaves a mean of up to eps·|x̄| (x = 1e9 +
        # k/1000: 1e-7 against a spread of 0.04), and the split of the MSE into a centred part
        # and c² holds only for columns that sum to zero. The mean removed is x̄ + x̄_lo.
        mean = features.mean(axis=0)
        centred = features - mean
        mean_lo = centred.mean(axis=0)
        centred -= mean_lo
        y_mean = float(y.mean())
        yc = y - y_mean
        y_lo = float(yc.mean())
        yc -= y_lo
    else:
        mean = mean_lo = np.zeros(d)
        centred = features
        y_mean = y_lo = 0.0
        yc = y
    gram = (centred.T @ centred) / n
    root_n = np.sqrt(n)
    if d == 1:
        # One centred column is perfectly conditioned: Rᵀz = Σxc·yc/n by one dot product is as
        # good as the QR's, and ρ² is the reference's MSE* (exact).
        factor = np.linalg.qr(centred / root_n, mode="r")
        z = np.array([float(centred[:, 0] @ yc) / n / float(factor[0, 0])])
        return gram, factor, z, float(mse_star), mean, mean_lo, (y_mean, y_lo)
    both = np.linalg.qr(np.column_stack([centred, yc]) / root_n, mode="r")
    factor = np.ascontiguousarray(both[:d, :d])
    z = np.ascontiguousarray(both[:d, d])
    rho = float(both[d, d]) if both.shape[0] > d else 0.0
    z, rho2 = _normalised(z, rho, float(np.sum(np.square(yc))) / n)
    return gram, factor, z, rho2, mean, mean_lo, (y_mean, y_lo)


def _normalised(z: np.ndarray, rho: float, target: float) -> tuple[np.ndarray, float]:
    """z and ρ² rescaled so that ‖z‖² + ρ² is ‖yc‖²/n as summed directly (pairwise, a few eps):
    the reflections keep ‖yc‖ only to about d·eps, and the MSE at w = 0 (every run's first
    epoch) is ‖z‖² + ρ² (+ ȳ²). A relative change of the y column this small is of the kind the
    QR's backward error already is."""
    norm2 = float(z @ z) + rho * rho
    if norm2 > 0 and math.isfinite(target) and target > 0:
        f = math.sqrt(target / norm2)
        z = z * f
        rho *= f
    return z, rho * rho


def _factors_by_chunks(features: np.ndarray, y: np.ndarray, fit_intercept: bool, mse_star: float):
    """:func:`_factors` chunk by chunk (no centred copy of the data): G as the sum of the chunks'
    Xcᵀ·Xc, with Xcᵀ·yc and ‖yc‖² beside it; R from G when that loses nothing (one column, or G
    well conditioned), else as the R of the chunks' stacked R factors of [Xc, yc] (a QR of the
    rows is a QR of the QR factors of its blocks: tall-skinny QR, with the accuracy of one
    Householder QR)."""
    n, d = features.shape
    root_n = np.sqrt(n)
    if fit_intercept:
        mean, y_mean = features.mean(axis=0), float(y.mean())
    else:
        mean, y_mean = np.zeros(d), 0.0
    gram = np.zeros((d, d))
    cross = np.zeros(d)
    sums = np.zeros(d)
    y_sum = y_square = 0.0
    for lo in range(0, n, CHUNK):
        centred = features[lo : lo + CHUNK]
        centred = centred - mean if fit_intercept else centred
        yc = y[lo : lo + CHUNK] - y_mean
        # Few columns: numpy's own loop, not BLAS, whose threads, woken for each of many small
        # products, stalled for up to 12 ms a call on a loaded machine.
        gram += np.einsum("ij,ik->jk", centred, centred) if d <= 16 else centred.T @ centred
        cross += np.einsum("ij,i->j", centred, yc) if d <= 16 else centred.T @ yc
        sums += centred.sum(axis=0)
        y_sum += float(yc.sum())
        y_square += float(yc @ yc)
    # The second centring (see _factors), applied to the sums: Σ(x − m)(x − m)ᵀ = Σxxᵀ − n·m·mᵀ.
    if fit_intercept:
        mean_lo, y_lo = sums / n, y_sum / n
    else:
        mean_lo, y_lo = np.zeros(d), 0.0
    gram = gram / n - np.outer(mean_lo, mean_lo)
    cross = cross / n - mean_lo * y_lo
    y_square = y_square / n - y_lo * y_lo
    # One column's QR factor is its norm; a well-conditioned G's Cholesky factor is as good as
    # a QR's for the fast path (CHOLESKY_CONDITION): either way no second pass over the rows.
    factor = np.sqrt(gram) if d == 1 else _cholesky_factor(gram)
    if d == 1:
        z = cross / float(factor[0, 0])
        return gram, factor, z, float(mse_star), mean, mean_lo, (y_mean, y_lo)
    if factor is not None:
        z = np.linalg.solve(factor.T, cross)
        rho2 = max(y_square - float(z @ z), 0.0)
        return gram, factor, z, rho2, mean, mean_lo, (y_mean, y_lo)
    factors = []
    for lo in range(0, n, CHUNK):
        centred = features[lo : lo + CHUNK]
        centred = (centred - mean) - mean_lo if fit_intercept else np.array(centred)
        yc = (y[lo : lo + CHUNK] - y_mean) - y_lo
        factors.append(np.linalg.qr(np.column_stack([centred, yc]) / root_n, mode="r"))
    both = np.linalg.qr(np.vstack(factors), mode="r")
    factor = np.ascontiguousarray(both[:d, :d])
    rho = float(both[d, d]) if both.shape[0] > d else 0.0
    z, rho2 = _normalised(np.ascontiguousarray(both[:d, d]), rho, y_square)
    return gram, factor, z, rho2, mean, mean_lo, (y_mean, y_lo)
