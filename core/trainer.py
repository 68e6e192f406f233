"""Batch gradient descent that a caller drives in chunks, and can step back through exactly.

Epoch 0 is the starting point; epoch k is the point after k updates. The trainer keeps the loss of
every epoch computed (8 bytes an epoch, for charts and the tolerance check), and the parameters
only at checkpoints: every :data:`CHECKPOINT_EVERY` epochs and wherever the learning rate changed.
Any earlier epoch is recomputed from the checkpoint before it with the same arithmetic, so going
back and forward again gives the same numbers bit for bit.

The computed history reaches a *frontier*; the *cursor* (``epoch``) can be anywhere from 0 to it.
Stepping forward below the frontier replays; changing the rate or the tolerance below the frontier
drops the epochs after the cursor, since they no longer follow from the settings.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .kernel import RISE_EPOCHS, Buffers, Settings, Stop, run
from .quadratic import Quadratic
from .scaling import Scaling

#: Epochs between stored parameter checkpoints: the most an exact step back recomputes.
CHECKPOINT_EVERY = 1024


class Status(str, Enum):
    """Where a run stands."""

    READY = "ready"
    CONVERGED = "converged"
    BUDGET_SPENT = "budget spent"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class Record:
    """One epoch, in the data's units.

    Attributes
    ----------
    epoch : int
    weights : ndarray of shape (n_features,)
    intercept : float
    mse : float
    grad_weights : ndarray of shape (n_features,)
        ∂MSE/∂w at this epoch's parameters (the step to the next epoch uses it).
    grad_intercept : float
    """

    epoch: int
    weights: np.ndarray
    intercept: float
    mse: float
    grad_weights: np.ndarray
    grad_intercept: float

    @property
    def grad_norm(self) -> float:
        """‖∇MSE‖, the Euclidean length of the whole gradient."""
        g = self.grad_weights
        return float(np.sqrt(g @ g + self.grad_intercept * self.grad_intercept))


@dataclass(frozen=True)
class Records:
    """Consecutive epochs, in the data's units.

    Attributes
    ----------
    epochs : ndarray of shape (k,)
    weights : ndarray of shape (k, n_features)
    intercept : ndarray of shape (k,)
    mse : ndarray of shape (k,)
    grad_weights : ndarray of shape (k, n_features)
    grad_intercept : ndarray of shape (k,)
    """

    epochs: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray
    mse: np.ndarray
    grad_weights: np.ndarray
    grad_intercept: np.ndarray

    def __len__(self) -> int:
        return int(self.epochs.shape[0])

    @classmethod
    def single(cls, rec: Record) -> Records:
        """A one-epoch block holding ``rec``."""
        return cls(
            np.array([rec.epoch]),
            rec.weights[None, :],
            np.array([rec.intercept]),
            np.array([rec.mse]),
            rec.grad_weights[None, :],
            np.array([rec.grad_intercept]),
        )

    def __getitem__(self, i: int) -> Record:
        return Record(
            epoch=int(self.epochs[i]),
            weights=self.weights[i],
            intercept=float(self.intercept[i]),
            mse=float(self.mse[i]),
            grad_weights=self.grad_weights[i],
            grad_intercept=float(self.grad_intercept[i]),
        )


@dataclass(frozen=True)
class _Stop:
    status: Status
    message: str  # a sentence, with the numbers that explain it
    brief: str  # the same in a status line's width


@dataclass(frozen=True)
class _Checkpoint:
    epoch: int
    w: np.ndarray
    b: float
    lr: float


class Trainer:
    """Gradient descent on a :class:`~.quadratic.Quadratic`, in training coordinates, reporting in
    data units through a :class:`~.scaling.Scaling`.

    Parameters
    ----------
    quadratic : Quadratic
    scaling : Scaling
    w0 : ndarray of shape (n_features,)
        Start, in training coordinates.
    b0 : float
    lr, epochs, tol :
        Learning rate, epoch budget, tolerance (0: off).
    lr_max : float
        Largest stable learning rate (2/λmax); above it a rising loss means divergence.
    """

    def __init__(
        self,
        quadratic: Quadratic,
        scaling: Scaling,
        w0: np.ndarray,
        b0: float,
        lr: float,
        epochs: int,
        tol: float,
        lr_max: float,
    ) -> None:
        self._q = quadratic
        self._scaling = scaling
        self._lr_max = lr_max
        self._lr = lr
        self._tol = tol
        self._budget = epochs
        w0 = np.asarray(w0, dtype=np.float64)
        self._checkpoints = [_Checkpoint(0, w0, float(b0), lr)]
        # The whole budget up front: untouched pages cost no memory, and growing by copies would
        # briefly hold two histories.
        self._trace = np.empty(epochs + 1)
        self._trace[0] = quadratic.evaluate(w0, float(b0))[0]
        self._frontier = 0
        self._frontier_stop: _Stop | None = None
        self._epoch = 0
        self._w = w0
        self._b = float(b0)

    # -- state ----------------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The current epoch (the cursor)."""
        return self._epoch

    @property
    def frontier(self) -> int:
        """The last epoch computed so far."""
        return self._frontier

    @property
    def budget(self) -> int:
        return self._budget

    @property
    def lr(self) -> float:
        return self._lr

    @property
    def tol(self) -> float:
        return self._tol

    @property
    def status(self) -> Status:
        if self._epoch == self._frontier and self._frontier_stop is not None:
            return self._frontier_stop.status
        if self._epoch >= self._budget:
            return Status.BUDGET_SPENT
        return Status.READY

    @property
    def message(self) -> str:
        """One line on why the run stands where it does."""
        if self._epoch == self._frontier and self._frontier_stop is not None:
            return self._frontier_stop.message
        if self._epoch >= self._budget:
            return f"budget spent: {self._budget:,} epochs run"
        return f"ready at epoch {self._epoch:,} of {self._budget:,}"

    @property
    def brief(self) -> str:
        """:attr:`message` in fewer words (about 60 characters)."""
        if self._epoch == self._frontier and self._frontier_stop is not None:
            return self._frontier_stop.brief
        return self.message

    @property
    def loss_trace(self) -> np.ndarray:
        """MSE at epochs 0..epoch, ndarray of shape (epoch + 1,) (a read-only view)."""
        view = self._trace[: self._epoch + 1]
        view.flags.writeable = False
        return view

    def record(self, epoch: int | None = None) -> Record:
        """The record of ``epoch`` (default: the current one), 0 ≤ epoch ≤ frontier."""
        if epoch is None or epoch == self._epoch:
            w, b = self._w, self._b
            epoch = self._epoch
        else:
            self._check_epoch(epoch)
            w, b = self._state_at(epoch)
        mse, gw, gb = self._q.evaluate(w, b)
        recs = self._to_records(
            np.array([epoch]),
            w[None, :],
            np.array([b]),
            np.array([mse]),
            gw[None, :],
            np.array([gb]),
        )
        return recs[0]

    # -- settings that apply from the current epoch on ------------------------------------------

    def set_lr(self, lr: float) -> None:
        if lr == self._lr:
            return
        self._truncate()
        self._lr = lr
        if self._checkpoints[-1].epoch == self._epoch:
            self._checkpoints.pop()
        self._checkpoints.append(_Checkpoint(self._epoch, self._w, self._b, lr))
        self._frontier_stop = None

    def set_tol(self, tol: float) -> None:
        if tol == self._tol:
            return
        self._truncate()
        self._tol = tol
        self._frontier_stop = None

    def set_budget(self, epochs: int) -> None:
        """A new epoch budget; epochs computed beyond it are dropped (the cursor moves back to it
        if it was past it)."""
        self._budget = epochs
        if self._frontier > epochs:
            if self._epoch > epochs:
                self.seek(epochs)
            self._truncate_to(epochs)
            self._frontier_stop = None
        elif self._frontier_stop is not None and self._frontier_stop.status is Status.BUDGET_SPENT:
            self._frontier_stop = None

    # -- moving ---------------------------------------------------------------------------------

    def advance(self, steps: int, records: bool = True) -> Records | None:
        """Move up to ``steps`` epochs forward: replayed up to the frontier, computed beyond it,
        until the budget, the tolerance or divergence stops the run.

        Returns
        -------
        Records or None
            The epochs moved through (None when ``records`` is False).
        """
        out = Buffers()
        start = self._epoch
        if steps > 0 and self._epoch < self._frontier:
            target = min(self._frontier, self._epoch + steps)
            self._w, self._b = self._replay(self._epoch, self._w, self._b, target, out)
            self._epoch = target
        remaining = start + steps - self._epoch
        if remaining > 0 and self._epoch == self._frontier and self.status is Status.READY:
            self._compute(min(remaining, self._budget - self._epoch), out)
        if not records:
            return None
        return self._buffers_to_records(start, out)

    def restart(self) -> None:
        """Back to epoch 0 to run again with the current settings: the history is dropped (unlike
        :meth:`seek`, which keeps it to replay)."""
        self.seek(0)
        self._truncate_to(0)
        start = self._checkpoints[0]
        self._checkpoints[0] = _Checkpoint(0, start.w, start.b, self._lr)
        self._frontier_stop = None

    def back(self, steps: int = 1) -> None:
        self.seek(max(0, self._epoch - steps))

    def seek(self, epoch: int) -> None:
        """Go to any computed epoch, 0 ≤ epoch ≤ frontier, exactly."""
        self._check_epoch(epoch)
        self._w, self._b = self._state_at(epoch)
        self._epoch = epoch

    def path(self, dense: int = 256, sparse: int = 192) -> tuple[np.ndarray, np.ndarray]:
        """The parameters so far, thinned, in training coordinates: every epoch up to ``dense``,
        then at most ``sparse`` of the stored checkpoints (evenly by index), then the current
        epoch. The cost is at most ``dense`` recomputed epochs, whatever the history's length.

        Returns
        -------
        epochs : ndarray of shape (k,)
        theta : ndarray of shape (k, n_features + 1)
            Weights then intercept (the intercept column is kept without one: it stays b0).
        """
        d = self._q.n_features
        last = min(self._epoch, dense)
        first = self._checkpoints[0]
        out = Buffers()
        self._replay(0, first.w, first.b, last, out)
        k = len(out)
        dense_w = np.frombuffer(out.weights, dtype=np.float64).reshape(k, d)
        dense_b = np.frombuffer(out.intercept, dtype=np.float64)
        epochs = [np.arange(0, k + 1)]
        ws = [first.w[None, :], dense_w]
        bs = [np.array([first.b]), dense_b]
        cps = self._checkpoints
        lo = bisect.bisect_right(cps, last, key=lambda c: c.epoch)
        hi = bisect.bisect_left(cps, self._epoch, key=lambda c: c.epoch)
        picks = range(lo, hi)
        if len(picks) > sparse:
            picks = np.unique(np.linspace(lo, hi - 1, sparse).astype(np.int64)).tolist()
        later = [cps[i] for i in picks]
        if later:
            epochs.append(np.array([c.epoch for c in later]))
            ws.append(np.array([c.w for c in later]).reshape(len(later), d))
            bs.append(np.array([c.b for c in later]))
        if self._epoch > last:
            epochs.append(np.array([self._epoch]))
            ws.append(self._w[None, :])
            bs.append(np.array([self._b]))
        theta = np.column_stack([np.concatenate(ws), np.concatenate(bs)])
        return np.concatenate(epochs), theta

    # -- internals ------------------------------------------------------------------------------

    def _check_epoch(self, epoch: int) -> None:
        if not 0 <= epoch <= self._frontier:
            raise IndexError(f"epoch {epoch} is outside 0..{self._frontier}")

    def _settings(self, lr: float, checks: bool) -> Settings:
        if not checks:
            return Settings(lr)
        return Settings(lr, self._tol, lr > self._lr_max, self._trailing_rises())

    def _trailing_rises(self) -> int:
        """Epochs up to the cursor over which the loss rose in a row (up to RISE_EPOCHS)."""
        rises = 0
        k = self._epoch
        while rises < RISE_EPOCHS and k - rises >= 1:
            if not self._trace[k - rises] > self._trace[k - rises - 1]:
                break
            rises += 1
        return rises

    def _compute(self, steps: int, out: Buffers) -> None:
        """New epochs beyond the frontier (which is the cursor), with every check."""
        done = 0
        while done < steps:
            settings = self._settings(self._lr, checks=True)
            chunk = min(steps - done, CHECKPOINT_EVERY - self._epoch % CHECKPOINT_EVERY)
            first = len(out)
            prev_mse = float(self._trace[self._epoch])
            w, b, taken, stop = run(self._q, self._w, self._b, chunk, settings, out)
            self._append_trace(out, first)
            self._w, self._b = w, b
            self._epoch += taken
            self._frontier = self._epoch
            done += taken
            if self._epoch % CHECKPOINT_EVERY == 0 and taken:
                self._checkpoints.append(_Checkpoint(self._epoch, w, b, self._lr))
            if stop is not None:
                self._frontier_stop = self._stop_message(stop, prev_mse, out, first)
                return
        if self._epoch >= self._budget:
            spent = f"budget spent: {self._budget:,} epochs run"
            self._frontier_stop = _Stop(Status.BUDGET_SPENT, spent, spent)

    def _stop_message(self, stop: Stop, prev_mse: float, out: Buffers, first: int) -> _Stop:
        k = self._epoch
        last = out.mse[-1] if len(out) > first else prev_mse
        before = out.mse[-2] if len(out) - first >= 2 else prev_mse
        climb_from = float(self._trace[max(0, k - RISE_EPOCHS)])
        limit = f"{self._lr_max:.6g} (2/λmax)"
        above = self._lr > self._lr_max
        if stop is Stop.OVERFLOW:
            why = (
                f"lr {self._lr:.6g} is above the largest stable rate {limit}"
                if above
                else "the numbers grew past what float64 holds"
            )
            return _Stop(
                Status.DIVERGED,
                f"diverged at epoch {k + 1:,}: the loss overflowed (it was {last:.6g} at epoch "
                f"{k:,}, which is kept); {why}",
                f"diverged at epoch {k + 1:,}: the loss overflowed"
                + (f"; lr > stable {self._lr_max:.4g}" if above else ""),
            )
        if stop is Stop.RISE:
            return _Stop(
                Status.DIVERGED,
                f"diverged at epoch {k:,}: the loss rose {RISE_EPOCHS} epochs running, from "
                f"{climb_from:.6g} to {last:.6g}; lr {self._lr:.6g} is above the largest stable "
                f"rate {limit}, so every step overshoots further",
                f"diverged at epoch {k:,}: loss {climb_from:.4g} → {last:.4g}; "
                f"lr > stable {self._lr_max:.4g}",
            )
        return _Stop(
            Status.CONVERGED,
            f"converged at epoch {k:,}: the MSE fell by {before - last:.3g}, "
            f"less than tol {self._tol:.3g}",
            f"converged at epoch {k:,}: MSE fell {before - last:.3g} < tol {self._tol:.3g}",
        )

    def _append_trace(self, out: Buffers, first: int) -> None:
        new = np.frombuffer(out.mse, dtype=np.float64)[first:]
        start = self._epoch + 1
        end = start + new.shape[0]
        if end > self._trace.shape[0]:  # the budget was raised
            grown = np.empty(max(end, self._budget + 1))
            grown[:start] = self._trace[:start]
            self._trace = grown
        self._trace[start:end] = new

    def _truncate(self) -> None:
        self._truncate_to(self._epoch)

    def _truncate_to(self, epoch: int) -> None:
        if self._frontier > epoch:
            self._frontier = epoch
            self._frontier_stop = None
            keep = bisect.bisect_right([c.epoch for c in self._checkpoints], epoch)
            del self._checkpoints[keep:]

    def _state_at(self, epoch: int) -> tuple[np.ndarray, float]:
        if epoch == self._epoch:
            return self._w, self._b
        cp = self._checkpoint_before(epoch)
        return self._replay(cp.epoch, cp.w, cp.b, epoch, None)

    def _checkpoint_before(self, epoch: int) -> _Checkpoint:
        i = bisect.bisect_right([c.epoch for c in self._checkpoints], epoch) - 1
        return self._checkpoints[i]

    def _replay(
        self, start: int, w: np.ndarray, b: float, target: int, out: Buffers | None
    ) -> tuple[np.ndarray, float]:
        """Recompute start → target through the stored segments (their learning rates)."""
        sink = out if out is not None else Buffers()
        epochs = [c.epoch for c in self._checkpoints]
        epoch = start
        while epoch < target:
            i = bisect.bisect_right(epochs, epoch) - 1
            lr = self._checkpoints[i].lr
            end = epochs[i + 1] if i + 1 < len(epochs) and epochs[i + 1] < target else target
            w, b, taken, _ = run(self._q, w, b, end - epoch, self._settings(lr, False), sink)
            epoch += taken
            if out is None:
                sink = Buffers()
        return w, b

    def _buffers_to_records(self, start: int, out: Buffers) -> Records:
        k = len(out)
        d = self._q.n_features
        return self._to_records(
            np.arange(start + 1, start + 1 + k),
            np.frombuffer(out.weights, dtype=np.float64).reshape(k, d),
            np.frombuffer(out.intercept, dtype=np.float64),
            np.frombuffer(out.mse, dtype=np.float64),
            np.frombuffer(out.grad_weights, dtype=np.float64).reshape(k, d),
            np.frombuffer(out.grad_intercept, dtype=np.float64),
        )

    def _to_records(self, epochs, w, b, mse, gw, gb) -> Records:
        w, b = self._scaling.to_data(w, b)
        gw, gb = self._scaling.gradient_to_data(gw, gb)
        return Records(epochs, w, b, mse, gw, gb)
