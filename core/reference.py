"""The exact least-squares answer that gradient descent is heading for.

Two solvers, chosen by size (:func:`solve` says which ran in :attr:`Reference.method`):

* ``"exact"`` (the default up to :data:`EXACT_LIMIT` multiply-adds): every float of the data is a
  rational number, so the normal equations are formed and solved in exact rational arithmetic
  (Python integers and :class:`fractions.Fraction`), and only the final answer is rounded to
  float64. Polynomial features are the exact powers of the loaded x. This is what gets every NIST
  StRD linear dataset, Filip and Wampler5 included, to full float precision.
* ``"refined"`` (larger data): a QR solve of the centred, column-scaled problem, followed by
  iterative refinement with residuals computed in extended precision (``numpy.longdouble``).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .dataset import Dataset
from .errors import DataError, listing
from .float_range import out_of_range, to_float

#: Largest n × (p + 1)² (rows times squared parameter count) solved exactly (about 110,000 rows
#: of one x column, 0.2 s); above it the
#: refined float solver runs. At this size the exact solve takes well under a second.
EXACT_LIMIT = 1_000_000
#: When the refined solver finds the problem too ill-conditioned for float64, the exact one still
#: runs up to this size (Filip replicated to 100,000 rows, n·(p+1)² = 1.4e7, takes about 4 s;
#: a degree-25 polynomial on 1,400 points, about 1e6, 1.5 s).
EXACT_FALLBACK_LIMIT = 20_000_000
#: Above this condition number of the centred, scaled design, the exact solver runs whenever the
#: size allows it (EXACT_FALLBACK_LIMIT): refinement in longdouble keeps about 19 − 2·log10(cond)
#: digits of the normal equations, which with large residuals (Wampler5: cond 3.4e3) is under 10.
EXACT_PREFERRED_CONDITION = 1e3


class _IllConditioned(Exception):
    def __init__(self, condition: float) -> None:
        super().__init__(condition)
        self.condition = condition


@dataclass(frozen=True)
class Reference:
    """The least-squares fit of a dataset.

    Attributes
    ----------
    weights : ndarray of shape (n_features,)
    intercept : float
        0.0 when the model has no intercept.
    mse : float
        SSres / n, the smallest mean squared error any parameters reach.
    rmse : float
        sqrt(mse).
    r2 : float or None
        Centred R² (1 − SSres/Σ(y−ȳ)²) with an intercept, uncentred (1 − SSres/Σy²) without;
        None when the denominator is 0.
    ss_res, ss_tot : float
        Residual and total sums of squares (total centred with an intercept).
    residual_sd : float or None
        sqrt(SSres / (n − p)); None when n = p.
    n_samples, n_params : int
    method : str
        ``"exact"`` or ``"refined"`` (least squares and ridge), ``"coordinate descent"`` (lasso,
        elastic net).
    penalty : str
        What was solved: ``"none"`` (least squares), ``"l2"`` (ridge), ``"l1"`` (lasso) or
        ``"elastic net"`` (see :mod:`.penalised`).
    objective : float or None
        J = MSE + penalty at the answer (None without a penalty: J is the MSE).
    gap : float or None
        For lasso and elastic net, the duality gap certified at the answer (J's units).
    """

    weights: np.ndarray
    intercept: float
    mse: float
    rmse: float
    r2: float | None
    ss_res: float
    ss_tot: float
    residual_sd: float | None
    n_samples: int
    n_params: int
    method: str
    penalty: str = "none"
    objective: float | None = None
    gap: float | None = None

    def predict(self, features: np.ndarray) -> np.ndarray:
        """ŷ for rows of features, ndarray of shape (n, n_features) → (n,); ±inf where it is
        beyond float64."""
        with np.errstate(all="ignore"):
            return np.asarray(features, dtype=np.float64) @ self.weights + self.intercept


def solve(dataset: Dataset, fit_intercept: bool = True, method: str = "auto") -> Reference:
    """Least squares for ``dataset``.

    Parameters
    ----------
    dataset : Dataset
    fit_intercept : bool
    method : {"auto", "exact", "refined"}

    Raises
    ------
    DataError
        Too few rows for the parameters, or columns that are linear combinations of each other.
    """
    n, d = dataset.n_samples, dataset.n_features
    p = d + int(fit_intercept)
    if n < p:
        what = f"{d} weight{'s' if d != 1 else ''}" + (" and an intercept" if fit_intercept else "")
        raise DataError(
            f"{dataset.source}: {n} row{'s' if n != 1 else ''} cannot fit {p} parameters ({what}); "
            f"at least {p} rows are needed"
        )
    if method == "auto":
        method = "exact" if n * (p + 1) ** 2 <= EXACT_LIMIT else "refined"
    if method == "exact":
        return _solve_exact(dataset, fit_intercept)
    if method == "refined":
        exact_possible = n * (p + 1) ** 2 <= EXACT_FALLBACK_LIMIT
        try:
            return _solve_refined(
                dataset, fit_intercept, EXACT_PREFERRED_CONDITION if exact_possible else None
            )
        except _IllConditioned as exc:
            # Float64 cannot tell these columns apart; exact arithmetic can (distinct points are
            # never collinear for a polynomial), when the size allows.
            if n * (p + 1) ** 2 <= EXACT_FALLBACK_LIMIT:
                return _solve_exact(dataset, fit_intercept)
            raise DataError(
                f"{dataset.source}: the columns are too ill-conditioned for float64 (condition "
                f"number about {exc.condition:.1g}: nearly, not exactly, dependent), and "
                f"{n:,} rows are too many to solve exactly; lower the degree or use fewer rows"
            ) from None
    raise ValueError(f"method must be 'auto', 'exact' or 'refined', got {method!r}")


def _collinear(dataset: Dataset, fit_intercept: bool, column: int) -> DataError:
    names = list(dataset.feature_names) + (["the intercept"] if fit_intercept else [])
    return DataError(
        f"{dataset.source}: column {names[column]!r} is a linear combination of "
        f"{_some(names[:column]) or 'the others'}, so the least-squares "
        "answer is not unique; drop one of them"
    )


def _some(names: list[str]) -> str:
    """The first few names, quoted, then "… and N more" (a message stays one short line)."""
    return listing([repr(c) for c in names])


# ----------------------------------------------------------------------------------------------
# exact rational solver


def _integer_column(values: list[Fraction]) -> tuple[list[int], int]:
    """Integers ``k`` and one denominator ``D`` with ``values[i] == k[i] / D``."""
    den = 1
    for v in values:
        den = math.lcm(den, v.denominator)
    return [v.numerator * (den // v.denominator) for v in values], den


def _float_column(column: np.ndarray) -> tuple[list[int], int]:
    # float.as_integer_ratio has a power-of-two denominator, so the lcm is the largest one.
    ratios = [v.as_integer_ratio() for v in column.tolist()]
    den = max(r[1] for r in ratios)
    return [num * (den // d) for num, d in ratios], den


def _exact_columns(dataset: Dataset, fit_intercept: bool) -> list[tuple[list[int], int]]:
    n = dataset.n_samples
    if dataset.degree == 1:
        columns = [_float_column(dataset.features[:, j]) for j in range(dataset.n_features)]
    else:
        base, den = _float_column(dataset.raw_x[:, 0])
        columns = [([k**power for k in base], den**power) for power in range(1, dataset.degree + 1)]
    if fit_intercept:
        columns.append(([1] * n, 1))
    columns.append(_float_column(dataset.y))
    return columns


def _dot(a: list[int], b: list[int]) -> int:
    return sum(map(operator.mul, a, b))


def _solve_exact(dataset: Dataset, fit_intercept: bool) -> Reference:
    columns = _exact_columns(dataset, fit_intercept)
    p = len(columns) - 1
    ints = [c[0] for c in columns]
    dens = [c[1] for c in columns]
    # With θⱼ = φⱼ·denⱼ/den_y the normal equations become M·φ = c in integers,
    # Mᵢⱼ = kᵢ·kⱼ and cᵢ = kᵢ·k_y, kᵢ the integer numerators of column i.
    dots = [[0] * (p + 1) for _ in range(p + 1)]
    for i in range(p + 1):
        for j in range(i, p + 1):
            dots[i][j] = dots[j][i] = _dot(ints[i], ints[j])
    phi, det = _bareiss_solve([row[:] for row in dots[:p]], dataset, fit_intercept)
    theta = [Fraction(phi[j] * dens[j], det * dens[p]) for j in range(p)]
    gram = [[Fraction(dots[i][j], dens[i] * dens[j]) for j in range(p + 1)] for i in range(p + 1)]
    n = dataset.n_samples
    yy = gram[p][p]
    ss_res = yy - sum(t * gram[i][p] for i, t in enumerate(theta))
    if fit_intercept:
        sum_y = Fraction(sum(columns[-1][0]), columns[-1][1])
        ss_tot = yy - sum_y * sum_y / n
    else:
        ss_tot = yy
    r2 = None if ss_tot == 0 else float(1 - ss_res / ss_tot)
    d = dataset.n_features
    mse = ss_res / n
    src = dataset.source
    names = dataset.feature_names
    rescale = "rescale x or y so that the answer fits"
    weights = [
        to_float(t, f"{src}: the least-squares weight of {name!r}", rescale)
        for t, name in zip(theta[:d], names)
    ]
    intercept = (
        to_float(theta[d], f"{src}: the least-squares intercept", rescale) if fit_intercept else 0.0
    )
    spread = "rescale y (its squares must fit in float64)"
    ss_tot_f = to_float(ss_tot, f"{src}: the total sum of squares of y", spread)
    return Reference(
        weights=np.array(weights),
        intercept=intercept,
        mse=to_float(mse, f"{src}: the least-squares MSE", spread) if mse else 0.0,
        rmse=_sqrt_fraction(mse),
        r2=r2,
        ss_res=to_float(ss_res, f"{src}: the least-squares sum of squares", spread),
        ss_tot=ss_tot_f,
        residual_sd=_sqrt_fraction(ss_res / (n - p)) if n > p else None,
        n_samples=n,
        n_params=p,
        method="exact",
    )


def _bareiss_solve(
    a: list[list[int]], dataset: Dataset, fit_intercept: bool
) -> tuple[list[int], int]:
    """Solve M·φ = c exactly, for ``a`` = [M | c] of integers (p rows, p + 1 columns), by
    Bareiss' fraction-free elimination: every intermediate value is an integer minor of M (no
    gcds, unlike rational Gauss-Jordan, which was 20× slower on a degree-25 polynomial).

    Returns integers Φ and D with φᵢ = Φᵢ/D (D = ±det M). Raises the collinearity DataError when
    M is singular, naming the first column that depends on the ones before it.
    """
    p = len(a)
    prev = 1
    for k in range(p):
        pivot = next((r for r in range(k, p) if a[r][k] != 0), None)
        if pivot is None:
            raise _collinear(dataset, fit_intercept, k)
        a[k], a[pivot] = a[pivot], a[k]
        akk = a[k][k]
        row_k = a[k]
        for i in range(k + 1, p):
            row = a[i]
            aik = row[k]
            for j in range(k + 1, p + 1):
                row[j] = (row[j] * akk - aik * row_k[j]) // prev
            row[k] = 0
        prev = akk
    det = a[p - 1][p - 1]
    big = [0] * p
    for i in range(p - 1, -1, -1):
        acc = a[i][p] * det - sum(a[i][j] * big[j] for j in range(i + 1, p))
        big[i] = acc // a[i][i]
    return big, det


def _sqrt_fraction(value: Fraction) -> float:
    """sqrt of a non-negative rational, to within an ulp: an integer square root with about 64
    bits beyond float64's 53, then one correctly rounded conversion."""
    if value == 0:
        return 0.0
    bits = value.numerator.bit_length() - value.denominator.bit_length()
    half = max(0, (240 - bits) // 2)
    root = math.isqrt((value.numerator << (2 * half)) // value.denominator)
    return float(Fraction(root, 1 << half))


# ----------------------------------------------------------------------------------------------
# refined float solver


def _features_ext(dataset: Dataset) -> np.ndarray:
    """The features in extended precision, ndarray of shape (n_features, n_samples): polynomial
    powers formed in longdouble from x."""
    ext = np.longdouble
    if dataset.degree == 1:
        return np.ascontiguousarray(dataset.features.T).astype(ext)
    base = dataset.raw_x[:, 0].astype(ext)
    powers = [base]
    for _ in range(dataset.degree - 1):
        powers.append(powers[-1] * base)
    return np.stack(powers)


def _solve_refined(
    dataset: Dataset, fit_intercept: bool, exact_above: float | None = None
) -> Reference:
    """QR and refinement against the data; raises _IllConditioned when the scaled design's
    condition number is beyond what refinement can handle, or above ``exact_above`` (then the
    caller solves exactly, which it can afford)."""
    x = dataset.features
    y = dataset.y
    n, d = x.shape
    ext = np.longdouble
    if fit_intercept:
        x_mean = x.mean(axis=0)
        xc = x - x_mean
    else:
        x_mean = np.zeros(d)
        xc = x
    # Column norms by powers of two first, so that squares neither overflow nor underflow.
    top = np.max(np.abs(xc), axis=0)
    if np.any(top == 0):
        raise _collinear(dataset, fit_intercept, int(np.argmax(top == 0)))
    power = np.frexp(top)[1]
    scaled = np.ldexp(xc, -power)
    scale = np.ldexp(np.sqrt((scaled * scaled).sum(axis=0)), power)
    design = scaled / np.ldexp(scale, -power)
    if fit_intercept:
        design = np.column_stack([design, np.ones(n)])
    # R with RᵀR = DᵀD from the Gram matrix (one BLAS product, 5-10× faster than a QR of the
    # n×p design): the refinement below corrects against the data itself, so R only has to be
    # good enough for the steps to contract, which the condition check below makes sure of.
    gram = design.T @ design
    try:
        r = np.linalg.cholesky(gram).T
    except np.linalg.LinAlgError:
        raise _IllConditioned(float(np.sqrt(np.linalg.cond(gram)))) from None
    diag = np.abs(np.diag(r))
    if diag.min() <= diag.max() * 1e-13:
        raise _IllConditioned(float(np.linalg.cond(r)))
    # Refinement against the data (corrected semi-normal equations): the gradient Dᵀr of the
    # scaled design D is formed in extended precision from extended-precision features (exact
    # powers of x up to longdouble rounding, not the float64 powers), and each correction solves
    # RᵀR·δ = Dᵀr with the float64 factor. The fixed point satisfies the normal equations to
    # extended precision, so the answer keeps its digits however large the residuals are; each
    # step shrinks the error by about cond(D)²·eps, which needs cond(D) well below 1/√eps.
    # Of the design with every column (the ones column too) scaled to norm 1: unscaled, the ones
    # column alone (norm √n) would make a million well-spread rows look ill-conditioned.
    condition = float(np.linalg.cond(r / np.linalg.norm(r, axis=0)))
    if condition**2 * np.finfo(np.float64).eps > 0.01 or (
        exact_above is not None and condition > exact_above
    ):
        raise _IllConditioned(condition)
    # Features by rows of a (d, n) array: sums then run along contiguous memory, where numpy
    # adds pairwise (error growing like log n, not n, over 100,000 rows).
    features_ext = _features_ext(dataset)
    mean_ext = features_ext.mean(axis=1) if fit_intercept else np.zeros(d, dtype=ext)
    design_ext = (features_ext - mean_ext[:, None]) / scale.astype(ext)[:, None]
    del features_ext
    x_mean = mean_ext
    theta = np.zeros(design.shape[1], dtype=ext)
    y_ext = y.astype(ext)
    residual = y_ext
    for _ in range(10):
        gradient = (design_ext * residual).sum(axis=1)
        if fit_intercept:
            gradient = np.append(gradient, residual.sum())
        g = gradient.astype(np.float64)
        step = np.linalg.solve(r, np.linalg.solve(r.T, g))
        theta = theta + step.astype(ext)
        fitted = theta[:d] @ design_ext
        if fit_intercept:
            fitted = fitted + theta[d]
        residual = y_ext - fitted
        if np.all(np.abs(step) <= 1e-19 * np.maximum(np.abs(theta.astype(np.float64)), 1e-300)):
            break
    weights = theta[:d] / scale.astype(ext)
    intercept = (theta[d] - x_mean @ weights) if fit_intercept else ext(0)
    ss_res = float((residual * residual).sum())
    if fit_intercept:
        yc = y_ext - y_ext.mean()
        ss_tot = float((yc * yc).sum())
    else:
        ss_tot = float((y_ext * y_ext).sum())
    p = d + int(fit_intercept)
    weights = weights.astype(np.float64)
    src = dataset.source
    for value, what in [
        *zip(
            weights.tolist(), (f"the least-squares weight of {c!r}" for c in dataset.feature_names)
        ),
        (float(intercept), "the least-squares intercept"),
        (ss_tot, "the total sum of squares of y"),
    ]:
        if not math.isfinite(value):
            raise DataError(out_of_range(value, f"{src}: {what}", "rescale x or y"))
    return Reference(
        weights=weights,
        intercept=float(intercept),
        mse=ss_res / n,
        rmse=math.sqrt(ss_res / n),
        r2=None if ss_tot == 0 else 1 - ss_res / ss_tot,
        ss_res=ss_res,
        ss_tot=ss_tot,
        residual_sd=math.sqrt(ss_res / (n - p)) if n > p else None,
        n_samples=n,
        n_params=p,
        method="refined",
    )
