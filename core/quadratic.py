"""The fast path: the MSE and its gradient from sufficient statistics, O(d²) an epoch whatever n is.

For the least-squares optimum θ* = (w*, b*), with centred second moments G = Xcᵀ·Xc / n and
feature means x̄,

    MSE(w, b) = MSE* + δᵀ·G·δ + c²,      δ = w − w*,  c = (b − b*) + x̄·δ
    ∂MSE/∂w   = 2·G·δ + 2·c·x̄
    ∂MSE/∂b   = 2·c

(without an intercept: G = Xᵀ·X / n uncentred, and c = 0). Both terms of the excess loss are
non-negative and are computed from the distance to the optimum, so a near-perfect fit does not
suffer the cancellation of yᵀy − 2·wᵀXᵀy + wᵀXᵀXw. This is algebraically the seed script's
dm = (−2/n)·Σ x·(y − ŷ), db = (−2/n)·Σ (y − ŷ); tests check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Quadratic:
    """The MSE as a quadratic in the parameters (in training coordinates).

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        G: centred (with intercept) or raw (without) second moments of the features, over n.
    mean : ndarray of shape (n_features,)
        x̄, the feature means (zeros without an intercept: unused).
    w_star : ndarray of shape (n_features,)
    b_star : float
    mse_star : float
    fit_intercept : bool
    """

    gram: np.ndarray
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
        if fit_intercept:
            mean = features.mean(axis=0)
            centred = features - mean
        else:
            mean = np.zeros(features.shape[1])
            centred = features
        gram = (centred.T @ centred) / n
        return cls(
            gram,
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
        gd = self.gram @ dw
        if self.fit_intercept:
            c = (b - self.b_star) + float(self.mean @ dw)
            return self.mse_star + float(dw @ gd) + c * c, 2 * gd + (2 * c) * self.mean, 2 * c
        return self.mse_star + float(dw @ gd), 2 * gd, 0.0

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

    def hessian(self) -> np.ndarray:
        """∇²MSE, ndarray of shape (p, p) with p = n_features (+1 with an intercept; b last)."""
        d = self.n_features
        if not self.fit_intercept:
            return 2 * self.gram
        h = np.empty((d + 1, d + 1))
        h[:d, :d] = 2 * (self.gram + np.outer(self.mean, self.mean))
        h[:d, d] = h[d, :d] = 2 * self.mean
        h[d, d] = 2.0
        return h
