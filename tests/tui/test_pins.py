"""Pilot tests of pinned runs: p pins (up to 4), P un-pins, the legend names runs by what differs,
every chart overlays the pinned runs, and the runs table lists them.

Independent answers: the seed's loop written out below in plain floats (lr 0.01 after 100 epochs),
not the core's numbers.
"""

from __future__ import annotations

import pytest
from pilot import app_test
from textual.widgets import Input

from linreg_tui.tui.app import make_app
from linreg_tui.tui.landscape_view import LandscapeView
from linreg_tui.tui.pins import PIN_MARKS

SEED_X = (1.0, 2.0, 3.0, 4.0, 5.0)
SEED_Y = (2.0, 4.0, 5.0, 4.0, 5.0)


def seed_run(lr: float, epochs: int) -> tuple[float, float, float]:
    """(m, b, MSE) after ``epochs`` of the seed's update rule from (0, 0)."""
    m = b = 0.0
    n = len(SEED_X)
    for _ in range(epochs):
        dm = (-2 / n) * sum(x * (y - (m * x + b)) for x, y in zip(SEED_X, SEED_Y))
        db = (-2 / n) * sum(y - (m * x + b) for x, y in zip(SEED_X, SEED_Y))
        m, b = m - lr * dm, b - lr * db
    mse = sum((y - (m * x + b)) ** 2 for x, y in zip(SEED_X, SEED_Y)) / n
    return m, b, mse


async def set_lr(pilot, app, text: str) -> None:
    field = app.query_one("#set-lr", Input)
    field.focus()
    await pilot.pause()
    await pilot.press("ctrl+shift+a", *text)
    assert field.value == text
    await pilot.press("enter", "escape")
    await pilot.pause()
    assert app.session.hp.lr == float(text)


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector).render())


@app_test
async def test_pin_change_lr_and_run_again_overlays_and_names_both_runs():
    app = make_app()
    # wide enough for the keys to name the runs (a narrower key leaves items out whole)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("right_curly_bracket", "p")  # 100 epochs at lr 0.01, pinned
        await pilot.pause()
        assert len(app.pinned) == 1
        pinned = app.pinned[0]
        m, b, mse = seed_run(0.01, 100)
        assert pinned.epoch == 100
        assert pinned.weights[0] == pytest.approx(m, rel=1e-12)
        assert pinned.intercept == pytest.approx(b, rel=1e-12)
        assert pinned.mse == pytest.approx(mse, rel=1e-12)
        assert len(pinned.loss) == 101

        await set_lr(pilot, app, "0.05")
        await pilot.press("ctrl+r", "right_square_bracket")
        await pilot.pause()
        # The pin kept its history although the current run restarted with another rate.
        assert app.pinned[0].epoch == 100 and len(app.pinned[0].loss) == 101
        loss_key = text_of(app, "#loss-key")
        fit_key = text_of(app, "#fit-key")
        assert f"{PIN_MARKS[0]} lr 0.01" in loss_key
        assert f"{PIN_MARKS[0]} lr 0.01" in fit_key
        runs = text_of(app, "#runs")
        assert f"{PIN_MARKS[0]} lr 0.01: 100 epochs, MSE {mse:.6g}, ready" in runs
        assert "now: lr 0.05" in runs
        assert app.query_one("#runs").display
        view = app.query_one(LandscapeView)
        assert len(view._data.pins) == 1
        assert "lr 0.01" in text_of(app, "#landscape-key")
        rows = ["".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)]
        assert any("x" in row or PIN_MARKS[0] in row for row in rows)

        # A second pin: the legend now names each of the three by lr.
        await pilot.press("p")
        await set_lr(pilot, app, "0.002")
        await pilot.press("ctrl+r", "space")
        await pilot.pause()
        loss_key = text_of(app, "#loss-key")
        assert f"{PIN_MARKS[0]} lr 0.01" in loss_key and f"{PIN_MARKS[1]} lr 0.05" in loss_key

        await pilot.press("P")
        await pilot.pause()
        assert len(app.pinned) == 1
        assert "lr 0.05" not in text_of(app, "#loss-key")
        await pilot.press("P")
        await pilot.pause()
        assert app.pinned == []
        assert not app.query_one("#runs").display
        assert PIN_MARKS[0] not in text_of(app, "#loss-key")


@app_test
async def test_at_most_four_pins_and_unpin_with_none_says_so():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("P")
        await pilot.pause()
        assert app.pinned == []
        for _ in range(5):
            await pilot.press("space", "p")
        await pilot.pause()
        assert len(app.pinned) == 4
        assert [p.epoch for p in app.pinned] == [1, 2, 3, 4]
        # Nothing differs between them but the history: "run k".
        assert "run 1" in text_of(app, "#loss-key")


@app_test
async def test_legend_names_runs_by_standardise_when_that_is_what_differs():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("space", "p")
        box = app.query_one("#set-standardize")
        box.focus()
        await pilot.press("space", "escape")  # standardise on: a new run at epoch 0
        await pilot.press("space")
        await pilot.pause()
        assert app.session.hp.standardize
        assert "standardise off" in text_of(app, "#loss-key")
        # The pinned raw path is drawn in the standardised run's coordinates.
        view = app.query_one(LandscapeView)
        assert len(view._data.pins) == 1 and view._data.standardized


@app_test
async def test_a_setting_changed_during_the_current_run_is_named_in_the_runs_table():
    """Pin at the end, change lr, press e: the budget is spent, so nothing runs, and the table
    said 'now: lr 0.05' of a path run at lr 0.01 all along."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("p")
        await set_lr(pilot, app, "0.05")
        await pilot.press("e")
        await pilot.pause()
        table = text_of(app, "#runs")
        assert "now: lr 0.01, then lr 0.05 (changed during the run; ctrl+r restarts)" in table
        await pilot.press("ctrl+r")
        await pilot.pause()
        table = text_of(app, "#runs")
        assert "now: lr 0.05" in table and "then" not in table
