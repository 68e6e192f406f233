"""What the Hessian of the MSE says about a learning rate, before any epoch runs.

The MSE is a quadratic with constant Hessian H, so gradient descent with rate lr multiplies the
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

from .quadratic import Quadratic

#: With tol = 0, "converged" means the excess loss fell to this fraction of its starting value.
DEFAULT_REDUCTION = 1e-8

#: A rate this many times slower than the fastest rate counts as too small.
SLOW_FACTOR = 10.0


class Verdict(str, Enum):
    TOO_SMALL = "too small"
    GOOD = "good"
    OSCILLATING = "oscillating"
    WILL_DIVERGE = "will diverge"


@dataclass(frozen=True)
class Analysis:
    """The learning rate seen through the Hessian (in training coordinates).

    Attributes
    ----------
    eigenvalues : ndarray of shape (p,)
        Of the Hessian, ascending.
    lr_max : float
        2/λmax: above it gradient descent diverges.
    lr_best : float
        2/(λmin + λmax): the fixed rate that converges fastest.
    condition : float
        λmax/λmin (inf when λmin ≤ 0).
    rate : float
        max |1 − lr·λᵢ|, the factor by which the slowest direction shrinks each epoch.
    target : float
        With tol > 0, tol: converged is the first epoch that lowers the MSE by less than tol (when
        the trainer stops). With tol = 0, DEFAULT_REDUCTION of the starting excess loss:
        converged is the first epoch whose excess loss MSE − MSE* is at most that.
    epochs_needed : int or None
        Epochs until converged in that sense; None if never.
    verdict : Verdict
    summary : str
        One line: the verdict and why.
    """

    eigenvalues: np.ndarray
    lr_max: float
    lr_best: float
    condition: float
    rate: float
    target: float
    epochs_needed: int | None
    verdict: Verdict
    summary: str


def analyse(
    q: Quadratic, w0: np.ndarray, b0: float, lr: float, tol: float, budget: int
) -> Analysis:
    """Analyse gradient descent from (w0, b0) (training coordinates) at rate ``lr``."""
    lam, vectors = q.hessian_eigen()
    lam_max = float(lam[-1])
    lam_min = float(lam[0])
    lr_max = 2.0 / lam_max
    lr_best = 2.0 / (lam_min + lam_max)
    condition = lam_max / lam_min if lam_min > 0 else math.inf
    # A huge rate on a steep problem (lr 1e300, λ 1e11) overflows lr·λ: the factor is then inf,
    # which every use below reads correctly as "diverges", so numpy need not warn.
    with np.errstate(over="ignore"):
        factors = np.abs(1.0 - lr * lam)
    rate = float(factors.max())

    delta = np.asarray(w0, dtype=np.float64) - q.w_star
    if q.fit_intercept:
        delta = np.append(delta, b0 - q.b_star)
    coords = vectors.T @ delta
    terms = 0.5 * lam * coords * coords
    excess0 = float(terms.sum())
    if tol > 0:
        target = tol
        needed = _epochs_needed(_drop(terms, factors), target, strict=True, first=1)
    else:
        target = DEFAULT_REDUCTION * excess0
        needed = _epochs_needed(_excess(terms, factors), target, strict=False, first=0)

    verdict, summary = _verdict(lr, lr_max, lr_best, lam, needed, budget, target, tol)
    return Analysis(lam, lr_max, lr_best, condition, rate, target, needed, verdict, summary)


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
