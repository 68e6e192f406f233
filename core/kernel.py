"""The gradient-descent loops: many epochs per call, each epoch's record appended to buffers.

Two loops run the same update (see :mod:`.quadratic`): one in plain Python floats for a single
feature, where numpy's per-call cost would dominate, and one with numpy for several features. A
loop depends only on its starting point and settings, never on how the epochs are split into
calls, so replaying from a checkpoint gives the same numbers bit for bit.

Per epoch, the step is θ ← θ − lr·∇MSE(θ), and then the checks, in this order:

* overflow: the new loss or gradient is not finite: the step is not taken (the last finite state
  is kept) and the run has diverged;
* rise: the learning rate is above the largest stable one and the loss went up
  :data:`RISE_EPOCHS` epochs running: the step is kept and the run has diverged (below that
  rate, exact gradient descent never raises the loss; a few epochs show the climb);
* tol: the loss fell by less than ``tol`` (when ``tol`` > 0): the step is kept, converged.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .quadratic import Quadratic

_INF = math.inf

#: Epochs of rising loss (above the stable rate) that count as divergence.
RISE_EPOCHS = 3


class Stop(Enum):
    """Why a loop stopped before its step count."""

    OVERFLOW = "overflow"
    RISE = "rise"
    TOL = "tol"


@dataclass
class Buffers:
    """Per-epoch outputs of a loop, in training coordinates (weights interleaved, d per epoch)."""

    weights: array = field(default_factory=lambda: array("d"))
    intercept: array = field(default_factory=lambda: array("d"))
    mse: array = field(default_factory=lambda: array("d"))
    grad_weights: array = field(default_factory=lambda: array("d"))
    grad_intercept: array = field(default_factory=lambda: array("d"))

    def __len__(self) -> int:
        return len(self.mse)


@dataclass(frozen=True)
class Settings:
    """What a loop needs besides the point: the rate, and the checks to make."""

    lr: float
    tol: float = 0.0
    unstable: bool = False
    rises: int = 0  # epochs the loss has already risen in a row before this call


def run(
    q: Quadratic, w: np.ndarray, b: float, steps: int, settings: Settings, out: Buffers
) -> tuple[np.ndarray, float, int, Stop | None]:
    """Take up to ``steps`` epochs from (w, b).

    Parameters
    ----------
    q : Quadratic
    w : ndarray of shape (n_features,)
    b : float
    steps : int
    settings : Settings
    out : Buffers
        One record appended per epoch taken.

    Returns
    -------
    w, b : the point reached
    taken : int
        Epochs taken (a step refused for overflow is not counted).
    stop : Stop or None
        Why the loop stopped early, or None if it took every step.
    """
    if q.n_features == 1:
        w1, b, taken, stop = _run_scalar(q, float(w[0]), b, steps, settings, out)
        return np.array([w1]), b, taken, stop
    return _run_vector(q, np.asarray(w, dtype=np.float64), b, steps, settings, out)


def _run_scalar(
    q: Quadratic, w: float, b: float, steps: int, s: Settings, out: Buffers
) -> tuple[float, float, int, Stop | None]:
    # Plain floats: a numpy scalar op costs ~20× a float op, and d = 1 is the common case.
    g = float(q.gram[0, 0])
    mean = float(q.mean[0]) if q.fit_intercept else 0.0
    ws, bs, ms = float(q.w_star[0]), q.b_star, q.mse_star
    lr, tol, unstable, rises = s.lr, s.tol, s.unstable, s.rises
    intercept = q.fit_intercept
    put_w, put_b, put_mse = out.weights.append, out.intercept.append, out.mse.append
    put_gw, put_gb = out.grad_weights.append, out.grad_intercept.append
    # The same expressions as Quadratic.evaluate, so records agree bit for bit.
    dw = w - ws
    c = (b - bs) + mean * dw if intercept else 0.0
    mse = ms + g * dw * dw + c * c
    gw = 2 * g * dw + 2 * c * mean
    gb = 2 * c
    for taken in range(steps):
        w_new = w - lr * gw
        b_new = b - lr * gb if intercept else b
        dw = w_new - ws
        c = (b_new - bs) + mean * dw if intercept else 0.0
        mse_new = ms + g * dw * dw + c * c
        gw_new = 2 * g * dw + 2 * c * mean
        gb_new = 2 * c
        if not mse_new + abs(gw_new) + abs(gb_new) < _INF:
            return w, b, taken, Stop.OVERFLOW
        w, b = w_new, b_new
        put_w(w)
        put_b(b)
        put_mse(mse_new)
        put_gw(gw_new)
        put_gb(gb_new)
        if unstable and mse_new > mse:
            rises += 1
            if rises >= RISE_EPOCHS:
                return w, b, taken + 1, Stop.RISE
        else:
            rises = 0
        if tol and mse - mse_new < tol:
            return w, b, taken + 1, Stop.TOL
        mse, gw, gb = mse_new, gw_new, gb_new
    return w, b, steps, None


def _run_vector(
    q: Quadratic, w: np.ndarray, b: float, steps: int, s: Settings, out: Buffers
) -> tuple[np.ndarray, float, int, Stop | None]:
    lr, tol, unstable, rises = s.lr, s.tol, s.unstable, s.rises
    mse, gw, gb = q.evaluate(w, b)
    with np.errstate(all="ignore"):
        for taken in range(steps):
            w_new = w - lr * gw
            b_new = b - lr * gb if q.fit_intercept else b
            mse_new, gw_new, gb_new = q.evaluate(w_new, b_new)
            if not mse_new + float(np.abs(gw_new).sum()) + abs(gb_new) < _INF:
                return w, b, taken, Stop.OVERFLOW
            w, b = w_new, b_new
            out.weights.extend(w.tolist())
            out.intercept.append(b)
            out.mse.append(mse_new)
            out.grad_weights.extend(gw_new.tolist())
            out.grad_intercept.append(gb_new)
            if unstable and mse_new > mse:
                rises += 1
                if rises >= RISE_EPOCHS:
                    return w, b, taken + 1, Stop.RISE
            else:
                rises = 0
            if tol and mse - mse_new < tol:
                return w, b, taken + 1, Stop.TOL
            mse, gw, gb = mse_new, gw_new, gb_new
    return w, b, steps, None
