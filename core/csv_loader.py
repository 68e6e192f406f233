"""Reading a CSV file into a :class:`~.dataset.Dataset`, refusing bad data with a precise message.

What real CSVs look like is accepted: a header row, comma, semicolon or tab separators (detected
from the header), a UTF-8 byte-order mark, CRLF line endings, quoted numbers, blank lines. What
cannot be fitted is refused with a :class:`~.errors.DataError` naming the file, row and column.

A large, clean file takes numpy's C parser; anything it stumbles on is parsed again cell by cell
with :mod:`csv`, which is slower but can say exactly where the problem is.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Sequence

import numpy as np

from .dataset import Dataset
from .errors import DataError, listing

_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: A quoted cell of the header (a doubled "" inside one only splits the match in two).
_QUOTED = re.compile(r'"[^"]*"')


def load_csv(
    path: str | os.PathLike[str],
    x: Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
) -> Dataset:
    """Load ``path`` and pick its x and y columns.

    Parameters
    ----------
    path : str or path-like
        A CSV file with a header row.
    x : sequence of str, optional
        x columns, each a header name or a 1-based column number. Default: the first column.
    y : str, optional
        The y column, a header name or a 1-based column number. Default: the last column.
    degree : int
        Polynomial degree (needs exactly one x column when > 1).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With a message naming the file, and the row and column where that applies.
    """
    name = os.fspath(path)
    text = _read_text(name).replace("\r\n", "\n").replace("\r", "\n")
    # Drop the blank lines at the end, but not the whitespace that ends the last row: in a
    # tab-separated file a final tab is the row's empty last cell.
    last_row_end = text.find("\n", len(text.rstrip()))
    if last_row_end != -1:
        text = text[:last_row_end]
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    header_line, _, body = text.partition("\n")
    if not header_line.strip():
        raise DataError(
            f"{name}: line 1 is blank; the header row naming the columns must come first"
        )
    delimiter = _detect_delimiter(name, header_line)
    header = [
        cell.strip()
        for cell in next(csv.reader([header_line], delimiter=delimiter, skipinitialspace=True))
    ]
    _check_header(name, header, delimiter)
    if not body.strip():
        raise DataError(f"{name}: the file has a header ({', '.join(header)}) but no data rows")

    x_cols = [_column_index(name, header, spec, "x") for spec in (x or ["1"])]
    y_col = _column_index(name, header, y if y is not None else str(len(header)), "y")
    _check_selection(name, header, x_cols, y_col)

    wanted = [*x_cols, y_col]
    values = _parse_fast(body, delimiter, len(header), wanted)
    if values is None:
        values = _parse_slow(name, body.split("\n"), delimiter, header, wanted)
    raw_x, y_values = values[:, :-1], values[:, -1]
    for j, col in enumerate(x_cols):
        column = raw_x[:, j]
        if column.size > 1 and np.all(column == column[0]):
            raise DataError(
                f"{name}: column {header[col]!r} is constant (every row is {_g(column[0])}), "
                "so it cannot explain y; choose another x column"
            )
    return Dataset(
        raw_x=raw_x,
        y=y_values,
        x_names=tuple(header[c] for c in x_cols),
        y_name=header[y_col],
        degree=degree,
        source=name,
    )


def _g(value: float) -> str:
    return format(float(value), ".15g")


def _read_text(name: str) -> str:
    if os.path.isdir(name):
        raise DataError(f"{name}: is a directory, not a CSV file")
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except PermissionError:
        raise DataError(f"{name}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise DataError(f"{name}: looks like a binary file (it contains NUL bytes), not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 CSV"
        ) from None


def _detect_delimiter(name: str, header_line: str) -> str:
    # Separators inside quoted names ("weight, kg" in a semicolon file) do not count.
    unquoted = _QUOTED.sub("", header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise DataError(
            f"{name}: line 1 has a single column ({header_line.strip()[:40]!r}); a CSV needs an x "
            "and a y column separated by commas, semicolons or tabs"
        )
    return delimiter


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_header(name: str, header: list[str], delimiter: str) -> None:
    if all(_is_number(cell) for cell in header):
        raise DataError(
            f"{name}: line 1 looks like data ({delimiter.join(header)[:40]!r}), not a header; "
            "add a first row naming the columns, e.g. x,y"
        )
    for i, cell in enumerate(header, start=1):
        if not cell:
            raise DataError(f"{name}: line 1, column {i} has no name; every column needs a name")


def _column_index(name: str, header: list[str], spec: str, role: str) -> int:
    spec = spec.strip()
    matches = [i for i, column in enumerate(header) if column == spec]
    if len(matches) > 1:
        places = " and ".join(str(i + 1) for i in matches[:5]) + (" …" if len(matches) > 5 else "")
        raise DataError(
            f"{name}: column name {spec!r} ({role}) appears more than once in the header "
            f"(columns {places}); choose it by number instead"
        )
    if matches:
        return matches[0]
    try:
        number = int(spec)
    except ValueError:
        number = None
    if number is not None and 1 <= number <= len(header):
        return number - 1
    columns = listing([f"{i}:{c[:40]}" for i, c in enumerate(header, start=1)])
    raise DataError(
        f"{name}: unknown {role} column {spec!r}; the columns are {columns} "
        "(give a name or a number from 1)"
    )


def _check_selection(name: str, header: list[str], x_cols: list[int], y_col: int) -> None:
    seen: set[int] = set()
    for col in x_cols:
        if col in seen:
            raise DataError(f"{name}: x column {header[col]!r} is chosen twice")
        seen.add(col)
    if y_col in seen:
        raise DataError(f"{name}: column {header[y_col]!r} is chosen as y and as an x column")


def _parse_fast(body: str, delimiter: str, width: int, wanted: list[int]) -> np.ndarray | None:
    """All cells through numpy's C parser, or None if anything is not a plain finite number."""
    try:
        table = np.loadtxt(
            io.StringIO(body),
            delimiter=delimiter,
            quotechar='"',
            comments=None,
            dtype=np.float64,
            ndmin=2,
        )
    except ValueError:
        return None
    if table.shape[1] != width:
        return None
    values = table[:, wanted]
    if not np.isfinite(values).all():
        return None
    return np.ascontiguousarray(values)


def _parse_slow(
    name: str, lines: list[str], delimiter: str, header: list[str], wanted: list[int]
) -> np.ndarray:
    """Cell by cell (``lines`` are the data lines), stopping at the first problem with its file,
    row and column."""
    rows: list[list[float]] = []
    numbered = ((n, line) for n, line in enumerate(lines, start=2) if line.strip())
    for data_row, (line_number, line) in enumerate(numbered, start=1):
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
        where = f"{name}: row {data_row} (line {line_number})"
        if len(cells) != len(header):
            raise DataError(
                f"{where} has {len(cells)} cell{'' if len(cells) == 1 else 's'} but the header "
                f"has {len(header)} "
                f"({_DELIMITER_NAMES[delimiter]}-separated)"
            )
        row = []
        for col in wanted:
            row.append(_cell_value(f"{where}, column {header[col]!r}", cells[col], delimiter))
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(wanted))


def _cell_value(where: str, cell: str, delimiter: str) -> float:
    text = cell.strip()
    if not text:
        raise DataError(f"{where} is blank; every cell used must hold a number")
    try:
        value = float(text)
    except ValueError:
        hint = ""
        if "," in text and delimiter != ",":
            hint = " (use . as the decimal point)"
        raise DataError(f"{where}: {text[:40]!r} is not a number{hint}") from None
    if not math.isfinite(value):
        raise DataError(f"{where} is {text!r}; every cell used must be a finite number")
    return value
