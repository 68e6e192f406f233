"""The data table: x, y, ŷ and the residual of every row for the current parameters.

A million-row file costs what a ten-row file costs: rows are made when they are drawn.
"""

from __future__ import annotations

import numpy as np

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset

from .frame import Frame
from .numbers import fit
from .virtual_table import VirtualTable


class DataView(VirtualTable):
    """Rows of the dataset with ŷ and the residual."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._dataset: Dataset | None = None
        self._weights = np.zeros(1)
        self._intercept = 0.0

    def show_frame(self, frame: Frame) -> None:
        self.show(frame.session.dataset, frame.record.weights, frame.record.intercept)

    def show(self, dataset: Dataset, weights: np.ndarray, intercept: float) -> None:
        """Show ŷ and residuals for these parameters; only lines whose numbers changed are
        redrawn."""
        new = dataset is not self._dataset
        self._dataset = dataset
        self._weights = weights
        self._intercept = intercept
        if new:
            self.update_size()
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
