"""The training loop: many epochs per call, each epoch's record appended to buffers.

One loop serves every optimiser (:mod:`.optimizers`) and both representations of the weights: a
plain float for a single feature (numpy's per-call cost would dominate there) and an ndarray for
several. The update rules live only in the optimisers and the objective; this module only
sequences them. A loop depends only on its starting :class:`Point` and its :class:`Plan`, never on
how epochs are split into calls, so replaying from a checkpoint gives the same numbers bit for bit.

Per epoch: the step(s) (one on the whole data, or one per mini-batch), then the checks, in order:

* overflow: the new loss or gradient is not finite: the epoch is not taken (the last finite
  state is kept) and the run has diverged;
* rise: the rate is above the method's stable bound and the loss went up :data:`RISE_EPOCHS`
  epochs running: the epoch is kept and the run has diverged (below that bound, exact gradient
  descent never raises the loss; a few epochs show the climb);
* tol: the loss fell by less than ``tol`` (when ``tol`` > 0), and did not rise: the epoch is
  kept, converged.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .objective import Objective
from .optimizers import Optimizer
from .optimizers.base import compile_function
from .quadratic import Quadratic

_INF = math.inf

#: Epochs of rising loss (above the stable rate) that count as divergence.
RISE_EPOCHS = 3

#: Epochs the fused one-feature loop runs between checks (see :func:`_run_fused`).
BLOCK = 1024


class Stop(Enum):
    """Why a loop stopped before its step count."""

    OVERFLOW = "overflow"
    RISE = "rise"
    TOL = "tol"
    #: The parameters left float64's range in the data's units (set by the trainer, which
    #: knows the scaling; a loop never returns it).
    RANGE = "range"


@dataclass(frozen=True, eq=False)
class Point:
    """Everything the next epoch depends on, in training coordinates (what a checkpoint keeps).

    Attributes
    ----------
    w : ndarray of shape (n_features,)
    b : float
    state_w : tuple of ndarray of shape (n_features,)
        The optimiser's state for the weights, in its ``state_names`` order.
    state_b : tuple of float
        The same for the intercept.
    t : int
        Optimiser steps taken so far (Adam's bias correction counts them).
    """

    w: np.ndarray
    b: float
    state_w: tuple = ()
    state_b: tuple = ()
    t: int = 0

    @classmethod
    def start(cls, w: np.ndarray, b: float, optimizer: Optimizer) -> Point:
        """A run's first point: the optimiser's state all zero."""
        w = np.asarray(w, dtype=np.float64)
        return cls(w, float(b), optimizer.initial(np.zeros_like(w)), optimizer.initial(0.0), 0)


@dataclass
class Buffers:
    """Per-epoch outputs of a loop, in training coordinates (weights interleaved, d per epoch).
    ``loss`` (J) is filled only when a penalty makes it differ from the MSE."""

    weights: array = field(default_factory=lambda: array("d"))
    intercept: array = field(default_factory=lambda: array("d"))
    mse: array = field(default_factory=lambda: array("d"))
    grad_weights: array = field(default_factory=lambda: array("d"))
    grad_intercept: array = field(default_factory=lambda: array("d"))
    loss: array = field(default_factory=lambda: array("d"))

    def __len__(self) -> int:
        return len(self.mse)

    def losses(self, penalised: bool) -> array:
        return self.loss if penalised else self.mse

    def truncate(self, epochs: int, d: int) -> None:
        """Keep the first ``epochs`` epochs (``d`` weights each)."""
        del self.weights[epochs * d :], self.grad_weights[epochs * d :]
        del self.intercept[epochs:], self.mse[epochs:], self.grad_intercept[epochs:]
        del self.loss[epochs:]


@dataclass(frozen=True, eq=False)
class Batching:
    """How an epoch is cut into mini-batches: ``size`` rows a step, in an order that depends only
    on (seed, epoch), so any epoch can be recomputed exactly.

    Attributes
    ----------
    size : int
        Rows per step (the last batch of an epoch may be smaller).
    seed : int
    shuffle : bool
        A fresh permutation every epoch (``numpy.random.default_rng((seed, epoch))``), or the
        file's order.
    """

    size: int
    seed: int
    shuffle: bool

    def order(self, n: int, epoch: int) -> np.ndarray | None:
        """The rows of epoch ``epoch`` (≥ 1) in the order they are used; None: the file's order."""
        if not self.shuffle:
            return None
        return np.random.default_rng((self.seed, epoch)).permutation(n)

    def batches(self, n: int) -> range:
        """The start of each batch within an epoch's order."""
        return range(0, n, self.size)


@dataclass(frozen=True)
class Plan:
    """What a loop needs besides the point.

    Attributes
    ----------
    optimizer : Optimizer
    lr : float
    tol : float
        0: off.
    lr_max : float or None
        The method's stable bound; above it a rising loss counts as divergence (None: no bound).
    rises : int
        Epochs the loss has already risen in a row before this call.
    checks : bool
        False when replaying epochs already computed (their checks passed then).
    schedule : callable or None
        e ↦ the rate of the step making epoch e (None: ``lr`` throughout).
    epoch : int
        The epoch of the starting point (the first epoch made is epoch + 1).
    batching : Batching or None
        Mini-batches (None: each step on the whole data, from its sufficient statistics).
    """

    optimizer: Optimizer
    lr: float
    tol: float = 0.0
    lr_max: float | None = None
    rises: int = 0
    checks: bool = True
    schedule: Callable[[int], float] | None = None
    epoch: int = 0
    batching: Batching | None = None


def _size(g: np.ndarray) -> float:
    return float(np.abs(g).sum())


def run(
    objective: Objective, point: Point, steps: int, plan: Plan, out: Buffers, fused: bool = True
) -> tuple[Point, int, Stop | None]:
    """Take up to ``steps`` epochs from ``point``.

    One feature on the whole data without a penalty (the seed's case) runs in the fused loop
    (:func:`_run_fused`, the same numbers, several times faster); ``fused=False`` uses the
    general loop there too (the tests compare the two).

    Returns
    -------
    point : Point
        Where the loop ended.
    taken : int
        Epochs taken (an epoch refused for overflow is not counted).
    stop : Stop or None
        Why the loop stopped early, or None if it took every step.
    """
    opt = plan.optimizer
    q = objective.quadratic
    penalty = objective.penalty
    penalised = penalty.active
    prox = penalty.l1 > 0 and opt.proximal
    subgradient = not prox
    batching = plan.batching
    scalar = objective.n_features == 1 and batching is None
    if fused and scalar and not penalised:
        with np.errstate(all="ignore"):
            return _run_fused(objective, point, steps, plan, out)
    if scalar:
        ev = q.evaluate_scalar
        w = float(point.w[0])
        sw = tuple(float(s[0]) for s in point.state_w)
        size = abs
        put_w, put_gw = out.weights.append, out.grad_weights.append
    else:
        ev = q.evaluate
        w = point.w
        sw = point.state_w
        size = _size
        put_w, put_gw = out.weights.extend, out.grad_weights.extend
    b, sb, t = point.b, point.state_b, point.t
    put_b, put_mse, put_gb = out.intercept.append, out.mse.append, out.grad_intercept.append
    put_loss = out.loss.append
    step = opt.stepper(scalar)
    # the step's coefficients, a block at a time (the loop takes one step an epoch)
    coefficients = opt.coefficient_table if opt.counts_steps and batching is None else None
    table: list = []
    intercept = objective.fit_intercept
    lr, tol = plan.lr, plan.tol
    lr_max = plan.lr_max
    unstable = plan.checks and lr_max is not None and lr > lr_max
    checks = plan.checks
    rises = plan.rises
    schedule = plan.schedule
    epoch = plan.epoch

    mse, gw, gb = ev(w, b)
    loss = mse
    if penalised:
        loss = mse + penalty.value(w)
        gw = gw + penalty.gradient(w, subgradient)
    with np.errstate(all="ignore"):
        for taken in range(steps):
            if coefficients is not None and taken % BLOCK == 0:
                table = list(zip(*coefficients(t + 1, min(BLOCK, steps - taken))))
            if schedule is not None:
                lr = schedule(epoch + taken + 1)
                unstable = checks and lr_max is not None and lr > lr_max
            if batching is None:
                c = table[taken % BLOCK] if coefficients is not None else None
                w_new, sw_new = step(w, gw, sw, lr, c)
                if intercept:
                    b_new, sb_new = step(b, gb, sb, lr, c)
                else:
                    b_new, sb_new = b, sb
                if prox:
                    w_new = penalty.prox(w_new, lr)
                t_new = t + 1
            else:
                w_new, b_new, sw_new, sb_new, t_new = batch_epoch(
                    objective, opt, batching, epoch + taken + 1, w, b, sw, sb, t, lr, prox
                )[:5]
            mse_new, gw_new, gb_new = ev(w_new, b_new)
            loss_new = mse_new
            if penalised:
                loss_new = mse_new + penalty.value(w_new)
                gw_new = gw_new + penalty.gradient(w_new, subgradient)
            if not loss_new + size(gw_new) + abs(gb_new) < _INF:
                return _point(scalar, w, b, sw, sb, t), taken, Stop.OVERFLOW
            w, b, sw, sb, t = w_new, b_new, sw_new, sb_new, t_new
            put_w(w)
            put_b(b)
            put_mse(mse_new)
            put_gw(gw_new)
            put_gb(gb_new)
            if penalised:
                put_loss(loss_new)
            if checks:
                if unstable and loss_new > loss:
                    rises += 1
                    if rises >= RISE_EPOCHS:
                        return _point(scalar, w, b, sw, sb, t), taken + 1, Stop.RISE
                else:
                    rises = 0
                # a rise is not convergence (it lowered the loss by less than tol, but the run
                # is not settling: lr 0.1 on the seed said "converged, fell by -13.9")
                if tol and 0 <= loss - loss_new < tol:
                    return _point(scalar, w, b, sw, sb, t), taken + 1, Stop.TOL
            loss, gw, gb = loss_new, gw_new, gb_new
    return _point(scalar, w, b, sw, sb, t), steps, None


def batch_epoch(
    objective: Objective,
    opt: Optimizer,
    batching: Batching,
    epoch: int,
    w: np.ndarray,
    b: float,
    sw: tuple,
    sb: tuple,
    t: int,
    lr: float,
    prox: bool,
    upto: int | None = None,
):
    """One epoch of mini-batch steps (epoch ``epoch`` ≥ 1), each on its batch's rows.

    The epoch's rows are gathered once in their order and every batch's statistics computed at
    once (:meth:`.Objective.batch_stats`); the steps, in sequence, then work on those only. With
    one feature they run on plain floats, as :func:`run`'s full-batch path does.

    Returns (w, b, sw, sb, t, rows, grad): the state after the epoch, or, with ``upto`` = k,
    before its k-th step (0-based), with ``rows`` the indices of that step's batch and ``grad``
    its (∂J/∂w, ∂J/∂b) (both None otherwise).
    """
    n = objective.n_samples
    size = batching.size
    stop = n if upto is None else min(n, (upto + 1) * size)
    order = batching.order(n, epoch)
    data = objective.rows
    data = data[:stop] if order is None else data.take(order[:stop], axis=0)
    count, sx, sxx, sxy, sy = objective.batch_stats(data[:, :-1], data[:, -1], size)
    scalar = objective.n_features == 1
    if scalar:
        sx, sxx, sxy = sx[:, 0].tolist(), sxx[:, 0, 0].tolist(), sxy[:, 0].tolist()
        count, sy = count.tolist(), sy.tolist()
        w = float(w[0])
        sw = tuple(float(s[0]) for s in sw)
    step = opt.stepper(scalar)
    steps = len(count)
    table = opt.coefficient_table(t + 1, steps)
    coefficients = list(zip(*table)) if table else None
    intercept = objective.fit_intercept
    penalty = objective.penalty
    gradient = objective.batch_gradient(scalar, not prox)
    rows = grad = None
    for k, (n_k, sx_k, sxx_k, sxy_k, sy_k) in enumerate(zip(count, sx, sxx, sxy, sy)):
        gw, gb = gradient(n_k, sx_k, sxx_k, sxy_k, sy_k, w, b)
        if k == upto:
            rows = np.arange(k * size, stop)
            rows = rows if order is None else order[rows]
            grad = (np.array([gw]) if scalar else gw, gb)
            break
        c = coefficients[k] if coefficients is not None else None
        w, sw = step(w, gw, sw, lr, c)
        if intercept:
            b, sb = step(b, gb, sb, lr, c)
        if prox:
            w = penalty.prox(w, lr)
        t += 1
    if scalar:
        w = np.array([w])
        sw = tuple(np.array([s]) for s in sw)
    return w, b, sw, sb, t, rows, grad


def _run_fused(
    objective: Objective, point: Point, steps: int, plan: Plan, out: Buffers
) -> tuple[Point, int, Stop | None]:
    """:func:`run` for one feature, full batch, no penalty (the seed's case), in blocks of
    :data:`BLOCK` epochs.

    An epoch there is a handful of float operations, so what Python does around them is the
    cost: a function call per step, a record per epoch, the checks. Here the steps run in one
    compiled loop (:func:`fused_loop`: the objective's gradient and the optimiser's rule inlined
    for the weight and the intercept) that keeps only the parameters; the block's MSE and
    gradients are then computed at once by numpy with :meth:`.Quadratic.evaluate_scalar`'s
    arithmetic (elementwise, so the same numbers as one at a time), and the checks read those
    arrays. After a stop the block is run again up to the stop, for the state there: the same
    loop gives the same numbers, so nothing depends on where blocks begin.
    """
    opt = plan.optimizer
    q = objective.quadratic
    intercept = objective.fit_intercept
    schedule = plan.schedule
    names = opt.coefficient_names
    w, b = float(point.w[0]), point.b
    sw, sb, t = tuple(float(s[0]) for s in point.state_w), point.state_b, point.t
    lr, lr_max, checks, rises = plan.lr, plan.lr_max, plan.checks, plan.rises
    tol = plan.tol if checks else 0.0
    loss = q.evaluate_scalar(w, b)[0]
    done = 0
    stop = None
    while done < steps and stop is None:
        k = min(BLOCK, steps - done)
        first = plan.epoch + done + 1
        lrs = None if schedule is None else [schedule(e) for e in range(first, first + k)]
        coef = opt.coefficient_table(t + 1, k)
        # coefficients that are exactly 1 over the whole block (Adam's bias corrections, late
        # in a run) are left out of the loop's arithmetic: the same numbers, sooner
        ones = tuple(n for n, c in zip(names, coef) if c.count(1.0) == k)
        coef = tuple(c for n, c in zip(names, coef) if n not in ones)
        loop = fused_loop(opt, q, schedule is not None, ones)
        ws: list[float] = []
        bs: list[float] = []
        end = loop(k, w, b, sw, sb, lr, lrs, coef, ws.append, bs.append)
        wa = np.array(ws)
        ba = np.array(bs) if intercept else np.full(k, b)
        mse, gw, gb = q.evaluate_scalar(wa, ba)
        gb = np.broadcast_to(np.asarray(gb, dtype=np.float64), (k,))
        unstable = False
        if checks and lr_max is not None:
            unstable = (lr if lrs is None else np.array(lrs)) > lr_max
        kept, stop, rises = _check_block(loss, mse, gw, gb, unstable, tol, checks, rises)
        if kept < k:
            cut = None if lrs is None else lrs[:kept]
            trim = tuple(c[:kept] for c in coef)
            end = loop(kept, w, b, sw, sb, lr, cut, trim, _discard, _discard)
        for buffer, values in (
            (out.weights, wa),
            (out.intercept, ba),
            (out.mse, mse),
            (out.grad_weights, gw),
            (out.grad_intercept, gb),
        ):
            buffer.frombytes(np.ascontiguousarray(values[:kept]).tobytes())
        w, b, sw, sb = end
        t += kept
        done += kept
        if kept:
            loss = float(mse[kept - 1])
    return _point(True, w, b, sw, sb, t), done, stop


def _discard(value: float) -> None:
    pass


def _check_block(
    loss: float,
    new: np.ndarray,
    gw: np.ndarray,
    gb: np.ndarray,
    unstable,
    tol: float,
    checks: bool,
    rises: int,
) -> tuple[int, Stop | None, int]:
    """:func:`run`'s checks on a block at once: ``loss`` before it, ``new`` the loss of each of
    its epochs, ``unstable`` whether each epoch's rate was above the bound (a bool or an array).

    Returns (epochs kept, why the block stopped or None, rising epochs in a row at its end).
    """
    k = new.shape[0]
    bad = np.flatnonzero(~(new + np.abs(gw) + np.abs(gb) < _INF))
    limit = int(bad[0]) if bad.size else k
    stop = Stop.OVERFLOW if bad.size else None
    if not checks or limit == 0:
        return limit, stop, rises
    new = new[:limit]
    before = np.empty(limit)
    before[0] = loss
    before[1:] = new[:-1]
    if tol:
        fall = before - new
        small = np.flatnonzero((fall < tol) & (fall >= 0))  # a rise is not convergence
        if small.size:
            limit, stop = int(small[0]) + 1, Stop.TOL
            new, before = new[:limit], before[:limit]
    unstable = np.broadcast_to(unstable, (k,))[:limit]
    up = unstable & (new > before)
    if not up.any():
        return limit, stop, 0
    for i, rising in enumerate(up.tolist()):
        if rising:
            rises += 1
            if rises >= RISE_EPOCHS:
                return i + 1, Stop.RISE, rises
        else:
            rises = 0
    return limit, stop, rises


def fused_loop(opt: Optimizer, q: Quadratic, scheduled: bool, ones: tuple[str, ...] = ()):
    """The compiled loop of :func:`_run_fused` with ``opt``'s settings and ``q``'s constants
    bound: ``loop(k, w, b, state_w, state_b, lr, lrs, coef, put_w, put_b)`` takes k epochs
    (the rates ``lrs`` when ``scheduled``, else ``lr``; ``coef`` the optimiser's
    :meth:`~.Optimizer.coefficient_table` without the columns named in ``ones``, which are
    exactly 1.0 throughout), passes each epoch's w and b to ``put_w`` and ``put_b``, and returns
    (w, b, state_w, state_b)."""
    gradient, constants = q.scalar_gradient()
    factory = _fused_factory(
        type(opt), q.fit_intercept, scheduled, gradient, tuple(constants), ones
    )
    return factory(**constants, **opt.bindings(), sqrt=math.sqrt)


@functools.cache
def _fused_factory(
    cls, intercept: bool, scheduled: bool, gradient: tuple, constants: tuple, ones: tuple = ()
):
    names = (*constants, *cls.fields, *cls.constants, "sqrt")
    state = ", ".join(cls.state_names)
    pack = (lambda side: f"({state.replace(', ', side + ', ')}{side},)") if state else None
    varying = [c for c in cls.coefficient_names if c not in ones]
    loops = (["lr"] if scheduled else []) + varying
    lists = (["lrs"] if scheduled else []) + [f"{c}s" for c in varying]
    if not loops:
        header = "for _ in range(k):"
    elif len(loops) == 1:
        header = f"for {loops[0]} in {lists[0]}:"
    else:
        header = f"for {', '.join(loops)} in zip({', '.join(lists)}):"
    body = []
    if state:
        body.append(f"{pack('_w')} = state_w")
        if intercept:
            body.append(f"{pack('_b')} = state_b")
    if varying:
        body.append(f"({', '.join(lists[-len(varying) :])},) = coef")
    body.append(header)
    steps = [*gradient, *cls.rule_for("w", "gw", "_w", ones), "put_w(w)"]
    if intercept:
        steps += [*cls.rule_for("b", "gb", "_b", ones), "put_b(b)"]
    body += [f"    {line}" for line in steps]
    sw = pack("_w") if state else "()"
    sb = (pack("_b") if state else "()") if intercept else "state_b"
    body.append(f"return w, b, {sw}, {sb}")
    # the bound names as keyword defaults: locals, the fastest names Python reads
    defaults = "".join(f", {n}={n}" for n in names)
    source = (
        f"def factory({', '.join(names)}):\n"
        f"    def loop(k, w, b, state_w, state_b, lr, lrs, coef, put_w, put_b, *{defaults}):\n"
        + "".join(f"        {line}\n" for line in body)
        + "    return loop\n"
    )
    return compile_function(source, "factory", f"<fused {cls.name}>")


def _point(scalar: bool, w, b: float, sw: tuple, sb: tuple, t: int) -> Point:
    if scalar:
        return Point(np.array([w]), b, tuple(np.array([s]) for s in sw), sb, t)
    return Point(w, b, sw, sb, t)
