"""Pilot tests: every key of the app, the settings form, the command palette and the layouts.

The numbers are checked against independent answers: the seed script's printed results, and the
seed's update rule written out below in plain Python floats (no numpy, no core), never against
what the core returns for the same question.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from pilot import app_test
from textual.command import CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import LinregApp, make_app
from linreg_tui.tui.help_screen import HelpScreen

SIZE = (100, 32)


# -- independent answers ---------------------------------------------------------------------------

#: The seed's data.
SEED_X = (1.0, 2.0, 3.0, 4.0, 5.0)
SEED_Y = (2.0, 4.0, 5.0, 4.0, 5.0)

#: The seed script's output after 1000 epochs at lr 0.01 from (0, 0).
SEED_M_1000 = 0.6176946148762643
SEED_B_1000 = 2.136116825825789
SEED_PRED_6 = 5.842284515083374
#: Epochs 1 and 2 (by hand: m1 = 0.01·26.4, b1 = 0.01·8, and so on).
M1, B1, MSE1 = 0.264, 0.08, 10.490176
M2, B2 = 0.46512, 0.14256
#: ∂m, ∂b at epoch 0 (m = b = 0): −2/5·Σx·y and −2/5·Σy.
DM0, DB0 = -26.4, -8.0
#: Least squares: slope Sxy/Sxx = 6/10, intercept 4 − 0.6·3, MSE 2.4/5.
LS_M, LS_B, LS_MSE = 0.6, 2.2, 0.48
#: 2/λmax of the Hessian [[2·Σx²/n, 2·Σx/n], [2·Σx/n, 2]] = [[22, 6], [6, 2]].
LR_MAX = 2 / (12 + math.sqrt(136))


def seed_gradient(m: float, b: float) -> tuple[float, float]:
    """The seed script's ∂m and ∂b, in plain floats."""
    n = len(SEED_X)
    dm = (-2 / n) * sum(x * (y - (m * x + b)) for x, y in zip(SEED_X, SEED_Y))
    db = (-2 / n) * sum(y - (m * x + b) for x, y in zip(SEED_X, SEED_Y))
    return dm, db


def seed_mse(m: float, b: float) -> float:
    return sum((y - (m * x + b)) ** 2 for x, y in zip(SEED_X, SEED_Y)) / len(SEED_X)


def seed_run(
    epochs: int, lr: float, m: float = 0.0, b: float = 0.0
) -> list[tuple[float, float, float]]:
    """(m, b, MSE) at epochs 0..epochs of the seed's loop."""
    out = [(m, b, seed_mse(m, b))]
    for _ in range(epochs):
        dm, db = seed_gradient(m, b)
        m, b = m - lr * dm, b - lr * db
        out.append((m, b, seed_mse(m, b)))
    return out


def test_seed_run_reproduces_the_seed_script():
    """The plain-float loop above is the seed's: it prints the seed's final numbers."""
    m, b, _ = seed_run(1000, 0.01)[-1]
    assert (m, b, m * 6 + b) == (SEED_M_1000, SEED_B_1000, SEED_PRED_6)


# -- reading the screen ----------------------------------------------------------------------------


def lines_of(widget: Widget) -> list[str]:
    """The text a widget draws, line by line, without trailing blanks."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text.rstrip() for strip in widget.render_lines(region)]


def status_lines(app: LinregApp) -> list[str]:
    return [line.strip() for line in lines_of(app.query_one("#status"))]


def status_value(app: LinregApp, label: str) -> str:
    """The word after ``label`` in the status panel, e.g. ``status_value(app, "m")``."""
    text = "\n".join(status_lines(app))
    found = re.search(rf"(?:^|\s){re.escape(label)} (\S+)", text)
    assert found, f"{label!r} not in the status panel:\n{text}"
    return found.group(1)


def shown_epoch(app: LinregApp) -> tuple[int, int, str]:
    """(epoch, budget, state word(s)) from the first status line."""
    found = re.match(r"epoch ([\d,]+)/([\d,]+) (.+?)  MSE", status_lines(app)[0])
    assert found, status_lines(app)[0]
    return int(found[1].replace(",", "")), int(found[2].replace(",", "")), found[3].strip()


async def log_rows(pilot: Pilot) -> list[list[str]]:
    """The iteration log's rows (pane 3), split into cells; the header row is left out."""
    await pilot.press("3")
    await pilot.pause()
    lines = [line.split() for line in lines_of(pilot.app.query_one("#log-rows"))]
    assert lines[0][:2] == ["epoch", "MSE"], lines[0]
    return [cells for cells in lines[1:] if cells]


async def arithmetic_text(pilot: Pilot) -> str:
    """The arithmetic under the iteration log (pane 3)."""
    await pilot.press("3")
    await pilot.pause()
    return "\n".join(lines_of(pilot.app.query_one("#log-arithmetic")))


def note_text(app: LinregApp) -> str:
    return " ".join(lines_of(app.query_one("#settings-note"))).strip()


def y_ticks(app: LinregApp) -> list[float]:
    """The numbers on the loss chart's y axis, top to bottom."""
    ticks = []
    for line in lines_of(app.query_one("#loss")):
        found = re.match(r"^\s*([-+.\de]+)[┤├]", line)
        if found:
            ticks.append(float(found[1]))
    return ticks


