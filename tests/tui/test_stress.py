"""Key-mashing stress: thousands of random keys and terminal sizes, and the app stays consistent.

The app must never crash (``run_test`` re-raises whatever killed it) and, after every burst of
keys, what it holds and what it shows must agree with each other and with the rules of a run:

- ``0 <= epoch <= frontier <= budget``; the loss trace holds epochs 0..epoch and is finite;
- the current record (parameters, MSE) is finite; the status is one of the four;
- once any run is stopped, the status panel's first line is ``epoch E/B status`` for the trainer's
  own epoch, budget and status, and its m is the record's m to the 6 digits shown;
- a chart with room to draw shows a plot, however many times it is rendered;
- the "make the window larger" message shows exactly when the terminal is below 60×18.

``pilot.press`` waits for the app to go idle after every key (at least 40 ms a key), which would
make 3,000 keys take minutes; and a person mashing keys does not wait either. So most bursts are
posted as key events all at once (the pilot's own way of sending a key, minus the wait) and the
app is then let settle with ``pilot.pause()``; every few bursts go through ``pilot.press``.
The keys are drawn from a seeded ``random.Random``, so every run sends the same keys.

The long-run stress checks its end against independent answers: the seed script's printed
slope and intercept after 1000 epochs, and the least-squares line of the seed's points
(slope 0.6, intercept 2.2, by hand from the normal equations).
"""

from __future__ import annotations

import math
import random
import re
import time

import numpy as np
from pilot import app_test
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import LinregApp, make_app
from linreg_tui.tui.fit_chart import FitChart
from linreg_tui.tui.loss_chart import LossChart
from linreg_tui.tui.status_panel import StatusPanel

#: Below this the app asks for a larger window (the message says "at least 60×18").
MIN_W, MIN_H = 60, 18
STATUSES = {"ready", "converged", "budget spent", "diverged"}
#: Seconds a wait may last: it only turns a hang into a failure.
DEADLINE_S = 120.0

#: The seed's data and the seed script's printed results after 1000 epochs at lr 0.01.
SEED_X = (1.0, 2.0, 3.0, 4.0, 5.0)
SEED_Y = (2.0, 4.0, 5.0, 4.0, 5.0)
SEED_SLOPE = 0.6176946148762643
SEED_INTERCEPT = 2.136116825825789
#: Least squares on the seed's points: Sxy/Sxx = 6/10, ȳ − 0.6·x̄ = 4 − 1.8.
LS_SLOPE, LS_INTERCEPT = 0.6, 2.2

#: Characters for the named keys (what a terminal's key event carries).
CHARACTERS = {
    "space": " ",
    "tab": "\t",
    "enter": "\r",
    "escape": "\x1b",
    "backspace": "\x7f",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "underscore": "_",
    "question_mark": "?",
    "full_stop": ".",
    "comma": ",",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
}


def binding_keys() -> list[str]:
    """Every key bound on the app, except the one that quits it."""
    keys = set()
    for binding in LinregApp.BINDINGS:
        if binding.action != "quit":
            keys.update(k.strip() for k in binding.key.split(","))
    return sorted(keys)


#: q is left out everywhere: outside a text field it quits, which would end the test early.
MASH_KEYS = sorted(
    set(binding_keys())
    | set("0123456789")
    | (set("abcdefghijklmnopqrstuvwxyz") - {"q"})
    | {"tab", "shift+tab", "escape", "enter", "backspace", "up", "down", "left", "right"}
    | {"full_stop", "comma", "minus"}
)
#: Sizes the terminal is set to now and then: tiny, just below and at the minimum, the tabbed
#: and the wide layout, large.
SIZES = [(20, 5), (59, 17), (60, 17), (59, 18), (60, 18), (80, 24), (109, 33), (110, 34), (200, 60)]


def post_keys(app: LinregApp, keys: list[str]) -> None:
    """Queue key events all at once, as a terminal delivers keys typed faster than handled."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else CHARACTERS.get(key)))


async def stop_runs(pilot: Pilot, app: LinregApp) -> None:
    """Pause any run ('r' pauses a run, whatever has the focus) and let the app settle."""
    deadline = time.monotonic() + DEADLINE_S
    while app.stepper.running or any(not w.is_finished for w in app.workers):
        if app.stepper.running:
            await app.run_action("run")
        await pilot.pause()
        assert time.monotonic() < deadline, "a run did not stop when paused"
    await pilot.pause()


def check_trainer(app: LinregApp, where: str) -> None:
    t = app.session.trainer
    assert 0 <= t.epoch <= t.frontier <= t.budget, (where, t.epoch, t.frontier, t.budget)
    trace = t.loss_trace
    assert trace.shape == (t.epoch + 1,), (where, trace.shape, t.epoch)
    assert np.isfinite(trace).all(), where
    rec = app.session.record()
    assert rec.epoch == t.epoch, where
    assert np.isfinite(rec.weights).all(), (where, rec)
    assert math.isfinite(rec.intercept) and math.isfinite(rec.mse), (where, rec)
    assert t.status.value in STATUSES, (where, t.status)


def check_panel(app: LinregApp, where: str) -> None:
    """With no run going, the status panel shows the trainer's epoch, budget, status and m."""
    assert not app.stepper.running
    t = app.session.trainer
    lines = app.query_one(StatusPanel).render().plain.splitlines()
    expected = f"epoch {t.epoch:,}/{t.budget:,} {t.status.value} "
    assert lines[0].startswith(expected), (where, lines[0], expected)
    shown_m = re.match(r"m (\S+) \(LS", lines[1])
    assert shown_m, (where, lines[1])
    m = float(app.session.record().weights[0])
    assert math.isclose(float(shown_m.group(1)), m, rel_tol=5e-6, abs_tol=1e-300), (
        where,
        lines[1],
        m,
    )


