"""The data table: x, y, ŷ and the residual of every row for the current parameters, with a
cursor on one cell of x or y that the editing keys act on (see :mod:`.data_editing`), and the
field a cell is edited in, drawn in the table's last lines (:meth:`DataView.open_editor`).

A million-row file costs what a ten-row file costs: rows are made when they are drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.strip import Strip

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset

from .frame import Frame
from .line_edit import LineEdit
from .numbers import fit
from .virtual_table import VirtualTable, cell_widths

_NAME = Style(bold=True)
_FIELD = Style(underline=True)
_SELECTED = Style(reverse=True, underline=True)
_CURSOR = Style(reverse=True)
_HINT = Style(dim=True)
_REFUSED = Style(bold=True, color="red")
#: What the field's last line says while the typed value is acceptable.
EDIT_HINT = "Enter: apply · Escape: cancel"
#: Most lines the reason a value is refused may take (it wraps in a narrow pane).
REASON_LINES = 3


@dataclass
class CellEdit:
    """A cell being edited: its name, the text typed, how it is checked, and what applies it."""

    name: str
    line: LineEdit
    parse: Callable[[str], object]
    done: Callable[[str], None]
    #: Why the text typed is refused (None: it is a number), as the parser says.
    reason: str | None = None

    def check(self) -> None:
        try:
            self.parse(self.line.text)
        except ValueError as exc:  # DataError: the CSV cell's rule, naming the row and column
            self.reason = str(exc)
        else:
            self.reason = None


class DataView(VirtualTable):
    """Rows of the dataset with ŷ and the residual; arrows move the cursor."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Row up", show=False, id="data.up"),
        Binding("down", "move(1, 0)", "Row down", show=False, id="data.down"),
        Binding("left", "move(0, -1)", "Column left", show=False, id="data.left"),
        Binding("right", "move(0, 1)", "Column right", show=False, id="data.right"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="data.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="data.pagedown"),
        Binding("home", "move(-1000000000000, 0)", "First row", show=False, id="data.home"),
        Binding("end", "move(1000000000000, 0)", "Last row", show=False, id="data.end"),
        Binding(
            "enter", "edit('cell')", "Edit", tooltip="Data pane: edit the cell", id="data.edit"
        ),
        Binding("a", "edit('add')", "Add", tooltip="Data pane: add a row", id="data.add"),
        Binding(
            "d",
            "edit('delete')",
            "Delete",
            tooltip="Data pane: delete the row",
            id="data.delete",
        ),
        Binding(
            "u", "edit('undo')", "Undo", tooltip="Data pane: undo the last edit", id="data.undo"
        ),
        Binding(
            "n",
            "edit('generate')",
            "Generate",
            tooltip="Data pane: generated data for lessons (seed shown)",
            id="data.generate",
        ),
        Binding(
            "w",
            "edit('write')",
            "Write",
            tooltip="Data pane: write the data to a CSV file",
            id="data.write",
        ),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._dataset: Dataset | None = None
        self._weights = np.zeros(1)
        self._intercept = 0.0
        self.row = 0
        #: 0 … number of x columns: which of x…, y the cursor is on.
        self.column = 0
        #: The cell being edited in the table's last lines, if one is.
        self.editing: CellEdit | None = None

    def show_frame(self, frame: Frame) -> None:
        s = frame.session
        # Every loaded row (with a validation split, the held-out ones too: they are edited
        # like the others); for streamed data, its sample.
        rows = s.shown_data if s.dataset.streamed is not None else s.loaded
        self.show(rows, frame.record.weights, frame.record.intercept)

    def show(self, dataset: Dataset, weights: np.ndarray, intercept: float) -> None:
        """Show ŷ and residuals for these parameters; only lines whose numbers changed are
        redrawn."""
        new = dataset is not self._dataset
        self._dataset = dataset
        self._weights = weights
        self._intercept = intercept
        if new:
            self.update_size()
            self.row = max(0, min(self.row, dataset.n_samples - 1))
            self.column = min(self.column, dataset.raw_x.shape[1])
        self.refresh_lines()

    def columns(self) -> list[str]:
        ds = self._dataset
        if ds is None:
            return []
        return ["row", *ds.x_names, ds.y_name, "ŷ", "residual"]

    def row_count(self) -> int:
        return 0 if self._dataset is None else self._dataset.n_samples

    def index_width(self) -> int:
        return 0 if self._dataset is None else len(f"{self._dataset.n_samples:,}")

    def row_cells(self, index: int, widths: Sequence[int] | int) -> list[str]:
        ds = self._dataset
        widths = cell_widths(widths, ds.raw_x.shape[1] + 4)
        with np.errstate(over="ignore", invalid="ignore"):  # shown as beyond float64
            y_hat, residual = model.fitted(
                ds.features[index : index + 1],
                ds.y[index : index + 1],
                self._weights,
                self._intercept,
            )
        values = [*ds.raw_x[index].tolist(), float(ds.y[index]), y_hat[0], residual[0]]
        return [f"{index + 1:,}", *(fit(v, w) for v, w in zip(values, widths[1:]))]

    def cursor(self) -> tuple[int, int] | None:
        # Shown while the pane has the focus: the table's, or the cell editor's under it.
        if self._dataset is None or not (self.has_focus or self.parent.has_focus_within):
            return None
        return self.row, self.column + 1  # after the row number

    # -- keys -------------------------------------------------------------------------------------

    def action_move(self, rows: int, columns: int) -> None:
        if self._dataset is None:
            return
        self.row = max(0, min(self.row + rows, self._dataset.n_samples - 1))
        column = max(0, min(self.column + columns, self._dataset.raw_x.shape[1]))
        if columns and column == self.column:
            # At x's first or y, where not all columns fit: on to the columns beyond (ŷ and
            # the residual), as far as the cursor's column stays in view.
            self.scroll_columns(columns)
        self.column = column
        self._follow()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1), 0)

    def action_edit(self, what: str) -> None:
        self.app.edit_data(what)

    def _follow(self) -> None:
        """Scroll so the cursor's cell is on screen (and not under the field being edited)."""
        self.show_column(self.column + 1)
        top = int(self.scroll_offset.y)
        # less the header and the field's lines
        covered = len(self._editor_lines()) if self.editing is not None else 0
        visible = max(1, self.scrollable_content_region.height - 1 - covered)
        if self.row < top:
            self.scroll_to(y=self.row, animate=False)
        elif self.row >= top + visible:
            self.scroll_to(y=self.row - visible + 1, animate=False)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh_lines()  # the cursor's line, which shows while the table has the focus

    def on_blur(self) -> None:
        self.close_editor()  # the focus went elsewhere (tab, the mouse): the edit is dropped
        self.refresh_lines()

    # -- editing a cell in place ------------------------------------------------------------------

    def open_editor(
        self,
        name: str,
        value: str,
        parse: Callable[[str], object],
        done: Callable[[str], None],
    ) -> None:
        """Edit a cell called ``name`` that holds ``value`` in the table's last lines: the typed
        text is checked by ``parse`` (which raises ValueError with the reason) as it is typed,
        and Enter calls ``done`` with it when it is accepted; Escape drops it. While the field
        is open every key goes to it (Textual ``Input``'s editing keys)."""
        self.editing = CellEdit(name, LineEdit(value), parse, done)
        self.editing.check()
        self._follow()

    def close_editor(self) -> None:
        """Drop the field (nothing is applied)."""
        if self.editing is not None:
            self.editing = None
            self.refresh_lines()

    def on_key(self, event: events.Key) -> None:
        edit = self.editing
        if edit is None:
            return
        if event.key in ("tab", "shift+tab"):
            self.close_editor()  # and the focus moves on
            return
        # Every other key is the field's: none reaches the table's or the app's bindings.
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.close_editor()
        elif event.key == "enter":
            self._submit(edit)
        elif edit.line.key(event.key, event.character):
            self._edited(edit)

    def on_paste(self, event: events.Paste) -> None:
        if self.editing is not None:
            event.stop()
            self.editing.line.insert(event.text.splitlines()[0] if event.text else "")
            self._edited(self.editing)

    def _edited(self, edit: CellEdit) -> None:
        covered = len(self._editor_lines())
        edit.check()
        if len(self._editor_lines()) != covered:
            self._follow()  # a longer reason covers more lines
        self.refresh_lines()

    def _submit(self, edit: CellEdit) -> None:
        edit.check()
        if edit.reason is not None:
            self.refresh_lines()  # it stays open, saying why
            return
        self.editing = None  # the table's lines come back with the edit's frame
        shown = self._dataset
        edit.done(edit.line.text)
        if self._dataset is shown:  # not applied (yet): else show() has repainted them
            self.refresh_lines()

    def _editor_lines(self) -> list[Strip]:
        """The field's lines, full width: the cell's name and the text typed, then the reason
        the text is refused (wrapped, up to REASON_LINES) or the keys."""
        edit = self.editing
        width = self.scrollable_content_region.width or self.size.width
        line = edit.line
        label = f"{edit.name}: "
        parts = [Segment(" "), Segment(label, _NAME)]
        # Text longer than the room left shows the stretch that ends at the cursor.
        room = max(4, width - 2 - len(label))
        start = max(0, line.cursor + 1 - room)
        text, cursor = line.text[start : start + room], line.cursor - start
        if line.selected:
            parts.append(Segment(text, _SELECTED))
        else:
            parts += [
                Segment(text[:cursor], _FIELD),
                Segment(text[cursor : cursor + 1] or " ", _CURSOR),
                Segment(text[cursor + 1 :], _FIELD),
            ]
        lines = [Strip(parts)]
        if edit.reason is None:
            lines.append(Strip([Segment(" " + EDIT_HINT, _HINT)]))
        else:
            text = textwrap.wrap("✗ " + edit.reason, max(10, width - 2))
            if len(text) > REASON_LINES:
                text = [*text[: REASON_LINES - 1], " ".join(text[REASON_LINES - 1 :])]
            lines += [Strip([Segment(" " + t, _REFUSED)]) for t in text]
        return [strip.crop_extend(0, width, None) for strip in lines]

    def _make_line(self, y: int) -> Strip:
        if self.editing is not None:
            lines = self._editor_lines()
            at = y - (self.scrollable_content_region.height - len(lines))
            if 0 <= at < len(lines) and y > 0:
                return lines[at]
        return super()._make_line(y)
