"""Reading a Parquet file into a :class:`~.dataset.Dataset`, with the CSV loader's rules.

Columns are chosen by name or 1-based number as in a CSV; a chosen column must hold numbers
(integers or floats: text is refused, since a Parquet file says what its columns hold), and every
cell used must be present and finite. Messages name the file, the row and the column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .columns import select_columns
from .csv_loader import Progress, dataset_of
from .dataset import Dataset
from .errors import DataError, few, shown

#: A Parquet file starts (and ends) with these bytes.
MAGIC = b"PAR1"


def is_parquet(path: str) -> bool:
    """Whether ``path`` is a Parquet file (by its first bytes, not its name)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == MAGIC
    except OSError:
        return False


def load_parquet(
    path: str | os.PathLike[str],
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
    progress: Progress | None = None,
) -> Dataset:
    """Load the chosen columns of a Parquet file (parameters as :func:`~.csv_loader.load_csv`).

    Raises
    ------
    DataError
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = os.fspath(path)
    try:
        parquet = pq.ParquetFile(name)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{name}: cannot be read as Parquet ({exc})") from None
    schema = parquet.schema_arrow
    header = list(schema.names)
    if len(header) < 2:
        raise DataError(f"{name}: has {len(header)} column(s); an x and a y column are needed")
    x_cols, y_col = select_columns(name, header, x, y)
    wanted = [*x_cols, y_col]
    for col in wanted:
        check_numeric_type(name, header[col], schema.field(col).type)
    total = parquet.metadata.num_rows
    values = np.empty((total, len(wanted)), dtype=np.float64)
    rows = 0
    try:
        batches = parquet.iter_batches(columns=[header[c] for c in wanted], batch_size=1 << 20)
        for batch in batches:
            for j, col in enumerate(wanted):
                values[rows : rows + batch.num_rows, j] = column_values(
                    name, header[col], batch.column(j), rows
                )
            rows += batch.num_rows
            if progress is not None:
                progress(rows, total, rows)
    except pa.ArrowException as exc:
        raise DataError(f"{name}: cannot be read as Parquet ({exc})") from None
    if rows == 0:
        raise DataError(f"{name}: has columns ({few(header)}) but no rows")
    return dataset_of(name, header, x_cols, y_col, values[:rows], degree)


def check_numeric_type(name: str, column: str, arrow_type) -> None:
    """Refuse a chosen column whose Arrow type is not a number."""
    import pyarrow.types as pat

    if not (pat.is_integer(arrow_type) or pat.is_floating(arrow_type)):
        raise DataError(
            f"{name}: column {shown(column)} holds {arrow_type}, not numbers; choose a numeric "
            "column"
        )


def column_values(name: str, column: str, array, first_row: int) -> np.ndarray:
    """float64 values of an Arrow array, refusing a missing or non-finite cell by its row.

    ``first_row`` is the 0-based row of the array's first element in the file.
    """
    if array.null_count:
        row = first_row + int(np.argmax(np.asarray(array.is_null()))) + 1
        raise DataError(f"{name}: row {row:,}, column {shown(column)} is blank (null)")
    values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        k = int(np.argmin(finite))
        raise DataError(
            f"{name}: row {first_row + k + 1:,}, column {shown(column)} is "
            f"{float(values[k])!r}; every cell used must be a finite number"
        )
    return values
