"""A validation split: a fraction of the rows held out (chosen by the seed), and the MSE of any
parameters on them, so the loss chart can draw it beside the training MSE (the overfitting
lesson with ``--degree``).

The held-out MSE of many epochs at once comes from the held-out rows' second moments:
MSE_v(θ) = θᵀSθ − 2θᵀr + ȳ², with S = [X 1]ᵀ[X 1]/n_v, r = [X 1]ᵀy/n_v, ȳ² = yᵀy/n_v, an O(p²)
cost an epoch whatever the number of rows (clamped at 0 against rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dataset import Dataset
from .errors import HyperparameterError


@dataclass(frozen=True, eq=False)
class Validation:
    """The held-out rows' statistics (data units, features expanded).

    Attributes
    ----------
    rows : ndarray of int
        Their indices in the loaded data (0-based).
    second : ndarray of shape (p, p)
    first : ndarray of shape (p,)
    yy : float
    """

    rows: np.ndarray
    second: np.ndarray
    first: np.ndarray
    yy: float

    @classmethod
    def of(cls, features: np.ndarray, y: np.ndarray, rows: np.ndarray) -> Validation:
        x = np.column_stack([features, np.ones(features.shape[0])])
        n = y.shape[0]
        return cls(rows, x.T @ x / n, x.T @ y / n, float(y @ y) / n)

    @property
    def n_samples(self) -> int:
        return int(self.rows.shape[0])

    def mse(self, weights: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """Held-out MSE of k parameter sets: weights (k, d), intercept (k,) → (k,)."""
        theta = np.column_stack([np.atleast_2d(weights), np.atleast_1d(intercept)])
        p = theta.shape[1]
        # Element by element, not matrix products: a product's summation order (BLAS) depends on
        # how many rows it gets, and an epoch's value must not depend on the block it is in.
        with np.errstate(all="ignore"):
            total = np.full(theta.shape[0], self.yy)
            for i in range(p):
                total = total - 2 * self.first[i] * theta[:, i]
                for j in range(p):
                    total = total + self.second[i, j] * theta[:, i] * theta[:, j]
            return np.maximum(total, 0.0)


def split(
    dataset: Dataset, fraction: float, seed: int, n_params: int
) -> tuple[Dataset, Validation]:
    """Hold out round(fraction·n) rows (at least 1), chosen by ``seed``; the rest train.

    Raises
    ------
    HyperparameterError
        Too few rows would be left to fit the model's parameters.
    """
    n = dataset.n_samples
    held = max(1, round(fraction * n))
    if n - held < n_params:
        raise HyperparameterError(
            f"validation: holding out {held} of {n} rows leaves {n - held}, fewer than the "
            f"{n_params} parameters need; use a smaller fraction"
        )
    order = np.random.default_rng(seed).permutation(n)
    val_rows, train_rows = np.sort(order[:held]), np.sort(order[held:])
    train = Dataset(
        dataset.raw_x[train_rows],
        dataset.y[train_rows],
        dataset.x_names,
        dataset.y_name,
        dataset.degree,
        dataset.source,
    )
    validation = Validation.of(dataset.features[val_rows], dataset.y[val_rows], val_rows)
    return train, validation
