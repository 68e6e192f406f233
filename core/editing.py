"""Editing a dataset by hand: add a row, delete a row, change a cell, replace it all, undo.

Every edit makes a new :class:`~.dataset.Dataset` (a dataset is immutable: the session, the
reference and the charts built on the old one stay right until they are replaced) and remembers
how to undo itself. Undo keeps only what an edit changed (a cell's old value, a deleted row),
except for a replacement of the whole data, which keeps the old dataset. Each edit also says
which rows went out and came in (a :class:`~.moments.Change`), so the session can update its
answer from those rows alone (:meth:`~.session.Session.edited`).

The one exception to immutability, asked for with ``in_place=True``: a changed cell can be
written into the data's own arrays (a :class:`Patch`), which the datasets before and after the
edit then share, because copying a million rows for one cell costs more than the rest of the
edit (and the copies' fresh memory more again on a busy machine). The caller writes the patch
just before it builds on the new dataset and restores it if that is refused.

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
from .moments import Change

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


@dataclass(frozen=True, eq=False)
class Patch:
    """One cell of a dataset's own arrays changed in place, shared by the datasets before and
    after the edit: until :meth:`write` they hold the value before, after it the value after,
    and :meth:`restore` puts the value before back. Only one of the two datasets is right at a
    time, so nothing may read the one before after the write (the caller makes sure: the
    session built on it is replaced, or the write is restored).

    Attributes
    ----------
    array : ndarray
        The array holding the cell (``raw_x`` or ``y``).
    index : tuple of int
    before, after : float
    """

    array: np.ndarray
    index: tuple[int, ...]
    before: float
    after: float

    def write(self) -> None:
        self.array[self.index] = self.after

    def restore(self) -> None:
        self.array[self.index] = self.before


def _with_cell(
    dataset: Dataset, row: int, column: int, value: float, source: str, in_place: bool = False
) -> tuple[Dataset, Patch | None]:
    """``dataset`` with one cell changed: copies of x and y (not a table of both, which a million
    rows would pay for twice), or with ``in_place`` (and one power of each x column, whose
    features are the x columns themselves) the same arrays and the :class:`Patch` that changes
    them."""
    x_cell = column < dataset.raw_x.shape[1]
    if in_place and dataset.degree == 1 and dataset.moment_features is None:
        array, index = (dataset.raw_x, (row, column)) if x_cell else (dataset.y, (row,))
        patch = Patch(array, index, float(array[index]), float(value))
        return replace(dataset, source=source), patch
    raw_x, y = dataset.raw_x.copy(), dataset.y.copy()
    if x_cell:
        raw_x[row, column] = value
    else:
        y[row] = value
    return replace(dataset, raw_x=raw_x, y=y, source=source), None


def _row(dataset: Dataset, row: int) -> np.ndarray:
    """ndarray of shape (n_columns + 1,): row ``row``'s x columns, then y."""
    return np.append(dataset.raw_x[row], dataset.y[row])


def _with_row(dataset: Dataset, at: int, values: Sequence[float], source: str) -> Dataset:
    return replace(
        dataset,
        raw_x=np.insert(dataset.raw_x, at, values[:-1], axis=0),
        y=np.insert(dataset.y, at, values[-1]),
        source=source,
    )


def _without_row(dataset: Dataset, row: int, source: str) -> Dataset:
    return replace(
        dataset,
        raw_x=np.delete(dataset.raw_x, row, axis=0),
        y=np.delete(dataset.y, row),
        source=source,
    )


def edited_source(source: str) -> str:
    return source if source.endswith(" (edited)") else f"{source} (edited)"


@dataclass(frozen=True)
class Edit:
    """What one edit did, in words, how to undo it, and the rows it took out and put in (None
    for a replacement of the whole data)."""

    description: str
    undo: _Undo
    change: Change | None = None
    #: For an edit made in place (see :class:`Patch`): write it before building on the new data.
    patch: Patch | None = None


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

    def propose_set(
        self, row: int, column: int, text: str, in_place: bool = False
    ) -> tuple[Dataset, Edit]:
        """The dataset with one cell changed to the number ``text`` (not yet applied); with
        ``in_place``, sharing the current dataset's arrays, the change in the edit's
        :attr:`Edit.patch` (written by the caller)."""
        self._check_row(row)
        value = parse_cell(text, self._where(row, column))
        ds = self.dataset
        before = _row(ds, row)
        after = before.copy()
        after[column] = value
        old = float(before[column])
        name = column_names(ds)[column]
        new, patch = _with_cell(ds, row, column, value, edited_source(ds.source), in_place)
        edit = Edit(
            f"row {row + 1} {name}: {old:.6g} → {value:.6g}",
            _Undo("set", row, column, (old,), source=ds.source),
            Change(before[None, :], after[None, :]),
            patch,
        )
        return new, edit

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
        shown = ", ".join(f"{v:.6g}" for v in values)
        edit = Edit(
            f"row {at + 1} added ({shown})",
            _Undo("delete", at, source=self.dataset.source),
            Change(np.empty((0, len(values))), np.array([values])),
        )
        return _with_row(self.dataset, at, values, edited_source(self.dataset.source)), edit

    def propose_delete(self, row: int) -> tuple[Dataset, Edit]:
        """The dataset without row ``row``."""
        self._check_row(row)
        row_values = _row(self.dataset, row)
        values = tuple(row_values.tolist())
        shown = ", ".join(f"{v:.6g}" for v in values)
        edit = Edit(
            f"row {row + 1} deleted ({shown})",
            _Undo("insert", row, values=values, source=self.dataset.source),
            Change(row_values[None, :], np.empty((0, len(values)))),
        )
        return _without_row(self.dataset, row, edited_source(self.dataset.source)), edit

    def propose_replace(self, dataset: Dataset, description: str) -> tuple[Dataset, Edit]:
        """Another dataset altogether (generated data)."""
        return dataset, Edit(description, _Undo("replace", dataset=self.dataset))

    def apply(self, new: Dataset, edit: Edit) -> Edit:
        """Make a proposed edit the current data (once the session has accepted it)."""
        return self._push(new, edit)

    def propose_undo(self, in_place: bool = False) -> tuple[Dataset, Edit]:
        """The dataset before the last edit, and the edit that undoes it (its description is
        the undone edit's; not yet applied; ``in_place``: as for :meth:`propose_set`, for the
        undoing of a changed cell)."""
        if not self._undo:
            raise DataError("nothing to undo")
        edit = self._undo[-1]
        u = edit.undo
        ds = self.dataset
        change = edit.change.inverse() if edit.change is not None else None
        patch = None
        if u.kind == "replace":
            previous = u.dataset
        elif u.kind == "set":
            previous, patch = _with_cell(ds, u.row, u.column, u.values[0], u.source, in_place)
        elif u.kind == "insert":
            previous = _with_row(ds, u.row, u.values, u.source)
        else:  # "delete": the row an add put in
            previous = _without_row(ds, u.row, u.source)
        return previous, Edit(edit.description, u, change, patch)

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
