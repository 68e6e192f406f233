"""The data table: x, y, ŷ and the residual of every row for the current parameters, with a
cursor on one cell of x or y that the editing keys act on (see :mod:`.data_editing`).

A million-row file costs what a ten-row file costs: rows are made when they are drawn.
"""

from __future__ import annotations

import numpy as np
from textual.binding import Binding

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset

from .frame import Frame
from .numbers import fit
from .virtual_table import VirtualTable


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
            "enter", "edit('cell')", "Edit cell", tooltip="Data pane: edit the cell", id="data.edit"
        ),
        Binding("a", "edit('add')", "Add row", tooltip="Data pane: add a row", id="data.add"),
        Binding(
            "d",
            "edit('delete')",
            "Delete row",
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
            "Write CSV",
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

    def row_cells(self, index: int, width: int) -> list[str]:
        ds = self._dataset
        y_hat, residual = model.fitted(
            ds.features[index : index + 1], ds.y[index : index + 1], self._weights, self._intercept
        )
        values = [*ds.raw_x[index].tolist(), float(ds.y[index]), y_hat[0], residual[0]]
        return [f"{index + 1:,}", *(fit(v, width) for v in values)]

    def cursor(self) -> tuple[int, int] | None:
        if self._dataset is None or not self.has_focus:
            return None
        return self.row, self.column + 1  # after the row number

    # -- keys -------------------------------------------------------------------------------------

    def action_move(self, rows: int, columns: int) -> None:
        if self._dataset is None:
            return
        self.row = max(0, min(self.row + rows, self._dataset.n_samples - 1))
        self.column = max(0, min(self.column + columns, self._dataset.raw_x.shape[1]))
        self._follow()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1), 0)

    def action_edit(self, what: str) -> None:
        self.app.edit_data(what)

    def _follow(self) -> None:
        """Scroll so the cursor's row is on screen."""
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height - 1)  # less the header
        if self.row < top:
            self.scroll_to(y=self.row, animate=False)
        elif self.row >= top + visible:
            self.scroll_to(y=self.row - visible + 1, animate=False)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
