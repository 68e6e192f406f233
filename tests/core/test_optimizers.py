"""Every optimiser against an independent plain-numpy implementation written from the formulas
of issue 7 (not from the core's code), on the seed's data and on three features; the special
cases that must be bit for bit (momentum with β = 0 is gd); exact step-back through each method's
state; and each method's stability bound against the spectral radius of its iteration matrix.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from linreg_tui.core.analysis import Verdict
from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.optimizers import OPTIMIZERS
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


# -- the independent implementation --------------------------------------------------------------


def gradient(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """∇MSE of θ = (w…, b) from the rows: the seed's (−2/n)·Σ x·(y − ŷ) and (−2/n)·Σ (y − ŷ)."""
    n = y.shape[0]
    r = y - (x @ theta[:-1] + theta[-1])
    return np.append((-2 / n) * (x.T @ r), (-2 / n) * r.sum())


def reference_run(name: str, x, y, lr: float, epochs: int, **s) -> np.ndarray:
    """θ after ``epochs`` full-batch steps of the named method, from θ = 0, all state zero."""
    theta = np.zeros(x.shape[1] + 1)
    v = np.zeros_like(theta)
    m = np.zeros_like(theta)
    acc = np.zeros_like(theta)
    for t in range(1, epochs + 1):
        g = gradient(x, y, theta)
        if name == "gd":
            theta = theta - lr * g
        elif name == "momentum":  # v ← βv + g, θ ← θ − lr·v
            v = s["momentum"] * v + g
            theta = theta - lr * v
        elif name == "nesterov":  # v ← βv + g, θ ← θ − lr·(g + βv)
            v = s["momentum"] * v + g
            theta = theta - lr * (g + s["momentum"] * v)
        elif name == "adagrad":  # G ← G + g², θ ← θ − lr·g/(√G + ε)
            acc = acc + g**2
            theta = theta - lr * g / (np.sqrt(acc) + s["eps"])
        elif name == "rmsprop":  # s ← ρs + (1−ρ)g², θ ← θ − lr·g/(√s + ε)
            acc = s["rho"] * acc + (1 - s["rho"]) * g**2
            theta = theta - lr * g / (np.sqrt(acc) + s["eps"])
        elif name == "adam":  # m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − lr·m̂/(√v̂ + ε)
            m = s["beta1"] * m + (1 - s["beta1"]) * g
            v = s["beta2"] * v + (1 - s["beta2"]) * g**2
            m_hat = m / (1 - s["beta1"] ** t)
            v_hat = v / (1 - s["beta2"] ** t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + s["eps"])
        else:
            raise AssertionError(name)
    return theta


SETTINGS = dict(momentum=0.9, rho=0.9, beta1=0.9, beta2=0.999, eps=1e-8)
#: Rates at which each method is stable and well inside float range on the seed's data.
SEED_LR = {"gd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.01}
SEED_LR["adam"] = 0.05


def test_the_registry_has_the_six_methods_of_the_issue():
    assert list(OPTIMIZERS) == ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@pytest.mark.parametrize("name", list(SEED_LR))
def test_each_method_matches_the_formulas_after_1000_epochs_on_the_seed(name):
    data = seed_dataset()
    lr = SEED_LR[name]
    expected = reference_run(name, data.features, data.y, lr, 1000, **SETTINGS)
    session = Session(data, Hyperparameters(optimizer=name, lr=lr, **SETTINGS))
    session.trainer.advance(1000, records=False)
    rec = session.record()
    assert rec.epoch == 1000
    got = np.append(rec.weights, rec.intercept)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(SEED_LR))
def test_each_method_matches_the_formulas_on_three_features(name):
    data = load_csv(str(SAMPLE / "multi_feature.csv"), x=["1", "2", "3"])
    hp = Hyperparameters(optimizer=name, lr=1e-3, m0=(0.0,), predict_x=(6.0,) * 3, **SETTINGS)
    session = Session(data, hp)
    session.trainer.advance(300, records=False)
    assert session.trainer.status is not Status.DIVERGED
    rec = session.record()
    expected = reference_run(name, data.features, data.y, 1e-3, 300, **SETTINGS)
    got = np.append(rec.weights, rec.intercept)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_momentum_with_beta_0_is_gd_bit_for_bit(name):
    gd = Session(seed_dataset(), Hyperparameters())
    other = Session(seed_dataset(), Hyperparameters(optimizer=name, momentum=0.0))
    a = gd.trainer.advance(1000)
    b = other.trainer.advance(1000)
    assert a.weights.tolist() == b.weights.tolist()
    assert a.intercept.tolist() == b.intercept.tolist()
    assert a.mse.tolist() == b.mse.tolist()
    assert repr(float(b.weights[-1, 0])) == "0.6176946148762643"


