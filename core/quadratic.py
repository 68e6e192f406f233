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

import numpy as np


@dataclass(frozen=True, eq=False)
class Quadratic:
    """The MSE as a quadratic in the parameters (in training coordinates).

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        G: centred (with intercept) or raw (without) second moments of the features, over n
        (used as is only for one feature).
    factor : ndarray of shape (n_features, n_features)
        R, upper triangular, with RᵀR = G (computed from the features, not from G).
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
        n, d = features.shape
        y = np.asarray(y, dtype=np.float64)
        if fit_intercept:
            # Centred twice: x − x̄ with x̄ rounded leaves a mean of up to eps·|x̄| (x = 1e9 +
            # k/1000: 1e-7 against a spread of 0.04), and the split of the MSE into a centred
            # part and c² holds only for columns that sum to zero. The mean removed is then
            # x̄ + x̄_lo, kept as two floats.
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
            # One centred column is perfectly conditioned: Rᵀz = Σxc·yc/n by one dot product
            # is as good as the QR's, and ρ² is the reference's MSE* (exact).
            factor = np.linalg.qr(centred / root_n, mode="r")
            z = np.array([float(centred[:, 0] @ yc) / n / float(factor[0, 0])])
            rho2 = float(mse_star)
        else:
            both = np.linalg.qr(np.column_stack([centred, yc]) / root_n, mode="r")
            factor = np.ascontiguousarray(both[:d, :d])
            z = np.ascontiguousarray(both[:d, d])
            rho = float(both[d, d]) if both.shape[0] > d else 0.0
            # The reflections keep ‖yc‖ only to about d·eps; the column is rescaled to the
            # directly summed norm (pairwise, a few eps), so the MSE at w = 0 (every run's first
            # epoch) is that of the data to a few ulps. A relative change of the y column this
            # small is of the kind the QR's backward error already is.
            norm2 = float(z @ z) + rho * rho
            target = float(np.sum(np.square(yc))) / n
            if norm2 > 0 and math.isfinite(target) and target > 0:
                f = math.sqrt(target / norm2)
                z *= f
                rho *= f
            rho2 = rho * rho
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
            (y_mean, y_lo),
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

    def hessian(self) -> np.ndarray:
        """∇²MSE, ndarray of shape (p, p) with p = n_features (+1 with an intercept; b last)."""
        m = self._root()
        return 2 * (m.T @ m)

    def hessian_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending, never negative) and eigenvectors (columns) of ∇²MSE, from the
        singular values of its square root M: λᵢ = 2·sᵢ², accurate even when ∇²MSE is too
        ill-conditioned for its own eigen-decomposition."""
        _, s, vt = np.linalg.svd(self._root())
        order = np.argsort(s)
        return 2 * s[order] ** 2, vt[order].T
