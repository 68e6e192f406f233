"""What the Hessian of the objective says about a learning rate, before any epoch runs.

Each method's bound comes from its optimiser (:meth:`~.optimizers.base.Optimizer.stability`): GD
2/λmax, heavy-ball momentum 2(1+β)/λmax, Nesterov from its iteration matrix, none for the adaptive
methods (which say so). An L2 penalty adds 2·λ₂ to the weights' curvature, so it shifts λ.

For plain gradient descent the analysis is exact. The objective is a quadratic with constant
Hessian H, so gradient descent with rate lr multiplies the
distance to the optimum along each eigenvector of H (eigenvalue λᵢ) by (1 − lr·λᵢ) every epoch.
Hence the largest stable rate 2/λmax, the fastest fixed rate 2/(λmin + λmax), and the exact number
of epochs until the run converges: the excess loss after k epochs is
MSE − MSE* = ½·Σ λᵢ·cᵢ²·(1 − lr·λᵢ)^(2k), so both the trainer's tol stop (an epoch lowers the MSE
by less than tol) and "the excess loss fell to a fraction of its start" are exact sums in k.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .optimizers import Optimizer
from .optimizers.gd import GradientDescent
from .spectrum import Spectrum, exact_stability

#: With tol = 0, "converged" means the excess loss fell to this fraction of its starting value.
DEFAULT_REDUCTION = 1e-8

#: A rate this many times slower than the fastest rate counts as too small.
SLOW_FACTOR = 10.0


class Verdict(str, Enum):
    TOO_SMALL = "too small"
    GOOD = "good"
    OSCILLATING = "oscillating"
    WILL_DIVERGE = "will diverge"
    STABLE = "stable"  # below the method's bound (momentum, Nesterov)
    NO_BOUND = "no fixed bound"  # adaptive methods


@dataclass(frozen=True)
class Analysis:
    """The learning rate seen through the Hessian (in training coordinates).

    Attributes
    ----------
    eigenvalues : ndarray of shape (p,)
        Of the Hessian, ascending.
    lr_max : float or None
        The method's largest stable rate (GD: 2/λmax); None when no fixed bound applies.
    lr_best : float or None
        The fixed rate that converges fastest (GD: 2/(λmin + λmax); momentum: Polyak's).
    condition : float
        λmax/λmin (inf when λmin ≤ 0).
    rate : float
        max |1 − lr·λᵢ|, the factor by which the slowest direction shrinks each epoch.
    target : float
        With tol > 0, tol: converged is the first epoch that lowers the MSE by less than tol (when
        the trainer stops). With tol = 0, DEFAULT_REDUCTION of the starting excess loss:
        converged is the first epoch whose excess loss MSE − MSE* is at most that.
    epochs_needed : int or None
        Epochs until converged in that sense; None if never, or not known for the method.
    verdict : Verdict
    summary : str
        One line: the verdict and why.
    method : str
        The optimiser's name.
    bound : str
        How its bound reads (``"2/λmax"``; ``"none"`` for adaptive methods).
    note : str
        A sentence on the method's bound.
    best_other : dict
        Other optimal settings that go with ``lr_best`` (momentum's β).
    """

    eigenvalues: np.ndarray
    lr_max: float | None
    lr_best: float | None
    condition: float
    rate: float
    target: float
    epochs_needed: int | None
    verdict: Verdict
    summary: str
    method: str = "gd"
    bound: str = "2/λmax"
    note: str = ""
    best_other: dict | None = None


def analyse(
    eigen: tuple[np.ndarray, np.ndarray],
    delta0: np.ndarray,
    lr: float,
    tol: float,
    budget: int,
    optimizer: Optimizer | None = None,
    exact: bool = True,
    spectrum: Spectrum | None = None,
) -> Analysis:
    """Analyse a method at rate ``lr`` on a quadratic objective.

    Parameters
    ----------
    eigen : (ndarray of shape (p,), ndarray of shape (p, p))
        Eigenvalues (ascending) and eigenvectors (columns) of the Hessian of the (smooth part of
        the) objective, training coordinates, intercept last
        (:meth:`~.objective.Objective.hessian_eigen`).
    delta0 : ndarray of shape (p,)
        The start minus the optimum (training coordinates, intercept last).
    optimizer : Optimizer, default gradient descent
    exact : bool
        The objective is exactly this quadratic (False with an L1 penalty: then only the bound on
        the smooth part is given).
    spectrum : Spectrum, optional
        The exact Hessian's extreme eigenvalues (:mod:`.spectrum`): then λmin, λmax, the
        condition number and the method's rates are the exact values correctly rounded (else
        they are computed in float64 from ``eigen``).
    """
    optimizer = optimizer or GradientDescent()
    lam, vectors = eigen
    if spectrum is not None:
        lam = np.array(lam, dtype=np.float64)
        lam[0], lam[-1] = spectrum.lam_min, spectrum.lam_max
        condition = spectrum.condition
        stability = exact_stability(spectrum, optimizer)
    else:
        lam_max = float(lam[-1])
        lam_min = float(lam[0])
        condition = lam_max / lam_min if lam_min > 0 else math.inf
        stability = optimizer.stability(lam_min, lam_max)
    if not (isinstance(optimizer, GradientDescent) and exact):
        return _other_method(optimizer, stability, lam, condition, lr)
    lr_max = stability.lr_max
    lr_best = stability.lr_best
    # A huge rate on a steep problem (lr 1e300, λ 1e11) overflows lr·λ: the factor is then inf,
    # which every use below reads correctly as "diverges", so numpy need not warn.
    with np.errstate(over="ignore"):
        factors = np.abs(1.0 - lr * lam)
    rate = float(factors.max())

    coords = vectors.T @ np.asarray(delta0, dtype=np.float64)
    terms = 0.5 * lam * coords * coords
    excess0 = float(terms.sum())
    if tol > 0:
        target = tol
        needed = _epochs_needed(_drop(terms, factors), target, strict=True, first=1)
    else:
        target = DEFAULT_REDUCTION * excess0
        needed = _epochs_needed(_excess(terms, factors), target, strict=False, first=0)

    verdict, summary = _verdict(lr, lr_max, lr_best, lam, needed, budget, target, tol)
    return Analysis(
        lam,
        lr_max,
        lr_best,
        condition,
        rate,
        target,
        needed,
        verdict,
        summary,
        optimizer.name,
        stability.bound,
        stability.note,
        stability.best_other,
    )


def _other_method(
    optimizer: Optimizer, stability, lam: np.ndarray, condition: float, lr: float
) -> Analysis:
    """Momentum and Nesterov: the exact bound and the asymptotic rate from the iteration matrix;
    adaptive methods: no fixed bound (said plainly)."""
    lr_max = stability.lr_max
    common = dict(
        eigenvalues=lam,
        lr_max=lr_max,
        lr_best=stability.lr_best,
        condition=condition,
        target=math.nan,
        epochs_needed=None,
        method=optimizer.name,
        bound=stability.bound,
        note=stability.note,
        best_other=stability.best_other,
    )
    if lr_max is None:
        return Analysis(
            rate=math.nan,
            verdict=Verdict.NO_BOUND,
            summary=f"no fixed bound: {stability.note}",
            **common,
        )
    radii = [optimizer.iteration_radius(lr, float(v)) for v in lam]
    rate = max(r for r in radii if r is not None) if radii else math.nan
    if lr > lr_max:
        return Analysis(
            rate=rate,
            verdict=Verdict.WILL_DIVERGE,
            summary=(
                f"will diverge: lr {lr:.6g} is above the largest stable rate {lr_max:.6g} "
                f"({stability.bound})"
            ),
            **common,
        )
    if rate < 1:
        shrink = f"the error shrinks about ×{rate:.6g} an epoch"
        if rate > 0:
            epochs = math.ceil(math.log(DEFAULT_REDUCTION) / (2 * math.log(rate)))
            shrink += f" (~{epochs:,} epochs to cut the excess loss to 1e-8)"
    else:
        shrink = "the slowest direction does not shrink"
    return Analysis(
        rate=rate,
        verdict=Verdict.STABLE,
        summary=f"stable: lr {lr:.6g} is below {lr_max:.6g} ({stability.bound}); {shrink}",
        **common,
    )


def _excess(terms: np.ndarray, factors: np.ndarray) -> Callable[[int], float]:
    """k ↦ MSE − MSE* after k epochs."""

    def excess(k: int) -> float:
        with np.errstate(all="ignore"):
            return float((terms * factors ** (2.0 * k)).sum())

    return excess


def _drop(terms: np.ndarray, factors: np.ndarray) -> Callable[[int], float]:
    """k ↦ how much epoch k lowers the MSE (k ≥ 1); negative when it rises."""
    shrink = 1.0 - factors * factors

    def drop(k: int) -> float:
        with np.errstate(all="ignore"):
            return float((terms * factors ** (2.0 * (k - 1)) * shrink).sum())

    return drop


def _epochs_needed(
    measure: Callable[[int], float], target: float, strict: bool, first: int
) -> int | None:
    """Smallest k ≥ first with measure(k) < target (strict) or ≤ target; None if never.

    ``measure`` falls monotonically for a stable rate (every term shrinks), so a doubling search
    then bisection finds it; a measure that is not below the target after 2^62 epochs never is.
    """

    def done(k: int) -> bool:
        value = measure(k)
        return value < target if strict else value <= target

    if done(first):
        return first
    hi = max(1, first)
    while not done(hi):
        hi *= 2
        if hi > 1 << 62 or not math.isfinite(measure(hi)):
            return None
    lo = max(first, hi // 2)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if done(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _verdict(
    lr: float,
    lr_max: float,
    lr_best: float,
    lam: np.ndarray,
    needed: int | None,
    budget: int,
    target: float,
    tol: float,
) -> tuple[Verdict, str]:
    goal = (
        f"until one lowers the MSE by less than tol {tol:.3g}"
        if tol > 0
        else "to cut the excess loss to 1e-8 of its start"
    )
    if lr > lr_max:
        return Verdict.WILL_DIVERGE, (
            f"will diverge: lr {lr:.6g} is above the largest stable rate {lr_max:.6g}"
        )
    if lr == lr_max:
        return Verdict.OSCILLATING, (
            f"oscillating: lr {lr:.6g} is exactly the stable limit; "
            "the fastest direction never settles"
        )
    when = (
        f"about {needed:,} epoch{'' if needed == 1 else 's'} {goal}"
        if needed is not None
        else "never converges"
    )
    if lr > lr_best * (1 + 1e-9):  # the fastest rate itself, up to rounding, is "good"
        return Verdict.OSCILLATING, (
            f"oscillating: converges while zig-zagging, {when}; lr {lr_best:.6g} is fastest"
        )
    slow = math.log(max(abs(1 - lr * lam[0]), 1e-300))
    best = math.log(max(abs(1 - lr_best * lam[0]), 1e-300))
    too_slow = slow == 0 or best / slow > SLOW_FACTOR
    if needed is not None and needed > budget:
        return Verdict.TOO_SMALL, (
            f"too small for the budget: {when}, the budget is {budget:,}; "
            f"lr {lr_best:.6g} is fastest"
        )
    if too_slow:
        return Verdict.TOO_SMALL, (
            f"too small: over {SLOW_FACTOR:g}× slower than lr {lr_best:.6g}; {when}"
        )
    return Verdict.GOOD, f"good: {when}"