@pytest.mark.parametrize("name", list(SEED_LR))
def test_stepping_back_and_forward_again_is_exact_for_every_method(name):
    hp = Hyperparameters(optimizer=name, lr=SEED_LR[name], epochs=3000)
    session = Session(seed_dataset(), hp)
    first = session.trainer.advance(2500)
    for back, target in ((1, 2499), (700, 1800), (2500, 0)):
        session.trainer.seek(2500)
        session.trainer.back(back)
        assert session.trainer.epoch == target
        again = session.trainer.advance(2500 - target)
        assert again.weights.tolist() == first.weights[target:].tolist()
        assert again.intercept.tolist() == first.intercept[target:].tolist()
        assert again.mse.tolist() == first.mse[target:].tolist()
    # and a record read out of order is the same as the one computed in order
    rec = session.record(1234)
    assert rec.weights.tolist() == first.weights[1233].tolist()


def test_a_change_of_beta_mid_run_applies_from_the_cursor_and_keeps_the_velocity():
    data = seed_dataset()
    session = Session(data, Hyperparameters(optimizer="momentum", lr=0.01, momentum=0.9))
    session.trainer.advance(100, records=False)
    session.apply(dataclasses.replace(session.hp, momentum=0.5))
    session.trainer.advance(100, records=False)
    # by hand: 100 epochs at β 0.9, then 100 at β 0.5, with the same v carried over
    theta = np.zeros(2)
    v = np.zeros(2)
    for beta in [0.9] * 100 + [0.5] * 100:
        v = beta * v + gradient(data.features, data.y, theta)
        theta = theta - 0.01 * v
    rec = session.record()
    np.testing.assert_allclose(np.append(rec.weights, rec.intercept), theta, rtol=1e-12)
    assert session.record(150).settings.momentum == 0.5
    assert session.record(100).settings.momentum == 0.9
    assert session.step(101).settings.momentum == 0.5


# -- stability bounds ---------------------------------------------------------------------------


def iteration_radius(name: str, lr: float, lam: float, beta: float) -> float:
    """Spectral radius of one step on a direction of curvature λ, from the iteration matrix of
    (error, previous error) built from the update formulas."""
    if name == "momentum":  # e' = e − lr(βv + λe), v = (e_prev − e)/lr·… → heavy ball
        matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    else:  # nesterov: state (e, v): v' = βv + λe, e' = e − lr(λe + βv')
        matrix = np.array([[1 - lr * lam - lr * beta * lam, -lr * beta * beta], [lam, beta]])
    return float(np.abs(np.linalg.eigvals(matrix)).max())


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_the_bound_is_where_the_iteration_matrix_reaches_radius_1(name, beta):
    session = Session(seed_dataset(), Hyperparameters(optimizer=name, momentum=beta))
    lam_max = float(session.analysis.eigenvalues[-1])
    bound = session.analysis.lr_max
    assert iteration_radius(name, bound * (1 - 1e-6), lam_max, beta) < 1
    assert iteration_radius(name, bound * (1 + 1e-6), lam_max, beta) > 1
    for lam in session.analysis.eigenvalues:  # every direction is stable below the bound
        assert iteration_radius(name, bound * 0.999, float(lam), beta) < 1


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_runs_diverge_just_above_the_bound_and_not_below(name):
    below = Session(seed_dataset(), Hyperparameters(optimizer=name, epochs=20000))
    bound = below.analysis.lr_max
    below.apply(dataclasses.replace(below.hp, lr=bound * 0.98))
    below.trainer.advance(20000, records=False)
    assert below.trainer.status is Status.BUDGET_SPENT
    above = Session(seed_dataset(), Hyperparameters(optimizer=name, lr=bound * 1.02, epochs=20000))
    assert above.analysis.verdict is Verdict.WILL_DIVERGE
    above.trainer.advance(20000, records=False)
    assert above.trainer.status is Status.DIVERGED
    assert format(bound, ".6g") in above.trainer.message


def test_momentum_bound_and_polyak_optimum_closed_forms():
    session = Session(seed_dataset(), Hyperparameters(optimizer="momentum", momentum=0.9))
    lam = session.analysis.eigenvalues
    a = session.analysis
    assert a.lr_max == pytest.approx(2 * 1.9 / lam[-1], rel=1e-15)
    root = np.sqrt(lam)
    assert a.lr_best == pytest.approx(4 / (root[-1] + root[0]) ** 2, rel=1e-15)
    kappa = lam[-1] / lam[0]
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert a.best_other["momentum"] == pytest.approx(beta, rel=1e-12)


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam"])
def test_adaptive_methods_say_no_fixed_bound_applies(name):
    session = Session(seed_dataset(), Hyperparameters(optimizer=name, lr=1e6))
    a = session.analysis
    assert a.lr_max is None and a.verdict is Verdict.NO_BOUND
    assert "no fixed" in a.summary
