"""The refined least-squares solver (float64 normal equations, then refinement with residuals and
sums as if in twice float64's precision, block by block) against the exact rational solver, on
data spanning several blocks and made to defeat plain float64: offsets far larger than the
spread, near-perfect fits, heavy tails. It must give the exact answer rounded to float64 (to
within an ulp), MSE and R² included; and the fast path's factor for large multi-column data
(Cholesky of the Gram matrix) must give the loss the data give."""

from __future__ import annotations

import numpy as np
import pytest

from linreg_tui.core import reference
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.quadratic import CHUNK, Quadratic
from linreg_tui.core.residuals import ResidualLoss

ROWS = 2 * reference.BLOCK_ROWS + 4_321  # three blocks, the last one partial
ULP = 2.3e-16


def case(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    n = ROWS
    if name == "x offset":
        x = 1e6 + rng.uniform(0, 1, n)
        return x, 3 * (x - 1e6) + 7 + 1e-3 * rng.normal(size=n)
    if name == "y offset":
        x = rng.uniform(-1, 1, n)
        return x, 1e8 + x + 1e-6 * rng.normal(size=n)
    if name == "near perfect":
        x = rng.uniform(0, 1, n)
        return x, 0.3 * x + 0.1 + 1e-12 * rng.normal(size=n)
    if name == "heavy tails":
        x = rng.lognormal(0, 2, n)
        return x, 0.5 * x + rng.standard_cauchy(n)
    raise ValueError(name)


@pytest.mark.parametrize("name", ["x offset", "y offset", "near perfect", "heavy tails"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_refined_is_the_exact_answer_rounded(name, fit_intercept):
    x, y = case(name)
    data = Dataset(x[:, None], y, ("x",), "y", source=name)
    exact = reference.solve(data, fit_intercept, method="exact")
    refined = reference._solve_refined(data, fit_intercept)
    assert refined.method == "refined"
    got = [refined.weights[0], refined.intercept, refined.mse, refined.r2]
    want = [exact.weights[0], exact.intercept, exact.mse, exact.r2]
    np.testing.assert_allclose(got, want, rtol=2 * ULP, atol=0)


def test_refined_keeps_every_digit_with_several_columns():
    rng = np.random.default_rng(9)
    n = ROWS
    x = np.column_stack([1e4 + rng.uniform(0, 1, n), rng.normal(size=n), rng.integers(0, 9, n)])
    y = x @ [2.0, -1.0, 0.25] + 1e-9 * rng.normal(size=n)
    data = Dataset(x, y, ("a", "b", "c"), "y")
    exact = reference.solve(data, method="exact")
    refined = reference._solve_refined(data, True)
    np.testing.assert_allclose(refined.weights, exact.weights, rtol=2 * ULP, atol=0)
    np.testing.assert_allclose(refined.intercept, exact.intercept, rtol=2 * ULP, atol=0)
    np.testing.assert_allclose(refined.mse, exact.mse, rtol=4 * ULP, atol=0)


def test_large_data_fast_path_factor_gives_the_datas_loss():
    # Above CHUNK rows the factor comes from the Gram matrix; δᵀGδ through it must match
    # the loss computed from the data's residuals.
    rng = np.random.default_rng(3)
    n = CHUNK + 1000
    x = np.column_stack([rng.uniform(0, 10, n), rng.normal(5, 2, n), rng.uniform(-1, 1, n)])
    y = x @ [1.5, -0.5, 2.0] + 3 + rng.normal(size=n)
    data = Dataset(x, y, ("a", "b", "c"), "y")
    ref = reference.solve(data)
    q = Quadratic.from_features(x, y, ref.weights, ref.intercept, ref.mse, True)
    np.testing.assert_allclose(q.factor.T @ q.factor, q.gram, rtol=1e-13, atol=1e-12)
    assert np.allclose(np.tril(q.factor, -1), 0)
    loss = ResidualLoss(x, y)
    for _ in range(20):
        w = ref.weights + rng.normal(size=3) * rng.choice([1e-6, 1e-2, 1.0])
        b = ref.intercept + rng.normal()
        np.testing.assert_allclose(q.evaluate(w, b)[0], loss.mse(w, b), rtol=1e-12)
