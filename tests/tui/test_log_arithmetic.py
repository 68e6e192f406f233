"""The arithmetic under the log is always that of the step that made the epoch shown, however the
epoch was reached (a run to the end, a paused run, the multi-epoch keys, backspace, after a
restart); and every log row says why it is there.

The numbers are checked against the seed's update rule in plain floats (test_keys.seed_run).
"""

from __future__ import annotations

import re

from pilot import app_test
from test_keys import (
    SIZE,
    arithmetic_text,
    log_rows,
    run_to_completion,
    seed_gradient,
    seed_run,
    shown_epoch,
    type_into,
    wait_until,
)

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.iteration_log import IterationLog, LogTable


def assert_last_step_shown(text: str, epoch: int, lr: float = 0.01) -> None:
    """``text`` is gradient descent's step epoch − 1 → epoch of the seed at ``lr`` from (0, 0),
    its numbers those of the seed's loop."""
    assert f"epoch {epoch - 1:,} → {epoch:,} (gradient descent, lr {lr:g}" in text, text
    run = seed_run(epoch, lr)
    (m0, b0, _), (m1, b1, _) = run[-2], run[-1]
    dm, db = seed_gradient(m0, b0)
    m_line = next(line for line in text.splitlines() if line.strip().startswith("m ←"))
    b_line = next(line for line in text.splitlines() if line.strip().startswith("b ←"))
    assert m_line.strip() == f"m ← {m0:.6g} − {lr:g} × ({dm:.6g}) = {m1:.6g}", m_line
    assert b_line.strip() == f"b ← {b0:.6g} − {lr:g} × ({db:.6g}) = {b1:.6g}", b_line


@app_test
async def test_after_e_the_arithmetic_is_the_last_steps():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # the arithmetic of 0 → 1 is shown first
        await pilot.press("e")
        await run_to_completion(pilot)
        assert shown_epoch(app)[0] == 1000
        assert_last_step_shown(await arithmetic_text(pilot), 1000)


@app_test
async def test_after_e_alone_the_arithmetic_is_the_last_steps():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await run_to_completion(pilot)
        assert_last_step_shown(await arithmetic_text(pilot), 1000)


@app_test
async def test_a_run_paused_shows_the_step_that_made_the_epoch_it_paused_at():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: app.session.trainer.epoch > 0, "a step of the run")
        await pilot.press("r")
        await run_to_completion(pilot)
        epoch = app.session.trainer.epoch
        assert shown_epoch(app) == (epoch, 1000, "ready")
        assert_last_step_shown(await arithmetic_text(pilot), epoch)


@app_test
async def test_multi_epoch_keys_and_backspace_show_the_step_that_made_the_epoch():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key, epoch in [("]", 10), ("}", 110), ("backspace", 109), ("[", 99)]:
            await pilot.press(key)
            assert shown_epoch(app)[0] == epoch
            text = await arithmetic_text(pilot)
            assert_last_step_shown(text, epoch)
            if key == "backspace":
                assert text.startswith("stepped back to epoch 109")
        await pilot.press("{")  # to epoch 0: no step made it
        await pilot.press("space", "backspace")
        assert shown_epoch(app)[0] == 0
        assert (await arithmetic_text(pilot)).strip() == (
            "stepped back to epoch 0 (exactly: recomputed from the nearest checkpoint)"
        )


@app_test
async def test_after_a_restart_or_an_optimizer_switch_and_e_the_last_step_shows():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("]", "ctrl+r")
        assert "restarted at epoch 0" in await arithmetic_text(pilot)
        await pilot.press("e")
        await run_to_completion(pilot)
        assert_last_step_shown(await arithmetic_text(pilot), 1000)

        await type_into(pilot, "optimizer", "momentum")
        assert app.session.trainer.epoch == 0
        assert "optimizer → momentum: restarted at epoch 0" in await arithmetic_text(pilot)
        await pilot.press("e")
        await run_to_completion(pilot)
        text = await arithmetic_text(pilot)
        assert text.startswith("epoch 999 → 1,000 (heavy-ball momentum"), text
        assert "restarted" not in text


