"""The trainer against the seed script it was built from.

The reference is ``seed_script.seed_loop``, a line-for-line copy of the blog post's loop, and the
numbers that script really prints (the blog's prose numbers 0.60 / 1.20 / 4.8 are wrong).
Stepping back and forward again must give the same records bit for bit, and the seed loop's
values wherever the cursor lands.
"""

from __future__ import annotations

import numpy as np
import pytest
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import CHECKPOINT_EVERY, Record, Records, Status

# Parameters and MSE agree with the seed to 1e-12 relative. The seed's gradient is a sum that
# cancels near the optimum (terms up to (2/n)·Σ|x·y| = 26.4), so it carries an absolute rounding
# error of a few 1e-15; the gradients are compared to 1e-12 relative or 1e-13 absolute.
RTOL = 1e-12
GRAD_ATOL = 1e-13


def seed_session(**changes) -> Session:
    return Session(seed_dataset(), Hyperparameters(**changes))


def assert_same_record(a: Record, b: Record) -> None:
    """Bit-for-bit equality (float ==) of every field."""
    assert a.epoch == b.epoch
    assert a.weights.tolist() == b.weights.tolist()
    assert a.intercept == b.intercept
    assert a.mse == b.mse
    assert a.grad_weights.tolist() == b.grad_weights.tolist()
    assert a.grad_intercept == b.grad_intercept


def assert_same_records(a: Records, b: Records) -> None:
    assert a.epochs.tolist() == b.epochs.tolist()
    assert a.weights.tolist() == b.weights.tolist()
    assert a.intercept.tolist() == b.intercept.tolist()
    assert a.mse.tolist() == b.mse.tolist()
    assert a.grad_weights.tolist() == b.grad_weights.tolist()
    assert a.grad_intercept.tolist() == b.grad_intercept.tolist()


def assert_matches_seed(rec: Record, history) -> None:
    """A record against the seed loop's state at the same epoch."""
    ref = history[rec.epoch]
    assert ref.epoch == rec.epoch
    np.testing.assert_allclose(rec.weights[0], ref.m, rtol=RTOL, atol=0)
    np.testing.assert_allclose(rec.intercept, ref.b, rtol=RTOL, atol=0)
    np.testing.assert_allclose(rec.mse, ref.mse, rtol=RTOL, atol=0)
    np.testing.assert_allclose(rec.grad_weights[0], ref.dm, rtol=RTOL, atol=GRAD_ATOL)
    np.testing.assert_allclose(rec.grad_intercept, ref.db, rtol=RTOL, atol=GRAD_ATOL)


def test_seed_loop_reproduces_the_seed_scripts_printed_output():
    # Guard on the reference itself: the copy prints what the real script printed.
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 1000)
    assert repr(float(m)) == "0.6176946148762643"
    assert repr(float(b)) == "2.136116825825789"
    assert repr(float(m * 6 + b)) == "5.842284515083374"


def test_1000_epochs_give_the_seeds_printed_numbers():
    session = seed_session()
    session.trainer.advance(1000, records=False)
    rec = session.record()
    assert session.trainer.epoch == 1000
    assert session.trainer.status is Status.BUDGET_SPENT
    # The seed script's real output: "Slope: 0.6176946148762643", "Intercept: 2.136116825825789",
    # "Predicted y for x=6: 5.842284515083374".
    assert repr(float(rec.weights[0])) == "0.6176946148762643"
    assert repr(rec.intercept) == "2.136116825825789"
    assert repr(session.prediction()) == "5.842284515083374"
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.01, 1000)
    np.testing.assert_allclose(rec.weights[0], m, rtol=RTOL, atol=0)
    np.testing.assert_allclose(rec.intercept, b, rtol=RTOL, atol=0)


def test_every_epoch_of_1000_matches_the_seed_loop():
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.01, 1000)
    session = seed_session()
    recs = session.trainer.advance(1000)
    assert len(recs) == 1000
    assert_matches_seed(session.record(0), history)
    seed = np.array([[h.m, h.b, h.mse, h.dm, h.db] for h in history[1:]])
    np.testing.assert_allclose(recs.weights[:, 0], seed[:, 0], rtol=RTOL, atol=0)
    np.testing.assert_allclose(recs.intercept, seed[:, 1], rtol=RTOL, atol=0)
    np.testing.assert_allclose(recs.mse, seed[:, 2], rtol=RTOL, atol=0)
    np.testing.assert_allclose(recs.grad_weights[:, 0], seed[:, 3], rtol=RTOL, atol=GRAD_ATOL)
    np.testing.assert_allclose(recs.grad_intercept, seed[:, 4], rtol=RTOL, atol=GRAD_ATOL)
    np.testing.assert_array_equal(recs.epochs, np.arange(1, 1001))


