"""Pinned runs: a run's settings and history kept as they were, to compare later runs against.

A pin copies what the charts need and nothing that a later change of settings could alter: the
loss of every epoch so far, the thinned path of the parameters (in the data's units, so it can be
drawn in the coordinates of whatever run is current), and where the run ended.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hyperparams import Hyperparameters
from .scaling import Scaling
from .session import Session
from .trainer import Status

#: The most runs that can be pinned at once.
MAX_PINS = 4


@dataclass(frozen=True, eq=False)
class PinnedRun:
    """One run, frozen.

    Attributes
    ----------
    hp : Hyperparameters
    loss : ndarray of shape (epochs + 1,)
        MSE at epochs 0..epoch (a copy).
    path_weights : ndarray of shape (k, n_features)
        The thinned path, in the data's units.
    path_intercept : ndarray of shape (k,)
    weights : ndarray of shape (n_features,)
        Where the run stands (data units).
    intercept : float
    epoch : int
    mse : float
    status : Status
    message : str
    dataset_id : int
        Identity of the dataset it ran on: a pin is drawn only over the same data.
    """

    hp: Hyperparameters
    loss: np.ndarray
    path_weights: np.ndarray
    path_intercept: np.ndarray
    weights: np.ndarray
    intercept: float
    epoch: int
    mse: float
    status: Status
    message: str
    dataset_id: int

    @classmethod
    def of(cls, session: Session) -> PinnedRun:
        """Pin the session's run as it stands now."""
        t = session.trainer
        rec = session.record()
        _, theta = t.path()
        d = session.dataset.n_features
        w, b = session.problem.scaling.to_data(theta[:, :d].copy(), theta[:, d].copy())
        return cls(
            session.hp,
            np.array(t.loss_trace),
            np.array(w),
            np.array(b),
            np.array(rec.weights),
            float(rec.intercept),
            t.epoch,
            float(rec.mse),
            t.status,
            t.message,
            id(session.dataset),
        )

    def path_in(self, scaling: Scaling, fit_intercept: bool) -> np.ndarray:
        """The path in another run's training coordinates, ndarray of shape (k, p)."""
        w = self.path_weights
        if scaling.identity:
            wz, bz = w, self.path_intercept
        else:
            wz = w * scaling.scale
            # Column by column, as Scaling does, so the order of summation never depends on k.
            bz = self.path_intercept + sum(w[:, j] * scaling.shift[j] for j in range(w.shape[1]))
        return np.column_stack([wz, bz]) if fit_intercept else np.array(wz)
