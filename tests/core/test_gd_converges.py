"""Gradient descent reaches the certified / published least-squares answer to 9 significant digits.

Expected values are typed from tests/data/SOURCES.md (NIST certified, R's lm) and from
sample_data/README.md (exact rational answers rounded to 12 significant digits), never taken from
the code. ``tol`` is 0, so every run spends its budget; none may diverge.
"""

from __future__ import annotations

import numpy as np
import pytest
from refdata import DATA_DIR, load_csv_columns, load_nist

from linreg_tui.core.dataset import Dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

# "9 significant digits": relative error below 5e-10 on every parameter.
RTOL = 5e-10
ROOT = DATA_DIR.parent.parent


def run(
    dataset: Dataset,
    epochs: int,
    lr: float | None = None,
    standardize: bool = True,
    fit_intercept: bool = True,
) -> Session:
    """Train for ``epochs`` at ``lr`` (default: the analysis' fastest rate, lr_best)."""
    hp = Hyperparameters(
        lr=lr or 0.01,
        epochs=epochs,
        tol=0.0,
        standardize=standardize,
        fit_intercept=fit_intercept,
        predict_x=(0.0,) * dataset.raw_x.shape[1],
    )
    session = Session(dataset, hp)
    if lr is None:
        session = session.replace(lr=session.analysis.lr_best)
    session.trainer.advance(epochs, records=False)
    assert session.trainer.status in (Status.BUDGET_SPENT, Status.CONVERGED)
    assert session.trainer.status is not Status.DIVERGED
    assert session.trainer.epoch == epochs
    return session


def parameters(session: Session) -> np.ndarray:
    """(intercept, slopes…) of the current epoch, in the data's units."""
    rec = session.record()
    return np.array([rec.intercept, *rec.weights])


def one_column(path, x: str, y: str) -> Dataset:
    data = load_csv_columns(path)
    return Dataset(raw_x=data[x][:, None], y=data[y], x_names=(x,), y_name=y)


def anscombe(label: str) -> Dataset:
    data = load_csv_columns(DATA_DIR / "anscombe.csv")
    rows = data["dataset"] == label
    return Dataset(raw_x=data["x"][rows][:, None], y=data["y"][rows], x_names=("x",), y_name="y")


def test_norris_standardised():
    case = load_nist("Norris")
    session = run(Dataset(raw_x=case.x[:, None], y=case.y, x_names=("x",), y_name="y"), 200)
    # NIST certified: B0 = -0.262323073774029, B1 = 1.00211681802045.
    np.testing.assert_allclose(
        parameters(session), [-0.262323073774029, 1.00211681802045], rtol=RTOL, atol=0
    )


def test_norris_at_a_fixed_rate():
    # Standardised, one feature: the Hessian is 2·I, so lr 0.1 shrinks the error by 0.8 an epoch;
    # 0.8^200 ≈ 4e-20.
    case = load_nist("Norris")
    session = run(Dataset(raw_x=case.x[:, None], y=case.y, x_names=("x",), y_name="y"), 200, lr=0.1)
    np.testing.assert_allclose(
        parameters(session), [-0.262323073774029, 1.00211681802045], rtol=RTOL, atol=0
    )


# tests/data/SOURCES.md §3 (R's lm, exact): cars b0 = -17.579094890510948, b1 = 3.9324087591240877;
# women b0 = -5251/60, b1 = 3.45.
CARS = [-17.579094890510948, 3.9324087591240877]
WOMEN = [-5251 / 60, 3.45]


@pytest.mark.parametrize("lr", [None, 0.3])
def test_cars_standardised(lr):
    session = run(one_column(DATA_DIR / "cars.csv", "speed", "dist"), 300, lr=lr)
    np.testing.assert_allclose(parameters(session), CARS, rtol=RTOL, atol=0)


def test_cars_unscaled():
    # Raw speeds 4..25 leave a condition number κ ≈ 2.6e3: at lr_best the error shrinks by
    # (κ − 1)/(κ + 1) an epoch, so 9 digits take a few times 1e4 epochs, which the one-feature
    # loop runs in a few tens of milliseconds.
    session = run(one_column(DATA_DIR / "cars.csv", "speed", "dist"), 60_000, standardize=False)
    np.testing.assert_allclose(parameters(session), CARS, rtol=RTOL, atol=0)


