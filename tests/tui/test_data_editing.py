"""The Data pane's editing keys, by pilot: the cursor, enter/a/d/u/g/w, what the status and log
say, and that a refused value changes nothing. Expected least-squares lines are closed-form
(exact fractions), as in tests/core/test_editing.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from exact import exact_line
from pilot import app_test
from test_keys import SIZE
from textual import events
from textual.widgets import Input

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.data_editing import ConfirmDialog, GenerateDialog, ValuesDialog
from linreg_tui.tui.data_view import DataView
from linreg_tui.tui.status_panel import StatusPanel


def status(app) -> str:
    return str(app.query_one(StatusPanel).render())


def log_note(app) -> str:
    return str(app.query_one("#log-arithmetic").render())


async def type_into(pilot, text: str) -> None:
    inp = pilot.app.focused
    assert isinstance(inp, Input)
    inp.value = ""
    await pilot.press(*text)


def editing(app) -> bool:
    """The Data pane edits a cell in place: the table has the focus, no dialog is up."""
    view = app.query_one(DataView)
    return view.editing is not None and app.screen is app.default_screen and app.focused is view


def field(app) -> str:
    """The text typed into the cell being edited."""
    return app.query_one(DataView).editing.line.text


def editor_says(app) -> str:
    """The field's lines as the table draws them (the last lines of the pane)."""
    view = app.query_one(DataView)
    shown = view.scrollable_content_region.height  # (less a horizontal scrollbar)
    lines = [view.render_line(y).text for y in range(shown)]
    return "\n".join(line.rstrip() for line in lines if line.strip())


async def type_cell(pilot, text: str) -> None:
    """Type ``text`` into the cell being edited, replacing what it holds."""
    await pilot.press("ctrl+e", "ctrl+u", *text)


@app_test
async def test_enter_edits_the_cell_under_the_cursor_and_the_run_restarts():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "4", "down", "right", "enter")
        assert editing(app)
        assert "row 2, y: 4" in editor_says(app) and "Enter: apply · Escape: cancel" in (
            editor_says(app)
        )
        await pilot.press("6")  # the value starts selected: typing replaces it
        assert field(app) == "6"
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(DataView).editing is None
        assert app.focused is app.query_one(DataView)  # the table's keys work again
        assert "row 2, y:" not in editor_says(app)
        m, b = exact_line([1, 2, 3, 4, 5], [2, 6, 5, 4, 5])
        assert (app.session.reference.weights[0], app.session.reference.intercept) == (m, b)
        assert app.session.trainer.epoch == 0
        assert "epoch 0/1,000" in status(app) and "(LS 0.4)" in status(app)
        assert "row 2 y: 4 → 6" in log_note(app) and "restarted at epoch 0" in log_note(app)
        # the status says so in the edit's own frame (no toast: its frame would come after)
        said = "seed's points, edited: 5 rows · row 2 y: 4 → 6 · restarted at epoch 0"
        assert said in status(app).splitlines()[3]
        assert not app._notifications
        await pilot.press("space")  # the run moves on: the status describes the data again
        line = status(app).splitlines()[3]
        assert "epoch 1/1,000" in status(app)
        assert "row 2 y" not in line and "restarted" not in line and "speed 100/s" in line
        assert "seed's points, edited: 5 rows" in line