def check_charts(app: LinregApp, where: str) -> None:
    """A chart with room to draw draws its plot (a y axis with ticks, '┤'), and draws it again
    when rendered again: Textual renders a widget whenever it needs to (a resize, a dialog
    closing), so a render must not depend on being the first since the data was set."""
    for chart in (app.query_one(LossChart), app.query_one(FitChart)):
        if chart.size.width >= 30 and chart.size.height >= 8:
            for attempt in ("first", "second"):
                drawn = chart.render().plain
                assert "┤" in drawn, (where, type(chart).__name__, attempt, chart.size, drawn)


def check_size(app: LinregApp, width: int, height: int) -> None:
    assert (app.size.width, app.size.height) == (width, height)
    small = width < MIN_W or height < MIN_H
    assert app.default_screen.has_class("-too-small") == small, (width, height)
    if small:
        message = app.query_one("#too-small", Static).render().plain
        assert f"this one is {width}×{height}" in message, message


@app_test
async def test_random_keys_and_sizes_keep_the_app_consistent(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # s, w and ctrl+s write files: not into the repository
    rng = random.Random(1234)
    app = make_app()
    keys_sent = 0
    async with app.run_test(size=(80, 24)) as pilot:
        for burst in range(120):  # 120 bursts of 25: 3,000 keys
            if burst % 4 == 0:  # a resize every 100 keys
                width, height = (
                    rng.choice(SIZES)
                    if rng.random() < 0.6
                    else (rng.randint(10, 220), rng.randint(3, 70))
                )
                await pilot.resize_terminal(width, height)
                check_size(app, width, height)
            keys = [rng.choice(MASH_KEYS) for _ in range(25)]
            where = f"burst {burst}, after {keys_sent} keys, then {keys}"
            if burst % 12 == 11:  # 10 bursts (250 keys) through pilot.press
                await pilot.press(*keys)
            else:
                post_keys(app, keys)
                await pilot.pause()
            keys_sent += len(keys)
            check_trainer(app, where)
            if burst % 3 == 2:
                await stop_runs(pilot, app)
                check_trainer(app, where)
                check_panel(app, where)
                check_charts(app, where)
                check_size(app, width, height)
        await stop_runs(pilot, app)
        check_trainer(app, "the end")
        check_panel(app, "the end")
        check_charts(app, "the end")
    assert keys_sent == 3000


#: Keys that pause, resume, step and go back, pressed while a long run goes on.
RUN_KEYS = [
    "space",
    "backspace",
    "r",
    "e",
    "left_square_bracket",
    "right_square_bracket",
    "left_curly_bracket",
    "right_curly_bracket",
    "plus",
    "minus",
]


@app_test
async def test_pausing_stepping_and_going_back_during_a_ten_million_epoch_run(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rng = random.Random(1234)
    budget = 10_000_000
    app = make_app(Session(seed_dataset(), Hyperparameters(lr=0.01, epochs=budget)))
    async with app.run_test(size=(80, 24)) as pilot:
        post_keys(app, ["e"])
        most = 0
        for burst in range(150):
            keys = [rng.choice(RUN_KEYS) for _ in range(8)]
            where = f"burst {burst}: {keys}"
            post_keys(app, keys)
            # A fixed pause, not pilot.pause(): a run at full speed never lets the app go idle.
            await pilot.pause(0.02)
            check_trainer(app, where)
            most = max(most, app.session.trainer.frontier)
            if burst % 10 == 9:
                await stop_runs(pilot, app)
                check_trainer(app, where)
                check_panel(app, where)
                post_keys(app, ["e"])  # and off again, at full speed
        assert most > 1000, "the run never got past epoch 1000"

        # Finish the run: it must reach the budget whatever was pressed before.
        await stop_runs(pilot, app)
        t = app.session.trainer
        deadline = time.monotonic() + DEADLINE_S
        while t.status is not Status.BUDGET_SPENT:
            assert t.status is Status.READY, t.message
            if not app.stepper.running:
                await app.run_action("end")
            await pilot.pause(0.05)
            assert time.monotonic() < deadline, f"the run did not finish: {t.message}"
        await stop_runs(pilot, app)
        check_trainer(app, "end of the budget")
        check_panel(app, "end of the budget")
        assert t.epoch == t.frontier == t.budget == budget

        # Epoch 1000, recomputed from its checkpoint after all the steps back and forth, is the
        # seed script's; epoch 10,000,000 is least squares (lr 0.01 is stable: the error
        # shrinks by at least 1 − 0.01·λmin per epoch, far below rounding after 10M epochs).
        rec = app.session.record(1000)
        np.testing.assert_allclose(rec.weights[0], SEED_SLOPE, rtol=1e-12, atol=0)
        np.testing.assert_allclose(rec.intercept, SEED_INTERCEPT, rtol=1e-12, atol=0)
        seed_mse = sum(
            (y - (SEED_SLOPE * x + SEED_INTERCEPT)) ** 2 for x, y in zip(SEED_X, SEED_Y)
        ) / len(SEED_X)
        np.testing.assert_allclose(t.loss_trace[1000], seed_mse, rtol=1e-12, atol=0)
        last = app.session.record()
        np.testing.assert_allclose(last.weights[0], LS_SLOPE, rtol=1e-9, atol=0)
        np.testing.assert_allclose(last.intercept, LS_INTERCEPT, rtol=1e-9, atol=0)
        np.testing.assert_allclose(t.loss_trace[-1], 0.48, rtol=1e-9, atol=0)  # LS MSE 2.4/5
