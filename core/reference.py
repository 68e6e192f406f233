"""The exact least-squares answer that gradient descent is heading for.

Two solvers, chosen by size (:func:`solve` says which ran in :attr:`Reference.method`):

* ``"exact"`` (the default up to :data:`EXACT_LIMIT` multiply-adds): every float of the data is a
  rational number, so the normal equations are formed and solved in exact rational arithmetic
  (Python integers and :class:`fractions.Fraction`), and only the final answer is rounded to
  float64. Polynomial features are the exact powers of the loaded x. This is what gets every NIST
  StRD linear dataset, Filip and Wampler5 included, to full float precision.
* ``"refined"`` (larger data): the float64 normal equations of the centred, column-scaled
  problem, followed by refinement against the data with residuals, gradient and sums of squares
  computed as if in twice float64's precision (:mod:`.compensated`), block by block.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import compensated
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
#: size allows it (EXACT_FALLBACK_LIMIT): exact is exact, and each refinement step shrinks the
#: error only by about cond²·eps (the refined solver still gets Wampler5, cond 3.4e3, right).
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
    streamed = dataset.streamed
    if streamed is not None and method == "auto":
        # The rows here only stand for the data's moments: its answer comes from its exact sums.
        return streamed.least_squares(fit_intercept, dataset.feature_names)
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
    x = dataset.raw_x
    if fit_intercept and x.shape[0] > 1:
        # said as the loader says it: "the intercept is a linear combination of 'x'" is true,
        # but a person made x constant (by edits, say) and should read that
        constant = np.flatnonzero(np.all(x == x[0], axis=0))
        if constant.size:
            j = int(constant[0])
            return DataError(
                f"{dataset.source}: column {dataset.x_names[j]!r} is constant (every row is "
                f"{float(x[0, j])!r}), so it cannot explain y; choose another x column"
            )
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
    if dataset.degree == 1 or dataset.moment_features is not None:
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
    return exact_answer(dataset, fit_intercept, theta, ss_res, ss_tot)


def exact_answer(
    dataset: Dataset,
    fit_intercept: bool,
    theta: list[Fraction],
    ss_res: Fraction,
    ss_tot: Fraction,
    method: str = "exact",
) -> Reference:
    """The :class:`Reference` of an exact least-squares answer: ``theta`` (the weights, then the
    intercept if any), SSres and the total sum of squares as rationals, each rounded once (with a
    one-line DataError for what float64 cannot hold)."""
    n = dataset.n_samples
    p = len(theta)
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
        method=method,
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

#: Rows per block in the refined solver's passes over the data: one column of a block is 128 KB,
#: so the dozens of element-wise steps of the exact pass run in the processor's cache, and no
#: array the size of the data is made.
BLOCK_ROWS = 1 << 14


def _block_rows(columns: int) -> int:
    """Rows per block for ``columns`` feature columns: BLOCK_ROWS, fewer for many columns, so
    that a block's handful of arrays per column stay within a few tens of MB."""
    return max(1024, min(BLOCK_ROWS, (1 << 20) // max(columns, 1)))


@dataclass(frozen=True)
class _Frame:
    """The coordinates the refined solver works in: each feature column j and y shifted (by
    their float64 means, with an intercept; any shift would do, the intercept absorbs it) and
    scaled by a power of two (exact), u_j = (x_j − c_j)·2^−e_j and v = (y − c_y)·2^−e_y, so
    that every value is below 1 in magnitude and the error-free transformations cannot
    overflow. The model is v ≈ Σ θ_j·u_j + θ_b."""

    shift: np.ndarray  # c, shape (d,)
    exps: np.ndarray  # e, shape (d,), int
    y_shift: float
    y_exp: int


def _frame(dataset: Dataset, fit_intercept: bool, low: np.ndarray, high: np.ndarray) -> _Frame:
    """The frame of ``dataset``, whose feature columns range over [low, high]."""
    x, y = dataset.features, dataset.y
    d = x.shape[1]
    if fit_intercept:
        shift, y_shift = x.mean(axis=0), float(y.mean())
    else:
        shift, y_shift = np.zeros(d), 0.0
    # The largest |value − shift|, from the extremes (the exponent needs no more precision).
    top = np.maximum(high - shift, shift - low)
    y_top = max(float(y.max()) - y_shift, y_shift - float(y.min()))
    exps = np.array([math.frexp(float(t))[1] + 1 for t in top], dtype=int)
    y_exp = math.frexp(y_top)[1] + 1 if y_top > 0 else 0
    return _Frame(shift, exps, y_shift, y_exp)


def _moments(dataset: Dataset, fit_intercept: bool, frame: _Frame):
    """One float64 pass: the Gram matrix of [u, 1] and its right-hand side [u, 1]ᵀv (the
    normal equations, good to about cond²·eps, which the exact passes then refine) and the
    largest |u_j|."""
    x, y = dataset.features, dataset.y
    n, d = x.shape
    scale = np.ldexp(1.0, -frame.exps)
    y_scale = math.ldexp(1.0, -frame.y_exp)
    gram = np.zeros((d, d))
    rhs = np.zeros(d)
    u_sum = np.zeros(d)
    v_sums: list[float] = []
    top = np.zeros(d)
    rows = _block_rows(d)
    for a in range(0, n, rows):
        u = (x[a : a + rows] - frame.shift) * scale
        v = (y[a : a + rows] - frame.y_shift) * y_scale
        if d == 1:
            column = u[:, 0]
            gram[0, 0] += np.einsum("i,i->", column, column)
            rhs[0] += np.einsum("i,i->", column, v)
        else:
            gram += u.T @ u
            rhs += u.T @ v
        u_sum += u.sum(axis=0)
        top = np.maximum(top, np.abs(u).max(axis=0))
        v_sums.append(float(v.sum()))
    if fit_intercept:
        gram = np.block([[gram, u_sum[:, None]], [u_sum[None, :], np.array([[float(n)]])]])
        rhs = np.append(rhs, math.fsum(v_sums))
    return gram, rhs, top


def _features_block(dataset: Dataset, a: int, b: int) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """The features of rows a..b as (hi, lo) pairs, hi + lo exact up to eps² relative: the
    columns themselves (lo None), or for a polynomial the powers of x in double-float64
    arithmetic (the float64 powers would carry a rounding error of eps each)."""
    if dataset.degree == 1 or dataset.moment_features is not None:
        x = dataset.features
        return [(x[a:b, j], None) for j in range(x.shape[1])]
    base = dataset.raw_x[a:b, 0]
    bh, bl = compensated.split(base)
    powers: list[tuple[np.ndarray, np.ndarray | None]] = [(base, None)]
    hi, lo = base, np.zeros_like(base)
    for _ in range(dataset.degree - 1):
        p = hi * base
        hh, hl = compensated.split(hi)
        e = compensated.product_error(p, hh, hl, bh, bl) + lo * base
        hi = p + e
        lo = e - (hi - p)
        powers.append((hi, lo))
    return powers


def _exact_pass(
    dataset: Dataset,
    fit_intercept: bool,
    frame: _Frame,
    theta: np.ndarray,
    top: np.ndarray,
    totals: bool = False,
) -> tuple[np.ndarray, list[float], list[float] | None]:
    """The gradient [u, 1]ᵀr of the residuals r = v − Σθ_j·u_j − θ_b at ``theta``, Σr² and
    (with ``totals``) the total sum of squares of v (centred with an intercept), the sums of
    squares as lists of floats whose exact sum is the value (math.fsum), with every
    residual and every sum as if in twice float64's precision (:mod:`.compensated`): the
    gradient is right to about eps·|gradient| + eps²·Σ|u·r|, which is what lets the refinement
    reach the answer to the last bit, and the sums of squares to about an ulp."""
    x = dataset.features
    n, d = x.shape
    scale = np.ldexp(1.0, -frame.exps).tolist()
    y_scale = math.ldexp(1.0, -frame.y_exp)
    weights = theta[:d].tolist()
    weight_splits = [compensated.split_scalar(w) for w in weights]
    intercept = float(theta[d]) if fit_intercept else 0.0
    parts: list[list[float]] = [[] for _ in range(d + int(fit_intercept))]
    squares: list[float] = []
    v_sum: list[float] = []
    v_squares: list[float] = []
    shift = frame.shift.tolist()
    rows = _block_rows(d)
    for a in range(0, n, rows):
        b = min(n, a + rows)
        columns = []
        for j, (fh, fl) in enumerate(_features_block(dataset, a, b)):
            if fit_intercept:
                uh, ul = compensated.two_sum(fh, -shift[j])
                if fl is not None:
                    ul += fl
            else:
                uh, ul = fh, fl
            uh = uh * scale[j]
            ul = None if ul is None else ul * scale[j]
            columns.append((uh, ul, *compensated.split(uh)))
        yb = dataset.y[a:b]
        if fit_intercept:
            hi, lo = compensated.two_sum(yb, -frame.y_shift)
            hi *= y_scale
            lo *= y_scale
        else:
            hi, lo = yb * y_scale, np.zeros(b - a)
        if totals:
            v_sum += [*compensated.block_sum(hi, 1.0), float(lo.sum())]
            v_squares += _sum_of_squares(hi, lo, 1.0)
        # r = v − Σ θ_j·u_j − θ_b, each product and sum error-free (Ogita, Rump, Oishi: Dot2).
        for (uh, ul, ah, al), w, (wh, wl) in zip(columns, weights, weight_splits):
            if w == 0:
                continue
            p = uh * w
            e = compensated.product_error(p, ah, al, wh, wl)
            hi, t = compensated.two_sum(hi, -p)
            lo += t - e
            if ul is not None:
                lo -= ul * w
        if intercept:
            hi, t = compensated.two_sum(hi, -intercept)
            lo += t
        r = hi + lo
        r_lo = lo - (r - hi)  # r + r_lo is the residual to eps² (r alone, to eps)
        rh, rl = compensated.split(r)
        r_top = max(float(r.max()), -float(r.min()))
        for j, (uh, ul, ah, al) in enumerate(columns):
            p = uh * r
            exact, rest = compensated.block_sum(p, 2.0 * float(top[j]) * r_top)
            small = compensated.product_error(p, ah, al, rh, rl) + uh * r_lo
            if ul is not None:
                small += ul * r
            parts[j] += [exact, rest, float(small.sum())]
        if fit_intercept:
            exact, rest = compensated.block_sum(r, r_top)
            parts[d] += [exact, rest, float(r_lo.sum())]
        squares += _sum_of_squares(r, r_lo, r_top, rh, rl)
    gradient = np.array([math.fsum(p) for p in parts])
    if not totals:
        return gradient, squares, None
    if fit_intercept:
        v_squares.append(-(math.fsum(v_sum) ** 2) / n)
    return gradient, squares, v_squares


def _sum_of_squares(
    hi: np.ndarray,
    lo: np.ndarray,
    bound: float,
    hh: np.ndarray | None = None,
    hl: np.ndarray | None = None,
) -> list[float]:
    """Terms whose exact sum is Σ(hi + lo)² to about eps² relative (lo ≤ ulp(hi); |hi| ≤
    bound; hh, hl the split of hi if already made)."""
    if hh is None or hl is None:
        hh, hl = compensated.split(hi)
    p = hi * hi
    exact, rest = compensated.block_sum(p, bound * bound)
    small = compensated.product_error(p, hh, hl, hh, hl) + 2.0 * hi * lo
    return [exact, rest, float(small.sum())]


def _solve_refined(
    dataset: Dataset, fit_intercept: bool, exact_above: float | None = None
) -> Reference:
    """Normal equations in float64, then refinement against the data with exact passes;
    raises _IllConditioned when the scaled design's condition number is beyond what refinement
    can handle, or above ``exact_above`` (then the caller solves exactly, which it can afford).

    Refinement (corrected semi-normal equations): each step solves RᵀR·δ = [u, 1]ᵀr with the
    float64 factor R, r the residuals of the data at the current answer, computed with the
    gradient by :func:`_exact_pass` as if in twice float64's precision. The fixed point satisfies
    the normal equations of the data themselves to that precision, so the answer keeps its digits
    however large the residuals are; each step shrinks the error by about cond²·eps (cond of the
    scaled design), which needs cond well below 1/√eps. Starting from the float64 normal
    equations (error ~cond²·eps), one exact pass is usually enough.
    """
    n, d = dataset.features.shape
    low, high = dataset.features.min(axis=0), dataset.features.max(axis=0)
    constant = (high == low) if fit_intercept else (high == 0) & (low == 0)
    if np.any(constant):
        raise _collinear(dataset, fit_intercept, int(np.argmax(constant)))
    frame = _frame(dataset, fit_intercept, low, high)
    gram, rhs, top = _moments(dataset, fit_intercept, frame)
    # Columns (the ones column too) scaled by powers of two to about unit norm: unscaled, the
    # ones column alone (norm √n) would make a million well-spread rows look ill-conditioned.
    k = np.array([math.frexp(math.sqrt(g))[1] for g in np.diag(gram).tolist()])
    unit = np.ldexp(1.0, -k)
    scaled_gram = gram * np.outer(unit, unit)
    try:
        r = np.linalg.cholesky(scaled_gram).T
    except np.linalg.LinAlgError:
        # The design's condition number is the square root of its Gram matrix's.
        raise _IllConditioned(float(np.sqrt(np.linalg.cond(scaled_gram)))) from None
    diag = np.abs(np.diag(r))
    if diag.min() <= diag.max() * 1e-13:
        raise _IllConditioned(float(np.linalg.cond(r)))
    condition = float(np.linalg.cond(r / np.linalg.norm(r, axis=0)))
    if condition**2 * np.finfo(np.float64).eps > 0.01 or (
        exact_above is not None and condition > exact_above
    ):
        raise _IllConditioned(condition)

    def solve(g: np.ndarray) -> np.ndarray:
        return unit * np.linalg.solve(r, np.linalg.solve(r.T, unit * g))

    theta = solve(rhs)
    # How much each step shrinks the error (generously); the next step is skipped once it
    # could not change any parameter.
    contraction = max(16 * condition**2 * np.finfo(np.float64).eps, 2.0**-40)
    to_weights = np.ldexp(1.0, frame.y_exp - frame.exps)
    theta_exact = [Fraction(t) for t in theta.tolist()]
    total_parts = None
    for _ in range(10):
        g, squares, total = _exact_pass(
            dataset, fit_intercept, frame, theta, top, total_parts is None
        )
        total_parts = total if total_parts is None else total_parts
        step = solve(g)
        theta_exact = [Fraction(t) + Fraction(s) for t, s in zip(theta.tolist(), step.tolist())]
        # SS at θ + δ from SS at θ: ‖r − Uδ‖² = SS − 2δᵀg + δᵀGδ (exact identity; both
        # corrections are tiny next to SS unless the fit is perfect).
        ss_parts = [*squares, -2 * float(step @ g), float(step @ gram @ step)]
        ss_res = max(math.fsum(ss_parts), 0.0)
        theta = theta + step
        # Stop when what the next step could still change is below 2^-60 of every parameter
        # in data units, or (a parameter near 0) of the largest contribution to the fit.
        left = contraction * np.abs(step)
        small = left / unit <= 2.0**-60 * float(np.max(np.abs(theta / unit)))
        w_left = left[:d] * to_weights
        w = theta[:d] * to_weights
        close = w_left <= 2.0**-60 * np.abs(w)
        if fit_intercept:
            b_left = math.ldexp(float(left[d]), frame.y_exp) + float(np.abs(frame.shift) @ w_left)
            b = frame.y_shift + math.ldexp(float(theta[d]), frame.y_exp) - float(frame.shift @ w)
            close = np.append(close, b_left <= 2.0**-60 * abs(b))
        if np.all(small | close):
            break
    # Back to data units, from the unrounded θ + δ: w_j = θ_j·2^(e_y − e_j), and the intercept
    # c_y + 2^e_y·θ_b − Σ c_j·w_j rounded once.
    y_unit = Fraction(2) ** frame.y_exp
    weights_exact = [theta_exact[j] * y_unit / Fraction(2) ** int(frame.exps[j]) for j in range(d)]
    weights = np.array([_to_float_or_inf(w) for w in weights_exact])
    if fit_intercept:
        intercept = _to_float_or_inf(
            Fraction(frame.y_shift)
            + theta_exact[d] * y_unit
            - sum(
                (Fraction(c) * w for c, w in zip(frame.shift.tolist(), weights_exact)), Fraction(0)
            )
        )
    else:
        intercept = 0.0
    y_scale2 = math.ldexp(1.0, 2 * frame.y_exp)
    ss_res_data = ss_res * y_scale2
    ss_tot_v = max(math.fsum(total_parts), 0.0)
    ss_tot = ss_tot_v * y_scale2
    # R² as (SStot − SSres)/SStot from the unrounded sums: 1 − SSres/SStot would cancel when
    # R² is small.
    explained = math.fsum([*total_parts, *(-t for t in ss_parts)])
    p = d + int(fit_intercept)
    src = dataset.source
    for value, what in [
        *zip(
            weights.tolist(), (f"the least-squares weight of {c!r}" for c in dataset.feature_names)
        ),
        (intercept, "the least-squares intercept"),
        (ss_tot, "the total sum of squares of y"),
    ]:
        if not math.isfinite(value):
            raise DataError(out_of_range(value, f"{src}: {what}", "rescale x or y"))
    return Reference(
        weights=weights,
        intercept=intercept,
        mse=ss_res_data / n,
        rmse=math.sqrt(ss_res_data / n),
        r2=None if ss_tot == 0 else explained / ss_tot_v,
        ss_res=ss_res_data,
        ss_tot=ss_tot,
        residual_sd=math.sqrt(ss_res_data / (n - p)) if n > p else None,
        n_samples=n,
        n_params=p,
        method="refined",
    )


def _to_float_or_inf(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