@app_test
async def test_the_edits_words_go_with_the_first_thing_that_happens_after_it():
    """The status's last line says what an edit did in place of the data's line (which also
    shows the speed and the settings' shape): anything else happening after the edit brings
    that line back, so it never hides a change (the speed, a setting)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:

        async def edit(value: str) -> None:
            await pilot.press("4", "home", "right", "enter", value, "enter")
            await pilot.pause()
            assert "restarted at epoch 0" in status(app).splitlines()[3]

        await edit("6")
        await pilot.press("plus")  # faster
        await pilot.pause()
        line = status(app).splitlines()[3]
        assert "restarted" not in line and "speed 300/s" in line
        await edit("7")
        box = app.query_one("#set-standardize")
        box.focus()
        await pilot.pause()
        await pilot.press("space")  # standardise: a new run at epoch 0
        await pilot.pause()
        assert app.session.hp.standardize and app.session.trainer.epoch == 0
        line = status(app).splitlines()[3]
        assert "restarted" not in line and "standardised" in line


@app_test
async def test_a_bad_value_is_refused_in_the_editor_and_nothing_changes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4", "enter")
        before = app.session
        await type_cell(pilot, "4,5")
        assert "row 1, column 'x': '4,5' is not a number" in editor_says(app)  # as typed
        await pilot.press("enter")
        assert editing(app)  # still open, saying why
        why = [line for line in editor_says(app).splitlines() if "✗" in line]
        assert [line.strip() for line in why] == ["✗ row 1, column 'x': '4,5' is not a number"]
        await type_cell(pilot, "")
        assert "✗ row 1, column 'x' is blank" in editor_says(app)
        await pilot.press("enter", "space", "q")  # keys go to the field while it is open
        assert editing(app) and app.session is before and field(app) == " q"
        await pilot.press("escape")
        assert app.query_one(DataView).editing is None
        assert app.focused is app.query_one(DataView)
        assert "✗" not in editor_says(app)
        assert app.session is before
        assert app.session.trainer.epoch == 1  # the run was not touched
        assert app.session.dataset.raw_x[0, 0] == 1.0


@app_test
async def test_escape_or_leaving_the_editor_changes_nothing_and_u_undoes_an_edit():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest usual terminal
        await pilot.press("space", "4", "right", "enter")
        await pilot.press("9")
        await pilot.press("escape")
        assert app.session.dataset.y.tolist() == [2, 4, 5, 4, 5]
        assert app.session.trainer.epoch == 1
        await pilot.press("enter")
        assert field(app) == "2"  # the cell's value again
        await pilot.press("end", "5")
        assert field(app) == "25"
        await pilot.press("tab")  # the focus leaves: the edit is dropped
        await pilot.pause()
        assert app.query_one(DataView).editing is None
        assert app.focused is app.query_one("#set-lr")  # tab went on to the settings
        assert app.session.dataset.y.tolist() == [2, 4, 5, 4, 5]
        await pilot.press("escape", "4", "enter", "9", "left", "1", "enter")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [19, 4, 5, 4, 5]
        assert app.session.trainer.epoch == 0
        await pilot.press("u")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [2, 4, 5, 4, 5]
        assert (app.session.reference.weights[0], app.session.reference.intercept) == (0.6, 2.2)
        assert "undone: row 1 y: 2 → 19" in log_note(app)


@app_test
async def test_the_field_keeps_the_cursors_row_in_view_and_a_long_reason_wraps():
    x = np.arange(1.0, 201.0)
    ds = Dataset(x[:, None], 2 * x + (x % 3), ("x",), "y")
    app = make_app(Session(ds, Hyperparameters(lr=1e-5)))
    async with app.run_test(size=(120, 40)) as pilot:  # the Data pane is a quarter: narrow
        await pilot.press("4")
        view = app.query_one(DataView)
        await pilot.press(*["down"] * (view.size.height - 2))  # the table's last line
        top = view.scroll_offset.y
        await pilot.press("enter")
        shown = view.scrollable_content_region.height
        lines = [view.render_line(y).text for y in range(shown)]
        assert lines[-2].strip().startswith(f"row {view.row + 1}, x:")
        row_line = view.row - int(view.scroll_offset.y) + 1
        assert view.scroll_offset.y > top and row_line < shown - 2
        assert lines[row_line].split()[0] == f"{view.row + 1}"
        await type_cell(pilot, "1e999")
        reason = [line.strip() for line in editor_says(app).splitlines()[-3:]]
        assert " ".join(reason) == (
            f"✗ row {view.row + 1}, column 'x' is '1e999'; every cell used must be a finite number"
        )
        assert len(reason) > 1 and all(len(line) <= view.size.width for line in reason)


@app_test
async def test_an_inline_edit_with_pinned_runs_asks_first():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "p", "4", "enter")
        assert editing(app)
        await pilot.press("7", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.session.dataset.raw_x[0, 0] == 1.0 and len(app.pinned) == 1
        assert app.query_one(DataView).editing is None
        await pilot.press("enter", "7", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.dataset.raw_x[:, 0].tolist() == [7, 2, 3, 4, 5] and app.pinned == []


@app_test
async def test_a_adds_d_deletes_u_undoes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "end", "a")  # after the last row, starting as its copy
        assert isinstance(app.screen, ValuesDialog)
        # the hint says what Enter does in each field: the first's moves on, the last's applies
        hint = str(app.screen.query_one(".hint").render())
        assert "Enter: next field (in the last: apply)" in hint
        await type_into(pilot, "6")
        await pilot.press("enter")
        assert isinstance(app.screen, ValuesDialog) and app.session.dataset.n_samples == 5
        await type_into(pilot, "9")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.dataset.n_samples == 6
        assert app.session.dataset.raw_x[5, 0] == 6 and app.session.dataset.y[5] == 9
        m, b = exact_line([1, 2, 3, 4, 5, 6], [2, 4, 5, 4, 5, 9])
        assert app.session.reference.weights[0] == m and app.session.reference.intercept == b
        await pilot.press("home", "d")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [4, 5, 4, 5, 9]
        await pilot.press("u")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [2, 4, 5, 4, 5, 9]
        await pilot.press("u")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [2, 4, 5, 4, 5]
        assert (app.session.reference.weights[0], app.session.reference.intercept) == (0.6, 2.2)
        await pilot.press("u")
        assert any("Nothing to undo" in n.message for n in app._notifications)


@app_test
async def test_an_edit_with_pinned_runs_asks_first_since_they_go_with_the_old_data():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "p", "4", "d")
        assert len(app.pinned) == 1
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.session.dataset.n_samples == 5 and len(app.pinned) == 1
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert app.session.dataset.y.tolist() == [4, 5, 4, 5] and app.pinned == []
        await pilot.press("u")  # nothing pinned now: no question
        await pilot.pause()
        assert app.session.dataset.n_samples == 5


@app_test
async def test_with_a_validation_split_the_pane_edits_every_row_and_keeps_the_held_out_ones():
    x = np.arange(20.0)
    data = Dataset(x[:, None], 2 * x + 1 + np.sin(x), ("x",), "y")
    app = make_app(Session(data, Hyperparameters(validation=0.25, seed=1)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert app.query_one(DataView).row_count() == 20  # the held-out rows too
        await pilot.press("d")  # row 1 (x = 0)
        await pilot.pause()
        assert app.session.loaded.raw_x[:, 0].tolist() == x[1:].tolist()
        assert app.session.dataset.n_samples + app.session.problem.validation.n_samples == 19


@app_test
async def test_deleting_below_two_rows_is_refused_and_the_data_kept():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "d", "d", "d")
        await pilot.pause()
        assert app.session.dataset.n_samples == 2
        await pilot.press("d")
        await pilot.pause()
        assert app.session.dataset.n_samples == 2
        assert any("cannot fit 2 parameters" in n.message for n in app._notifications)


@app_test
async def test_g_makes_generated_data_with_its_seed_shown():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "n")
        assert isinstance(app.screen, GenerateDialog)
        await pilot.press("tab")
        await type_into(pilot, "123")
        await pilot.press("shift+tab", "down", "down", "enter")  # badly scaled columns
        await pilot.pause()
        ds = app.session.dataset
        assert ds.x_names == ("rooms", "area") and ds.n_samples == 50
        assert "seed 123" in ds.source and "seed 123" in status(app)
        assert len(app.session.hp.predict_x) == 2  # adapted to the two x columns
        await pilot.press("u")
        await pilot.pause()
        assert app.session.dataset.x_names == ("x",)
        assert app.session.hp.predict_x == (6.0,) or len(app.session.hp.predict_x) == 1


@app_test
async def test_w_writes_a_csv_and_asks_before_replacing_a_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.csv").write_text("keep me\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "w")
        assert isinstance(app.screen, ValuesDialog)
        await type_into(pilot, "mine.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert (tmp_path / "mine.csv").read_text() == "keep me\n"
        await pilot.press("w")
        await type_into(pilot, "mine.csv")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert (
            tmp_path / "mine.csv"
        ).read_text() == "x,y\n1.0,2.0\n2.0,4.0\n3.0,5.0\n4.0,4.0\n5.0,5.0\n"
        assert any("mine.csv (5 rows)" in n.message for n in app._notifications)
        assert sorted(os.listdir(tmp_path)) == ["mine.csv"]


@app_test
async def test_served_w_sends_a_download_and_writes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(served=True)
    sent = []
    monkeypatch.setattr(app, "deliver_text", lambda f, **kw: sent.append(f.read()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "w")
        await pilot.pause()
    assert os.listdir(tmp_path) == []
    assert sent and sent[0].startswith("x,y\n1.0,2.0\n")


@app_test
async def test_the_cursor_moves_and_the_table_scrolls_with_it():
    x = np.arange(1.0, 201.0)
    from linreg_tui.core.dataset import Dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    ds = Dataset(x[:, None], 2 * x + (x % 3), ("x",), "y")
    app = make_app(Session(ds, Hyperparameters(lr=1e-5)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "end")
        view = app.query_one("DataView")
        assert view.row == 199 and view.scroll_offset.y > 150
        await pilot.press("home", "right", "right", "right")
        assert (view.row, view.column) == (0, 1)  # x or y only
        assert view.scroll_offset.y == 0


@app_test
async def test_help_lists_the_data_panes_editing_keys():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        for key, what in [("enter", "edit the cell"), ("a", "add a row"), ("u", "undo")]:
            assert any(line.split()[:1] == [key] and what in line for line in text.splitlines()), (
                text
            )


@app_test
async def test_the_status_counts_the_edited_rows_in_words_that_agree():
    # The built-in data stops being "the seed's 5 points" once a row goes, and one row is "1 row".
    app = make_app(Session(seed_dataset(), Hyperparameters(fit_intercept=False)))
    async with app.run_test(size=SIZE) as pilot:
        assert "seed's 5 points: 5 rows" in status(app)
        await pilot.press("4", "home", "d")
        await pilot.pause()
        assert "seed's points, edited: 4 rows" in status(app)
        await pilot.press("d", "d", "d")
        await pilot.pause()
        assert app.session.dataset.n_samples == 1
        assert re.search(r"seed's points, edited: 1 row\b(?!s)", status(app))
        await pilot.press("d")  # the last row: refused, the data as it was
        await pilot.pause()
        assert app.session.dataset.n_samples == 1
        assert any("Not applied" in n.title + n.message for n in app._notifications)


def test_the_cells_field_edits_as_an_input_does():
    from linreg_tui.tui.line_edit import LineEdit

    line = LineEdit("4.5")
    assert (line.text, line.cursor, line.selected) == ("4.5", 3, True)
    assert line.key("7", "7") and line.text == "7"  # the first key replaces the selected value
    line = LineEdit("4.5")
    assert line.key("left", None) and (line.cursor, line.selected) == (0, False)
    for key, char in [("right", None), ("delete", None), ("2", "2"), ("end", None)]:
        assert line.key(key, char)
    assert (line.text, line.cursor) == ("425", 3)
    assert line.key("backspace", None) and line.key("home", None) and line.key("-", "-")
    assert (line.text, line.cursor) == ("-42", 1)
    assert line.key("ctrl+u", None) and (line.text, line.cursor) == ("42", 0)
    line.insert("1e\t3")  # a paste: only printable characters
    assert line.text == "1e342"
    assert not line.key("up", None) and not line.key("f1", None)  # not the field's keys
    line = LineEdit("9")
    assert line.key("backspace", None) and line.text == "" and not line.selected


@app_test
async def test_a_paste_goes_into_the_field():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "enter")
        view = app.query_one(DataView)
        view.post_message(events.Paste("3.25\nsecond line"))
        await pilot.pause()
        assert field(app) == "3.25"
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.dataset.raw_x[0, 0] == 3.25


@app_test
async def test_a_value_longer_than_the_field_shows_its_end_where_the_cursor_is():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # the Data pane: about 38 wide
        await pilot.press("4", "enter", *"1234567890" * 5)
        view = app.query_one(DataView)
        shown = view.scrollable_content_region.height
        line = view.render_line(shown - 2).text.rstrip()
        assert line.startswith(" row 1, x: ") and line.endswith("4567890")
        assert len(line) <= view.scrollable_content_region.width
        await pilot.press("home")
        assert view.render_line(shown - 2).text.startswith(" row 1, x: 1234567890")
