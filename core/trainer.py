"""The run: gradient descent that a caller drives in chunks, and can step back through exactly.

Epoch 0 is the starting point; epoch k is the point after k epochs. The trainer keeps the loss of
every epoch computed (8 bytes an epoch, for charts and the tolerance check), and the full state
(parameters and the optimiser's state, a :class:`~.kernel.Point`) only at checkpoints: every
:data:`CHECKPOINT_EVERY` epochs and wherever a setting changed. Each checkpoint carries the settings
that run from it, so any earlier epoch is recomputed from the checkpoint before it with the same
arithmetic and the same settings: going back and forward again gives the same numbers bit for bit,
and every record says which settings produced it.

The computed history reaches a *frontier*; the *cursor* (``epoch``) can be anywhere from 0 to it.
Stepping forward below the frontier replays; changing a setting below the frontier drops the
epochs after the cursor, since they no longer follow from the settings.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from . import schedules
from .float_range import quiet
from .hyperparams import Hyperparameters
from .kernel import RISE_EPOCHS, Batching, Buffers, Plan, Point, Stop, batch_epoch, run
from .objective import Objective
from .optimizers import Optimizer, Term, make
from .scaling import Scaling
from .validation import Validation

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
        ∂J/∂w at this epoch's parameters (the step to the next epoch uses it).
    grad_intercept : float
    settings : Hyperparameters or None
        The settings of the step that produced this epoch (for epoch 0: those the run started
        with).
    loss : float or None
        J = MSE + penalty (None: no penalty, J is the MSE).
    val_mse : float or None
        The MSE on the held-out rows (None without a validation split).
    """

    epoch: int
    weights: np.ndarray
    intercept: float
    mse: float
    grad_weights: np.ndarray
    grad_intercept: float
    settings: Hyperparameters | None = None
    loss: float | None = None
    val_mse: float | None = None

    @property
    def objective(self) -> float:
        """J, the value gradient descent minimises (the MSE without a penalty)."""
        return self.mse if self.loss is None else self.loss

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
    segments : tuple of (int, Hyperparameters)
        (first epoch, settings) of each stretch of settings the block spans, by epoch: an epoch's
        settings are those of the last segment starting at or before it.
    loss : ndarray of shape (k,) or None
        J, when a penalty makes it differ from the MSE.
    val_mse : ndarray of shape (k,) or None
        The held-out rows' MSE, with a validation split.
    """

    epochs: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray
    mse: np.ndarray
    grad_weights: np.ndarray
    grad_intercept: np.ndarray
    segments: tuple[tuple[int, Hyperparameters], ...] = ()
    loss: np.ndarray | None = None
    val_mse: np.ndarray | None = None

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
            ((rec.epoch, rec.settings),) if rec.settings is not None else (),
            None if rec.loss is None else np.array([rec.loss]),
            None if rec.val_mse is None else np.array([rec.val_mse]),
        )

    def settings_of(self, epoch: int) -> Hyperparameters | None:
        """The settings that produced ``epoch``."""
        if not self.segments:
            return None
        i = bisect.bisect_right([s[0] for s in self.segments], epoch) - 1
        return self.segments[max(i, 0)][1]

    def __getitem__(self, i: int) -> Record:
        epoch = int(self.epochs[i])
        return Record(
            epoch=epoch,
            weights=self.weights[i],
            intercept=float(self.intercept[i]),
            mse=float(self.mse[i]),
            grad_weights=self.grad_weights[i],
            grad_intercept=float(self.grad_intercept[i]),
            settings=self.settings_of(epoch),
            loss=None if self.loss is None else float(self.loss[i]),
            val_mse=None if self.val_mse is None else float(self.val_mse[i]),
        )


@dataclass(frozen=True)
class Step:
    """One epoch's update, explained: the settings and rate that made it and its arithmetic.

    Attributes
    ----------
    before, after : Record
        Epochs k − 1 and k.
    settings : Hyperparameters
        The settings of this step (not necessarily the current ones).
    lr : float
        The rate this step used.
    optimizer : Optimizer
    terms : tuple of (str, tuple of Term)
        Per parameter (name in training coordinates: ``m``, ``w:x2``, ``b``), the optimiser's
        arithmetic with its numbers, in training coordinates.
    proximal : bool
        The weights were then soft-thresholded (gradient descent with an L1 penalty).
    threshold : float
        lr·λ₁, the soft-threshold (0 without).
    t : int
        The optimiser's step count at this step (1 for the first; with mini-batches, of the
        epoch's last step, which ``terms`` show).
    rows : ndarray of int or None
        With mini-batches: the rows (0-based, in the training data) of that last step's batch.
    steps : int
        Steps in the epoch (1 without mini-batches).
    """

    before: Record
    after: Record
    settings: Hyperparameters
    lr: float
    optimizer: Optimizer
    terms: tuple[tuple[str, tuple[Term, ...]], ...]
    proximal: bool
    threshold: float
    t: int = 0
    rows: np.ndarray | None = None
    steps: int = 1


@dataclass(frozen=True)
class _Stop:
    status: Status
    message: str  # a sentence, with the numbers that explain it
    brief: str  # the same in a status line's width


@dataclass(frozen=True)
class _Checkpoint:
    """The state at ``epoch`` and the settings that run from it."""

    epoch: int
    point: Point
    settings: Hyperparameters
    optimizer: Optimizer


#: Settings that change neither the steps nor the checks (so no epoch is dropped).
_NOT_STEPPING = frozenset({"epochs", "predict_x"})

#: hp → (the method's largest stable rate or None, how the bound reads).
BoundOf = Callable[[Hyperparameters], tuple[float | None, str]]


class Trainer:
    """Gradient descent on an :class:`~.objective.Objective`, in training coordinates, reporting in
    data units through a :class:`~.scaling.Scaling`.

    Parameters
    ----------
    objective : Objective
    scaling : Scaling
    w0 : ndarray of shape (n_features,)
        Start, in training coordinates.
    b0 : float
    hp : Hyperparameters
        The settings (those that restart a run are fixed for this trainer).
    bound_of : callable
        hp → (largest stable rate or None, its formula): above it a rising loss means divergence.
    validation : Validation or None
        Held-out rows: their MSE is kept for every epoch beside the loss.
    """

    @quiet
    def __init__(
        self,
        objective: Objective,
        scaling: Scaling,
        w0: np.ndarray,
        b0: float,
        hp: Hyperparameters,
        bound_of: BoundOf,
        validation: Validation | None = None,
    ) -> None:
        self._objective = objective
        self._validation = validation
        self._scaling = scaling
        self._bound_of = bound_of
        self._hp = hp
        self._optimizer = make(hp)
        self._budget = hp.epochs
        self._penalised = objective.penalty.active
        start = Point.start(w0, b0, self._optimizer)
        self._checkpoints = [_Checkpoint(0, start, hp, self._optimizer)]
        # The whole budget up front: untouched pages cost no memory, and growing by copies would
        # briefly hold two histories.
        self._trace = np.empty(hp.epochs + 1)
        self._trace[0] = self._evaluate(start)[0]
        self._val_trace = np.empty(hp.epochs + 1) if validation is not None else None
        if self._val_trace is not None:
            self._val_trace[0] = self._val_mse(start.w[None, :], np.array([start.b]))[0]
        self._frontier = 0
        self._frontier_stop: _Stop | None = None
        self._epoch = 0
        self._point = start

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
    def started_with(self) -> Hyperparameters:
        """The settings the run started with at epoch 0 (later epochs may have others: lr and
        tol change without a restart)."""
        return self._checkpoints[0].settings

    @property
    def settings(self) -> Hyperparameters:
        """The settings the next epoch computed will use."""
        return self._hp

    @property
    def optimizer(self) -> Optimizer:
        return self._optimizer

    @property
    def lr(self) -> float:
        return self._hp.lr

    @property
    def tol(self) -> float:
        return self._hp.tol

    @property
    def point(self) -> Point:
        """The full state at the cursor (training coordinates, with the optimiser's state)."""
        return self._point

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
        """J (the MSE without a penalty) at epochs 0..epoch, ndarray of shape (epoch + 1,)
        (a read-only view)."""
        view = self._trace[: self._epoch + 1]
        view.flags.writeable = False
        return view

    @property
    def validation_trace(self) -> np.ndarray | None:
        """The held-out rows' MSE at epochs 0..epoch (None without a validation split)."""
        if self._val_trace is None:
            return None
        view = self._val_trace[: self._epoch + 1]
        view.flags.writeable = False
        return view

    def _val_mse(self, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Held-out MSE of training-coordinate parameters (k, d), (k,)."""
        wd, bd = self._scaling.to_data(w, b)
        return self._validation.mse(wd, bd)

    @quiet
    def record(self, epoch: int | None = None) -> Record:
        """The record of ``epoch`` (default: the current one), 0 ≤ epoch ≤ frontier."""
        if epoch is None or epoch == self._epoch:
            point = self._point
            epoch = self._epoch
        else:
            self._check_epoch(epoch)
            point = self._state_at(epoch)
        return self._record_of(epoch, point)

    @quiet
    def step(self, epoch: int | None = None) -> Step:
        """The update that produced ``epoch`` (default: the current one), 1 ≤ epoch ≤ frontier,
        with the settings and the rate that made it, and its arithmetic."""
        epoch = self._epoch if epoch is None else epoch
        if not 1 <= epoch <= self._frontier:
            raise IndexError(f"epoch {epoch} has no step before it (1..{self._frontier})")
        start = self._state_at(epoch - 1)
        cp = self._checkpoint_before(epoch - 1)
        hp, opt = cp.settings, cp.optimizer
        lr = schedules.rate(hp, epoch)
        prox = not self._subgradient(opt)
        batching = self.batching(hp)
        rows = None
        steps = 1
        if batching is None:
            before = start
            _, _, gw, gb = self._objective.evaluate(before.w, before.b, not prox)
        else:
            # the epoch's last step: from the state before it, on its batch's rows
            n = self._objective.n_samples
            steps = len(batching.batches(n))
            w, b, sw, sb, t, rows, (gw, gb) = batch_epoch(
                self._objective,
                opt,
                batching,
                epoch,
                start.w,
                start.b,
                start.state_w,
                start.state_b,
                start.t,
                lr,
                prox,
                upto=steps - 1,
            )
            before = Point(w, b, sw, sb, t)
        c = opt.coefficients(before.t + 1) if opt.counts_steps else None
        d = before.w.shape[0]
        names = ["m"] if d == 1 else [f"w{j + 1}" for j in range(d)]
        terms = []
        for j, name in enumerate(names):
            state = tuple(float(s[j]) for s in before.state_w)
            terms.append(
                (name, tuple(opt.terms(name, float(before.w[j]), float(gw[j]), state, lr, c)))
            )
        if self._objective.fit_intercept:
            terms.append(("b", tuple(opt.terms("b", before.b, gb, before.state_b, lr, c))))
        return Step(
            before=self._record_of(epoch - 1, start),
            after=self.record(epoch),
            settings=hp,
            lr=lr,
            optimizer=opt,
            terms=tuple(terms),
            proximal=prox,
            threshold=lr * self._objective.penalty.l1 if prox else 0.0,
            t=before.t + 1,
            rows=rows,
            steps=steps,
        )

    # -- settings that apply from the current epoch on ------------------------------------------

    @quiet
    def apply(self, hp: Hyperparameters) -> None:
        """New settings from the current epoch on: a new epoch budget, and any change to the
        rate, the tolerance or the optimiser's own settings (which drops the epochs computed
        after the cursor). Settings that restart a run need a new trainer."""
        old = self._hp
        if hp.epochs != self._budget:
            self.set_budget(hp.epochs)
        stepping = {
            f
            for f in hp.__dataclass_fields__
            if f not in _NOT_STEPPING and getattr(hp, f) != getattr(old, f)
        }
        self._hp = hp
        if not stepping:
            return
        self._truncate()
        self._optimizer = make(hp)
        if self._checkpoints[-1].epoch == self._epoch:
            self._checkpoints.pop()
        self._checkpoints.append(_Checkpoint(self._epoch, self._point, hp, self._optimizer))
        self._frontier_stop = None

    def set_lr(self, lr: float) -> None:
        self.apply(replace(self._hp, lr=lr))

    def set_tol(self, tol: float) -> None:
        self.apply(replace(self._hp, tol=tol))

    @quiet
    def set_budget(self, epochs: int) -> None:
        """A new epoch budget; epochs computed beyond it are dropped (the cursor moves back to it
        if it was past it)."""
        self._budget = epochs
        if self._hp.epochs != epochs:
            self._hp = replace(self._hp, epochs=epochs)
        if self._frontier > epochs:
            if self._epoch > epochs:
                self.seek(epochs)
            self._truncate_to(epochs)
            self._frontier_stop = None
        elif self._frontier_stop is not None and self._frontier_stop.status is Status.BUDGET_SPENT:
            self._frontier_stop = None

    # -- moving ---------------------------------------------------------------------------------

    @quiet
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
            self._point = self._replay(self._epoch, self._point, target, out)
            self._epoch = target
        remaining = start + steps - self._epoch
        if remaining > 0 and self._epoch == self._frontier and self.status is Status.READY:
            self._compute(min(remaining, self._budget - self._epoch), out)
        if not records:
            return None
        return self._buffers_to_records(start, out)

    @quiet
    def restart(self) -> None:
        """Back to epoch 0 to run again with the current settings: the history is dropped (unlike
        :meth:`seek`, which keeps it to replay)."""
        self.seek(0)
        self._truncate_to(0)
        start = self._checkpoints[0]
        self._checkpoints[0] = _Checkpoint(0, start.point, self._hp, self._optimizer)
        self._frontier_stop = None

    def back(self, steps: int = 1) -> None:
        self.seek(max(0, self._epoch - steps))

    @quiet
    def seek(self, epoch: int) -> None:
        """Go to any computed epoch, 0 ≤ epoch ≤ frontier, exactly."""
        self._check_epoch(epoch)
        self._point = self._state_at(epoch)
        self._epoch = epoch

    @quiet
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
        d = self._objective.n_features
        last = min(self._epoch, dense)
        first = self._checkpoints[0].point
        out = Buffers()
        self._replay(0, first, last, out)
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
            ws.append(np.array([c.point.w for c in later]).reshape(len(later), d))
            bs.append(np.array([c.point.b for c in later]))
        if self._epoch > last:
            epochs.append(np.array([self._epoch]))
            ws.append(self._point.w[None, :])
            bs.append(np.array([self._point.b]))
        theta = np.column_stack([np.concatenate(ws), np.concatenate(bs)])
        return np.concatenate(epochs), theta

    # -- internals ------------------------------------------------------------------------------

    def _subgradient(self, opt: Optimizer) -> bool:
        return not (self._objective.penalty.l1 > 0 and opt.proximal)

    def _evaluate(self, point: Point) -> tuple[float, float, np.ndarray, float]:
        return self._objective.evaluate(
            point.w, point.b, self._subgradient(self._checkpoints[-1].optimizer)
        )

    def _record_of(self, epoch: int, point: Point) -> Record:
        cp = self._checkpoint_before(max(epoch - 1, 0))
        loss, mse, gw, gb = self._objective.evaluate(
            point.w, point.b, self._subgradient(cp.optimizer)
        )
        recs = self._to_records(
            np.array([epoch]),
            point.w[None, :],
            np.array([point.b]),
            np.array([mse]),
            np.asarray(gw, dtype=np.float64)[None, :],
            np.array([gb]),
            np.array([loss]) if self._penalised else None,
        )
        return recs[0]

    def _check_epoch(self, epoch: int) -> None:
        if not 0 <= epoch <= self._frontier:
            raise IndexError(f"epoch {epoch} is outside 0..{self._frontier}")

    def _plan(self, cp: _Checkpoint, checks: bool, epoch: int) -> Plan:
        hp = cp.settings
        schedule = None if hp.schedule == "constant" else functools.partial(schedules.rate, hp)
        batching = self.batching(hp)
        if not checks:
            return Plan(
                cp.optimizer, hp.lr, checks=False, schedule=schedule, epoch=epoch, batching=batching
            )
        lr_max, _ = self._bound_of(hp)
        return Plan(
            cp.optimizer,
            hp.lr,
            hp.tol,
            lr_max,
            self._trailing_rises(),
            True,
            schedule,
            epoch,
            batching,
        )

    def batching(self, hp: Hyperparameters) -> Batching | None:
        """The mini-batches ``hp`` asks for (None: full batch, also when B ≥ the rows)."""
        if hp.batch_size is None or hp.batch_size >= self._objective.n_samples:
            return None
        return Batching(hp.batch_size, hp.seed or 0, hp.shuffle)

    def rate(self, epoch: int) -> float:
        """The learning rate of the step that made ``epoch`` (≥ 1), by its own settings."""
        return schedules.rate(self._checkpoint_before(epoch - 1).settings, epoch)

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
            plan = self._plan(self._checkpoints[-1], True, self._epoch)
            chunk = min(steps - done, CHECKPOINT_EVERY - self._epoch % CHECKPOINT_EVERY)
            first = len(out)
            prev = float(self._trace[self._epoch])
            point, taken, stop = run(self._objective, self._point, chunk, plan, out)
            bad = self._first_unreportable(out, first)
            if bad is not None:
                # Parameters float64 cannot hold in the data's units (standardised on a column
                # of 1e-308: w = w_z/σ) are not shown as inf: the run stops before them, and
                # the state there is recomputed (the loop is deterministic).
                out.truncate(first + bad, self._objective.n_features)
                point = run(
                    self._objective, self._point, bad, replace(plan, checks=False), Buffers()
                )[0]
                taken, stop = bad, Stop.RANGE
            self._append_trace(out, first)
            self._point = point
            self._epoch += taken
            self._frontier = self._epoch
            done += taken
            if self._epoch % CHECKPOINT_EVERY == 0 and taken:
                last = self._checkpoints[-1]
                self._checkpoints.append(
                    _Checkpoint(self._epoch, point, last.settings, last.optimizer)
                )
            if stop is not None:
                self._frontier_stop = self._stop_message(stop, prev, out, first)
                return
        if self._epoch >= self._budget:
            spent = f"budget spent: {self._budget:,} epochs run"
            self._frontier_stop = _Stop(Status.BUDGET_SPENT, spent, spent)

    def _first_unreportable(self, out: Buffers, first: int) -> int | None:
        """The first new epoch (counted from ``first``) whose parameters are not finite in the
        data's units, or None."""
        if self._scaling.identity or len(out) == first:
            return None
        d = self._objective.n_features
        w = np.frombuffer(out.weights, dtype=np.float64).reshape(-1, d)[first:]
        b = np.frombuffer(out.intercept, dtype=np.float64)[first:]
        wd, bd = self._scaling.to_data(w, b)
        ok = np.isfinite(wd).all(axis=1) & np.isfinite(bd)
        return None if ok.all() else int(np.argmin(ok))

    def _stop_message(self, stop: Stop, prev: float, out: Buffers, first: int) -> _Stop:
        k = self._epoch
        losses = out.losses(self._penalised)
        last = losses[-1] if len(out) > first else prev
        before = losses[-2] if len(out) - first >= 2 else prev
        climb_from = float(self._trace[max(0, k - RISE_EPOCHS)])
        hp = self._hp
        lr_max, formula = self._bound_of(hp)
        above = lr_max is not None and hp.lr > lr_max
        limit = f"{lr_max:.6g} ({formula})" if lr_max is not None else ""
        what = "loss" if self._penalised else "MSE"
        if stop is Stop.OVERFLOW:
            why = (
                f"lr {hp.lr:.6g} is above the largest stable rate {limit}"
                if above
                else "the numbers grew past what float64 holds"
            )
            return _Stop(
                Status.DIVERGED,
                f"diverged at epoch {k + 1:,}: the loss overflowed (it was {last:.6g} at epoch "
                f"{k:,}, which is kept); {why}",
                f"diverged at epoch {k + 1:,}: the loss overflowed"
                + (f"; lr > stable {lr_max:.4g}" if above else ""),
            )
        if stop is Stop.RANGE:
            return _Stop(
                Status.DIVERGED,
                f"diverged at epoch {k + 1:,}: its parameters are beyond the range float64 holds "
                f"(1.8e308) in the data's units (epoch {k:,}, {what} {last:.6g}, is kept); "
                f"lr {hp.lr:.6g} steps too far for this data's scale",
                f"diverged at epoch {k + 1:,}: parameters beyond float64 in data units",
            )
        if stop is Stop.RISE:
            return _Stop(
                Status.DIVERGED,
                f"diverged at epoch {k:,}: the loss rose {RISE_EPOCHS} epochs running, from "
                f"{climb_from:.6g} to {last:.6g}; lr {hp.lr:.6g} is above the largest stable "
                f"rate {limit}, so every step overshoots further",
                f"diverged at epoch {k:,}: loss {climb_from:.4g} → {last:.4g}; "
                f"lr > stable {lr_max:.4g}",
            )
        return _Stop(
            Status.CONVERGED,
            f"converged at epoch {k:,}: the {what} fell by {before - last:.3g}, "
            f"less than tol {hp.tol:.3g}",
            f"converged at epoch {k:,}: {what} fell {before - last:.3g} < tol {hp.tol:.3g}",
        )

    def _append_trace(self, out: Buffers, first: int) -> None:
        new = np.frombuffer(out.losses(self._penalised), dtype=np.float64)[first:]
        start = self._epoch + 1
        end = start + new.shape[0]
        if end > self._trace.shape[0]:  # the budget was raised
            grown = np.empty(max(end, self._budget + 1))
            grown[:start] = self._trace[:start]
            self._trace = grown
            if self._val_trace is not None:
                grown = np.empty(self._trace.shape[0])
                grown[:start] = self._val_trace[:start]
                self._val_trace = grown
        self._trace[start:end] = new
        if self._val_trace is not None and end > start:
            d = self._objective.n_features
            w = np.frombuffer(out.weights, dtype=np.float64).reshape(-1, d)[first:]
            b = np.frombuffer(out.intercept, dtype=np.float64)[first:]
            self._val_trace[start:end] = self._val_mse(w, b)

    def _truncate(self) -> None:
        self._truncate_to(self._epoch)

    def _truncate_to(self, epoch: int) -> None:
        if self._frontier > epoch:
            self._frontier = epoch
            self._frontier_stop = None
            keep = bisect.bisect_right([c.epoch for c in self._checkpoints], epoch)
            del self._checkpoints[keep:]

    def _state_at(self, epoch: int) -> Point:
        if epoch == self._epoch:
            return self._point
        cp = self._checkpoint_before(epoch)
        return self._replay(cp.epoch, cp.point, epoch, None)

    def _checkpoint_before(self, epoch: int) -> _Checkpoint:
        """The last checkpoint at or before ``epoch``: its settings produce epoch + 1."""
        # bisect on the checkpoints themselves: a list of their epochs would cost O(history)
        # on every call, and the app calls this every slice of a run
        i = bisect.bisect_right(self._checkpoints, epoch, key=_epoch_of) - 1
        return self._checkpoints[i]

    def _replay(self, start: int, point: Point, target: int, out: Buffers | None) -> Point:
        """Recompute start → target through the stored segments (their own settings)."""
        sink = out if out is not None else Buffers()
        # Only the checkpoints up to the target (and the next one): listing all of them would
        # make every replay, and the landscape's path every frame, cost O(history).
        cps = self._checkpoints
        upto = bisect.bisect_right(cps, target, key=lambda c: c.epoch) + 1
        epochs = [c.epoch for c in cps[:upto]]
        epoch = start
        while epoch < target:
            i = bisect.bisect_right(epochs, epoch) - 1
            end = epochs[i + 1] if i + 1 < len(epochs) and epochs[i + 1] < target else target
            plan = self._plan(self._checkpoints[i], False, epoch)
            point, taken, _ = run(self._objective, point, end - epoch, plan, sink)
            epoch += taken
            if out is None:
                sink = Buffers()
        return point

    def _segments(self, first: int, last: int) -> tuple[tuple[int, Hyperparameters], ...]:
        """(first epoch produced, settings) of the checkpoints that produced epochs first..last."""
        segs = []
        # from the checkpoint before ``first`` on (not from the first: O(history) a call)
        start = max(0, bisect.bisect_left(self._checkpoints, first, key=_epoch_of) - 1)
        for i in range(start, len(self._checkpoints)):
            cp = self._checkpoints[i]
            begins = 0 if i == 0 else cp.epoch + 1
            nxt = self._checkpoints[i + 1].epoch + 1 if i + 1 < len(self._checkpoints) else None
            if nxt is not None and nxt <= first:
                continue
            if begins > last:
                break
            if segs and segs[-1][1] is cp.settings:
                continue
            segs.append((begins, cp.settings))
        return tuple(segs)

    def _buffers_to_records(self, start: int, out: Buffers) -> Records:
        k = len(out)
        d = self._objective.n_features
        return self._to_records(
            np.arange(start + 1, start + 1 + k),
            np.frombuffer(out.weights, dtype=np.float64).reshape(k, d),
            np.frombuffer(out.intercept, dtype=np.float64),
            np.frombuffer(out.mse, dtype=np.float64),
            np.frombuffer(out.grad_weights, dtype=np.float64).reshape(k, d),
            np.frombuffer(out.grad_intercept, dtype=np.float64),
            np.frombuffer(out.loss, dtype=np.float64) if self._penalised else None,
        )

    def _to_records(self, epochs, w, b, mse, gw, gb, loss) -> Records:
        w, b = self._scaling.to_data(w, b)
        gw, gb = self._scaling.gradient_to_data(gw, gb)
        segs = self._segments(int(epochs[0]), int(epochs[-1])) if len(epochs) else ()
        val = self._validation.mse(w, b) if self._validation is not None and len(w) else None
        return Records(epochs, w, b, mse, gw, gb, segs, loss, val)


def _epoch_of(checkpoint: _Checkpoint) -> int:
    return checkpoint.epoch
