"""Mini-batches and schedules against an independent implementation of their definitions: the
batches of epoch e are the rows in ``numpy.random.default_rng((seed, e)).permutation(n)`` order
(or file order with --no-shuffle), cut every B rows; every step of epoch e uses the schedule's
rate for e. Plus the bit-for-bit cases and exact step-back through Adam, batches and a schedule.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from test_optimizers import SETTINGS

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session


def rate(schedule: str, lr: float, e: int, epochs: int, decay=0.9, every=100, power=0.25):
    """The schedules as the issue writes them (e = 1 for the first epoch)."""
    if schedule == "constant":
        return lr
    if schedule == "step":
        return lr * decay ** ((e - 1) // every)
    if schedule == "exponential":
        return lr * decay ** (e - 1)
    if schedule == "invscaling":
        return lr / e**power
    if schedule == "cosine":
        return lr * (1 + math.cos(math.pi * (e - 1) / epochs)) / 2
    raise AssertionError(schedule)


def reference_sgd(name, x, y, lr, epochs, batch, seed, shuffle, schedule="constant", **s):
    """Mini-batch training from θ = 0 with the update formulas, in plain numpy."""
    n = y.shape[0]
    theta = np.zeros(x.shape[1] + 1)
    v = np.zeros_like(theta)
    m = np.zeros_like(theta)
    acc = np.zeros_like(theta)
    t = 0
    for e in range(1, epochs + 1):
        order = np.random.default_rng((seed, e)).permutation(n) if shuffle else np.arange(n)
        eta = rate(schedule, lr, e, epochs)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            xb, yb = x[rows], y[rows]
            r = yb - (xb @ theta[:-1] + theta[-1])
            g = np.append((-2 / len(rows)) * (xb.T @ r), (-2 / len(rows)) * r.sum())
            t += 1
            if name == "gd":
                theta = theta - eta * g
            elif name == "momentum":
                v = s["momentum"] * v + g
                theta = theta - eta * v
            elif name == "nesterov":
                v = s["momentum"] * v + g
                theta = theta - eta * (g + s["momentum"] * v)
            elif name == "adagrad":
                acc = acc + g**2
                theta = theta - eta * g / (np.sqrt(acc) + s["eps"])
            elif name == "rmsprop":
                acc = s["rho"] * acc + (1 - s["rho"]) * g**2
                theta = theta - eta * g / (np.sqrt(acc) + s["eps"])
            elif name == "adam":
                m = s["beta1"] * m + (1 - s["beta1"]) * g
                v = s["beta2"] * v + (1 - s["beta2"]) * g**2
                m_hat = m / (1 - s["beta1"] ** t)
                v_hat = v / (1 - s["beta2"] ** t)
                theta = theta - eta * m_hat / (np.sqrt(v_hat) + s["eps"])
    return theta


LR = {"gd": 0.01, "momentum": 0.005, "nesterov": 0.005, "adagrad": 0.3, "rmsprop": 0.005}
LR["adam"] = 0.02


@pytest.mark.parametrize("name", list(LR))
@pytest.mark.parametrize(("batch", "shuffle"), [(2, True), (1, True), (3, False)])
def test_mini_batches_match_the_definition(name, batch, shuffle):
    data = seed_dataset()
    hp = Hyperparameters(
        optimizer=name, lr=LR[name], batch_size=batch, seed=7, shuffle=shuffle, **SETTINGS
    )
    session = Session(data, hp)
    session.trainer.advance(300, records=False)
    rec = session.record()
    assert rec.epoch == 300
    expected = reference_sgd(
        name, data.features, data.y, LR[name], 300, batch, 7, shuffle, **SETTINGS
    )
    np.testing.assert_allclose(np.append(rec.weights, rec.intercept), expected, rtol=1e-12)


@pytest.mark.parametrize("schedule", ["constant", "step", "exponential", "invscaling", "cosine"])
def test_schedules_match_the_definition(schedule):
    data = seed_dataset()
    hp = Hyperparameters(lr=0.05, schedule=schedule, epochs=400, decay=0.9, step_every=100)
    session = Session(data, hp)
    session.trainer.advance(400, records=False)
    for e in (1, 2, 100, 101, 250, 400):
        assert session.trainer.rate(e) == pytest.approx(rate(schedule, 0.05, e, 400), rel=1e-15)
        assert session.step(e).lr == session.trainer.rate(e)
    rec = session.record()
    x, y = data.features, data.y
    expected = reference_sgd("gd", x, y, 0.05, 400, 5, 0, False, schedule)
    np.testing.assert_allclose(np.append(rec.weights, rec.intercept), expected, rtol=1e-12)


def test_batch_size_n_without_shuffle_is_gd_bit_for_bit():
    gd = Session(seed_dataset(), Hyperparameters()).trainer.advance(1000)
    full = Session(seed_dataset(), Hyperparameters(batch_size=5, shuffle=False)).trainer
    same = full.advance(1000)
    assert same.weights.tolist() == gd.weights.tolist()
    assert same.intercept.tolist() == gd.intercept.tolist()
    assert repr(float(same.weights[-1, 0])) == "0.6176946148762643"


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    runs = []
    for seed in (3, 3, 4):
        s = Session(seed_dataset(), Hyperparameters(batch_size=2, seed=seed))
        runs.append(s.trainer.advance(50).weights.tolist())
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_without_a_seed_one_is_drawn_and_kept():
    s = Session(seed_dataset(), Hyperparameters(batch_size=2))
    assert s.hp.seed is not None
    first = s.trainer.advance(20).weights.tolist()
    again = Session(seed_dataset(), s.hp).trainer.advance(20).weights.tolist()
    assert first == again


def test_stepping_back_through_adam_batches_and_a_schedule_is_exact():
    hp = Hyperparameters(
        optimizer="adam", lr=0.05, batch_size=2, seed=11, schedule="cosine", epochs=3000
    )
    session = Session(seed_dataset(), hp)
    first = session.trainer.advance(2600)
    for back in (1, 7, 1100, 2600):
        session.trainer.seek(2600)
        session.trainer.back(back)
        again = session.trainer.advance(back)
        assert again.weights.tolist() == first.weights[2600 - back :].tolist()
        assert again.intercept.tolist() == first.intercept[2600 - back :].tolist()
        assert again.mse.tolist() == first.mse[2600 - back :].tolist()


def test_a_step_explains_the_epochs_last_batch():
    data = seed_dataset()
    session = Session(data, Hyperparameters(batch_size=2, seed=5))
    session.trainer.advance(3, records=False)
    step = session.step(3)
    assert step.steps == 3  # 5 rows in batches of 2, 2, 1
    order = np.random.default_rng((5, 3)).permutation(5)
    assert step.rows.tolist() == order[4:].tolist()
    # the shown step's result is the epoch's end
    (_, terms) = step.terms[0]
    assert terms[-1].result == float(session.record(3).weights[0])


def test_changing_the_schedule_mid_run_applies_from_the_cursor():
    session = Session(seed_dataset(), Hyperparameters(lr=0.05, epochs=200))
    session.trainer.advance(100, records=False)
    session.apply(dataclasses.replace(session.hp, schedule="exponential", decay=0.99))
    session.trainer.advance(100, records=False)
    assert session.trainer.rate(100) == 0.05
    assert session.trainer.rate(101) == pytest.approx(0.05 * 0.99**100, rel=1e-15)
