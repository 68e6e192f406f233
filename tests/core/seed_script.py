"""The seed script's gradient-descent loop, kept as the independent reference for the core's tests.

The loop body is the blog post's (``/work/shared/seed/``, "Gradient Descent Linear Regression in
Python") line for line, minus the tqdm progress bar. The only addition is that each epoch's state
is written down before the update: the parameters, the MSE of ``y_hat`` (the seed never prints it)
and the two gradients the seed computes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: The seed's data, as the seed writes it (integer arrays).
SEED_X = np.array([1, 2, 3, 4, 5])
SEED_Y = np.array([2, 4, 5, 4, 5])


class SeedEpoch(NamedTuple):
    """The state at the start of one epoch of the seed's loop (epoch k: after k updates)."""

    epoch: int
    m: float
    b: float
    mse: float
    dm: float
    db: float


def seed_loop(X, y, lr, epochs, m=0, b=0):
    """Run the seed's loop for ``epochs`` updates from (m, b).

    Parameters
    ----------
    X, y : ndarray of shape (n_samples,)
    lr : float
    epochs : int
    m, b : float
        Start (the seed starts at 0, 0).

    Returns
    -------
    m, b : the parameters after ``epochs`` updates
    history : list of SeedEpoch
        ``epochs + 1`` entries: epochs 0..epochs (the last one is the state the loop ends in).
    """
    n = len(X)  # number of training samples
    history = []
    for epoch in range(epochs):
        y_hat = m * X + b
        dm = (-2 / n) * np.sum(X * (y - y_hat))  # gradient wrt m
        db = (-2 / n) * np.sum(y - y_hat)  # gradient wrt b
        history.append(SeedEpoch(epoch, m, b, float(np.mean((y - y_hat) ** 2)), dm, db))
        m -= lr * dm
        b -= lr * db
    y_hat = m * X + b
    dm = (-2 / n) * np.sum(X * (y - y_hat))
    db = (-2 / n) * np.sum(y - y_hat)
    history.append(SeedEpoch(epochs, m, b, float(np.mean((y - y_hat) ** 2)), dm, db))
    return m, b, history
