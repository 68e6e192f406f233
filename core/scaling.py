"""Standardisation: the coordinates gradient descent runs in, and the way back to the data's units.

Training on z = (x − μ)/σ makes the loss surface round, so one learning rate suits every weight.
Everything reported (parameters, gradients, predictions) is converted back to the data's units.
Without an intercept the columns are only scaled (by their root mean square), not centred,
because centring would add an intercept the model does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Scaling:
    """z = (x − shift) / scale, column by column.

    Attributes
    ----------
    shift, scale : ndarray of shape (n_features,)
    identity : bool
        True when no scaling is applied; conversions then return their inputs untouched, so
        unscaled runs are bit-for-bit the arithmetic of the seed script.
    """

    shift: np.ndarray
    scale: np.ndarray
    identity: bool

    @classmethod
    def none(cls, n_features: int) -> Scaling:
        return cls(np.zeros(n_features), np.ones(n_features), True)

    @classmethod
    def standardizing(cls, features: np.ndarray, fit_intercept: bool) -> Scaling:
        """Scaling to mean 0, standard deviation 1 (or root mean square 1 without intercept).

        Parameters
        ----------
        features : ndarray of shape (n_samples, n_features)
        """
        # Each column divided by a power of two near its largest value first (exact), so that the
        # squares inside std() neither overflow (x ≈ 1e200) nor underflow (x ≈ 1e-200).
        power = _powers(features)
        scaled = np.ldexp(features, -power)
        if fit_intercept:
            shift = scaled.mean(axis=0)
            scale = scaled.std(axis=0)
        else:
            shift = np.zeros(features.shape[1])
            scale = np.sqrt((scaled * scaled).mean(axis=0))
        scale = np.where(scale > 0, scale, 1.0)
        return cls(np.ldexp(shift, power), np.ldexp(scale, power), False)

    def features(self, features: np.ndarray) -> np.ndarray:
        """Training-coordinate features, shape (n_samples, n_features)."""
        if self.identity:
            return features
        # In the same power-of-two units as above, so x − shift cannot overflow.
        power = _powers(features)
        return (np.ldexp(features, -power) - np.ldexp(self.shift, -power)) / np.ldexp(
            self.scale, -power
        )

    def to_training(self, weights: np.ndarray, intercept: float) -> tuple[np.ndarray, float]:
        """Data-unit parameters → training coordinates (w_z = w·σ, b_z = b + w·μ)."""
        weights = np.asarray(weights, dtype=np.float64)
        if self.identity:
            return weights, float(intercept)
        return weights * self.scale, float(intercept + weights @ self.shift)

    def to_data(self, weights: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training-coordinate parameters → data units.

        Parameters
        ----------
        weights : ndarray of shape (k, n_features)
        intercept : ndarray of shape (k,)
        """
        if self.identity:
            return weights, intercept
        w = weights / self.scale
        # Column by column, not w @ shift: a matrix product's summation order (BLAS) depends on
        # how many rows it gets, and an epoch's record must not depend on the block it is in.
        offset = sum(w[:, j] * self.shift[j] for j in range(w.shape[1]))
        return w, intercept - offset

    def gradient_to_data(
        self, grad_weights: np.ndarray, grad_intercept: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gradient in training coordinates → the gradient of the same MSE with respect to the
        data-unit parameters (chain rule: ∂/∂w = σ·∂/∂w_z + μ·∂/∂b_z).

        Parameters
        ----------
        grad_weights : ndarray of shape (k, n_features)
        grad_intercept : ndarray of shape (k,)
        """
        if self.identity:
            return grad_weights, grad_intercept
        return grad_weights * self.scale + np.outer(grad_intercept, self.shift), grad_intercept


def _powers(features: np.ndarray) -> np.ndarray:
    """Per column, e with max |x| < 2^e (0 for a column of zeros), shape (n_features,)."""
    top = np.max(np.abs(features), axis=0) if features.shape[0] else np.zeros(features.shape[1])
    return np.frexp(top)[1]