async def wait_until(pilot: Pilot, condition, what: str, rounds: int = 20_000) -> None:
    """Let the app run (``pilot.pause()``) until ``condition()`` holds."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


async def type_into(pilot: Pilot, field: str, text: str, then: str | None = "enter") -> Input:
    """Focus ``#set-<field>``, select all, type ``text`` and press ``then``."""
    inp = pilot.app.query_one(f"#set-{field}", Input)
    inp.focus()
    await pilot.pause()
    await pilot.press("ctrl+shift+a", *text)
    assert inp.value == text
    if then:
        await pilot.press(then)
    await pilot.pause()
    return inp


async def run_to_completion(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# -- stepping --------------------------------------------------------------------------------------


@app_test
async def test_space_steps_at_once_and_every_view_shows_epoch_1():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is None  # no input swallows the first key
        assert shown_epoch(app) == (0, 1000, "ready")
        await pilot.press("space")

        rec = app.session.record()
        assert rec.epoch == 1
        assert rec.weights[0] == pytest.approx(M1, abs=1e-15)
        assert rec.intercept == pytest.approx(B1, abs=1e-15)
        assert rec.mse == pytest.approx(MSE1, rel=1e-14)
        start = app.session.record(0)
        assert start.grad_weights[0] == pytest.approx(DM0, abs=1e-13)
        assert start.grad_intercept == pytest.approx(DB0, abs=1e-13)

        assert shown_epoch(app) == (1, 1000, "ready")
        assert float(status_value(app, "m")) == M1
        assert float(status_value(app, "b")) == B1
        assert float(status_value(app, "MSE")) == pytest.approx(MSE1, rel=1e-5)
        assert status_value(app, "ŷ(6)") == "1.664"  # 0.264·6 + 0.08

        # the arithmetic of the step, with the seed's gradient at epoch 0
        explained = await arithmetic_text(pilot)
        assert "m ← 0 − 0.01 × (-26.4) = 0.264" in explained
        assert "b ← 0 − 0.01 × (-8) = 0.08" in explained

        rows = await log_rows(pilot)
        assert [r[0] for r in rows] == ["0", "1"]
        epoch0, epoch1 = ([float(c) for c in r[1:6]] for r in rows)
        assert epoch0 == pytest.approx([17.2, 0, 0, DM0, DB0], rel=1e-5)
        dm1, db1 = seed_gradient(M1, B1)
        assert epoch1 == pytest.approx([MSE1, M1, B1, dm1, db1], rel=1e-5)


@app_test
async def test_backspace_goes_back_exactly_and_not_below_epoch_0():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "space")
        third = app.session.record()
        await pilot.press("backspace")
        rec = app.session.record()
        assert rec.epoch == 2
        assert (rec.weights[0], rec.intercept) == pytest.approx((M2, B2), abs=1e-15)
        assert shown_epoch(app)[0] == 2
        assert float(status_value(app, "m")) == M2
        assert float(status_value(app, "b")) == B2

        await pilot.press("backspace", "backspace")
        assert app.session.record().epoch == 0
        assert (app.session.record().weights[0], app.session.record().intercept) == (0.0, 0.0)
        await pilot.press("backspace")  # already at 0: nothing moves
        assert app.session.trainer.epoch == 0
        assert shown_epoch(app)[0] == 0

        await pilot.press("space")
        again = app.session.record()
        assert (again.weights[0], again.intercept) == pytest.approx((M1, B1), abs=1e-15)
        await pilot.press("space", "space")
        replay = app.session.record()
        assert replay.epoch == 3
        # bit for bit: forward again gives the same numbers as the first time
        np.testing.assert_array_equal(replay.weights, third.weights)
        assert (replay.intercept, replay.mse) == (third.intercept, third.mse)

        rows = await log_rows(pilot)
        assert [r[0] for r in rows if r[-1] == "back"] == ["2", "1", "0"]


@app_test
async def test_brackets_step_ten_and_a_hundred():
    expected = seed_run(110, 0.01)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key, epoch in [("]", 10), ("}", 110), ("[", 100), ("{", 0), ("[", 0), ("]", 10)]:
            await pilot.press(key)
            rec = app.session.record()
            m, b, mse = expected[epoch]
            assert rec.epoch == epoch, key
            assert rec.weights[0] == pytest.approx(m, rel=1e-12, abs=1e-15)
            assert rec.intercept == pytest.approx(b, rel=1e-12, abs=1e-15)
            assert rec.mse == pytest.approx(mse, rel=1e-12)
            assert shown_epoch(app)[0] == epoch
            assert float(status_value(app, "m")) == pytest.approx(m, rel=1e-5, abs=1e-12)


@app_test
async def test_r_runs_and_r_again_pauses_at_once():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: "running" in status_lines(app)[0], "status: running")
        assert app.stepper.running
        await pilot.press("r")
        paused_at = app.session.trainer.epoch
        await run_to_completion(pilot)
        for _ in range(5):
            await pilot.pause()
        assert app.session.trainer.epoch == paused_at  # not one epoch after the pause
        assert not app.stepper.running
        assert 0 < paused_at < 1000
        assert shown_epoch(app) == (paused_at, 1000, "ready")
        m, b, _ = seed_run(paused_at, 0.01)[-1]
        assert app.session.record().weights[0] == pytest.approx(m, rel=1e-12)
        assert app.session.record().intercept == pytest.approx(b, rel=1e-12)


