"""The fast path: the MSE and its gradient from sufficient statistics, O(d²) an epoch whatever n is.

For the least-squares optimum θ* = (w*, b*), with centred second moments G = Xcᵀ·Xc / n and
feature means x̄,

    MSE(w, b) = MSE* + δᵀ·G·δ + c²,      δ = w − w*,  c = (b − b*) + x̄·δ
    ∂MSE/∂w   = 2·G·δ + 2·c·x̄
    ∂MSE/∂b   = 2·c

(without an intercept: G = Xᵀ·X / n uncentred, and c = 0). Both terms of the excess loss are
non-negative and are computed from the distance to the optimum, so a near-perfect fit does not
suffer the cancellation of yᵀy − 2·wᵀXᵀy + wᵀXᵀXw.

With several features, δᵀ·G·δ is computed as ‖R·δ‖² and G·δ as Rᵀ·(R·δ), where R is the
triangular factor of a QR decomposition of Xc/√n (so RᵀR = G). G itself, formed in float64, is
only accurate to about eps·‖G‖: on an ill-conditioned problem (a degree-20 polynomial) its tiny
eigenvalues come out negative and δᵀ·G·δ can be hugely negative. ‖R·δ‖² cannot be negative, and
its error is that of one matrix-vector product. The Hessian's eigenvalues likewise come from the
singular values of the factor, never from an eigen-decomposition of a rounded G.
For one feature, g·δ² with g = Σ(x − x̄)²/n is already non-negative and accurate.

This is algebraically the seed script's dm = (−2/n)·Σ x·(y − ŷ), db = (−2/n)·Σ (y − ŷ); tests
check the two agree. The MSE printed for an epoch is not this model's value but the MSE of the
printed parameters on the data (:mod:`.residuals`).
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @classmethod
    def from_features(
        cls,
        features: np.ndarray,
        w_star: np.ndarray,
        b_star: float,
        mse_star: float,
        fit_intercept: bool,
    ) -> Quadratic:
        """One O(n·d²) pass over the (training-coordinate) features.

        Parameters
        ----------
        features : ndarray of shape (n_samples, n_features)
        """
        n = features.shape[0]
        mean = features.mean(axis=0) if fit_intercept else np.zeros(features.shape[1])
        if n <= CHUNK:
            centred = features - mean if fit_intercept else features
            gram = (centred.T @ centred) / n
            factor = np.linalg.qr(centred / np.sqrt(n), mode="r")
        else:
            gram, factor = _gram_and_factor(features, mean, fit_intercept)
        return cls(
            gram,
            factor,
            mean,
            np.asarray(w_star, dtype=np.float64),
            float(b_star),
            float(mse_star),
            fit_intercept,
        )

    def __post_init__(self) -> None:
        # The one-feature coefficients as floats, read once rather than every epoch.
        if self.gram.shape[0] == 1:
            object.__setattr__(self, "_g", float(self.gram[0, 0]))
            object.__setattr__(self, "_mean1", float(self.mean[0]))
            object.__setattr__(self, "_w1", float(self.w_star[0]))

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
        dw = np.asarray(w, dtype=np.float64) - self.w_star
        rd = self.factor @ dw
        gd = self.factor.T @ rd
        excess = float(rd @ rd)
        if self.fit_intercept:
            c = (b - self.b_star) + float(self.mean @ dw)
            return self.mse_star + excess + c * c, 2 * gd + (2 * c) * self.mean, 2 * c
        return self.mse_star + excess, 2 * gd, 0.0

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
        scalar operation costs ~20× a float one). Returns (mse, ∂MSE/∂w, ∂MSE/∂b)."""
        g = self._g
        dw = w - self._w1
        if self.fit_intercept:
            mean = self._mean1
            c = (b - self.b_star) + mean * dw
            return self.mse_star + g * dw * dw + c * c, 2 * g * dw + 2 * c * mean, 2 * c
        return self.mse_star + g * dw * dw, 2 * g * dw, 0.0

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


def _gram_and_factor(
    features: np.ndarray, mean: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray]:
    """G and R of :meth:`Quadratic.from_features`, chunk by chunk: G as the sum of the chunks'
    Xcᵀ·Xc; R from G when that loses nothing (one column, or G well conditioned), else as the R
    of the chunks' stacked R factors (a QR of the rows is a QR of the QR factors of its blocks:
    tall-skinny QR, with the accuracy of one Householder QR)."""
    n, d = features.shape
    root_n = np.sqrt(n)
    gram = np.zeros((d, d))
    for lo in range(0, n, CHUNK):
        centred = features[lo : lo + CHUNK]
        centred = centred - mean if fit_intercept else centred
        # Few columns: numpy's own loop, not BLAS, whose threads, woken for each of many small
        # products, stalled for up to 12 ms a call on a loaded machine.
        gram += np.einsum("ij,ik->jk", centred, centred) if d <= 16 else centred.T @ centred
    gram /= n
    # One column's QR factor is its norm; a well-conditioned G's Cholesky factor is as good as
    # a QR's for the fast path (CHOLESKY_CONDITION): either way no second pass over the rows.
    factor = np.sqrt(gram) if d == 1 else _cholesky_factor(gram)
    if factor is not None:
        return gram, factor
    factors = []
    for lo in range(0, n, CHUNK):
        centred = features[lo : lo + CHUNK]
        centred = centred - mean if fit_intercept else np.array(centred)
        centred /= root_n
        factors.append(np.linalg.qr(centred, mode="r"))
    return gram, np.linalg.qr(np.vstack(factors), mode="r")
