"""The reference answer with a penalty: the minimiser of J = MSE + λ₂·‖σ∘w‖² + λ₁·‖σ∘w‖₁, where σ
is the training scale of each weight (1 unless standardised: then the standardised weights are
penalised, as glmnet does) and the intercept is not penalised.

* Ridge (λ₁ = 0) is solved exactly, like least squares: the normal equations
  (XᵀX + n·λ₂·diag(σ², 0))·θ = Xᵀy are formed and solved in rational arithmetic from the floats of
  the data, and only the answer is rounded (up to :data:`~.reference.EXACT_LIMIT` work; beyond it
  a float solve with one step of refinement, ``"refined"``).
* Lasso and elastic net (λ₁ > 0) have no closed form: cyclic coordinate descent in the training
  coordinates, stopped when the duality gap (the certificate that J is within it of its minimum)
  is at most :data:`GAP` = 1e-12, absolute, or, where J is so large that this is below what
  its float64 answer can show (J ≥ 128), at most :data:`GAP_ULPS` = 64 units in the last place
  of J; the gap reached is reported. Why not 1e-12 absolute everywhere: the answer is float64
  weights, and the gap at them (computed in extended precision, so the rounding is the
  weights', not the gap's) stalls at 3 to 100 units in the last place of J, measured on J from
  1 to 1e12 (README); at J = 1e6 an ulp is 1.2e-10. Where it stalls above the target (a badly
  scaled problem), the optimality conditions on the active set are solved with extended-
  precision residuals (:func:`_polish`) and the smaller gap kept; if the gap stops halving,
  the search stops and reports the gap it has.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

import numpy as np

from .dataset import Dataset
from .errors import DataError
from .objective import Penalty
from .reference import (
    EXACT_LIMIT,
    Reference,
    _dot,
    _exact_columns,
    _sqrt_fraction,
)

#: The duality gap at which coordinate descent stops (absolute, in J's units)...
GAP = 1e-12
#: ... or, where J is too large for that to be reached in float64 (J ≥ 128), this many units in
#: the last place of J.
GAP_ULPS = 64


def gap_target(j_value: float) -> float:
    """The duality gap coordinate descent stops at, for an objective of ``j_value``."""
    return max(GAP, GAP_ULPS * math.ulp(j_value))


#: Checks of the gap (every 10 sweeps) without it halving after which coordinate descent stops.
STALL = 20
#: Sweeps of coordinate descent at most.
MAX_SWEEPS = 200_000


def solve(dataset: Dataset, fit_intercept: bool, penalty: Penalty, scale: np.ndarray) -> Reference:
    """The penalised reference answer.

    Parameters
    ----------
    dataset : Dataset
    fit_intercept : bool
    penalty : Penalty
        With ``active`` true.
    scale : ndarray of shape (n_features,)
        σ: the training coordinates are w·σ (ones when not standardised).
    """
    if penalty.l1 == 0:
        n, p = dataset.n_samples, dataset.n_features + int(fit_intercept)
        if n * (p + 1) ** 2 <= EXACT_LIMIT:
            return _ridge_exact(dataset, fit_intercept, penalty.l2, scale)
        return _ridge_refined(dataset, fit_intercept, penalty.l2, scale)
    return _coordinate_descent(dataset, fit_intercept, penalty, scale)


def _finish(
    dataset: Dataset,
    fit_intercept: bool,
    weights: np.ndarray,
    intercept: float,
    ss_res: float,
    ss_tot: float,
    penalty: Penalty,
    scale: np.ndarray,
    method: str,
    gap: float | None = None,
) -> Reference:
    rows = dataset.n_samples
    n = getattr(dataset.streamed, "n_samples", rows)
    if n != rows:  # moment rows standing for n rows: their sums of squares are rows/n of those
        ss_res, ss_tot = ss_res * n / rows, ss_tot * n / rows
    p = dataset.n_features + int(fit_intercept)
    mse = ss_res / n
    return Reference(
        weights=weights,
        intercept=intercept if fit_intercept else 0.0,
        mse=mse,
        rmse=math.sqrt(mse),
        r2=None if ss_tot == 0 else 1 - ss_res / ss_tot,
        ss_res=ss_res,
        ss_tot=ss_tot,
        residual_sd=math.sqrt(ss_res / (n - p)) if n > p else None,
        n_samples=n,
        n_params=p,
        method=method,
        penalty=penalty.name,
        objective=mse + penalty.value(weights * scale),
        gap=gap,
    )


def _ridge_exact(dataset: Dataset, fit_intercept: bool, l2: float, scale: np.ndarray) -> Reference:
    columns = _exact_columns(dataset, fit_intercept)
    p = len(columns) - 1
    d = dataset.n_features
    n = dataset.n_samples
    g = [[Fraction(0)] * (p + 1) for _ in range(p + 1)]
    for i in range(p + 1):
        for j in range(i, p + 1):
            dot = Fraction(_dot(columns[i][0], columns[j][0]), columns[i][1] * columns[j][1])
            g[i][j] = g[j][i] = dot
    lam = Fraction(l2)
    a = [row[:] for row in g[:p]]
    for j in range(d):
        a[j][j] += n * lam * Fraction(float(scale[j])) ** 2
    # Gauss-Jordan in exact arithmetic (the penalised matrix is positive definite).
    for col in range(p):
        pivot = next((r for r in range(col, p) if a[r][col] != 0), None)
        if pivot is None:
            raise DataError(f"{dataset.source}: the ridge system is singular")
        a[col], a[pivot] = a[pivot], a[col]
        inv = 1 / a[col][col]
        a[col] = [v * inv for v in a[col]]
        for r in range(p):
            if r != col and a[r][col] != 0:
                factor = a[r][col]
                a[r] = [v - factor * w for v, w in zip(a[r], a[col])]
    theta = [a[r][p] for r in range(p)]
    yy = g[p][p]
    # ‖y − Xθ‖² = yᵀy − 2θᵀXᵀy + θᵀXᵀXθ, exactly
    xty = sum(t * g[i][p] for i, t in enumerate(theta))
    quad = sum(theta[i] * theta[j] * g[i][j] for i in range(p) for j in range(p))
    ss_res = yy - 2 * xty + quad
    if fit_intercept:
        sum_y = Fraction(sum(columns[-1][0]), columns[-1][1])
        ss_tot = yy - sum_y * sum_y / n
    else:
        ss_tot = yy
    ref = _finish(
        dataset,
        fit_intercept,
        np.array([float(t) for t in theta[:d]]),
        float(theta[d]) if fit_intercept else 0.0,
        float(ss_res),
        float(ss_tot),
        Penalty(0.0, l2),
        scale,
        "exact",
    )
    # the MSE and J rounded once from their exact values
    mse = ss_res / n
    penalty = sum(lam * (theta[j] * Fraction(float(scale[j]))) ** 2 for j in range(d))
    return replace(ref, mse=float(mse), rmse=_sqrt_fraction(mse), objective=float(mse + penalty))


def _centred(dataset: Dataset, fit_intercept: bool, scale: np.ndarray):
    """Training-coordinate features up to their shift (z = x/σ), centred with an intercept."""
    z = dataset.features / scale
    y = dataset.y
    if fit_intercept:
        zm, ym = z.mean(axis=0), y.mean()
        return z - zm, y - ym, zm, ym
    return z, y, np.zeros(z.shape[1]), 0.0


def _ridge_refined(
    dataset: Dataset, fit_intercept: bool, l2: float, scale: np.ndarray
) -> Reference:
    z, y, zm, ym = _centred(dataset, fit_intercept, scale)
    n, d = z.shape
    a = z.T @ z / n + l2 * np.eye(d)
    rhs = z.T @ y / n
    v = np.linalg.solve(a, rhs)
    v = v + np.linalg.solve(a, rhs - a @ v)  # one step of refinement
    return _from_training(dataset, fit_intercept, v, zm, ym, Penalty(0.0, l2), scale, "refined")


def _from_training(dataset, fit_intercept, v, zm, ym, penalty, scale, method, gap=None):
    """Reference from training-coordinate weights v (z = x/σ), intercept b = ȳ − z̄·v."""
    weights = v / scale
    intercept = float(ym - zm @ v) if fit_intercept else 0.0
    r = dataset.y - (dataset.features @ weights + intercept)
    ss_res = float(r @ r)
    yc = dataset.y - dataset.y.mean() if fit_intercept else dataset.y
    ss_tot = float(yc @ yc)
    return _finish(
        dataset, fit_intercept, weights, intercept, ss_res, ss_tot, penalty, scale, method, gap
    )


def duality_gap(z: np.ndarray, y: np.ndarray, v: np.ndarray, penalty: Penalty) -> float:
    """The duality gap of J(v) = (1/n)‖y − z·v‖² + λ₂‖v‖² + λ₁‖v‖₁ (centred z, y), in J's units:
    scikit-learn's elastic-net gap for (1/2)‖y − zv‖² + α‖v‖₁ + (β/2)‖v‖² with α = n·λ₁/2,
    β = n·λ₂, times 2/n, at the dual point c·r (r = y − zv, c = min(1, α/‖zᵀr − βv‖∞)).

    Written as a sum of terms that are each ≥ 0 (with g = zᵀr − βv, using rᵀy = ‖r‖² + gᵀv +
    β‖v‖²):  ‖r‖²(1 − c)²/2 + Σⱼ (α|vⱼ| − c·gⱼ·vⱼ) + β‖v‖²(1 − c)²/2, since |c·gⱼ| ≤ α. The
    textbook form subtracts terms of the size of ‖r‖² to leave a gap of 1e-12, so its rounding
    could make the gap negative (about 7 % of small random lasso problems, to −2.6e-13); this
    one cannot, and keeps its digits. Computed in extended precision."""
    ext = np.longdouble
    n = y.shape[0]
    alpha, beta = ext(n) * ext(penalty.l1) / 2, ext(n) * ext(penalty.l2)
    zl, yl, vl = z.astype(ext), y.astype(ext), v.astype(ext)
    r = yl - zl @ vl
    g = zl.T @ r - beta * vl
    dual_norm = np.max(np.abs(g)) if g.size else ext(0)
    const = alpha / dual_norm if dual_norm > alpha else ext(1)
    # each coordinate's term is ≥ 0 exactly; rounding in c·gⱼ may leave −1 ulp of α|vⱼ|
    coordinates = np.maximum(alpha * np.abs(vl) - const * g * vl, 0)
    shrink = (1 - const) ** 2 / 2
    gap = shrink * (r @ r) + np.sum(coordinates) + shrink * beta * (vl @ vl)
    return float(gap * 2 / n)


def _coordinate_descent(
    dataset: Dataset, fit_intercept: bool, penalty: Penalty, scale: np.ndarray
) -> Reference:
    z, y, zm, ym = _centred(dataset, fit_intercept, scale)
    n, d = z.shape
    norms = (z * z).sum(axis=0) / n
    v = np.zeros(d)
    r = y.copy()
    l1, l2 = penalty.l1, penalty.l2
    gap = math.inf
    j_value = math.inf
    best, stalled = math.inf, 0
    for sweep in range(MAX_SWEEPS):
        for j in range(d):
            zj = z[:, j]
            rho = (zj @ r) / n + norms[j] * v[j]
            new = math.copysign(max(abs(2 * rho) - l1, 0.0), rho) / (2 * (norms[j] + l2))
            if new != v[j]:
                r += zj * (v[j] - new)
                v[j] = new
        if sweep % 10 == 9 or d == 1:
            r = y - z @ v  # against drift
            j_value = float(r @ r) / n + penalty.value(v)
            gap = duality_gap(z, y, v, penalty)
            if gap <= gap_target(j_value):
                break
            # where float64 rounding stops the gap from falling: no halving in STALL checks
            stalled = stalled + 1 if gap > best / 2 else 0
            best = min(best, gap)
            if stalled >= STALL:
                break
    if gap > gap_target(j_value):
        # Where rounding stalls coordinate descent above the target (large J): the optimality
        # conditions on its active set, solved with residuals in extended precision.
        polished = _polish(z, y, v, penalty)
        if polished is not None:
            polished_gap = duality_gap(z, y, polished, penalty)
            if polished_gap < gap:
                v, gap = polished, polished_gap
    return _from_training(
        dataset, fit_intercept, v, zm, ym, penalty, scale, "coordinate descent", gap
    )


def _polish(z: np.ndarray, y: np.ndarray, v: np.ndarray, penalty: Penalty) -> np.ndarray | None:
    """The weights that meet the elastic net's optimality conditions exactly on ``v``'s active
    set with its signs: (Z_Aᵀ Z_A/n + λ₂·I)·v_A = Z_Aᵀy/n − (λ₁/2)·sign(v_A), solved in float64
    and refined three times with residuals in extended precision; None if that changes a sign."""
    active = np.flatnonzero(v)
    if active.size == 0:
        return None
    ext = np.longdouble
    n = y.shape[0]
    za = z[:, active].astype(ext)
    gram = za.T @ za / ext(n) + ext(penalty.l2) * np.eye(active.size, dtype=ext)
    rhs = za.T @ y.astype(ext) / ext(n) - ext(penalty.l1) / 2 * np.sign(v[active]).astype(ext)
    g64 = gram.astype(np.float64)
    va = v[active].astype(ext)
    for _ in range(3):
        va = va + np.linalg.solve(g64, (rhs - gram @ va).astype(np.float64)).astype(ext)
    out = np.zeros_like(v)
    out[active] = va.astype(np.float64)
    if not np.array_equal(np.sign(out[active]), np.sign(v[active])):
        return None
    return out
