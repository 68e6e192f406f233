"""What a frame sends: only the cells that changed. The compositor's updates during pilot runs are
rendered as a terminal would receive them and each piece is put down to the widget it paints
(``frame_audit``), so a pane that repaints more than what moved shows up in bytes."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from frame_audit import by_widget, regions
from hypothesis import given
from hypothesis import strategies as st
from pilot import app_test
from rich.segment import Segment
from rich.style import Style
from textual._compositor import CompositorUpdate
from textual.strip import Strip

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.iteration_log import LogTable
from linreg_tui.tui.repaint import cells, changed_span


def record_frames(app) -> list[str]:
    """The terminal output of every screen update from now on."""
    frames: list[str] = []
    display = app._display

    def spy(screen, renderable):
        if isinstance(renderable, CompositorUpdate):
            frames.append(renderable.render_segments(app.console))
        return display(screen, renderable)

    app._display = spy
    return frames


async def sent_by_pane(app, pilot, *keys: str) -> tuple[Counter, dict]:
    """(bytes sent per pane, each pane's region) for the frames written after pressing ``keys``."""
    shown = regions(app)
    frames = record_frames(app)
    await pilot.press(*keys)
    await pilot.pause()
    sent = Counter()
    for frame in frames:
        sent += by_widget(frame, shown)
    return sent, dict(shown)


def seed_app(**hp):
    return make_app(Session(seed_dataset(), Hyperparameters(epochs=100_000_000, **hp)))


@app_test
async def test_one_epoch_at_200x60_sends_the_cells_that_changed():
    """All five panes at 200×60: a step sends a few lines of the landscape (the point and the
    path's end), one row of the log, and the numbers that changed; before, the landscape, the
    log and the status lines were sent whole (about 21 kB a frame)."""
    app = seed_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press(*["space"] * 5)
        await pilot.pause()
        sent, area = await sent_by_pane(app, pilot, "space")
    landscape = area["landscape"]
    # the landscape: the cells the point and the path moved through, not its 65×48 cells
    assert 0 < sent["landscape"] < landscape.area // 4
    # the log: one new row (and no scroll)
    assert 0 < sent["log-rows"] < 2 * area["log-rows"].width
    # the status: its numbers, not four whole lines of 200 cells with their colour codes
    assert 0 < sent["status"] < 700
    assert sum(sent.values()) < 10_000, sent


@app_test
async def test_the_log_follows_its_last_row_a_half_page_at_a_time():
    app = seed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(LogTable)
        await pilot.press("right_curly_bracket")  # 100 epochs: more rows than fit
        await pilot.pause()
        view = table.scrollable_content_region.height - 1  # rows below the header
        last = table.row_count() - 1
        top = int(table.scroll_y)
        assert top <= last < top + view  # the last row is on screen
        shown = regions(app)
        frames = record_frames(app)
        turns = 0
        for _ in range(view):
            before = int(table.scroll_y)
            await pilot.press("space")
            await pilot.pause()
            turns += int(table.scroll_y) != before
            last = table.row_count() - 1
            assert int(table.scroll_y) <= last < int(table.scroll_y) + view
        # one turn of half a page (at most two) in a page of rows; the other rows one line each
        assert 1 <= turns <= 2
        per_frame = [by_widget(f, shown)["log-rows"] for f in frames]
        small = [b for b in per_frame if b < 2 * table.size.width]
        assert len(small) >= len(per_frame) - 2 * turns


@st.composite
def strips(draw):
    styles = [None, Style(bold=True), Style(color="red"), Style(bgcolor="blue")]
    parts = draw(
        st.lists(
            st.tuples(st.text("ab ·●", min_size=1, max_size=6), st.sampled_from(styles)),
            max_size=8,
        )
    )
    return Strip([Segment(t, s) for t, s in parts])


@given(strips(), strips())
def test_the_changed_span_covers_every_cell_that_differs(old, new):
    """Cells are compared at the same column (the screen's): a line whose text moved by a cell
    differs from there on, even where the moved text is the same (a span matched from the lines'
    ends once left '100/s' on screen after '30/s' was drawn)."""
    a, b = cells(old), cells(new)
    span = changed_span(old, new)
    if span is None:
        assert a == b
        return
    start, end = span
    n = max(len(a), len(b))
    a += [None] * (n - len(a))
    b += [None] * (n - len(b))
    assert 0 <= start < end <= n
    assert a[start] != b[start] and a[end - 1] != b[end - 1]
    assert a[:start] == b[:start] and a[end:] == b[end:]


def test_a_shorter_line_repaints_from_where_it_differs_to_the_old_end():
    old = Strip([Segment("speed 100/s help")])
    new = Strip([Segment("speed 30/s help")])
    assert changed_span(old, new) == (6, 16)


@app_test
async def test_the_landscape_keeps_its_view_while_the_path_is_in_it_and_v_fits_it_afresh():
    from linreg_tui.core.landscape import fit_view
    from linreg_tui.tui.landscape_view import LandscapeView

    app = seed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(LandscapeView)
        await pilot.pause()
        first = view._view
        await pilot.press("right_square_bracket")  # 10 epochs: the path moves off the start
        await pilot.pause()
        kept = view._view
        assert first is not None
        assert kept == first  # the same view: only the point's and the path's cells changed
        sl, shown = view.view_for(view.size.width, view.size.height * 2)
        width, height = view.size.width, view.size.height * 2
        d = view._data
        points = np.vstack([d.path, d.current[None], d.bowl.theta_star[None]])
        col, row = shown.pixel(points[:, 0], points[:, 1], width, height)
        assert (col >= 0).all() and (col <= width - 1).all()
        assert (row >= 0).all() and (row <= height - 1).all()  # all of it in the view
        assert kept[1] != fit_view(sl, points, width, height)  # a fresh fit would move it
        view.focus()
        await pilot.press("v")
        await pilot.pause()
        assert view._view[1] == fit_view(sl, points, width, height)


@app_test
async def test_the_log_scale_key_repaints_the_loss_pane_not_the_screen():
    """Setting a border title repaints the whole container: the grid's title (unchanged) was set
    again on every `l`, and every pane went out again (36 kB at 200×60)."""
    app = seed_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        sent, _ = await sent_by_pane(app, pilot, "l")
    assert sent["loss"] > 0
    for pane in ("landscape", "fit", "data", "log-rows", "settings"):
        assert sent[pane] == 0, sent


@app_test
async def test_the_log_drops_old_rows_a_block_at_a_time_and_still_follows(monkeypatch):
    from linreg_tui.tui import iteration_log

    monkeypatch.setattr(iteration_log, "MAX_ROWS", 40)
    monkeypatch.setattr(iteration_log, "DROP", 10)
    app = seed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(LogTable)
        await pilot.press("right_curly_bracket")  # 100 rows more
        await pilot.pause()
        assert 30 < table.row_count() <= 40
        last = table.row_count() - 1
        assert table.row_cells(last, 10)[0] == "100"  # the newest row is kept
        view = table.scrollable_content_region.height - 1
        assert int(table.scroll_y) <= last < int(table.scroll_y) + view


@app_test
async def test_an_edit_and_the_first_step_are_each_one_frame():
    """The edit's frame has everything in it (the cell, the status saying what changed, the
    log's "restarted at epoch 0"), and nothing is drawn after it. Before, the log's arithmetic
    came a frame later (its new height asked for a second layout), the log's table lost and
    regained a scroll bar for the padding below its rows, and a toast came after those: three
    to four frames, the last 40-50 ms after the edit's."""
    from textual import events

    app = seed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4", "down", "right", "enter", *"70.125")
        await pilot.pause()
        frames = record_frames(app)
        app.post_message(events.Key("enter", "\r"))
        for _ in range(3):
            await pilot.pause()
        assert app.session.dataset.y[1] == 70.125
        written = [plain(f) for f in frames if f]
        assert len(written) == 1, written
        text = written[0]
        for said in ("70.125", "row 2 y: 4 → 70.125", "restarted at epoch 0"):
            assert said in text, said
        frames.clear()
        await pilot.press("space")  # the first step's arithmetic takes lines the note did not
        for _ in range(3):
            await pilot.pause()
        written = [plain(f) for f in frames if f]
        assert len(written) == 1, written
        assert "epoch 1/" in written[0] and "m ← " in written[0] and "b ← " in written[0]


def plain(sent: str) -> str:
    """What the terminal was sent, less its control sequences (colours, cursor moves)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", sent)
