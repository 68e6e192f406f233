"""What the Hessian of the MSE says about a learning rate, before any epoch runs.

The MSE is a quadratic with constant Hessian H, so gradient descent with rate lr multiplies the
distance to the optimum along each eigenvector of H (eigenvalue λᵢ) by (1 − lr·λᵢ) every epoch.
Hence the largest stable rate 2/λmax, the fastest fixed rate 2/(λmin + λmax), and the exact number
of epochs until the excess loss MSE − MSE* = ½·Σ λᵢ·cᵢ²·(1 − lr·λᵢ)^(2k) falls below a target.
"""

from __future__ import annotations

import math
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
        The excess loss counted as converged (tol, or DEFAULT_REDUCTION of the starting excess).
    epochs_needed : int or None
        Epochs until the excess loss is ≤ target; None if it never gets there.
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


def largest_stable_lr(q: Quadratic) -> float:
    """2/λmax of the Hessian of ``q``."""
    return 2.0 / float(np.linalg.eigvalsh(q.hessian())[-1])


def analyse(
    q: Quadratic, w0: np.ndarray, b0: float, lr: float, tol: float, budget: int
) -> Analysis:
    """Analyse gradient descent from (w0, b0) (training coordinates) at rate ``lr``."""
    hessian = q.hessian()
    lam, vectors = np.linalg.eigh(hessian)
    lam_max = float(lam[-1])
    lam_min = float(lam[0])
    lr_max = 2.0 / lam_max
    lr_best = 2.0 / (lam_min + lam_max)
    condition = lam_max / lam_min if lam_min > 0 else math.inf
    factors = np.abs(1.0 - lr * lam)
    rate = float(factors.max())

    delta = np.asarray(w0, dtype=np.float64) - q.w_star
    if q.fit_intercept:
        delta = np.append(delta, b0 - q.b_star)
    coords = vectors.T @ delta
    terms = 0.5 * lam * coords * coords
    excess0 = float(terms.sum())
    target = tol if tol > 0 else DEFAULT_REDUCTION * excess0
    needed = _epochs_needed(terms, factors, target)

    verdict, summary = _verdict(lr, lr_max, lr_best, lam, needed, budget, target, tol)
    return Analysis(lam, lr_max, lr_best, condition, rate, target, needed, verdict, summary)


def _epochs_needed(terms: np.ndarray, factors: np.ndarray, target: float) -> int | None:
    """Smallest k with Σ termsᵢ·factorsᵢ^(2k) ≤ target (None if never)."""

    def excess(k: int) -> float:
        with np.errstate(all="ignore"):
            return float((terms * factors ** (2.0 * k)).sum())

    if excess(0) <= target:
        return 0
    live = terms > 0
    if np.any(factors[live] >= 1.0) or target <= 0:
        return None
    hi = 1
    while excess(hi) > target:
        hi *= 2
        if hi > 1 << 62:
            return None
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if excess(mid) > target:
            lo = mid
        else:
            hi = mid
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
    goal = f"within tol {tol:.3g}" if tol > 0 else "to 1e-8 of its starting excess"
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
        f"about {needed:,} epoch{'' if needed == 1 else 's'} to get {goal}"
        if needed is not None
        else "never converges"
    )
    if lr > lr_best:
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
