"""The least-squares reference solver against certified and published answers.

NIST StRD linear least squares (certified to 15 digits), Anscombe's quartet, R's cars and women:
all values typed from tests/data/SOURCES.md and sample_data/README.md, never from the solver.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from refdata import DATA_DIR, NIST_NAMES, NistCase, load_csv_columns, load_nist

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import DataError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.reference import EXACT_LIMIT, solve
from linreg_tui.core.session import Session


def nist_dataset(case: NistCase) -> Dataset:
    raw_x = case.x if case.x.ndim == 2 else case.x[:, None]
    names = tuple(f"x{j + 1}" for j in range(raw_x.shape[1]))
    return Dataset(
        raw_x=raw_x,
        y=case.y,
        x_names=names,
        y_name="y",
        degree=case.degree,
        source=f"NIST {case.name}",
    )


def coefficients(ref, fit_intercept: bool) -> np.ndarray:
    """In NIST's order: B0 (the intercept) first when there is one, then B1..Bk."""
    return np.array(([ref.intercept] if fit_intercept else []) + ref.weights.tolist())


@pytest.mark.parametrize("name", NIST_NAMES)
def test_nist_certified_values(name):
    case = load_nist(name)
    ref = solve(nist_dataset(case), fit_intercept=case.intercept)
    # At least 10 significant digits on every coefficient (all certified estimates are non-zero).
    np.testing.assert_allclose(
        coefficients(ref, case.intercept), case.certified, rtol=1e-10, atol=0
    )
    np.testing.assert_allclose(ref.r2, case.r_squared, rtol=1e-10, atol=0)
    assert ref.n_samples == case.n
    assert ref.n_params == len(case.certified)
    if case.residual_sd == 0:
        # Wampler1/2 fit exactly (certified SD 0). Wampler1's data are integers, so the fit is
        # exact in float too; Wampler2's y (0.1, 0.01, … sums) are rounded to float64 when read,
        # which leaves residuals of order ulp(y) ≈ 1e-14.
        assert ref.residual_sd is not None and ref.residual_sd <= 1e-13
        assert ref.r2 == 1.0
    else:
        np.testing.assert_allclose(ref.residual_sd, case.residual_sd, rtol=1e-10, atol=0)


def test_wampler1_is_an_exact_fit_in_float():
    ref = solve(nist_dataset(load_nist("Wampler1")))
    # y = 1 + x + x² + x³ + x⁴ + x⁵ on integer x: every value is an integer below 2⁵³.
    assert ref.intercept == 1.0
    assert ref.weights.tolist() == [1.0] * 5
    assert ref.ss_res == 0.0
    assert ref.residual_sd == 0.0


@pytest.mark.parametrize("name", ["NoInt1", "NoInt2"])
def test_no_intercept_r2_is_uncentred_as_nist_defines_it(name):
    case = load_nist(name)
    ref = solve(nist_dataset(case), fit_intercept=False)
    y = case.y
    # NIST's R² for the NoInt sets is 1 − SSres/Σy²; SSres follows from the certified
    # residual SD: SSres = SD²·(n − p), p = 1.
    ss_res = case.residual_sd**2 * (case.n - 1)
    uncentred = 1 - ss_res / float(np.sum(y * y))
    centred = 1 - ss_res / float(np.sum((y - y.mean()) ** 2))
    np.testing.assert_allclose(uncentred, case.r_squared, rtol=1e-12, atol=0)
    assert abs(centred - case.r_squared) > 1e-3  # the centred formula would not match
    np.testing.assert_allclose(ref.r2, case.r_squared, rtol=1e-12, atol=0)
    np.testing.assert_allclose(ref.ss_tot, float(np.sum(y * y)), rtol=1e-14, atol=0)
    assert ref.intercept == 0.0


@pytest.mark.parametrize("name", ["Norris", "NoInt1", "NoInt2", "Longley"])
def test_exact_and_refined_solvers_agree(name):
    case = load_nist(name)
    dataset = nist_dataset(case)
    exact = solve(dataset, case.intercept, method="exact")
    refined = solve(dataset, case.intercept, method="refined")
    assert exact.method == "exact"
    assert refined.method == "refined"
    np.testing.assert_allclose(
        coefficients(refined, case.intercept),
        coefficients(exact, case.intercept),
        rtol=1e-9,
        atol=0,
    )
    np.testing.assert_allclose(refined.mse, exact.mse, rtol=1e-9, atol=0)
    np.testing.assert_allclose(refined.r2, exact.r2, rtol=1e-9, atol=0)
    np.testing.assert_allclose(refined.residual_sd, exact.residual_sd, rtol=1e-9, atol=0)
    # Both against the certified values too.
    np.testing.assert_allclose(
        coefficients(refined, case.intercept), case.certified, rtol=1e-9, atol=0
    )


