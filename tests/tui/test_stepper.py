"""The async stepper: progress per frame (not per epoch), pausing, and a run of a million epochs
that ends where a headless run of the same settings ends.

Counts are compared with numbers of epochs, never with the clock: a slow machine posts fewer
frames, a fast one cannot post more than one per frame.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from pilot import app_test
from textual.message import Message
from textual.widgets import Input

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.messages import Progress, RunStopped
from linreg_tui.tui.stepper import Stepper

#: Least squares for the seed's points: slope Sxy/Sxx = 6/10, intercept 4 − 0.6·3, MSE 2.4/5.
LS_M, LS_B, LS_MSE = 0.6, 2.2, 0.48


def drive(session: Session, to_end: bool, on_progress=None) -> tuple[Stepper, list[Message]]:
    """Run a stepper on ``session`` outside any app; every message it posts is kept, in order."""
    posted: list[Message] = []

    def post(message: Message) -> None:
        posted.append(message)
        if on_progress is not None and isinstance(message, Progress):
            on_progress(stepper)

    stepper = Stepper(lambda: session.trainer, post)
    asyncio.run(stepper.run(to_end))
    return stepper, posted


def test_a_run_to_the_end_posts_per_frame_not_per_epoch():
    budget = 100_000
    session = Session(seed_dataset(), Hyperparameters(epochs=budget))
    stepper, posted = drive(session, to_end=True)

    progress = [m for m in posted if isinstance(m, Progress)]
    assert len(progress) <= budget / 100
    epochs = [m.epoch for m in progress]
    assert epochs == sorted(set(epochs))  # each frame shows a new epoch
    assert all(0 < e <= budget for e in epochs)
    # exactly one stop, last, at the budget, not a pause
    assert posted[-1] == RunStopped(budget, False)
    assert sum(isinstance(m, RunStopped) for m in posted) == 1
    assert session.trainer.epoch == budget
    assert session.trainer.status is Status.BUDGET_SPENT
    assert not stepper.running


def test_pause_stops_the_run_before_another_epoch():
    """Pausing on the first frame: the run stops at that frame's epoch, short of the budget."""
    session = Session(seed_dataset(), Hyperparameters(epochs=1000))
    # paced at the default speed (100 epochs a second): the budget is ten seconds away
    stepper, posted = drive(session, to_end=False, on_progress=lambda s: s.pause())

    progress = [m for m in posted if isinstance(m, Progress)]
    assert len(progress) == 1
    frame = progress[0].epoch
    assert posted[-1] == RunStopped(frame, True)
    assert session.trainer.epoch == frame
    assert 0 < frame < 1000
    assert session.trainer.status is Status.READY
    assert not stepper.running

    # and it goes on from there when run again
    stepper, posted = drive(session, to_end=True)
    assert posted[-1] == RunStopped(1000, False)


def test_speed_keys_and_end_choose_the_pace():
    stepper = Stepper(lambda: None, lambda m: None)
    assert stepper.speed == 100
    stepper.faster()
    assert stepper.speed == 300
    for _ in range(20):
        stepper.slower()
    assert stepper.speed == 1
    for _ in range(20):
        stepper.faster()
    assert stepper.speed is None  # as fast as slices allow


@app_test
async def test_e_with_a_million_epochs_ends_where_a_headless_run_ends():
    budget = 1_000_000
    seen: list[Message] = []
    app = make_app()
    async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
        inp = app.query_one("#set-epochs", Input)
        inp.focus()
        await pilot.pause()
        await pilot.press("ctrl+shift+a", *"1000000", "enter")
        await pilot.pause()
        assert app.session.hp.epochs == budget
        seen.clear()

        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()

        t = app.session.trainer
        assert t.epoch == budget
        assert t.status is Status.BUDGET_SPENT
        shown = str(app.query_one("#status").render())
        assert shown.startswith("epoch 1,000,000/1,000,000 budget spent")
        redraws = [m for m in seen if isinstance(m, Progress)]
        assert len(redraws) <= budget / 100
        assert [m for m in seen if isinstance(m, RunStopped)] == [RunStopped(budget, False)]
        rec = app.session.record()

    # the same settings, run headless by a session of its own
    headless = Session(seed_dataset(), Hyperparameters(epochs=budget))
    headless.trainer.advance(budget, records=False)
    want = headless.record()
    assert want.epoch == rec.epoch == budget
    np.testing.assert_array_equal(rec.weights, want.weights)
    assert (rec.intercept, rec.mse) == (want.intercept, want.mse)
    np.testing.assert_array_equal(rec.grad_weights, want.grad_weights)
    # and a million epochs at lr 0.01 have converged to least squares
    assert rec.weights[0] == pytest.approx(LS_M, abs=1e-9)
    assert rec.intercept == pytest.approx(LS_B, abs=1e-9)
    assert rec.mse == pytest.approx(LS_MSE, rel=1e-12)


def test_a_paced_run_posts_only_when_the_epoch_moved():
    """At 3 epochs a second most frame ticks see no new epoch: they post nothing."""
    session = Session(seed_dataset(), Hyperparameters(epochs=1000))
    progress: list[int] = []

    def on_progress(stepper: Stepper) -> None:
        progress.append(session.trainer.epoch)
        if len(progress) == 3:
            stepper.pause()

    posted: list[Message] = []

    def post(message: Message) -> None:
        posted.append(message)
        if isinstance(message, Progress):
            on_progress(stepper)

    stepper = Stepper(lambda: session.trainer, post)
    while stepper.speed != 3:
        stepper.slower()
    asyncio.run(stepper.run(to_end=False))
    epochs = [m.epoch for m in posted if isinstance(m, Progress)]
    assert epochs == progress
    assert epochs == sorted(set(epochs))  # a new epoch each time, never a repeat
    assert stepper.busy > 0  # the trainer's CPU time is kept, for the pacer