def test_first_epochs_by_hand():
    # Worked by hand in exact arithmetic from x = 1..5, y = 2,4,5,4,5, lr = 1/100:
    # epoch 0: MSE = Σy²/5 = 86/5 = 17.2, dm = −(2/5)·Σxy = −26.4, db = −(2/5)·Σy = −8;
    # epoch 1: m = 0.264, b = 0.08, MSE = 10.490176; epoch 2: m = 0.46512, b = 0.14256.
    session = seed_session()
    first = session.record()
    assert first.epoch == 0
    np.testing.assert_allclose(
        [first.weights[0], first.intercept, first.mse], [0, 0, 17.2], rtol=RTOL, atol=0
    )
    np.testing.assert_allclose(
        [first.grad_weights[0], first.grad_intercept], [-26.4, -8.0], rtol=RTOL, atol=0
    )
    recs = session.trainer.advance(2)
    np.testing.assert_allclose(recs.weights[:, 0], [0.264, 0.46512], rtol=RTOL, atol=0)
    np.testing.assert_allclose(recs.intercept, [0.08, 0.14256], rtol=RTOL, atol=0)
    np.testing.assert_allclose(recs.mse[0], 10.490176, rtol=RTOL, atol=0)
    # epoch 1's gradient, by hand: residuals y − (0.264x + 0.08) → dm = −20.112, db = −6.256.
    np.testing.assert_allclose(
        [recs.grad_weights[0, 0], recs.grad_intercept[0]], [-20.112, -6.256], rtol=RTOL, atol=0
    )


def test_back_and_forward_again_is_bit_identical():
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.01, 1000)
    session = seed_session()
    trainer = session.trainer
    original = trainer.advance(1000)

    trainer.back()
    assert trainer.epoch == 999
    assert_same_record(trainer.record(), original[998])
    again = trainer.advance(1)
    assert_same_records(again, Records.single(original[999]))

    trainer.back(250)
    assert trainer.epoch == 750
    assert trainer.frontier == 1000
    assert trainer.status is Status.READY
    replayed = trainer.advance(250)
    np.testing.assert_array_equal(replayed.epochs, np.arange(751, 1001))
    assert replayed.weights.tolist() == original.weights[750:].tolist()
    assert replayed.intercept.tolist() == original.intercept[750:].tolist()
    assert replayed.mse.tolist() == original.mse[750:].tolist()
    assert replayed.grad_weights.tolist() == original.grad_weights[750:].tolist()
    assert replayed.grad_intercept.tolist() == original.grad_intercept[750:].tolist()
    assert trainer.status is Status.BUDGET_SPENT

    trainer.back(5000)  # clamps at epoch 0
    assert trainer.epoch == 0
    assert_matches_seed(trainer.record(), history)


def test_seek_to_random_epochs_gives_the_seed_loops_values():
    epochs = 3 * CHECKPOINT_EVERY + 100  # crosses several parameter checkpoints
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.01, epochs)
    session = seed_session(epochs=epochs)
    trainer = session.trainer
    original = trainer.advance(epochs)
    rng = np.random.default_rng(20240611)
    targets = [*rng.integers(1, epochs + 1, size=40).tolist(), 1, CHECKPOINT_EVERY - 1]
    targets += [CHECKPOINT_EVERY, CHECKPOINT_EVERY + 1, 2 * CHECKPOINT_EVERY, epochs]
    for epoch in targets:
        trainer.seek(epoch)
        assert trainer.epoch == epoch
        rec = trainer.record()
        assert_same_record(rec, original[epoch - 1])
        assert_matches_seed(rec, history)
        # The trace up to the cursor is the records' MSE, bit for bit.
        assert trainer.loss_trace[1:].tolist() == original.mse[:epoch].tolist()
        # Reading another epoch without moving gives the same record too.
        other = int(rng.integers(1, epochs + 1))
        assert_same_record(trainer.record(other), original[other - 1])
        assert trainer.epoch == epoch
    trainer.seek(1500)
    forward = trainer.advance(700)
    assert forward.mse.tolist() == original.mse[1500:2200].tolist()
    assert forward.weights.tolist() == original.weights[1500:2200].tolist()
    assert forward.intercept.tolist() == original.intercept[1500:2200].tolist()


def test_seek_outside_the_computed_epochs_is_refused():
    session = seed_session()
    session.trainer.advance(10, records=False)
    with pytest.raises(IndexError, match=r"outside 0\.\.10"):
        session.trainer.seek(11)
    with pytest.raises(IndexError):
        session.trainer.seek(-1)


@pytest.mark.parametrize("new_lr", [0.05, 0.002, 0.08])
def test_lr_changed_at_epoch_300_follows_the_seed_schedule(new_lr):
    # The seed loop run with that schedule: 300 epochs at 0.01, then 700 at the new rate.
    m, b, first = seed_loop(SEED_X, SEED_Y, 0.01, 300)
    _, _, second = seed_loop(SEED_X, SEED_Y, new_lr, 700, m, b)
    history = first[:-1] + [h._replace(epoch=h.epoch + 300) for h in second]

    session = seed_session()
    session.trainer.advance(300, records=False)
    same = session.replace(lr=new_lr)
    assert same is session  # lr applies from the current epoch on, in the same run
    assert session.trainer.lr == new_lr
    recs = session.trainer.advance(1000)
    assert session.trainer.epoch == 1000
    assert session.trainer.status is Status.BUDGET_SPENT
    assert len(recs) == 700
    for rec in (recs[0], recs[1], recs[350], recs[-1]):
        assert_matches_seed(rec, history)

    # Back across the change and forward again: the old segment keeps its rate.
    full = [session.trainer.record(e) for e in (150, 299, 300, 301, 650, 1000)]
    for rec in full:
        assert_matches_seed(rec, history)
    session.trainer.seek(120)
    replay = session.trainer.advance(880)
    assert_same_record(replay[299 - 121], full[1])
    assert_same_record(replay[300 - 121], full[2])
    assert_same_record(replay[301 - 121], full[3])
    assert_same_record(replay[-1], full[-1])
