"""The fast path (MSE and gradient from sufficient statistics) against the seed's direct formulas,
against exact rational arithmetic where the direct and the naive expanded formulas lose digits,
and the standardised runs' conversion back to the data's units.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from refdata import DATA_DIR, load_csv_columns, load_nist
from seed_script import seed_loop

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Problem, Session


def nist(name: str) -> tuple[Dataset, bool]:
    case = load_nist(name)
    raw_x = case.x if case.x.ndim == 2 else case.x[:, None]
    names = tuple(f"x{j + 1}" for j in range(raw_x.shape[1]))
    dataset = Dataset(raw_x=raw_x, y=case.y, x_names=names, y_name="y", degree=case.degree)
    return dataset, case.intercept


def cars() -> Dataset:
    data = load_csv_columns(DATA_DIR / "cars.csv")
    return Dataset(raw_x=data["speed"][:, None], y=data["dist"], x_names=("speed",), y_name="dist")


CASES = {
    "seed": lambda: (seed_dataset(), True),
    "seed-no-intercept": lambda: (seed_dataset(), False),
    "cars": lambda: (cars(), True),
    "Norris": lambda: nist("Norris"),
    "NoInt1": lambda: nist("NoInt1"),
    "Pontius": lambda: nist("Pontius"),
    "Longley": lambda: nist("Longley"),
    "Longley-no-intercept": lambda: (nist("Longley")[0], False),
    "Wampler1": lambda: nist("Wampler1"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fast_path_equals_the_seeds_direct_formulas(name):
    dataset, fit_intercept = CASES[name]()
    q = Problem.build(dataset, standardize=False, fit_intercept=fit_intercept).quadratic
    rng = np.random.default_rng(sum(map(ord, name)))
    d = dataset.n_features
    for _ in range(40):
        # Random points on the scale of the answer, and well away from it.
        w = q.w_star * (1 + rng.normal(size=d)) + rng.normal(size=d)
        b = float(q.b_star * (1 + rng.normal()) + rng.normal()) if fit_intercept else 0.0
        mse, grad_w, grad_b = q.evaluate(w, b)
        direct_w, direct_b = model.gradient(dataset.features, dataset.y, w, b)
        np.testing.assert_allclose(
            mse, model.mse(dataset.features, dataset.y, w, b), rtol=1e-10, atol=0
        )
        np.testing.assert_allclose(grad_w, direct_w, rtol=1e-10, atol=0)
        if fit_intercept:
            np.testing.assert_allclose(grad_b, direct_b, rtol=1e-10, atol=0)
        else:
            assert grad_b == 0.0


def exact_mse(features: np.ndarray, y: np.ndarray, w, b: float) -> Fraction:
    """mean((y − ŷ)²) for these float data and float parameters, with no rounding at all."""
    wf = [Fraction(v) for v in np.asarray(w).tolist()]
    total = Fraction(0)
    for row, target in zip(features.tolist(), y.tolist()):
        r = Fraction(target) - Fraction(b) - sum(Fraction(v) * c for v, c in zip(row, wf))
        total += r * r
    return total / len(y)


def naive_expanded_mse(features: np.ndarray, y: np.ndarray, w, b: float) -> float:
    """(yᵀy − 2θᵀAᵀy + θᵀAᵀAθ)/n with A = [X, 1], θ = (w, b): the textbook expansion."""
    a = np.column_stack([features, np.ones(len(y))])
    theta = np.append(np.asarray(w, dtype=float), b)
    return float((y @ y - 2 * theta @ (a.T @ y) + theta @ (a.T @ a) @ theta) / len(y))


def test_near_perfect_line_far_from_zero():
    # y = 3 + 2x exactly (every value an integer, exact in float64), x around 1e6.
    x = 1e6 + np.arange(20.0)
    y = 3 + 2 * x
    dataset = Dataset(raw_x=x[:, None], y=y, x_names=("x",), y_name="y")
    q = Problem.build(dataset, standardize=False, fit_intercept=True).quadratic
    points = [(2 + 3e-12, 3 - 5e-7), (2 - 1e-13, 3 + 1e-7), (2 + 1e-11, 3 - 1e-5), (2, 3 + 1e-9)]
    for w, b in points:
        exact = exact_mse(dataset.features, y, [w], b)
        assert exact > 0
        fast = q.evaluate(np.array([w]), b)[0]
        assert abs(Fraction(fast) - exact) <= Fraction(1, 10**6) * exact
        # The expanded formula subtracts numbers near yᵀy/n ≈ 4e12 to get something below 1e-6:
        # its answer is wrong in every digit.
        naive = naive_expanded_mse(dataset.features, y, [w], b)
        assert abs(Fraction(naive) - exact) > Fraction(1, 2) * exact


def test_near_perfect_wampler1():
    # Wampler1: y = 1 + x + … + x⁵ exactly, x = 0..20 (y up to 3.4e6). Points a hair from the
    # certified answer (all ones).
    dataset, _ = nist("Wampler1")
    q = Problem.build(dataset, standardize=False, fit_intercept=True).quadratic
    rng = np.random.default_rng(7)
    for _ in range(5):
        w = 1 + 1e-10 * rng.normal(size=5)
        b = float(1 + 1e-9 * rng.normal())
        exact = exact_mse(dataset.features, dataset.y, w, b)
        fast = q.evaluate(w, b)[0]
        assert abs(Fraction(fast) - exact) <= Fraction(1, 10**6) * exact
        naive = naive_expanded_mse(dataset.features, dataset.y, w, b)
        assert abs(Fraction(naive) - exact) > Fraction(1, 2) * exact


def test_fast_path_at_the_optimum_of_an_exact_fit_is_zero():
    x = 1e6 + np.arange(20.0)
    dataset = Dataset(raw_x=x[:, None], y=3 + 2 * x, x_names=("x",), y_name="y")
    q = Problem.build(dataset, standardize=False, fit_intercept=True).quadratic
    mse, grad_w, grad_b = q.evaluate(np.array([2.0]), 3.0)
    assert exact_mse(dataset.features, dataset.y, [2.0], 3.0) == 0
    assert mse == 0.0
    assert grad_w.tolist() == [0.0]
    assert grad_b == 0.0


def standardised_cases():
    longley, _ = nist("Longley")
    return {
        "cars": (cars(), True),
        "Longley": (longley, True),
        "NoInt1": (nist("NoInt1")[0], False),
    }


@pytest.mark.parametrize("name", ["cars", "Longley", "NoInt1"])
def test_standardised_run_reports_in_data_units(name):
    dataset, fit_intercept = standardised_cases()[name]
    hp = Hyperparameters(
        lr=0.05,
        epochs=60,
        standardize=True,
        fit_intercept=fit_intercept,
        predict_x=(0.0,) * dataset.raw_x.shape[1],
    )
    session = Session(dataset, hp)
    recs = session.trainer.advance(60)
    for k in (0, 1, 5, 20, 59):
        rec = recs[k]
        # The MSE and the gradient reported are those of the data-unit parameters reported:
        # what the seed's formulas give at those parameters on the raw data.
        direct_w, direct_b = model.gradient(dataset.features, dataset.y, rec.weights, rec.intercept)
        np.testing.assert_allclose(
            rec.mse, model.mse(dataset.features, dataset.y, rec.weights, rec.intercept), rtol=1e-9
        )
        scale = np.abs(direct_w).max()
        np.testing.assert_allclose(rec.grad_weights, direct_w, rtol=1e-8, atol=1e-10 * scale)
        if fit_intercept:
            np.testing.assert_allclose(rec.grad_intercept, direct_b, rtol=1e-8, atol=1e-10 * scale)
        else:
            assert rec.intercept == 0.0
            assert rec.grad_intercept == 0.0


def test_standardised_trajectory_is_the_seed_loop_on_standardised_data():
    # The seed's loop run on z = (x − mean)/std and converted back by hand (w = w_z/σ,
    # b = b_z − w·μ) is an independent account of a standardised run.
    dataset = cars()
    x, y = dataset.features[:, 0], dataset.y
    mu, sigma = x.mean(), x.std()
    _, _, history = seed_loop((x - mu) / sigma, y, 0.1, 100)
    session = Session(dataset, Hyperparameters(lr=0.1, epochs=100, standardize=True))
    recs = session.trainer.advance(100)
    for k in (1, 2, 10, 50, 100):
        rec = recs[k - 1]
        m = history[k].m / sigma
        b = history[k].b - m * mu
        np.testing.assert_allclose([rec.weights[0], rec.intercept], [m, b], rtol=1e-12)
        # The gradient reported is that of the MSE with respect to the data-unit parameters.
        dm, db = model.gradient(x[:, None], y, np.array([m]), b)
        np.testing.assert_allclose(rec.grad_weights[0], dm[0], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(rec.grad_intercept, db, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["cars", "NoInt1"])
def test_standardised_run_ends_at_the_unstandardised_answer(name):
    # (Longley standardised is in test_gd_converges.py.)
    dataset, fit_intercept = standardised_cases()[name]
    # Published / certified answers (tests/data/SOURCES.md), intercept first when there is one.
    expected = {
        "cars": [-17.579094890510948, 3.9324087591240877],
        "NoInt1": [2.07438016528926],
    }[name]
    hp = Hyperparameters(lr=0.25, epochs=400, standardize=True, fit_intercept=fit_intercept)
    session = Session(dataset, hp)
    session.trainer.advance(400, records=False)
    rec = session.record()
    got = ([rec.intercept] if fit_intercept else []) + rec.weights.tolist()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
