"""Editing the data in the Data pane: the cell editor, the dialogs, and what applying an edit
does to the app.

Keys (on the Data pane): ``enter`` edits the cell under the cursor in place (the table's last
lines become the field, see :meth:`~.data_view.DataView.open_editor`: no dialog, so applying the
value redraws only what changed, not the whole screen), ``a`` adds a row after the cursor's,
``d`` deletes the cursor's row, ``u`` undoes, ``n`` opens the generated-data menu, ``w`` writes
the data to a CSV file. Every typed number is checked as a CSV cell is
(:func:`~linreg_tui.core.editing.parse_cell`); a refused value leaves everything as it was.

An edit replaces the session (new data: new reference, analysis and charts), so the run restarts
at epoch 0, and the log and a toast say so. Pinned runs belong to the data they were fitted to:
with any pinned, an edit asks first (y / n), since they are dropped with it.
"""

from __future__ import annotations

import gc
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from linreg_tui.core import editing, generate
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.editing import Edit, EditableData, Patch
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.files import write_text
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.moments import Change

from . import export
from .markup import escape
from .numbers import plain
from .settings_panel import CoreParser

_DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 64;
    max-width: 96%;
    height: auto;
    border: round $accent;
    border-title-align: center;
    padding: 0 1;
    background: $surface;
}}
{name} Input {{
    width: 1fr;
}}
{name} .why {{
    color: $text-error;
    height: auto;
}}
{name} .hint {{
    color: $text-muted;
    height: auto;
}}
"""


class _Dialog(ModalScreen):
    AUTO_FOCUS = "Input"  # the app focuses nothing at start; a dialog starts in its first field
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        self.finish(None)

    def finish(self, result) -> None:
        """Dismiss once: two Enters can arrive before the first dismissal has taken effect."""
        if not getattr(self, "_finished", False):
            self._finished = True
            self.dismiss(result)

    def say(self, text: str) -> None:
        self.query_one(".why", Static).update(escape(text))


class ValuesDialog(_Dialog):
    """One input per value (a cell, a new row's cells, a file name); Enter in the last one
    submits when every input is valid, Escape cancels. Returns the texts typed, or None."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ValuesDialog")

    def __init__(
        self,
        title: str,
        labels: Sequence[str],
        values: Sequence[str],
        parse=None,
        hint: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._labels = labels
        self._values = values
        self._parse = parse
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            for i, (label, value) in enumerate(zip(self._labels, self._values)):
                with Horizontal(classes="row"):
                    yield Label(f"{label} ", classes="label")
                    yield Input(
                        value,
                        id=f"value-{i}",
                        compact=True,
                        select_on_focus=True,
                        validators=[CoreParser(self._check(label))] if self._parse else [],
                        validate_on=["changed", "submitted"],
                    )
            yield Static("", classes="why")
            keys = (
                "Enter: next field (in the last: apply) · Escape: cancel"
                if len(self._labels) > 1
                else "Enter: apply · Escape: cancel"
            )
            yield Static(escape(self._hint) + keys, classes="hint")

    def _check(self, label: str):
        return lambda text: self._parse(text, label)

    @on(Input.Changed)
    def show_reason(self, event: Input.Changed) -> None:
        r = event.validation_result
        self.say("" if r is None or r.is_valid else "✗ " + r.failure_descriptions[0])

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        for inp in inputs:
            r = inp.validate(inp.value)
            if r is not None and not r.is_valid:
                inp.focus()
                self.say("✗ " + r.failure_descriptions[0])
                return
        if event.input is not inputs[-1]:
            self.focus_next()
            return
        self.finish([inp.value for inp in inputs])


class ConfirmDialog(_Dialog):
    """y / n. Returns True for y."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Confirm"
            yield Static(escape(self._question))
            yield Static("", classes="why")
            yield Static("y: yes · n or Escape: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.finish(yes)


class GenerateDialog(_Dialog):
    """Pick a recipe, a seed (a random one is offered and shown) and a number of rows."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="GenerateDialog") + (
        "GenerateDialog OptionList { height: auto; max-height: 8; }"
    )

    def __init__(self, seed: int) -> None:
        super().__init__()
        self._seed = seed

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Generated data"
            yield OptionList(
                *(Option(f"{r.label}: {r.what}", id=name) for name, r in generate.RECIPES.items()),
                id="recipe",
            )
            with Horizontal(classes="row"):
                yield Label("seed ")
                yield Input(str(self._seed), id="seed", compact=True, type="integer")
                yield Label(" rows ")
                yield Input(str(generate.DEFAULT_ROWS), id="rows", compact=True, type="integer")
            yield Static("", classes="why")
            yield Static(
                "↑↓ choose · Enter: make it · tab: seed and rows · Escape: cancel",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def make(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        try:
            seed = int(self.query_one("#seed", Input).value)
            rows = int(self.query_one("#rows", Input).value)
        except ValueError:
            self.say("✗ seed and rows must be whole numbers")
            return
        if not 3 <= rows <= 1_000_000:
            self.say("✗ rows: from 3 to 1,000,000")
            return
        if seed < 0:
            self.say("✗ seed: a whole number ≥ 0")
            return
        self.finish((option.id if option else "line", seed, rows))


def _parse_file_name(text: str, label: str) -> str:
    if not text.strip():
        raise DataError("a file name is needed")
    return text.strip()


def adapted(hp: Hyperparameters, dataset: Dataset) -> Hyperparameters:
    """Settings that fit ``dataset``: m0 and predict-x keep their values when the number of
    weights and columns stays, else m0 is one value for every weight and predict-x each
    column's median."""
    changes: dict = {}
    if len(hp.m0) not in (1, dataset.n_features):
        changes["m0"] = (hp.m0[0],)
    columns = dataset.raw_x.shape[1]
    if len(hp.predict_x) != columns:
        changes["predict_x"] = tuple(
            float(f"{np.median(dataset.raw_x[:, j]):.3g}") for j in range(columns)
        )
    return replace(hp, **changes) if changes else hp


#: Why the Data pane's keys do nothing on streamed data.
NO_EDITING_STREAMED = (
    "Editing is off with --stream: the app holds only the sums of the rows and a sample of them, "
    "and an edit must change the rows themselves (load the file without --stream to edit it)."
)


class DataEditor:
    """What the Data pane's keys do to the app (``app.edit_data(what)`` calls in here)."""

    def __init__(self, app) -> None:
        self.app = app
        self.data: EditableData | None = None  # made at the first edit (the session may not be
        # there yet when the app opens)

    def _view(self):
        from .data_view import DataView

        return self.app.query_one(DataView)

    def run(self, what: str, *args) -> None:
        if self.app.session.dataset.streamed is not None:
            self.app.notify(NO_EDITING_STREAMED, title="Not applied", severity="warning", timeout=6)
            return
        # Every loaded row, held-out ones too (a validation split is drawn again from the
        # edited data): editing the training rows alone would drop the held-out rows.
        if self.data is None or self.data.dataset is not self.app.session.loaded:  # changed
            self.data = EditableData(self.app.session.loaded)
        try:
            getattr(self, f"_{what}")(*args)
        except DataError as exc:
            self.app.notify(str(exc), title="Not applied", severity="error")

    # -- the keys ---------------------------------------------------------------------------------

    def _cell(self) -> None:
        view = self._view()
        ds = self.data.dataset
        row, column = view.row, view.column
        name = editing.column_names(ds)[column]
        value = float(ds.y[row] if column == ds.raw_x.shape[1] else ds.raw_x[row, column])

        def done(text: str) -> None:
            self.run("apply_cell", row, column, text)

        view.open_editor(
            f"row {row + 1:,}, {name}",
            plain(value),
            lambda t: editing.parse_cell(t, f"row {row + 1}, column {name!r}"),
            done,
        )

    def _apply_cell(self, row: int, column: int, text: str) -> None:
        self._apply(*self.data.propose_set(row, column, text, in_place=self._in_place()))

    def _in_place(self) -> bool:
        """Whether a changed cell may be written into the data's own arrays (see
        :class:`~linreg_tui.core.editing.Patch`): not while a sweep's thread may be reading
        them (the data's moments are formed before the write, see ``_replace_session``)."""
        return not any(w.group == "sweep" and w.is_running for w in self.app.workers)

    def _add(self) -> None:
        view = self._view()
        ds = self.data.dataset
        names = editing.column_names(ds)
        at = view.row + 1 if ds.n_samples else 0
        start = [plain(v) for v in (*ds.raw_x[view.row].tolist(), float(ds.y[view.row]))]

        def moved() -> None:
            view.row = at
            view.action_move(0, 0)

        def done(texts: list[str] | None) -> None:
            if texts is not None:
                self._apply(*self.data.propose_add(texts, at), then=moved)

        self.app.push_screen(
            ValuesDialog(
                f"New row {at + 1:,}",
                names,
                start,
                parse=lambda t, label: editing.parse_cell(t, f"new row, column {label!r}"),
                hint="Starts as a copy of the row above. ",
            ),
            done,
        )

    def _delete(self) -> None:
        self._apply(*self.data.propose_delete(self._view().row))

    def _undo(self) -> None:
        if not self.data.can_undo:
            self.app.notify("Nothing to undo.", timeout=2)
            return
        previous, edit = self.data.propose_undo(in_place=self._in_place())

        def go() -> None:
            what = f"undone: {edit.description}"
            if self._replace_session(previous, what, edit.change, edit.patch):
                self.data.apply_undo(previous)

        self._confirmed(go)

    def _generate(self) -> None:
        def done(choice) -> None:
            if choice is None:
                return
            name, seed, rows = choice
            ds = generate.generate(name, seed, rows)
            self._apply(*self.data.propose_replace(ds, ds.source))

        self.app.push_screen(GenerateDialog(random.randrange(10_000)), done)

    def _write(self) -> None:
        text = editing.to_csv(self.data.dataset)
        if self.app.served:
            export.hand_out(self.app, "data", "csv", "text/csv", text, served=True)
            return
        source = self.app.session.dataset.source
        stem = "data" if source.startswith(("built-in", "generated")) else source
        default = os.path.splitext(os.path.basename(stem))[0] + "-edited.csv"

        def write(path: str, overwrite: bool) -> None:
            try:
                write_text(path, text, overwrite=overwrite)
            except FileExistsError:
                self.app.push_screen(
                    ConfirmDialog(f"{path} exists. Replace it?"),
                    lambda yes: write(path, True) if yes else self.app.notify("Not written."),
                )
                return
            except DataError as exc:
                self.app.notify(str(exc), title="Not written", severity="error", timeout=8)
                return
            self.app.notify(
                f"wrote {os.path.abspath(path)} ({self.data.dataset.n_samples:,} rows)",
                title="Data written",
                timeout=6,
            )

        self.app.push_screen(
            ValuesDialog("Write the data to CSV", ["file"], [default], parse=_parse_file_name),
            lambda texts: texts is not None and write(texts[0].strip(), False),
        )

    # -- applying ---------------------------------------------------------------------------------

    def _apply(self, new: Dataset, edit: Edit, then: Callable[[], None] | None = None) -> None:
        """Make ``new`` the data (after a yes if pinned runs would go with the old data), then
        call ``then``."""

        def go() -> None:
            if self._replace_session(new, edit.description, edit.change, edit.patch):
                self.data.apply(new, edit)
                if then is not None:
                    then()

        self._confirmed(go)

    def _confirmed(self, go: Callable[[], None]) -> None:
        """``go()`` now, or once the user says yes when pinned runs, fitted to the current data,
        would be dropped with it."""
        pinned = len(self.app.pinned)
        if not pinned:
            go()
            return
        runs = "1 pinned run" if pinned == 1 else f"{pinned} pinned runs"

        def answered(yes: bool | None) -> None:
            if yes:
                go()
            else:
                self.app.notify("Not applied; the data and the pinned runs are as they were.")

        self.app.push_screen(
            ConfirmDialog(f"{runs} of the current data will be dropped with this change. Go on?"),
            answered,
        )

    def _replace_session(
        self, dataset: Dataset, what: str, change: Change | None, patch: Patch | None = None
    ) -> bool:
        """Make ``dataset`` the data; an edit made in place is written first (after the data's
        moments are formed from the data before it) and restored if the new data is refused.

        Python's cycle collector is held off until the edit's frame is drawn: a full collection
        (every object of the app, 20–120 ms) could otherwise fall inside the edit; it runs as
        soon as the frame is out."""
        if gc.isenabled():
            gc.disable()
            self.app.call_after_refresh(gc.enable)
        old = self.app.session
        if patch is not None:
            old.prepare_edits()
            patch.write()
        try:
            hp = adapted(old.hp, dataset)
            ok = self.app.replace_data(dataset, hp, what, change)
        except (DataError, HyperparameterError) as exc:
            if patch is not None:
                patch.restore()
            self.app.notify(f"{exc}; the data is as it was", title="Not applied", severity="error")
            return False
        except BaseException:
            if patch is not None and self.app.session is old:
                patch.restore()
            raise
        return ok
