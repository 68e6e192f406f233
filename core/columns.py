"""Choosing the x and y columns of a table by header name or 1-based number.

Shared by every reader (CSV, Parquet, the streaming and Dask paths), so a column is chosen the same
way and refused with the same words whatever the file's format.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import DataError, few, shown

#: How many x column specs one --x value may name (a safeguard for pathological input).
MAX_SPEC_PIECES = 100_000


def split_x_spec(spec: str, header: Sequence[str]) -> list[str]:
    """The column specs in one ``--x`` value.

    Pieces are separated by commas. A column whose name holds a comma can still be chosen: by
    writing the name as it is (``weight, kg``: consecutive pieces that together spell a column's
    name are that column) or in double quotes (``"weight, kg",age``).

    Parameters
    ----------
    spec : str
        The text given to ``--x``.
    header : sequence of str
        The table's column names.

    Returns
    -------
    list of str
    """
    pieces = _split_outside_quotes(spec)
    names = set(header)
    # A window as wide as the most commas in any one name is enough and keeps this linear.
    window = 1 + max((name.count(",") for name in header), default=0)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(min(len(pieces), i + window), i, -1):
            candidate = _unquote(",".join(pieces[i:j]).strip())
            if j == i + 1 or candidate in names:
                out.append(candidate)
                i = j
                break
    return out


def _split_outside_quotes(text: str) -> list[str]:
    pieces, start, quoted = [], 0, False
    for k, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            pieces.append(text[start:k])
            start = k + 1
    pieces.append(text[start:])
    return pieces


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def column_index(source: str, header: Sequence[str], spec: str, role: str) -> int:
    """0-based index of the column that ``spec`` (a header name or a 1-based number) names.

    Raises
    ------
    DataError
        Unknown name or number; a name that appears more than once; a spec that is the name of one
        column and the number of another (``b,1,y`` with ``--x 1``).
    """
    spec = spec.strip()
    matches = [i for i, column in enumerate(header) if column == spec]
    if len(matches) > 1:
        numbers = [str(i + 1) for i in matches]
        places = " and ".join(numbers) if len(numbers) == 2 else few(numbers)
        raise DataError(
            f"{source}: column name {shown(spec)} ({role}) appears more than once in the header "
            f"(columns {places}); choose it by number instead"
        )
    number = _column_number(spec)
    in_range = number is not None and 1 <= number <= len(header)
    if matches:
        if in_range and number - 1 != matches[0]:
            other = number - 1
            raise DataError(
                f"{source}: {role} column {shown(spec)} is ambiguous: it is the name of column "
                f"{matches[0] + 1} and the number of column {number} ({shown(header[other])}); "
                f"choose column {matches[0] + 1} by its number, or column {number} by its name"
            )
        return matches[0]
    if in_range:
        return number - 1
    columns = few([f"{i}:{c}" for i, c in enumerate(header, start=1)])
    hint = ""
    if "," in spec:
        hint = ' (a name with a comma in --x can be put in double quotes: "a, b")'
    raise DataError(
        f"{source}: unknown {role} column {shown(spec)}; the columns are {columns} "
        f"(give a name or a number from 1){hint}"
    )


def _column_number(spec: str) -> int | None:
    # ASCII digits only: int() would also take "1_0" and other scripts' digits.
    body = spec[1:] if spec[:1] in "+-" else spec
    if body and body.isascii() and body.isdigit():
        return int(spec)
    return None


def select_columns(
    source: str,
    header: Sequence[str],
    x: str | Sequence[str] | None,
    y: str | None,
) -> tuple[list[int], int]:
    """The x columns and the y column, as 0-based indices.

    Parameters
    ----------
    source : str
        The file, for messages.
    header : sequence of str
    x : str or sequence of str, optional
        One ``--x`` value (split with :func:`split_x_spec`) or specs already split. Default: the
        first column.
    y : str, optional
        Default: the last column.

    Raises
    ------
    DataError
    """
    if isinstance(x, str):
        x = split_x_spec(x, header)
    specs = list(x) if x else ["1"]
    if len(specs) > MAX_SPEC_PIECES:
        raise DataError(
            f"{source}: {len(specs):,} x columns asked for; the table has {len(header):,}"
        )
    x_cols = [column_index(source, header, spec, "x") for spec in specs]
    # the last column with a name: "x,y," (a spreadsheet's trailing comma) has y last
    named = [i for i, column in enumerate(header) if column]
    last = str(named[-1] + 1) if named else str(len(header))
    y_col = column_index(source, header, y if y is not None else last, "y")
    for role, col in [*(("x", c) for c in x_cols), ("y", y_col)]:
        if not header[col]:
            raise DataError(
                f"{source}: the {role} column, column {col + 1}, has no name in the header; "
                "name it, or choose another column"
            )
    chosen = [*x_cols, y_col]
    names = [header[c] for c in chosen]
    for col in chosen:
        if names.count(header[col]) > 1 and chosen.count(col) == 1:
            others = [str(c + 1) for c in chosen if header[c] == header[col]]
            raise DataError(
                f"{source}: columns {' and '.join(others)} are both named {shown(header[col])}; "
                "rename one, so that the fit, the charts and the messages can tell them apart"
            )
    seen: set[int] = set()
    for col in x_cols:
        if col in seen:
            raise DataError(f"{source}: x column {shown(header[col])} is chosen twice")
        seen.add(col)
    if y_col in seen:
        raise DataError(
            f"{source}: column {shown(header[y_col])} is chosen as y and as an x column"
        )
    return x_cols, y_col
