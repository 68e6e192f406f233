"""How a run stops: divergence, the tolerance, the budget, and settings changed mid-run.

The seed's Hessian of the MSE is [[22, 6], [6, 2]], eigenvalues 12 ± √136, so the largest stable
learning rate is 2/(12 + √136) ≈ 0.0845241. The expected epochs come from the seed loop
(tests/core/seed_script.py), not from the trainer.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from itertools import pairwise

import numpy as np
import pytest
from refdata import load_nist
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.kernel import RISE_EPOCHS
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

LR_MAX = 2 / (12 + math.sqrt(136))
RTOL = 1e-12


def seed_session(**changes) -> Session:
    return Session(seed_dataset(), Hyperparameters(**changes))


def first_bad_epoch(lr: float, epochs: int = 1000) -> tuple[int, str]:
    """Where the seed loop shows divergence as core/kernel.py defines it: the first epoch whose
    MSE is not finite ("overflow"), or the first that ends RISE_EPOCHS rises in a row ("rise")."""
    with np.errstate(all="ignore"):
        _, _, history = seed_loop(SEED_X, SEED_Y, lr, epochs)
    rises = 0
    for prev, cur in pairwise(history):
        if not math.isfinite(cur.mse):
            return cur.epoch, "overflow"
        rises = rises + 1 if cur.mse > prev.mse else 0
        if rises == RISE_EPOCHS:
            return cur.epoch, "rise"
    raise AssertionError(f"the seed loop does not diverge at lr {lr}")


def assert_all_finite(session: Session, recs) -> None:
    for array in (recs.weights, recs.intercept, recs.mse, recs.grad_weights, recs.grad_intercept):
        assert np.isfinite(array).all()
    assert np.isfinite(session.trainer.loss_trace).all()
    last = session.record()
    assert np.isfinite(last.weights).all()
    assert np.isfinite(last.grad_weights).all()
    assert math.isfinite(last.intercept)
    assert math.isfinite(last.mse)
    assert math.isfinite(last.grad_intercept)


@pytest.mark.parametrize("lr", [0.1, 1.0, 1e3, 1e300])
def test_large_rates_diverge_cleanly(lr):
    bad, kind = first_bad_epoch(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any numpy RuntimeWarning (overflow, invalid) fails
        session = seed_session(lr=lr)
        recs = session.trainer.advance(1000)
        assert_all_finite(session, recs)
        message = session.trainer.message
    trainer = session.trainer
    assert trainer.status is Status.DIVERGED
    assert trainer.epoch < 1000
    # The message names the epoch where it went wrong and the largest stable rate.
    assert f"diverged at epoch {bad:,}" in message
    assert format(LR_MAX, ".6g") in message  # 0.0845241
    assert session.analysis.lr_max == pytest.approx(LR_MAX, rel=1e-13)
    if kind == "overflow":
        # The overflowing step is not taken: the state kept is the last finite one.
        assert "overflowed" in message
        assert f"at epoch {bad - 1:,}, which is kept" in message
        assert trainer.epoch == bad - 1
    else:
        # The rising epochs are recorded (the climb is visible), then the run stops.
        assert f"rose {RISE_EPOCHS} epochs running" in message
        assert trainer.epoch == bad
        assert np.all(np.diff(trainer.loss_trace[-RISE_EPOCHS - 1 :]) > 0)
    # Stopped is stopped: more steps do nothing.
    assert len(trainer.advance(10)) == 0
    assert trainer.status is Status.DIVERGED


def test_lr_1e300_overflows_at_the_first_step():
    session = seed_session(lr=1e300)
    session.trainer.advance(1000, records=False)
    assert session.trainer.epoch == 0
    assert "overflowed" in session.trainer.message
    rec = session.record()
    assert rec.weights.tolist() == [0.0]
    assert rec.intercept == 0.0
    assert rec.mse == pytest.approx(17.2, rel=RTOL)


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("lr", [1.0, 1e300])
def test_several_features_diverge_without_warnings(lr, standardize):
    # Longley unscaled has λmax ≈ 3.5e11, so lr·λmax overflows float64 at lr = 1e300.
    case = load_nist("Longley")
    dataset = Dataset(
        raw_x=case.x, y=case.y, x_names=tuple(f"x{j}" for j in range(1, 7)), y_name="y"
    )
    hp = Hyperparameters(lr=lr, standardize=standardize, predict_x=(0.0,) * 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        session = Session(dataset, hp)
        recs = session.trainer.advance(1000)
        assert_all_finite(session, recs)
        analysis = session.analysis
    assert session.trainer.status is Status.DIVERGED
    assert analysis.verdict.value == "will diverge"
    assert "diverged at epoch" in session.trainer.message
    assert format(analysis.lr_max, ".6g") in session.trainer.message


def test_just_above_the_limit_diverges():
    bad, kind = first_bad_epoch(0.0846)
    assert kind == "rise"
    session = seed_session(lr=0.0846)
    session.trainer.advance(1000, records=False)
    assert session.trainer.status is Status.DIVERGED
    assert session.trainer.epoch == bad
    assert f"diverged at epoch {bad:,}" in session.trainer.message


def test_divergence_does_not_depend_on_how_the_run_is_split():
    # One epoch per call must stop at the same epoch, with the same records, as one long call:
    # rises counted before a call carry over into it.
    whole = seed_session(lr=0.0846)
    all_at_once = whole.trainer.advance(1000)
    split = seed_session(lr=0.0846)
    steps = []
    while split.trainer.status is Status.READY:
        steps.append(split.trainer.advance(1))
    assert split.trainer.status is Status.DIVERGED
    assert split.trainer.epoch == whole.trainer.epoch
    assert split.trainer.message == whole.trainer.message
    assert [r.mse.tolist() for r in steps] == [[v] for v in all_at_once.mse.tolist()]


def test_just_below_the_limit_converges_while_oscillating():
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.084, 1000)
    session = seed_session(lr=0.084)
    recs = session.trainer.advance(1000)
    assert session.trainer.status is Status.BUDGET_SPENT
    assert session.trainer.epoch == 1000
    # Below 2/λmax the exact loss never rises (each eigen-component shrinks by |1 − lr·λ| < 1).
    assert np.all(np.diff(session.trainer.loss_trace) <= 1e-15)
    np.testing.assert_allclose(recs.weights[-1, 0], history[-1].m, rtol=1e-10)
    np.testing.assert_allclose(recs.intercept[-1], history[-1].b, rtol=1e-10)
    # It does get there: within 1e-5 of the least-squares line 0.6x + 2.2.
    np.testing.assert_allclose([recs.weights[-1, 0], recs.intercept[-1]], [0.6, 2.2], atol=1e-5)


def first_small_improvement(lr: float, tol: float, start=(0, 0), epochs=100_000) -> int:
    """The first epoch whose MSE fell by less than ``tol``, from the seed loop."""
    _, _, history = seed_loop(SEED_X, SEED_Y, lr, epochs, *start)
    for prev, cur in pairwise(history):
        if prev.mse - cur.mse < tol:
            return cur.epoch
    raise AssertionError("never")


def test_tol_stops_with_converged():
    expected = first_small_improvement(0.01, 1e-6, epochs=3000)
    session = seed_session(tol=1e-6, epochs=100_000)
    session.trainer.advance(100_000, records=False)
    trainer = session.trainer
    assert trainer.status is Status.CONVERGED
    assert trainer.epoch == expected
    trace = trainer.loss_trace
    improvements = -np.diff(trace)
    assert improvements[-1] < 1e-6
    assert np.all(improvements[:-1] >= 1e-6)
    assert re.fullmatch(
        rf"converged at epoch {expected:,}: the MSE fell by \S+, less than tol 1e-06",
        trainer.message,
    )


def test_zero_budget_is_spent_at_epoch_0():
    session = seed_session(epochs=0)
    trainer = session.trainer
    assert trainer.status is Status.BUDGET_SPENT
    assert trainer.message == "budget spent: 0 epochs run"
    assert len(trainer.advance(10)) == 0
    assert trainer.epoch == 0
    assert trainer.frontier == 0
    assert trainer.loss_trace.tolist() == [pytest.approx(17.2, rel=RTOL)]


def assert_seed_state(session: Session, m: float, b: float) -> None:
    rec = session.record()
    np.testing.assert_allclose([rec.weights[0], rec.intercept], [m, b], rtol=RTOL, atol=0)


def test_raising_the_budget_continues_the_run():
    session = seed_session(epochs=500)
    session.trainer.advance(1000, records=False)
    assert session.trainer.epoch == 500
    assert session.trainer.status is Status.BUDGET_SPENT
    assert session.replace(epochs=800) is session  # applies from the current epoch on
    assert session.trainer.status is Status.READY
    session.trainer.advance(1000, records=False)
    assert session.trainer.epoch == 800
    assert session.trainer.status is Status.BUDGET_SPENT
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 800)
    assert_seed_state(session, m, b)


def test_lowering_the_budget_below_the_cursor_moves_back_to_it():
    session = seed_session(epochs=800)
    session.trainer.advance(800, records=False)
    session.replace(epochs=300)
    trainer = session.trainer
    assert trainer.epoch == 300
    assert trainer.frontier == 300
    assert trainer.status is Status.BUDGET_SPENT
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 300)
    assert_seed_state(session, m, b)


def test_lowering_the_budget_above_the_cursor_drops_later_epochs_only():
    session = seed_session(epochs=800)
    original = session.trainer.advance(800)
    session.trainer.seek(100)
    session.replace(epochs=300)
    trainer = session.trainer
    assert trainer.epoch == 100
    assert trainer.frontier == 300
    assert trainer.status is Status.READY
    again = trainer.advance(1000)
    assert trainer.epoch == 300
    assert again.mse.tolist() == original.mse[100:300].tolist()
    assert again.weights.tolist() == original.weights[100:300].tolist()


def test_changing_lr_below_the_frontier_drops_the_epochs_after_the_cursor():
    session = seed_session(epochs=800)
    session.trainer.advance(800, records=False)
    session.trainer.seek(200)
    session.replace(lr=0.01)  # unchanged: nothing is dropped
    assert session.trainer.frontier == 800
    session.replace(lr=0.02)
    assert session.trainer.epoch == 200
    assert session.trainer.frontier == 200
    session.trainer.advance(100, records=False)
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 200)
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.02, 100, m, b)
    assert session.trainer.epoch == 300
    assert_seed_state(session, m, b)


def test_changing_tol_below_the_frontier_drops_the_epochs_after_the_cursor():
    session = seed_session(epochs=800)
    session.trainer.advance(800, records=False)
    session.trainer.seek(200)
    session.replace(tol=1e-3)
    assert session.trainer.frontier == 200
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 200)
    expected = 200 + first_small_improvement(0.01, 1e-3, (m, b), epochs=600)
    session.trainer.advance(1000, records=False)
    assert session.trainer.status is Status.CONVERGED
    assert session.trainer.epoch == expected
    assert session.trainer.loss_trace[-2] - session.trainer.loss_trace[-1] < 1e-3


def test_tol_raised_at_the_frontier_stops_at_the_next_epoch():
    session = seed_session(epochs=800)
    session.trainer.advance(400, records=False)
    # Around epoch 400 the MSE falls by ~1e-4 an epoch (seed loop), well under 0.01.
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.01, 401)
    assert history[400].mse - history[401].mse < 0.01
    session.replace(tol=0.01)
    assert session.trainer.status is Status.READY
    session.trainer.advance(100, records=False)
    assert session.trainer.epoch == 401
    assert session.trainer.status is Status.CONVERGED


def test_lowering_lr_after_divergence_resumes_from_the_kept_state():
    session = seed_session(lr=0.1, epochs=1000)
    session.trainer.advance(1000, records=False)
    assert session.trainer.status is Status.DIVERGED
    kept = session.trainer.epoch
    session.replace(lr=0.01)
    assert session.trainer.status is Status.READY
    session.trainer.advance(1000, records=False)
    assert session.trainer.status is Status.BUDGET_SPENT
    assert session.trainer.epoch == 1000
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.1, kept)
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 1000 - kept, m, b)
    assert_seed_state(session, m, b)


def test_restart_fields_start_a_new_run():
    session = seed_session()
    session.trainer.advance(100, records=False)
    assert session.apply(dataclasses.replace(session.hp, b0=1.0)) is True  # restarted, in place
    fresh = session
    assert fresh.trainer.epoch == 0
    assert fresh.trainer.frontier == 0
    rec = fresh.record()
    assert rec.intercept == 1.0
    # MSE at m = 0, b = 1: mean((y − 1)²) = (1 + 9 + 16 + 9 + 16)/5 = 10.2.
    assert rec.mse == pytest.approx(10.2, rel=RTOL)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
@pytest.mark.parametrize("lr", [0.01, 0.1, 1.0, 5.0])
@pytest.mark.parametrize("batch_size", [None, 2])
def test_a_rise_is_never_called_converged(optimizer, lr, batch_size):
    # tol stops a run whose loss fell by less than tol; a loss that rose did not settle: on the
    # seed at lr 0.1 (above the stable 0.0845) the first epoch rose by 13.9 and was reported as
    # "converged at epoch 1: the MSE fell by -13.9".
    session = seed_session(
        optimizer=optimizer, lr=lr, tol=1e-6, epochs=20_000, batch_size=batch_size, seed=1
    )
    session.trainer.advance(20_000)
    trace = session.trainer.loss_trace
    if session.trainer.status is Status.CONVERGED:
        assert 0 <= trace[-2] - trace[-1] < 1e-6
        assert "fell by -" not in session.trainer.message


def test_above_the_stable_rate_with_tol_diverges():
    session = seed_session(lr=0.1, tol=1e-9)
    session.trainer.advance(1000)
    assert session.trainer.status is Status.DIVERGED