def test_auto_picks_exact_for_small_data():
    ref = solve(seed_dataset())
    assert ref.method == "exact"
    # Seed: slope 0.6, intercept 2.2, MSE 0.48, R² 0.6 (closed form by hand).
    np.testing.assert_allclose(
        [ref.weights[0], ref.intercept, ref.mse, ref.r2], [0.6, 2.2, 0.48, 0.6], rtol=1e-15
    )


def test_auto_picks_refined_above_the_exact_limit():
    # One x column and an intercept: p = 2, so n·(p+1)² = 9n exceeds EXACT_LIMIT from here on.
    n = EXACT_LIMIT // 9 + 1
    k = np.arange(n)
    x = (k * 37) % 1001 - 500  # integers, so the closed form below is exact
    noise = (k * 7919) % 13 - 6
    y = 3 + 2 * x + noise
    ref = solve(
        Dataset(raw_x=x[:, None].astype(float), y=y.astype(float), x_names=("x",), y_name="y")
    )
    assert ref.method == "refined"
    # Simple regression in exact integer arithmetic.
    xs, ys = x.tolist(), y.tolist()
    sx, sy = sum(xs), sum(ys)
    sxx = sum(v * v for v in xs)
    sxy = sum(a * b for a, b in zip(xs, ys))
    slope = Fraction(n * sxy - sx * sy, n * sxx - sx * sx)
    intercept = (sy - slope * sx) / n
    np.testing.assert_allclose(ref.weights[0], float(slope), rtol=1e-13, atol=0)
    np.testing.assert_allclose(ref.intercept, float(intercept), rtol=1e-13, atol=0)


def anscombe(label: str) -> Dataset:
    data = load_csv_columns(DATA_DIR / "anscombe.csv")
    rows = data["dataset"] == label
    return Dataset(raw_x=data["x"][rows][:, None], y=data["y"][rows], x_names=("x",), y_name="y")


# tests/data/SOURCES.md §2, "Computed here (exact)" table: b0, b1, resid SD, R², reg SS, resid SS
# (printed to 6 decimals, the sums of squares to 4); and sample_data/README.md, "Least-squares
# answers" (exact rational solution, 12 significant digits): intercept, slope, MSE, R².
ANSCOMBE = {
    "I": (3.000091, 0.500091, 1.236603, 0.666542, 27.5100, 13.7627,
          3.00009090909, 0.500090909091, 1.25115363636, 0.666542459509),
    "II": (3.000909, 0.500000, 1.237214, 0.666242, 27.5000, 13.7763,
           3.00090909091, 0.5, 1.25239008264, 0.666242033727),
    "III": (3.002455, 0.499727, 1.236311, 0.666324, 27.4700, 13.7562,
            3.00245454545, 0.499727272727, 1.25056289256, 0.666324041067),
    "IV": (3.001727, 0.499909, 1.235695, 0.666707, 27.4900, 13.7425,
           3.00172727273, 0.499909090909, 1.24931727273, 0.666707256898),
}  # fmt: skip


@pytest.mark.parametrize("label", list(ANSCOMBE))
def test_anscombe_against_published_table(label):
    b0, b1, sd, r2, reg_ss, res_ss, b0_12, b1_12, mse_12, r2_12 = ANSCOMBE[label]
    ref = solve(anscombe(label))
    # Printed to 6 decimals: within half a unit of the last printed digit.
    np.testing.assert_allclose(
        [ref.intercept, ref.weights[0], ref.residual_sd, ref.r2], [b0, b1, sd, r2], atol=5e-7
    )
    np.testing.assert_allclose(
        [ref.ss_tot - ref.ss_res, ref.ss_res], [reg_ss, res_ss], rtol=0, atol=5e-5
    )
    # 12 significant digits: relative error at most 5e-12.
    np.testing.assert_allclose(
        [ref.intercept, ref.weights[0], ref.mse, ref.r2],
        [b0_12, b1_12, mse_12, r2_12],
        rtol=1e-11,
        atol=0,
    )
    # Anscombe 1973's common values: line 3.00 + 0.500x, R² 0.67 (tests/data/SOURCES.md §2).
    assert round(ref.intercept, 2) == 3.00
    assert round(ref.weights[0], 3) == 0.500
    assert round(ref.r2, 2) == 0.67


