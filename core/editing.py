"""Editing a dataset by hand: add a row, delete a row, change a cell, replace it all, undo.

Every edit makes a new :class:`~.dataset.Dataset` (a dataset is immutable: the session, the
reference and the charts built on the old one stay right until they are replaced) and remembers
how to undo itself. Undo keeps only what an edit changed (a cell's old value, a deleted row),
except for a replacement of the whole data, which keeps the old dataset.

A typed cell is checked by the same rule as a cell of a CSV file (:func:`parse_cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .csv_loader import cell_value
from .dataset import Dataset
from .errors import DataError

#: Most edits that can be undone.
UNDO_DEPTH = 1000


def parse_cell(text: str, where: str) -> float:
    """A typed cell as a CSV cell is read: a finite number (``1e3``, `` 2.5 `` …).

    Raises
    ------
    DataError
        With ``where`` and the reason (blank, not a number, not finite).
    """
    return cell_value(where, text, ",")


def column_names(dataset: Dataset) -> tuple[str, ...]:
    """The editable columns: the x columns as loaded, then y."""
    return (*dataset.x_names, dataset.y_name)


def _table(dataset: Dataset) -> np.ndarray:
    """ndarray of shape (n_samples, n_columns + 1): the x columns and y."""
    return np.column_stack([dataset.raw_x, dataset.y])


def _with_table(dataset: Dataset, table: np.ndarray, source: str | None = None) -> Dataset:
    return replace(
        dataset,
        raw_x=np.ascontiguousarray(table[:, :-1]),
        y=np.ascontiguousarray(table[:, -1]),
        source=source or dataset.source,
    )


def edited_source(source: str) -> str:
    return source if source.endswith(" (edited)") else f"{source} (edited)"


@dataclass(frozen=True)
class Edit:
    """What one edit did, in words, and how to undo it."""

    description: str
    undo: _Undo


@dataclass(frozen=True)
class _Undo:
    kind: str  # "set", "insert" (undo of a delete), "delete" (undo of an add), "replace"
    row: int = 0
    column: int = 0
    values: tuple[float, ...] = ()
    dataset: Dataset | None = None
    source: str = ""


class EditableData:
    """A dataset and the edits made to it, newest last.

    Parameters
    ----------
    dataset : Dataset
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._undo: list[Edit] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def edited(self) -> bool:
        return self.dataset.source.endswith(" (edited)")

    def _push(self, new: Dataset, edit: Edit) -> Edit:
        self.dataset = new
        self._undo.append(edit)
        del self._undo[:-UNDO_DEPTH]
        return edit

    def _where(self, row: int, column: int) -> str:
        return f"row {row + 1}, column {column_names(self.dataset)[column]!r}"

    def _check_row(self, row: int) -> None:
        if not 0 <= row < self.dataset.n_samples:
            raise DataError(f"row {row + 1}: there are rows 1 to {self.dataset.n_samples}")

    # -- edits ---------------------------------------------------------------------------------

    def propose_set(self, row: int, column: int, text: str) -> tuple[Dataset, Edit]:
        """The dataset with one cell changed to the number ``text`` (not yet applied)."""
        self._check_row(row)
        value = parse_cell(text, self._where(row, column))
        table = _table(self.dataset)
        old = float(table[row, column])
        table[row, column] = value
        name = column_names(self.dataset)[column]
        edit = Edit(
            f"row {row + 1} {name}: {old:.6g} → {value:.6g}",
            _Undo("set", row, column, (old,), source=self.dataset.source),
        )
        return _with_table(self.dataset, table, edited_source(self.dataset.source)), edit

    def propose_add(self, texts: Sequence[str], at: int | None = None) -> tuple[Dataset, Edit]:
        """The dataset with a row of numbers ``texts`` (one per column) inserted at ``at``
        (default: the end)."""
        n = self.dataset.n_samples
        at = n if at is None else max(0, min(at, n))
        names = column_names(self.dataset)
        if len(texts) != len(names):
            raise DataError(
                f"a row needs {len(names)} values ({', '.join(names)}), got {len(texts)}"
            )
        values = [
            parse_cell(t, f"new row {at + 1}, column {name!r}") for t, name in zip(texts, names)
        ]
        table = np.insert(_table(self.dataset), at, values, axis=0)
        shown = ", ".join(f"{v:.6g}" for v in values)
        edit = Edit(
            f"row {at + 1} added ({shown})", _Undo("delete", at, source=self.dataset.source)
        )
        return _with_table(self.dataset, table, edited_source(self.dataset.source)), edit

    def propose_delete(self, row: int) -> tuple[Dataset, Edit]:
        """The dataset without row ``row``."""
        self._check_row(row)
        table = _table(self.dataset)
        values = tuple(table[row].tolist())
        shown = ", ".join(f"{v:.6g}" for v in values)
        edit = Edit(
            f"row {row + 1} deleted ({shown})",
            _Undo("insert", row, values=values, source=self.dataset.source),
        )
        return _with_table(
            self.dataset, np.delete(table, row, axis=0), edited_source(self.dataset.source)
        ), edit

    def propose_replace(self, dataset: Dataset, description: str) -> tuple[Dataset, Edit]:
        """Another dataset altogether (generated data)."""
        return dataset, Edit(description, _Undo("replace", dataset=self.dataset))

    def apply(self, new: Dataset, edit: Edit) -> Edit:
        """Make a proposed edit the current data (once the session has accepted it)."""
        return self._push(new, edit)

    def propose_undo(self) -> tuple[Dataset, str]:
        """The dataset before the last edit, and what is undone (not yet applied)."""
        if not self._undo:
            raise DataError("nothing to undo")
        edit = self._undo[-1]
        u = edit.undo
        ds = self.dataset
        if u.kind == "replace":
            return u.dataset, edit.description
        table = _table(ds)
        if u.kind == "set":
            table[u.row, u.column] = u.values[0]
        elif u.kind == "insert":
            table = np.insert(table, u.row, u.values, axis=0)
        else:  # "delete": the row an add put in
            table = np.delete(table, u.row, axis=0)
        return _with_table(ds, table, u.source), edit.description

    def apply_undo(self, previous: Dataset) -> None:
        self.dataset = previous
        self._undo.pop()


def to_csv(dataset: Dataset) -> str:
    """The x columns and y as CSV text with a header, numbers in full (``repr``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(column_names(dataset))
    writer.writerows(_table(dataset).tolist())
    return out.getvalue()