@app_test
async def test_e_runs_to_the_seed_scripts_final_numbers():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await run_to_completion(pilot)
        rec = app.session.record()
        assert rec.epoch == 1000
        assert app.session.trainer.status is Status.BUDGET_SPENT
        assert rec.weights[0] == pytest.approx(SEED_M_1000, abs=1e-12)
        assert rec.intercept == pytest.approx(SEED_B_1000, abs=1e-12)
        assert app.session.prediction(rec) == pytest.approx(SEED_PRED_6, abs=1e-12)

        assert shown_epoch(app) == (1000, 1000, "budget spent")
        assert float(status_value(app, "m")) == pytest.approx(SEED_M_1000, rel=5e-6)
        assert float(status_value(app, "b")) == pytest.approx(SEED_B_1000, rel=5e-6)
        assert float(status_value(app, "ŷ(6)")) == pytest.approx(SEED_PRED_6, rel=5e-6)

        await pilot.press("space")  # the budget is spent: no step
        assert app.session.trainer.epoch == 1000


@app_test
async def test_e_while_running_goes_to_the_end_and_backspace_while_running_pauses():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "e")
        await run_to_completion(pilot)
        assert app.session.trainer.epoch == 1000
        assert app.session.record().weights[0] == pytest.approx(SEED_M_1000, abs=1e-12)

        await pilot.press("ctrl+r", "r")
        await wait_until(pilot, lambda: app.stepper.running, "a run")
        await pilot.press("backspace")  # while running: pauses, does not step back
        paused_at = app.session.trainer.epoch
        await run_to_completion(pilot)
        assert not app.stepper.running
        assert app.session.trainer.epoch == paused_at


@app_test
async def test_plus_and_minus_change_the_speed_shown():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert status_value(app, "speed") == "100/s"
        for key, shown in [
            ("plus", "300/s"),
            ("equals_sign", "1,000/s"),
            ("minus", "300/s"),
            ("underscore", "100/s"),
            ("minus", "30/s"),
        ]:
            await pilot.press(key)
            assert status_value(app, "speed") == shown, key
        await pilot.press("minus", "minus", "minus", "minus")  # 10/s, 3/s, 1/s, and no lower
        assert status_value(app, "speed") == "1/s"
        await pilot.press(*["plus"] * 10)  # 9 steps up the list, and no higher
        assert status_value(app, "speed") == "max"


@app_test
async def test_ctrl_r_restarts_at_epoch_0_with_the_current_settings():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("}", "space")
        assert app.session.trainer.epoch == 101
        await pilot.press("ctrl+r")
        rec = app.session.record()
        assert (rec.epoch, rec.weights[0], rec.intercept) == (0, 0.0, 0.0)
        assert shown_epoch(app) == (0, 1000, "ready")
        assert float(status_value(app, "MSE")) == 17.2
        assert "restarted at epoch 0" in await arithmetic_text(pilot)
        # The history is dropped: nothing beyond epoch 0 is left to replay.
        assert app.session.trainer.frontier == 0
        await pilot.press("space")
        assert app.session.record().weights[0] == pytest.approx(M1, abs=1e-15)