def test_cars_against_r_lm():
    data = load_csv_columns(DATA_DIR / "cars.csv")
    ref = solve(
        Dataset(raw_x=data["speed"][:, None], y=data["dist"], x_names=("speed",), y_name="dist")
    )
    # tests/data/SOURCES.md §3, lm(dist ~ speed), exact: b0 = -17.579094890510948,
    # b1 = 3.9324087591240877, resid SD = 15.379586748819907, R² = 0.6510793807582509;
    # sample_data/README.md: MSE 227.070421022.
    np.testing.assert_allclose(ref.intercept, -17.579094890510948, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ref.weights[0], 3.9324087591240877, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ref.residual_sd, 15.379586748819907, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ref.r2, 0.6510793807582509, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ref.mse, 227.070421022, rtol=1e-11, atol=0)


def test_women_against_r_lm():
    data = load_csv_columns(DATA_DIR / "women.csv")
    ref = solve(
        Dataset(
            raw_x=data["height"][:, None], y=data["weight"], x_names=("height",), y_name="weight"
        )
    )
    # tests/data/SOURCES.md §3, lm(weight ~ height), exact: b0 = -5251/60, b1 = 3.45,
    # resid SD = 1.5250052542994814, R² = 0.9910098326857505.
    np.testing.assert_allclose(ref.intercept, -5251 / 60, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ref.weights[0], 3.45, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ref.residual_sd, 1.5250052542994814, rtol=1e-14, atol=0)
    np.testing.assert_allclose(ref.r2, 0.9910098326857505, rtol=1e-14, atol=0)


def collinear_dataset() -> Dataset:
    x1 = np.array([1.0, 2.0, 3.0, 5.0, 8.0])
    return Dataset(
        raw_x=np.column_stack([x1, 2 * x1]),
        y=np.array([1.0, 3.0, 2.0, 5.0, 4.0]),
        x_names=("x1", "x2"),
        y_name="y",
        source="collinear.csv",
    )


@pytest.mark.parametrize("method", ["exact", "refined", "auto"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_collinear_columns_are_refused_naming_them(method, fit_intercept):
    with pytest.raises(DataError) as info:
        solve(collinear_dataset(), fit_intercept, method=method)
    message = str(info.value)
    assert "collinear.csv" in message
    assert "'x2'" in message
    assert "'x1'" in message
    assert "linear combination" in message


def test_three_way_collinearity_names_the_dependent_column():
    x1 = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 13.0])
    x2 = np.array([2.0, 1.0, 7.0, 1.0, 8.0, 2.0])
    dataset = Dataset(
        raw_x=np.column_stack([x1, x2, x1 - 3 * x2]),
        y=np.arange(6.0),
        x_names=("a", "b", "c"),
        y_name="y",
    )
    with pytest.raises(DataError, match=r"column 'c' is a linear combination of 'a', 'b'"):
        solve(dataset, method="exact")


def test_session_refuses_collinear_data():
    with pytest.raises(DataError, match="'x2'"):
        Session(collinear_dataset(), Hyperparameters(predict_x=(1.0, 2.0)))


@pytest.mark.parametrize(
    ("rows", "fit_intercept", "expected"),
    [
        (2, True, "2 rows cannot fit 3 parameters (2 weights and an intercept); at least 3"),
        (1, False, "1 row cannot fit 2 parameters (2 weights); at least 2"),
    ],
)
def test_too_few_rows_are_refused_with_the_counts(rows, fit_intercept, expected):
    dataset = Dataset(
        raw_x=np.array([[1.0, 4.0], [2.0, 3.0]])[:rows],
        y=np.array([1.0, 2.0])[:rows],
        x_names=("x1", "x2"),
        y_name="y",
        source="tiny.csv",
    )
    for method in ("auto", "exact", "refined"):
        with pytest.raises(DataError) as info:
            solve(dataset, fit_intercept, method=method)
        assert str(info.value) == f"tiny.csv: {expected} rows are needed"
    with pytest.raises(DataError, match="cannot fit"):
        Session(dataset, Hyperparameters(predict_x=(1.0, 1.0), fit_intercept=fit_intercept))


def test_as_many_rows_as_parameters_is_an_exact_fit():
    # Two points, one slope and an intercept: the line through them, with no residual SD.
    ref = solve(
        Dataset(raw_x=np.array([[1.0], [3.0]]), y=np.array([2.0, 5.0]), x_names=("x",), y_name="y")
    )
    np.testing.assert_allclose([ref.weights[0], ref.intercept], [1.5, 0.5], rtol=1e-15)
    assert ref.residual_sd is None
    assert ref.mse == 0.0
    assert math.isclose(ref.r2, 1.0)
