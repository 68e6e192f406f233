"""The data table: x, y, ŷ and the residual of every row, drawing only the rows on screen.

A million-row file costs what a ten-row file costs: the widget is a virtual scroll view whose
lines are made when they are drawn, from the current parameters.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset

from .numbers import fit

CELL = 11


class DataView(ScrollView, can_focus=True):
    """Rows of the dataset with ŷ and residual for the given parameters."""

    DEFAULT_CSS = """
    DataView {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._dataset: Dataset | None = None
        self._weights = np.zeros(1)
        self._intercept = 0.0
        self._columns: list[str] = []

    def show(self, dataset: Dataset, weights: np.ndarray, intercept: float) -> None:
        if dataset is not self._dataset:
            self._dataset = dataset
            self._columns = [
                "row",
                *(n[: CELL - 1] for n in dataset.x_names),
                dataset.y_name[: CELL - 1],
                "ŷ",
                "residual",
            ]
            width = CELL * len(self._columns)
            self.virtual_size = Size(width, dataset.n_samples + 1)
        self._weights = weights
        self._intercept = intercept
        self.refresh()

    def _line(self, cells: list[str]) -> str:
        return "".join(cell.rjust(CELL - 1) + " " for cell in cells)

    def render_line(self, y: int) -> Strip:
        ds = self._dataset
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if ds is None:
            return Strip.blank(width)
        if y == 0:
            text = self._line(self._columns)
            strip = Strip([Segment(text, Style(bold=True, underline=True))])
            return strip.crop(scroll_x, scroll_x + width)
        row = scroll_y + y - 1
        if row >= ds.n_samples:
            return Strip.blank(width)
        y_hat, residual = model.fitted(
            ds.features[row : row + 1], ds.y[row : row + 1], self._weights, self._intercept
        )
        w = CELL - 1
        cells = [
            str(row + 1),
            *(fit(v, w) for v in ds.raw_x[row]),
            fit(ds.y[row], w),
            fit(y_hat[0], w),
            fit(residual[0], w),
        ]
        return Strip([Segment(self._line(cells))]).crop(scroll_x, scroll_x + width)