@pytest.mark.parametrize("lr", [None, 0.3])
def test_women_standardised(lr):
    # Unscaled, women's Hessian has a condition number near 1e6 (sample_data/README.md), which
    # would take tens of millions of epochs: standardising is the point of this data set.
    session = run(one_column(DATA_DIR / "women.csv", "height", "weight"), 300, lr=lr)
    np.testing.assert_allclose(parameters(session), WOMEN, rtol=RTOL, atol=0)


# sample_data/README.md, "Least-squares answers" (exact, 12 significant digits).
ANSCOMBE = {
    "I": [3.00009090909, 0.500090909091],
    "II": [3.00090909091, 0.5],
    "III": [3.00245454545, 0.499727272727],
    "IV": [3.00172727273, 0.499909090909],
}


@pytest.mark.parametrize("label", list(ANSCOMBE))
@pytest.mark.parametrize("standardize", [True, False])
def test_anscombe(label, standardize):
    session = run(anscombe(label), 300 if standardize else 30_000, standardize=standardize)
    np.testing.assert_allclose(parameters(session), ANSCOMBE[label], rtol=RTOL, atol=0)


@pytest.mark.parametrize("standardize", [True, False])
def test_noint1_without_intercept(standardize):
    case = load_nist("NoInt1")
    dataset = Dataset(raw_x=case.x[:, None], y=case.y, x_names=("x",), y_name="y")
    session = run(dataset, 100, standardize=standardize, fit_intercept=False)
    rec = session.record()
    assert rec.intercept == 0.0
    assert rec.grad_intercept == 0.0
    # NIST certified: B1 = 2.07438016528926 (no intercept).
    np.testing.assert_allclose(rec.weights, [2.07438016528926], rtol=RTOL, atol=0)


def test_noint1_at_a_small_fixed_rate():
    case = load_nist("NoInt1")
    dataset = Dataset(raw_x=case.x[:, None], y=case.y, x_names=("x",), y_name="y")
    # One weight, Hessian 2·mean(x²) ≈ 8.8e3 unscaled: lr 5e-5 shrinks the error by ≈0.56 an epoch.
    session = run(dataset, 200, lr=5e-5, standardize=False, fit_intercept=False)
    np.testing.assert_allclose(session.record().weights, [2.07438016528926], rtol=RTOL, atol=0)


def test_longley_standardised():
    # Longley is ill-conditioned even standardised (condition number ≈ 1.2e4): at lr_best the
    # slowest direction shrinks by ≈ 1 − 1.6e-4 an epoch, so 9 digits take ≈ 1.6e5 epochs
    # (about 1.5 s). NIST certified B0..B6:
    certified = [
        -3482258.63459582,
        15.0618722713733,
        -0.358191792925910e-01,
        -2.02022980381683,
        -1.03322686717359,
        -0.511041056535807e-01,
        1829.15146461355,
    ]
    case = load_nist("Longley")
    dataset = Dataset(
        raw_x=case.x, y=case.y, x_names=tuple(f"x{j}" for j in range(1, 7)), y_name="y"
    )
    session = run(dataset, 180_000)
    np.testing.assert_allclose(parameters(session), certified, rtol=RTOL, atol=0)


def test_multi_feature_standardised():
    data = load_csv_columns(ROOT / "sample_data" / "multi_feature.csv")
    names = ("hours_studied", "hours_slept", "coffee_cups")
    dataset = Dataset(
        raw_x=np.column_stack([data[n] for n in names]),
        y=data["score"],
        x_names=names,
        y_name="score",
    )
    session = run(dataset, 2000)
    # sample_data/README.md: intercept 18.396376912, slopes 4.65915796139; 3.05616782403;
    # -1.52831489149 (exact, 12 significant digits; the intercept has 11).
    np.testing.assert_allclose(
        parameters(session),
        [18.396376912, 4.65915796139, 3.05616782403, -1.52831489149],
        rtol=RTOL,
        atol=0,
    )