@app_test
async def test_a_tol_set_after_a_run_stops_the_run_after_a_restart():
    # tol 1e-6 at lr 0.01 stops at epoch 1,240 (the first epoch lowering the MSE by < 1e-6:
    # checked against exact arithmetic in tests/core/test_analysis.py).
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.trainer.epoch == 1000
        app.session = app.session.replace(tol=1e-6, epochs=5000)
        await pilot.press("ctrl+r", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.trainer.status.value == "converged"
        assert app.session.trainer.epoch == 1240


@app_test
async def test_l_switches_the_loss_chart_to_log_scale_and_back():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("]", "]")
        linear = y_ticks(app)
        gaps = np.diff(linear)
        assert np.ptp(gaps) < 0.05 * (linear[0] - linear[-1])  # evenly spaced values

        await pilot.press("l")
        assert app.log_scale
        assert "log scale" in str(app.query_one("#panes").border_title)
        logged = y_ticks(app)
        ratios = np.array(logged[:-1]) / np.array(logged[1:])
        assert ratios.max() / ratios.min() < 1.05  # evenly spaced logarithms
        assert np.ptp(np.diff(logged)) > 0.2 * (logged[0] - logged[-1])  # not even values
        # the optimum is the floor: within a label's step of the lowest label
        assert logged[-1] / ratios.max() < LS_MSE < logged[-1] * ratios.max()

        await pilot.press("l")
        assert not app.log_scale
        assert "log scale" not in str(app.query_one("#panes").border_title)
        assert y_ticks(app) == linear


# -- help, panes, focus, quitting ------------------------------------------------------------------

#: What the help screen calls each key.
KEY_LABELS = {
    "space": "space",
    "backspace": "backspace",
    "r": "r",
    "e": "e",
    "ctrl+r": "Ctrl+r",
    "ctrl+s": "Ctrl+s",
    "ctrl+z": "Ctrl+z",
    "l": "l",
    "i": "i",
    "question_mark": "?",
    "q": "q",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "plus,equals_sign": "+, =",
    "minus,underscore": "-, _",
    "1": "1",
    "2": "2",
    "3": "3",
    "4": "4",
    "g": "g",
    "5": "5",
    "x": "x",
    "h": "h",
    "z": "z",
    "Z": "Z",
    "c": "c",
    "o": "o",
    "v": "v",
    "p": "p",
    "P": "P",
    "s": "s",
    "escape": "escape",
}


@app_test
async def test_question_mark_opens_help_with_every_binding_and_escape_closes_it():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        lines = [line.strip() for line in text.splitlines()]
        assert {b.key for b in app.BINDINGS} == set(KEY_LABELS)
        for b in app.BINDINGS:
            what = b.tooltip or b.description  # the help explains; the footer keeps it short
            row = re.compile(rf"{re.escape(KEY_LABELS[b.key])}\s+{re.escape(what)}")
            assert any(row.fullmatch(line) for line in lines), f"no row for {b.key}:\n{text}"
        assert "[/" not in text  # no markup leaks into the text

        await pilot.press("space")  # the help screen is modal: the app does not step
        assert app.session.trainer.epoch == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("space")
        assert app.session.trainer.epoch == 1


@app_test
async def test_the_help_scrolls_from_the_keyboard_at_once():
    """Longer than 80×24: End, Page Up/Down and the arrows scroll it without a Tab first (they
    did nothing until Tab focused it, so half the help was out of reach)."""
    from textual.containers import VerticalScroll

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # there is more than fits
        await pilot.press("end")
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home", "pagedown")
        assert scroll.scroll_y > 0
        top = scroll.scroll_y
        await pilot.press("down")
        assert scroll.scroll_y > top or scroll.scroll_y == scroll.max_scroll_y


@pytest.mark.parametrize(
    ("key", "pane"),
    [("1", "loss"), ("2", "fit"), ("3", "log"), ("4", "data"), ("5", "landscape")],
)
@app_test
async def test_number_keys_switch_panes(key, pane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        if key == "1":
            await pilot.press("4")
        await pilot.press(key)
        assert app.current_pane == pane
        for name in ("loss", "fit", "log", "data", "landscape"):
            box = app.query_one(f"#pane-{name}")
            assert box.has_class("-current") == (name == pane)
            assert (box.display and box.region.area > 0) == (name == pane)
        assert f"[reverse] {key} " in str(app.query_one("#panes").border_title)


@app_test
async def test_data_pane_shows_predictions_and_residuals():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")
        lines = [line.split() for line in lines_of(app.query_one("#data")) if line.strip()]
        assert lines[0] == ["row", "x", "y", "ŷ", "residual"]
        assert len(lines) == 6
        for i, (x, y) in enumerate(zip(SEED_X, SEED_Y)):
            y_hat = M1 * x + B1
            cells = [float(c) for c in lines[i + 1]]
            assert cells == pytest.approx([i + 1, x, y, y_hat, y - y_hat], rel=1e-5)


@app_test
async def test_tab_moves_focus_and_escape_leaves_an_input():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is None
        await pilot.press("tab")
        assert app.focused is app.query_one("#set-lr")
        await pilot.press("tab")
        assert app.focused is app.query_one("#set-epochs")
        await pilot.press("space")  # typed into the field: no step
        assert app.session.trainer.epoch == 0
        await pilot.press("escape")
        assert app.focused is None
        assert app.query_one("#set-epochs", Input).value == "1000"
        await pilot.press("space")
        assert app.session.trainer.epoch == 1


@app_test
async def test_tab_into_a_pane_in_the_wide_layout_shows_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.query_one("#panes").has_class("-wide")
        assert app.current_pane == "loss"
        await pilot.press("tab", "shift+tab")  # to lr, then back round to the end
        assert app.focused is app.query_one("#data")
        assert app.current_pane == "data"
        await pilot.press("shift+tab")
        assert app.focused is app.query_one("#log-rows")
        assert app.current_pane == "log"


@app_test
async def test_q_quits():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
    assert not app.is_running


# -- divergence ------------------------------------------------------------------------------------


def first_divergence(lr: float) -> int:
    """The first epoch k whose loss has risen three epochs running (k-3 < k-2 < k-1 < k)."""
    mse = [e[2] for e in seed_run(50, lr)]
    return next(k for k in range(3, 51) if mse[k - 3] < mse[k - 2] < mse[k - 1] < mse[k])


@app_test
async def test_divergence_is_stopped_explained_and_recovered_from():
    diverged_at = first_divergence(0.1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, "lr", "0.1")
        assert app.session.hp.lr == 0.1
        await pilot.press("e")
        await run_to_completion(pilot)

        t = app.session.trainer
        assert t.status is Status.DIVERGED
        assert t.epoch == diverged_at
        m, b, mse = seed_run(diverged_at, 0.1)[-1]
        assert app.session.record().weights[0] == pytest.approx(m, rel=1e-12)
        assert app.session.record().intercept == pytest.approx(b, rel=1e-12)
        assert f"epoch {diverged_at}" in t.message
        assert f"{LR_MAX:.6g}" in t.message  # the largest stable rate, 0.0845241
        lines = status_lines(app)
        assert shown_epoch(app) == (diverged_at, 1000, "diverged")
        assert lines[3].startswith(f"diverged at epoch {diverged_at}:")
        assert float(status_value(app, "<")) == pytest.approx(LR_MAX, rel=1e-4)
        trace = t.loss_trace
        assert trace.shape == (diverged_at + 1,)
        assert np.isfinite(trace).all()
        assert trace[-1] == pytest.approx(mse, rel=1e-12)
        await pilot.press("1")
        ticks = y_ticks(app)
        assert ticks and all(math.isfinite(v) for v in ticks)
        # the chart reaches the last loss: it is within a label's step of the top label
        gap = ticks[0] - ticks[1]
        assert max(ticks) - gap < mse < max(ticks) + gap

        await pilot.press("space")  # diverged: no further step
        assert t.epoch == diverged_at

        await pilot.press("backspace")
        assert t.epoch == diverged_at - 1
        assert t.status is Status.READY
        assert shown_epoch(app)[2] == "ready"

        await type_into(pilot, "lr", "0.05")
        assert app.session.trainer is t and t.epoch == diverged_at - 1
        await pilot.press("e")
        await run_to_completion(pilot)
        assert t.status is Status.BUDGET_SPENT
        assert t.epoch == 1000
        m, b, _ = seed_run(1000 - (diverged_at - 1), 0.05, *seed_run(diverged_at - 1, 0.1)[-1][:2])[
            -1
        ]
        rec = app.session.record()
        assert rec.weights[0] == pytest.approx(m, rel=1e-9)
        assert rec.intercept == pytest.approx(b, rel=1e-9)
        assert rec.mse == pytest.approx(LS_MSE, rel=1e-9)
        assert np.isfinite(t.loss_trace).all()


# -- editing hyperparameters -----------------------------------------------------------------------


@app_test
async def test_a_new_lr_applies_from_the_current_epoch():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        before = app.session.record()
        session = app.session
        await type_into(pilot, "lr", "0.02")
        assert app.focused is None  # Enter applied and left the field
        assert app.session is session and app.session.hp.lr == 0.02
        assert app.session.trainer.epoch == 2  # not restarted
        assert status_value(app, "lr") == "0.02:"

        await pilot.press("space")
        after = app.session.record()
        m, b = before.weights[0], before.intercept
        dm, db = seed_gradient(m, b)
        assert after.epoch == 3
        assert after.weights[0] == pytest.approx(m - 0.02 * dm, rel=1e-14)
        assert after.intercept == pytest.approx(b - 0.02 * db, rel=1e-14)
        assert "× (" in await arithmetic_text(pilot) and "0.02" in await arithmetic_text(pilot)


@app_test
async def test_a_new_m0_restarts_at_epoch_0_from_it():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("]")
        await type_into(pilot, "m0", "1")
        rec = app.session.record()
        assert app.session.hp.m0 == (1.0,)
        assert (rec.epoch, rec.weights[0], rec.intercept) == (0, 1.0, 0.0)
        assert rec.mse == pytest.approx(seed_mse(1.0, 0.0), rel=1e-15)  # 1.8
        assert shown_epoch(app)[0] == 0
        assert float(status_value(app, "m")) == 1.0
        assert "restarted at epoch 0" in await arithmetic_text(pilot)

        await pilot.press("space")
        dm, db = seed_gradient(1.0, 0.0)
        assert app.session.record().weights[0] == pytest.approx(1.0 - 0.01 * dm, rel=1e-14)
        assert app.session.record().intercept == pytest.approx(0.0 - 0.01 * db, rel=1e-14)
        rows = await log_rows(pilot)
        assert [r[:3] for r in rows] == [["0", "1.8", "1"], ["1", rows[1][1], "1.044"]]


@pytest.mark.parametrize(
    ("field", "text", "applied"),
    [
        ("lr", "abc", "0.01"),
        ("lr", "-1", "0.01"),
        ("lr", "0", "0.01"),
        ("lr", "nan", "0.01"),
        ("epochs", "1.5", "1000"),
    ],
)
@app_test
async def test_invalid_values_are_marked_and_never_applied(field, text, applied):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        session, hp = app.session, app.session.hp
        inp = await type_into(pilot, field, text, then=None)
        assert inp.has_class("-invalid")
        note = note_text(app)
        assert note.startswith(f"✗ {field}:") and "not applied" in note

        await pilot.press("enter")  # refused: stays in the field, nothing changes
        assert app.focused is inp
        assert app.session is session and app.session.hp == hp
        assert app.session.trainer.epoch == 1

        await pilot.press("escape")  # leaving puts the applied value back
        assert app.focused is None
        assert inp.value == applied
        assert not inp.has_class("-invalid")
        assert note_text(app).endswith(f"kept {applied}")
        assert app.session.hp == hp
        await pilot.press("space")
        assert app.session.trainer.epoch == 2
        assert app.session.record().weights[0] == pytest.approx(M2, abs=1e-15)


@app_test
async def test_standardise_restarts_and_trains_in_the_datas_units():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("]")
        box = app.query_one("#set-standardize")
        box.focus()
        await pilot.pause()
        await pilot.press("space")  # toggles the focused box, does not step
        assert app.session.hp.standardize
        assert app.session.trainer.epoch == 0
        assert lines_of(box)[0].strip().startswith("[x] standardis")
        assert "standardised" in status_lines(app)[3]

        await pilot.press("escape")
        await type_into(pilot, "lr", "0.5")
        await pilot.press("e")
        await run_to_completion(pilot)
        rec = app.session.record()
        assert rec.epoch == 1000
        assert rec.weights[0] == pytest.approx(LS_M, abs=1e-9)
        assert rec.intercept == pytest.approx(LS_B, abs=1e-9)
        assert rec.mse == pytest.approx(LS_MSE, abs=1e-9)
        assert float(status_value(app, "m")) == LS_M
        assert float(status_value(app, "b")) == LS_B

        box.focus()
        await pilot.pause()
        await pilot.press("space")
        assert not app.session.hp.standardize
        assert app.session.trainer.epoch == 0
        assert lines_of(box)[0].strip().startswith("[ ] standardis")


# -- the command palette ---------------------------------------------------------------------------


@app_test
async def test_the_command_palette_lists_and_runs_our_actions():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Step", "Back", "Run", "End", "Restart", "Help"} <= titles

        await pilot.press("ctrl+p")
        palette = app.screen
        await wait_until(pilot, lambda: app.screen is not palette or True, "palette")
        assert isinstance(palette, CommandPalette)
        await pilot.press(*"Step")
        results = palette.query_one("CommandList")
        await wait_until(pilot, lambda: results.option_count > 0, "search results")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not palette, "palette closed")
        await pilot.pause()
        assert app.session.trainer.epoch == 1
        assert app.session.record().weights[0] == pytest.approx(M1, abs=1e-15)


# -- layouts ---------------------------------------------------------------------------------------


@app_test
async def test_a_small_window_asks_to_be_larger_and_recovers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a screenshot would land here
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.resize_terminal(50, 15)
        too_small = app.query_one("#too-small")
        assert too_small.display and too_small.region.area > 0
        message = " ".join(line.strip() for line in lines_of(too_small))
        assert "Make the window larger" in message and "50×15" in message
        assert "q quits" in message
        for part in ("#status", "#settings", "#panes"):
            assert app.query_one(part).region.area == 0, part
        # Keys wait: nothing runs, is exported or opens unseen (they used to run to the end,
        # write an export from the palette and a screenshot, with toasts over the message).
        await pilot.press("e", "space", "i", "ctrl+p", "5", "g", "s")
        await pilot.pause()
        assert app.session.trainer.epoch == 1
        assert list(tmp_path.iterdir()) == []
        assert app.screen is app.default_screen  # no palette, no sweep, no dialog
        assert not app._notifications

        await pilot.resize_terminal(80, 24)
        assert not too_small.display
        for part in ("#status", "#settings", "#panes", "#loss"):
            assert app.query_one(part).region.area > 0, part
        assert not app.query_one("#panes").has_class("-wide")
        assert shown_epoch(app)[0] == 1
        assert y_ticks(app)  # the loss chart is drawn again


@app_test
async def test_a_large_window_shows_all_four_panes():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.resize_terminal(120, 40)
        panes = app.query_one("#panes")
        assert panes.has_class("-wide")
        regions = [app.query_one(f"#pane-{name}").region for name in ("loss", "fit", "log", "data")]
        assert all(r.area > 0 for r in regions)
        for i, a in enumerate(regions):  # side by side, none on top of another
            for b in regions[i + 1 :]:
                assert not a.overlaps(b)
        await pilot.resize_terminal(80, 24)
        assert not panes.has_class("-wide")


@app_test
async def test_the_status_panel_shows_the_derived_numbers_of_epoch_1():
    # R² = 1 − n·MSE/Σ(y − ȳ)² = 1 − 5·10.490176/6; ŷ(6) = 6·0.264 + 0.08 = 1.664; least
    # squares predicts 6·0.6 + 2.2 = 5.8; λ = 12 ± √136, so 2/λmax and 2/(λmin + λmax) = 1/12.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        text = "\n".join(status_lines(app))
        r2 = re.search(r"R² (\S+) \(LS (\S+)\)", text)
        assert r2 and float(r2[1]) == pytest.approx(1 - 5 * MSE1 / 6, abs=5e-4)
        assert float(r2[2]) == pytest.approx(0.6)
        yhat = re.search(r"ŷ\(6\) (\S+) \(LS (\S+)\)", text)
        assert yhat and float(yhat[1]) == pytest.approx(1.664) and float(yhat[2]) == 5.8
        stable = re.search(r"stable < (\S+) · best (\S+)", text)
        assert stable
        assert float(stable[1]) == pytest.approx(2 / (12 + 136**0.5), rel=5e-4)
        assert float(stable[2]) == pytest.approx(1 / 12, rel=5e-4)


# -- each record carries the settings that produced it ---------------------------------------------


@app_test
async def test_the_log_after_stepping_back_across_a_change_of_lr_shows_the_rate_the_step_used():
    """Issue 6: 10 epochs at 0.01, lr 0.05, 10 more, back 15, space: the step from epoch 5 to 6
    ran at 0.01 (it replays the first segment), and the log must say so, with its arithmetic."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        await type_into(pilot, "lr", "0.05")
        await pilot.press("right_square_bracket")
        assert app.session.trainer.epoch == 20
        await pilot.press("left_square_bracket", *["backspace"] * 5)
        assert app.session.trainer.epoch == 5
        await pilot.press("space")
        assert app.session.trainer.epoch == 6
        text = await arithmetic_text(pilot)
        assert "epoch 5 → 6 (gradient descent, lr 0.01)" in text, text
        assert "0.05" not in text, text
        # the arithmetic itself: m ← m5 − 0.01 × (∂m5) = m6, with the seed's formulas
        m, b = 0.0, 0.0
        for _ in range(5):
            dm, db = seed_gradient(m, b)
            m, b = m - 0.01 * dm, b - 0.01 * db
        dm, db = seed_gradient(m, b)
        for sym, before, grad, after in (
            ("m", m, dm, m - 0.01 * dm),
            ("b", b, db, b - 0.01 * db),
        ):
            found = re.search(rf"^\s*{sym} ← (\S+) − (\S+) × \((\S+)\) = (\S+)$", text, re.M)
            assert found, text
            m0, lr, g, m1 = (float(v) for v in found.groups())
            assert lr == 0.01
            assert m0 == pytest.approx(before, rel=1e-5)
            assert g == pytest.approx(grad, rel=1e-5)
            assert m1 == pytest.approx(after, rel=1e-5)
            assert m0 - lr * g == pytest.approx(m1, rel=1e-5)
        # forward again past the change: the step from 10 to 11 used 0.05
        await pilot.press(*["space"] * 5)
        assert "epoch 10 → 11 (gradient descent, lr 0.05)" in await arithmetic_text(pilot)


@app_test
async def test_the_settings_panel_has_a_field_per_declared_setting_and_g_shows_the_next_page():
    from linreg_tui.core import settings

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for s in settings.SETTINGS:
            if s.panel:
                assert app.query(f"#set-{s.name}"), s.name
        assert app.query_one("#set-optimizer").region.height == 0  # on the "method" page
        await pilot.press("g")
        assert app.query_one("#set-optimizer").region.height == 1
        assert app.query_one("#set-lr").region.height == 0
        assert app.query_one("#set-momentum").parent.has_class("-hidden")  # gd has no β
        await pilot.press("space", "space")
        await type_into(pilot, "optimizer", "momentum")
        assert app.session.hp.optimizer == "momentum"
        assert app.session.trainer.epoch == 0  # restarted
        assert not app.query_one("#set-momentum").parent.has_class("-hidden")
        assert app.query_one("#set-beta1").parent.has_class("-hidden")
        await type_into(pilot, "momentum", "0.5")
        assert app.session.hp.momentum == 0.5
        await pilot.press("space")
        text = await arithmetic_text(pilot)
        assert "heavy-ball momentum, lr 0.01, momentum 0.5" in text, text
        assert "v(m) ← 0.5 × (0) + (-26.4) = -26.4" in text, text
        await type_into(pilot, "optimizer", "rocket", then=None)
        assert "optimizer: must be one of" in note_text(app)
        await pilot.press("escape")
        assert app.session.hp.optimizer == "momentum"


@app_test
async def test_stepping_back_through_adam_batches_and_a_schedule_in_the_app_is_exact():
    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    hp = Hyperparameters(optimizer="adam", lr=0.05, batch_size=2, seed=3, schedule="cosine")
    app = make_app(Session(seed_dataset(), hp))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["right_square_bracket"] * 3)
        at_30 = app.session.record()
        assert at_30.epoch == 30
        await pilot.press("left_square_bracket", "backspace", "backspace")
        assert app.session.trainer.epoch == 18
        await pilot.press("right_square_bracket", "space", "space")
        again = app.session.record()
        assert again.epoch == 30
        assert again.weights.tolist() == at_30.weights.tolist()
        assert again.intercept == at_30.intercept
        text = await arithmetic_text(pilot)
        assert "Adam, lr" in text and "cosine schedule from 0.05" in text and "rows" in text


@app_test
async def test_with_a_penalty_every_label_names_j_and_the_penalised_answer_at_80x24():
    """Ridge on the seed's points, λ = 0.5, by hand: the weight is the centred Sxy/n over
    (Sxx/n + λ) = 1.2/2.5 = 0.48, the intercept 4 − 3·0.48 = 2.56, its MSE 2.544/5 = 0.5088 and
    J = 0.5088 + 0.5·0.48² = 0.624; ŷ(6) = 5.44. At epoch 0 (m = b = 0) J is the MSE, Σy²/5."""
    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    app = make_app(Session(seed_dataset(), Hyperparameters(l2=0.5)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = "\n".join(status_lines(app))
        assert "LS" not in text, text
        assert re.search(r"J 17\.2 \(ridge 0\.624\)  MSE 17\.2 \(ridge 0\.5088\)", text), text
        assert "m 0 (ridge 0.48)  b 0 (ridge 2.56)  ŷ(6) 0 (ridge 5.44)" in text, text
        key = " ".join(lines_of(app.query_one("#loss-key")))
        assert "J = MSE + 0.5·‖w‖² by epoch" in key and "min J (ridge) 0.624" in key, key
        assert "least-squares" not in key
        # run to the end: the longer numbers still leave J and both words on screen
        await pilot.press("e")
        await run_to_completion(pilot)
        first = status_lines(app)[0]
        assert re.search(r"J \S+ \(ridge 0\.624\)  MSE \S+", first), first
    # elastic net with a validation split: J, the held-out MSE, and e-net's words
    hp = Hyperparameters(l1=0.3, l2=0.1, validation=0.4, seed=1)
    app = make_app(Session(seed_dataset(), hp))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await run_to_completion(pilot)
        key = " ".join(lines_of(app.query_one("#loss-key")))
        assert "J by epoch" in key and "validation MSE" in key and "min J (e-net)" in key, key
        shown = status_lines(app)
        assert "(LS" not in "\n".join(shown)
        assert "(e-net " in shown[0], shown
        # every line whole at 80 columns: the reference numbers shortened, nothing cut off
        assert not any(line.endswith("…") for line in shown), shown
        assert re.search(r"ŷ\(6\) \S+ \(e-net [\d.]+\)$", shown[1]), shown
        # and the fit chart's key on its own pane
        await pilot.press("2")
        await pilot.pause()
        fit = " ".join(lines_of(app.query_one("#fit-key")))
        assert "elastic net" in fit and "least squares" not in fit, fit


@app_test
async def test_stepping_back_through_full_batch_adam_with_a_schedule_in_the_app_is_exact():
    """The full-batch one-feature runs go through the fused loop (blocks, records computed
    afterwards); back and forward again in the app gives the same numbers bit for bit, and the
    log's arithmetic is that of the step the run took."""
    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    hp = Hyperparameters(optimizer="adam", lr=0.05, schedule="invscaling", power_t=0.25)
    app = make_app(Session(seed_dataset(), hp))
    async with app.run_test(size=(80, 40)) as pilot:  # tall enough for all of Adam's step
        await pilot.press(*["right_square_bracket"] * 4, "space")
        at_41 = app.session.record()
        assert at_41.epoch == 41
        await pilot.press("left_square_bracket", "backspace", "backspace", "backspace")
        assert app.session.trainer.epoch == 28
        await pilot.press("right_square_bracket", *["space"] * 3)
        again = app.session.record()
        assert again.epoch == 41
        assert again.weights.tolist() == at_41.weights.tolist()
        assert again.intercept == at_41.intercept and again.mse == at_41.mse
        text = await arithmetic_text(pilot)
        assert "epoch 40 → 41 (Adam, lr" in text and "invscaling schedule from 0.05" in text
        found = re.search(r"^\s*m ← \S+ − \S+ × \(\S+\) / \(√\S+ \+ \S+\) = (\S+)$", text, re.M)
        assert found, text
        assert float(found[1]) == pytest.approx(float(again.weights[0]), rel=1e-5)


@app_test
async def test_a_fields_error_is_read_whole_and_goes_once_the_user_moves_on():
    """At 80 columns a reason was cut at the window's edge ('… adam;' and the rest lost), and
    an error stayed on the hint line through steps, runs and restarts."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        inp = app.query_one("#set-epochs", Input)
        inp.focus()
        await pilot.pause()
        await pilot.press("ctrl+shift+a", *"1.5")
        await pilot.pause()
        shown = note_text(app)
        reason = inp.validate(inp.value).failure_descriptions[0]
        width = app.query_one("#settings-note").content_region.width
        assert len(f"✗ {reason} (not applied)") > width  # longer than a line
        assert " ".join(f"✗ {reason} (not applied)".split()) == " ".join(shown.split())
        await pilot.press("escape")
        await pilot.pause()
        assert "kept 1000" in note_text(app).replace(",", "")
        await pilot.press("space")
        await pilot.pause()
        assert "✗" not in note_text(app)
        assert app.session.trainer.epoch == 1
        assert app.query_one("#settings-note").size.height == 1  # back to one line


@app_test
async def test_a_value_that_does_not_fit_the_data_is_refused_as_it_is_typed_and_stays():
    """'1,2' in predict with one x column showed no ✗ while typed, and Enter threw the text
    away ('kept 6'); a bad lr's text stays, with its reason, after Enter."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for field, text, reason in (
            ("predict_x", "1,2", "predict: give one x value per x column"),
            ("lr", "abc", "lr: 'abc' is not a number"),
        ):
            inp = app.query_one(f"#set-{field}", Input)
            inp.focus()
            await pilot.pause()
            await pilot.press("ctrl+shift+a", *text)
            await pilot.pause()
            assert reason in note_text(app) and "(not applied)" in note_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert inp.value == text and app.focused is inp
            assert reason in note_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert "kept" in note_text(app)
        assert app.session.hp.predict_x == (6.0,) and app.session.hp.lr == 0.01
