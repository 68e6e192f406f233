"""The linear model evaluated directly on the data, O(n) per call.

This is the seed script's arithmetic: ŷ = X·w + b, MSE = mean((y − ŷ)²),
∂MSE/∂w = (−2/n)·Xᵀ(y − ŷ), ∂MSE/∂b = (−2/n)·Σ(y − ŷ). The trainer does not use it (it takes the
fast path in :mod:`.quadratic`); tests hold the two against each other, and the app uses
:func:`predict` for the rows it shows.
"""

from __future__ import annotations

import numpy as np

from .float_range import quiet


@quiet
def predict(features: np.ndarray, weights: np.ndarray, intercept: float) -> np.ndarray:
    """ŷ, ndarray of shape (n,), for features of shape (n, n_features)."""
    return (
        np.asarray(features, dtype=np.float64) @ np.asarray(weights, dtype=np.float64) + intercept
    )


def fitted(
    features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float
) -> tuple[np.ndarray, np.ndarray]:
    """(ŷ, residual y − ŷ), each ndarray of shape (n,)."""
    y_hat = predict(features, weights, intercept)
    return y_hat, y - y_hat


def mse(features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float) -> float:
    """Mean squared error of (weights, intercept) on the data."""
    r = y - predict(features, weights, intercept)
    return float(np.mean(r * r))


def gradient(
    features: np.ndarray, y: np.ndarray, weights: np.ndarray, intercept: float
) -> tuple[np.ndarray, float]:
    """(∂MSE/∂w of shape (n_features,), ∂MSE/∂b), as the seed script computes them."""
    n = y.shape[0]
    r = y - predict(features, weights, intercept)
    return (-2 / n) * (np.asarray(features).T @ r), float((-2 / n) * np.sum(r))