@app_test
async def test_a_run_that_overflows_at_once_says_so_and_every_row_is_labelled():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, "lr", "1e308")
        await pilot.press("e")
        await run_to_completion(pilot)
        t = app.session.trainer
        assert t.status is Status.DIVERGED and t.epoch == 0
        rows = await log_rows(pilot)
        # two rows at epoch 0, each saying why: the start, and the new rate
        assert [r[0] for r in rows] == ["0", "0"]
        assert rows[0][-1] == "start"
        assert rows[1][-3:] == ["lr", "→", "1e+308"]
        text = await arithmetic_text(pilot)
        assert text.startswith("epoch 0: diverged at epoch 1"), text


@app_test
async def test_in_the_side_by_side_layout_a_note_that_does_not_fit_is_marked_and_reached():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_into(pilot, "lr", "1e308")
        table = app.query_one(LogTable)
        table.focus()
        await pilot.pause()
        lines = [table.render_line(y).text.rstrip() for y in range(3)]
        assert all(line.endswith("›") for line in lines), lines  # the notes are to the right
        for _ in range(6):
            await pilot.press("right")
        lines = [table.render_line(y).text.rstrip() for y in range(3)]
        assert lines[0].startswith("epoch‹"), lines
        assert re.search(r"\bstart$", lines[1]) and lines[2].endswith("lr → 1e+308"), lines
        await pilot.press("left")
        assert table.render_line(0).text.rstrip().endswith("›")


@app_test
async def test_scrolling_the_footer_with_the_arithmetic_shown_keeps_the_app_running():
    """A scroll anywhere (here the footer, wider than 80 columns, scrolled sideways as a mouse
    wheel over it does) re-sizes the widgets on screen by another path, which passes the
    arithmetic's size with a keyword: its own sizing took it positionally only, and the app
    died with a TypeError."""
    from textual.widgets import Footer

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "space")
        await pilot.pause()
        arithmetic = app.query_one("#log-arithmetic")
        assert arithmetic.region.area and "m ←" in str(arithmetic.render())
        footer = app.query_one(Footer)
        assert footer.max_scroll_x > 0  # there is somewhere to scroll to
        footer.scroll_right(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.session.trainer.epoch == 2
        assert "m ←" in str(arithmetic.render())


@app_test
async def test_a_log_that_grows_shows_more_rows_not_more_blank_lines():
    """Following the last row, a log given more height shows the rows above (Textual holds the
    scroll offset to the old scrolling height); padding that followed the new height at once
    kept the offset, leaving the new lines blank with older rows hidden above."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", *["space"] * 20)
        await pilot.pause()
        table = app.query_one(LogTable)

        def blank_lines() -> int:
            return sum(1 for y in range(table.size.height) if not table.render_line(y).text.strip())

        blank, height, top = blank_lines(), table.size.height, table.scroll_y
        assert top > 0  # rows are hidden above
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        await pilot.pause()
        assert table.size.height > height
        assert table.scroll_y < top  # rows above came into view
        assert blank_lines() <= blank


@app_test
async def test_arithmetic_taller_than_its_room_says_how_many_lines_are_hidden():
    """Adam's step takes 11 lines; at 80×24 the arithmetic has room for 7 (half the pane): the
    last line shown says how many are below, instead of the lines stopping without a word (the
    update of b was lost). With room for all, all are shown and nothing is said."""
    for size, room in (((80, 24), False), ((80, 50), True)):
        app = make_app(Session(seed_dataset(), Hyperparameters(optimizer="adam")))
        async with app.run_test(size=size) as pilot:
            await pilot.press("3", "space")
            await pilot.pause()
            arithmetic = app.query_one("#log-arithmetic")
            text = app.query_one(IterationLog).explained.splitlines()
            assert max(map(len, text)) <= arithmetic.size.width  # no line wraps here
            shown = [arithmetic.render_line(y).text.rstrip() for y in range(arithmetic.size.height)]
            if room:
                assert shown[: len(text)] == text and "more lines below" not in "".join(shown)
                assert any(line.startswith("  b ←") for line in shown)
            else:
                height = arithmetic.size.height
                assert height < len(text)
                assert shown[:-1] == text[: height - 1]
                hidden = len(text) - (height - 1)
                assert shown[-1] == f"  … {hidden} more lines below (a taller window shows them)"
