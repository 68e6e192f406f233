"""Reading a CSV file into a :class:`~.dataset.Dataset`, refusing bad data with a precise message.

What real CSVs look like is accepted: a header row, comma, semicolon or tab separators (detected
from the header, or named by an Excel ``sep=;`` first line), a UTF-8 byte-order mark, CRLF or CR
line endings, quoted numbers, blank lines, gzip compression (``.csv.gz``), and ``-`` for standard
input. What cannot be fitted is refused with a :class:`~.errors.DataError` naming the file, row and
column.

Two parsers, one set of rules. The file streams once through pyarrow's multithreaded C++ CSV
reader (only the chosen columns are converted; the bytes are checked for NUL and UTF-8 as they go
by); if anything there is not a plain finite number, the file is read again line by line with
:mod:`csv`, which is slower but says exactly where the first problem is. A number is what both
agree on: ASCII digits, an optional sign, point and exponent (not Python's ``1_0`` nor other
scripts' digits).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import math
import os
import re
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .columns import select_columns
from .dataset import Dataset
from .errors import DataError, few, shown

_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: A quoted cell of the header (a doubled "" inside one only splits the match in two).
_QUOTED = re.compile(r'"[^"]*"')
#: What a number cell may hold (after the spaces around it): the grammar pyarrow's parser takes.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)\Z", re.IGNORECASE)
#: Excel's first line naming the delimiter.
_EXCEL_SEP = re.compile(r'"?sep=(.)"?\Z', re.IGNORECASE)
#: The header line may be this long at most: refusing a longer one keeps memory bounded.
HEADER_LIMIT = 16 << 20
#: Bytes per read, and per block handed to the parser.
CHUNK = 4 << 20
#: Bytes whose line ends are counted for the estimate of a file's row count.
COUNTED = 2 * CHUNK
#: The name used in messages for ``-``.
STDIN_NAME = "standard input"

#: progress(bytes_read, total_bytes or None, rows_read)
Progress = Callable[[int, "int | None", int], None]


def load_csv(
    path: str | os.PathLike[str],
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
    progress: Progress | None = None,
) -> Dataset:
    """Load ``path`` and pick its x and y columns.

    Parameters
    ----------
    path : str or path-like
        A CSV file with a header row (gzip-compressed or not), or ``"-"`` for standard input.
    x : str or sequence of str, optional
        x columns, each a header name or a 1-based column number; one string is split at commas
        (see :func:`~.columns.split_x_spec`). Default: the first column.
    y : str, optional
        The y column, a header name or a 1-based column number. Default: the last column.
    degree : int
        Polynomial degree (needs exactly one x column when > 1).
    progress : callable, optional
        Called now and then with (bytes read, total bytes or None, rows read).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With a message naming the file, and the row and column where that applies.
    """
    source = open_source(path)
    layout = read_layout(source)
    x_cols, y_col = select_columns(source.name, layout.header, x, y)
    wanted = [*x_cols, y_col]
    values = _parse_fast(source, layout, wanted, progress)
    if values is None:
        values = _parse_slow(source, layout, wanted)
    if values.shape[0] == 0:
        raise DataError(
            f"{source.name}: the file has a header ({few(layout.header)}) but no data rows"
        )
    return dataset_of(source.name, layout.header, x_cols, y_col, values, degree)


def dataset_of(
    name: str,
    header: Sequence[str],
    x_cols: Sequence[int],
    y_col: int,
    values: np.ndarray,
    degree: int,
) -> Dataset:
    """The :class:`Dataset` of the chosen columns read from any file, ``values`` of shape
    (n_samples, len(x_cols) + 1) with y last; a constant x column is refused by name."""
    raw_x, y_values = values[:, :-1], values[:, -1]
    for j, col in enumerate(x_cols):
        column = raw_x[:, j]
        if column.size > 1 and np.all(column == column[0]):
            raise DataError(
                f"{name}: column {shown(header[col])} is constant (every row is "
                f"{_g(column[0])}), so it cannot explain y; choose another x column"
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


# -- where the bytes come from ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A byte stream that can be opened again from the start (the slow path re-reads).

    Attributes
    ----------
    name : str
        For messages: the path, or "standard input".
    size : int or None
        Total bytes on disk (compressed size for gzip), for progress.
    compressed : bool
    """

    name: str
    size: int | None
    compressed: bool
    _path: str | None = None
    _data: bytes | None = None

    def open(self) -> tuple[BinaryIO, Callable[[], int]]:
        """The decompressed stream and a function giving the bytes consumed from the source."""
        if self._data is not None:
            raw: BinaryIO = io.BytesIO(self._data)
        else:
            raw = open(self._path, "rb")  # noqa: SIM115 (closed by the caller with the stream)
        if self.compressed:
            return gzip.GzipFile(fileobj=raw, mode="rb"), raw.tell
        return raw, raw.tell


def open_source(path: str | os.PathLike[str]) -> Source:
    """Check that ``path`` can be read and say how (plain, gzip, standard input).

    Raises
    ------
    DataError
        No such file, a directory, no permission.
    """
    name = os.fspath(path)
    if name == "-":
        data = sys.stdin.buffer.read()
        return Source(STDIN_NAME, len(data), data[:2] == b"\x1f\x8b", _data=data)
    if os.path.isdir(name):
        raise DataError(f"{name}: is a directory, not a CSV file")
    try:
        with open(name, "rb") as handle:
            magic = handle.read(2)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except PermissionError:
        raise DataError(f"{name}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    return Source(name, size, magic == b"\x1f\x8b", _path=name)


def read_error(name: str, exc: Exception) -> DataError:
    """A DataError for an I/O failure while reading (a corrupt gzip stream, a vanished disk)."""
    if isinstance(exc, (gzip.BadGzipFile, EOFError)):
        return DataError(f"{name}: the gzip data is damaged or cut short ({exc})")
    if isinstance(exc, OSError):
        return DataError(f"{name}: cannot be read ({exc.strerror or exc})")
    return DataError(f"{name}: cannot be read ({exc})")


class CheckedReader(io.RawIOBase):
    """Bytes of a stream, checked as they pass: no NUL byte (binary files), valid UTF-8.

    A problem is raised as :class:`DataError` naming the byte offset, and kept in :attr:`error`
    (pyarrow, which reads through this object, wraps what its reads raise).
    """

    def __init__(
        self,
        name: str,
        stream: BinaryIO,
        start: int,
        prefix: bytes,
        consumed: Callable[[], int],
    ):
        super().__init__()
        self.name = name
        self._stream = stream
        self._prefix = prefix
        self.offset = start  # decompressed bytes checked so far
        self._consumed = consumed
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.error: DataError | None = None
        # Line ends (b"\n") in the first COUNTED bytes, for an estimate of the row count (a
        # CR-only file counts none: see expected_rows); counting all of a large file costs more
        # than checking it.
        self.line_ends = 0
        self.counted = 0

    def readable(self) -> bool:
        return True

    @property
    def consumed(self) -> int:
        return self._consumed()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (pyarrow reads through this: no buffer between, no copy)."""
        if self._prefix:
            k = len(self._prefix) if size is None or size < 0 else size
            data, self._prefix = self._prefix[:k], self._prefix[k:]
        else:
            try:
                data = self._stream.read(CHUNK if size is None or size < 0 else size)
            except Exception as exc:  # a damaged gzip member, an I/O error
                self.error = read_error(self.name, exc)
                raise self.error from None
            if not data:
                self._finish()
                return b""
        self._check(data)
        return data

    def check_all(self) -> None:
        """Read and check everything left, into one reused buffer (the pass made before pyarrow
        reads a plain file itself)."""
        if self._prefix:
            self._check(self._prefix)
            self._prefix = b""
        buffer = bytearray(CHUNK)
        while True:
            try:
                k = self._stream.readinto(buffer)
            except Exception as exc:  # an I/O error
                self.error = read_error(self.name, exc)
                raise self.error from None
            if not k:
                self._finish()
                return
            self._check(buffer if k == len(buffer) else buffer[:k])

    def _finish(self) -> None:
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            self.error = DataError(
                f"{self.name}: is not UTF-8 text (the file ends inside a character); "
                "save it as UTF-8 CSV"
            )
            raise self.error from None

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def expected_rows(self, size: int | None) -> int | None:
        """About how many lines the whole stream holds, from the lines and bytes seen so far
        and the source's ``size`` (compressed bytes for gzip); None when that cannot be told."""
        consumed = self._consumed()
        if not size or not consumed or not self.line_ends:
            return None
        total = self.offset * max(size, consumed) / consumed  # decompressed bytes, estimated
        return int(self.line_ends * total / self.counted)

    def _check(self, chunk: bytes) -> None:
        base = self.offset
        self.offset += len(chunk)
        if self.counted < COUNTED:
            self.line_ends += chunk.count(b"\n")
            self.counted += len(chunk)
        nul = chunk.find(b"\x00")
        if nul != -1:
            self.error = DataError(
                f"{self.name}: looks like a binary file (it contains NUL bytes, the first at "
                f"offset {base + nul:,}), not CSV text"
            )
            raise self.error
        pending = self._decoder.getstate()[0]
        if not pending and chunk.isascii():
            return
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            at = base - len(pending) + exc.start
            bad = (pending + chunk)[exc.start]
            self.error = not_utf8(self.name, bad, at)
            raise self.error from None


def not_utf8(name: str, byte: int, offset: int) -> DataError:
    return DataError(
        f"{name}: is not UTF-8 text (byte 0x{byte:02x} at offset {offset:,}); save it as UTF-8 CSV"
    )


# -- the header ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What the first lines say about a CSV file.

    Attributes
    ----------
    delimiter : str
    header : list of str
        Column names.
    header_line : int
        1-based physical line of the header (2 after an Excel ``sep=`` line).
    """

    delimiter: str
    header: list[str]
    header_line: int


def _read_line(stream: BinaryIO, name: str, line: int) -> tuple[bytes, bytes]:
    """One physical line (without its end) and the bytes read past it. Bounded by HEADER_LIMIT."""
    parts: list[bytes] = []
    size = 0
    tail = b""  # a "\r" that ended the previous read: a "\n" may follow
    while True:
        try:
            chunk = stream.read(1 << 16)
        except Exception as exc:
            raise read_error(name, exc) from None
        if not chunk:
            got = b"".join(parts)
            return (got[:-1] if got.endswith(b"\r") else got), b""
        end = _line_end(tail + chunk)
        if end is not None:
            got = b"".join(parts)[: size - len(tail)] + (tail + chunk)
            stop = size - len(tail) + end[0]
            after = size - len(tail) + end[1]
            return got[:stop], got[after:]
        parts.append(chunk)
        size += len(chunk)
        tail = chunk[-1:] if chunk.endswith(b"\r") else b""
        if size > HEADER_LIMIT:
            raise DataError(
                f"{name}: line {line} is longer than {HEADER_LIMIT >> 20} MiB without a line "
                "break; that is no CSV header (is this the right file?)"
            )


def _line_end(data: bytes) -> tuple[int, int] | None:
    """(end of the line's text, start of the next line) for the first line end in ``data``."""
    n, r = data.find(b"\n"), data.find(b"\r")
    if n == -1 and r == -1:
        return None
    if r != -1 and (n == -1 or r < n):
        if r + 1 == len(data):
            return None  # "\r" last: a "\n" may follow in the next read
        return r, r + 2 if data[r + 1 : r + 2] == b"\n" else r + 1
    return n, n + 1


def _decode_line(name: str, raw: bytes, offset: int) -> str:
    if b"\x00" in raw:
        _refuse_nul(name, raw, offset)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(name, raw[exc.start], offset + exc.start) from None


def _refuse_nul(name: str, raw: bytes, offset: int) -> None:
    # UTF-16 has a NUL in every other byte of ASCII text: say what it is and what to do.
    head = raw[:64]
    even, odd = head[0::2], head[1::2][: len(head[0::2])]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or any(
        len(a) >= 2 and a.count(0) * 4 >= len(a) * 3 and b.count(0) == 0
        for a, b in ((even, odd), (odd, even))
    ):
        raise DataError(
            f"{name}: is UTF-16 text, not UTF-8; save it as UTF-8 (in Excel: CSV UTF-8)"
        )
    at = offset + raw.find(b"\x00")
    raise DataError(
        f"{name}: looks like a binary file (it contains NUL bytes, the first at offset {at:,}), "
        "not CSV text"
    )


def read_layout(source: Source) -> Layout:
    """Encoding, delimiter and header of ``source``, read from its first lines only.

    Raises
    ------
    DataError
        Empty, UTF-16 or binary, not UTF-8, blank first line, a single column, a header that
        looks like data or has an unnamed column, an unbalanced quote in the header.
    """
    stream, _ = source.open()
    with stream:
        return _read_layout(source.name, stream)


def _read_layout(name: str, stream: BinaryIO) -> Layout:
    raw, rest = _read_line(stream, name, 1)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        _refuse_nul(name, raw, 0)
    offset = 3 if raw.startswith(codecs.BOM_UTF8) else 0
    text = _decode_line(name, raw[offset:], offset)
    line_number = 1
    delimiter = None
    sep = _EXCEL_SEP.match(text.strip(" "))
    if sep and sep.group(1) not in '"\r\n ':
        # Excel's "sep=;" line names the delimiter; the header is the next line.
        delimiter = sep.group(1)
        offset = _position(stream) - len(rest)
        raw, rest = _read_line(_Prefixed(rest, stream), name, 2)
        text = _decode_line(name, raw, offset)
        line_number = 2
    if not text.strip():
        if _only_whitespace(rest, stream):
            raise DataError(f"{name}: the file is empty")
        raise DataError(
            f"{name}: line {line_number} is blank; the header row naming the columns must come "
            "first"
        )
    if delimiter is None:
        delimiter = _detect_delimiter(name, text)
    if text.count('"') % 2:
        raise DataError(
            f'{name}: line {line_number} (the header) has an unbalanced quote: a " opens a name '
            "that is never closed"
        )
    with _wide_fields():
        header = [
            cell.strip()
            for cell in next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
        ]
    _check_header(name, header, delimiter, line_number)
    return Layout(delimiter, header, line_number)


class _Prefixed(io.RawIOBase):
    """Bytes already read, then the rest of the stream."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        super().__init__()
        self._prefix, self._stream = prefix, stream

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        return self._stream.read(size)


def _only_whitespace(rest: bytes, stream: BinaryIO) -> bool:
    chunk = rest
    while True:
        if chunk.strip():
            return False
        chunk = stream.read(1 << 16)
        if not chunk:
            return True


def _detect_delimiter(name: str, header_line: str) -> str:
    # Separators inside quoted names ("weight, kg" in a semicolon file) do not count.
    unquoted = _QUOTED.sub("", header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise DataError(
            f"{name}: line 1 has a single column ({shown(header_line.strip())}); a CSV needs an x "
            "and a y column separated by commas, semicolons or tabs"
        )
    return delimiter


def _is_number(text: str) -> bool:
    return bool(NUMBER.match(text) or _NON_FINITE.match(text))


def _check_header(name: str, header: list[str], delimiter: str, line: int) -> None:
    if all(_is_number(cell) for cell in header):
        raise DataError(
            f"{name}: line {line} looks like data ({shown(delimiter.join(header))}), not a header; "
            "add a first row naming the columns, e.g. x,y"
        )
    # An unnamed column (a trailing comma, as spreadsheets write) is refused only if chosen
    # (columns.select_columns), not for being there.


@contextlib.contextmanager
def _wide_fields() -> Iterator[None]:
    """Let :mod:`csv` read cells of any length (its default limit, 131,072 characters, ends in a
    ``_csv.Error``); the length is then judged by the rules, like any other cell."""
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


# -- fast path: pyarrow ----------------------------------------------------------------------------


def _skip_header(stream: BinaryIO, name: str, layout: Layout) -> tuple[bytes, int]:
    """Read past the header (and a sep= line); returns bytes read beyond it and their offset."""
    rest = b""
    source: BinaryIO = stream
    for line in range(1, layout.header_line + 1):
        _, rest = _read_line(source, name, line)
        source = _Prefixed(rest, stream)
    # The offset of ``rest`` in the decompressed stream: everything read minus what is left.
    return rest, _position(stream) - len(rest)


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


class _NotPlain(Exception):
    """The fast parser met something it does not take (the slow path will say what)."""


def _parse_fast(
    source: Source, layout: Layout, wanted: list[int], progress: Progress | None
) -> np.ndarray | None:
    """All chosen cells through pyarrow's C++ parser, or None if anything is not a plain finite
    number (or the file's shape is irregular). Encoding problems are raised at once.

    The result is of shape (n_rows, len(wanted)) in Fortran order: each column contiguous, so
    that the x columns and y handed to the model are contiguous arrays (every pass over a
    strided column moves twice the memory). Blocks are copied into it as they come, into room
    for the number of rows the first lines suggest (``np.empty`` takes no memory until written),
    so the parsed blocks are not all held at once beside it.
    """
    tally = _Tally()
    values = np.empty((len(wanted), 0))
    rows = 0
    try:
        for block in _fast_blocks(source, layout, wanted, progress, tally, native=True):
            k = len(block[0])
            if rows + k > values.shape[1]:
                expected = int((tally.expected or 0) * 1.03) + 1024
                room = max(rows + k, int(values.shape[1] * 1.5), expected)
                grown = np.empty((len(wanted), room))
                grown[:, :rows] = values[:, :rows]
                values = grown
            for j, column in enumerate(block):
                values[j, rows : rows + k] = column
            rows += k
    except _NotPlain:
        return None
    return values[:, :rows].T


@dataclass
class _Tally:
    """What :func:`_fast_blocks` tells its caller besides the blocks."""

    expected: int | None = None  # about how many rows the file holds


def float_values(array) -> np.ndarray:
    """A pyarrow float64 array without nulls as a numpy view of its buffer (no copy).

    ``Array.to_numpy`` would do the same, but it first imports pandas when pandas is installed
    (half a second, and memory) to check for pandas extension types.
    """
    data = array.buffers()[1]
    return np.frombuffer(data, dtype=np.float64, count=len(array), offset=array.offset * 8)


def _fast_blocks(
    source: Source,
    layout: Layout,
    wanted: list[int],
    progress: Progress | None,
    tally: _Tally | None = None,
    native: bool = False,
) -> Iterator[list[np.ndarray]]:
    """Blocks of the chosen columns (one array per column) through pyarrow; raises _NotPlain
    at the first block holding anything but plain finite numbers. With ``native`` a plain file
    is checked in a pass of its own and then read by pyarrow directly (it is read twice: for
    files that fit in memory, whose second reading comes from the page cache)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    stream, consumed = source.open()
    with stream, contextlib.ExitStack() as closing:
        rest, start = _skip_header(stream, source.name, layout)
        checked = CheckedReader(source.name, stream, start, rest, consumed)
        if native and source._path is not None and not source.compressed:
            # A plain file: its bytes are checked in one quick pass first (NUL, UTF-8, line
            # ends counted), then pyarrow reads the file itself, without calling back into
            # Python for every block (0.4 s of CPU on 10,000,000 rows, measured).
            checked.check_all()
            if tally is not None:
                tally.expected = checked.expected_rows(source.size)
            feed = closing.enter_context(pa.OSFile(source._path))
            feed.seek(start)
            position = feed.tell
        else:
            feed = pa.PythonFile(checked, mode="r")
            position = consumed
        width = len(layout.header)
        names = [f"c{i}" for i in range(width)]
        chosen = [names[c] for c in wanted]
        rows = 0
        try:
            reader = pacsv.open_csv(
                feed,
                read_options=pacsv.ReadOptions(
                    column_names=names, block_size=CHUNK, use_threads=True
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=layout.delimiter,
                    quote_char='"',
                    double_quote=True,
                    newlines_in_values=False,
                    ignore_empty_lines=True,
                ),
                convert_options=pacsv.ConvertOptions(
                    include_columns=chosen,
                    column_types=dict.fromkeys(chosen, pa.float64()),
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for batch in reader:
                block = [float_values(batch.column(name)) for name in chosen]
                if not all(np.isfinite(column).all() for column in block):
                    raise _NotPlain
                rows += batch.num_rows
                if tally is not None and tally.expected is None:
                    tally.expected = checked.expected_rows(source.size)
                if progress is not None:
                    progress(position(), source.size, rows)
                yield block
        except (pa.ArrowException, OSError, ValueError):
            if checked.error is not None:
                raise checked.error from None
            raise _NotPlain from None
        if checked.error is not None:
            raise checked.error


def stream_blocks(
    source: Source, layout: Layout, wanted: list[int], progress: Progress | None = None
) -> Iterator[np.ndarray]:
    """Every row of the chosen columns, in blocks of shape (rows, len(wanted)), in bounded memory.

    pyarrow parses while it can; from the first block it does not take, the rest is read cell by
    cell (skipping the rows already given), which names the first problem.
    """
    given = 0
    try:
        for block in _fast_blocks(source, layout, wanted, progress):
            out = np.column_stack(block) if block else np.empty((0, len(wanted)))
            given += out.shape[0]
            yield out
        return
    except _NotPlain:
        pass
    yield from _slow_blocks(source, layout, wanted, skip_rows=given)


# -- slow path: cell by cell, naming the first problem ---------------------------------------------


def data_lines(source: Source, layout: Layout) -> Iterator[tuple[int, str]]:
    """(physical line number, text) of every line after the header, decoded and checked."""
    stream, _ = source.open()
    with stream:
        offset = 0
        pending = b""
        line_number = 0
        decoder = codecs.getincrementaldecoder("utf-8")()
        text_buffer = ""
        while True:
            try:
                chunk = stream.read(CHUNK)
            except Exception as exc:
                raise read_error(source.name, exc) from None
            final = not chunk
            if chunk:
                nul = chunk.find(b"\x00")
                if nul != -1:
                    raise DataError(
                        f"{source.name}: looks like a binary file (it contains NUL bytes, the "
                        f"first at offset {offset + nul:,}), not CSV text"
                    )
            try:
                text_buffer += decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                pending = decoder.getstate()[0]
                raise not_utf8(
                    source.name, (pending + chunk)[exc.start], offset - len(pending) + exc.start
                ) from None
            offset += len(chunk)
            # Universal newlines: \r\n, \r and \n all end a line.
            lines = text_buffer.splitlines(keepends=True)
            if not final and lines and not lines[-1].endswith(("\n", "\r")):
                text_buffer = lines.pop()
            elif not final and lines and lines[-1].endswith("\r"):
                text_buffer = lines.pop()  # a "\n" may follow in the next chunk
            else:
                text_buffer = ""
            for line in lines:
                line_number += 1
                if line_number <= layout.header_line:
                    continue
                yield line_number, line.rstrip("\r\n")
            if final:
                return


def _parse_slow(source: Source, layout: Layout, wanted: list[int]) -> np.ndarray:
    """Cell by cell, stopping at the first problem with its file, row and column."""
    blocks = list(_slow_blocks(source, layout, wanted))
    if not blocks:
        return np.empty((0, len(wanted)))
    return np.concatenate(blocks)


def _slow_blocks(
    source: Source,
    layout: Layout,
    wanted: list[int],
    skip_rows: int = 0,
    block_rows: int = 1 << 16,
) -> Iterator[np.ndarray]:
    """Blocks of rows read cell by cell, raising at the first problem with its file, row and
    column; the first ``skip_rows`` rows (already read by the fast parser) are only counted."""
    name, header, delimiter = source.name, layout.header, layout.delimiter
    columns = [array("d") for _ in wanted]
    data_row = 0
    with _wide_fields():
        for line_number, line in data_lines(source, layout):
            if not line.strip():
                continue
            data_row += 1
            if data_row <= skip_rows:
                continue
            where = f"{name}: row {data_row} (line {line_number})"
            if line.count('"') % 2:
                column = _column_of_quote(line, delimiter)
                raise DataError(
                    f'{where} has an unbalanced quote: a " opens column {column} '
                    f"({shown(header[column - 1]) if column <= len(header) else 'past the end'}) "
                    "and is never closed on the line"
                )
            cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
            if len(cells) != len(header):
                separated = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
                raise DataError(
                    f"{where} has {len(cells):,} cell{'' if len(cells) == 1 else 's'} but the "
                    f"header has {len(header):,} ({separated}-separated)"
                )
            for j, col in enumerate(wanted):
                columns[j].append(
                    cell_value(f"{where}, column {shown(header[col])}", cells[col], delimiter)
                )
            if len(columns[0]) >= block_rows:
                yield _block(columns)
    if len(columns[0]):
        yield _block(columns)


def _block(columns: list[array]) -> np.ndarray:
    block = np.column_stack([np.frombuffer(c, dtype=np.float64) for c in columns])
    for c in columns:
        del c[:]
    return block


def _column_of_quote(line: str, delimiter: str) -> int:
    """1-based column in which the unclosed quote of ``line`` opens."""
    column, quoted, opened = 1, False, 1
    for char in line:
        if char == '"':
            quoted = not quoted
            if quoted:
                opened = column
        elif char == delimiter and not quoted:
            column += 1
    return opened


def cell_value(where: str, cell: str, delimiter: str) -> float:
    """The number in one cell, or a DataError starting with ``where``."""
    text = cell.strip()
    if not text:
        raise DataError(f"{where} is blank; every cell used must hold a number")
    if not NUMBER.match(text):
        if _NON_FINITE.match(text):
            raise DataError(f"{where} is {shown(text)}; every cell used must be a finite number")
        hint = ""
        if "," in text and delimiter != ",":
            hint = " (use . as the decimal point)"
        elif "_" in text:
            hint = " (digits may not be grouped with _)"
        elif not text.isascii():
            hint = " (only the digits 0-9 are read as numbers)"
        raise DataError(f"{where}: {shown(text)} is not a number{hint}")
    value = float(text)
    if not math.isfinite(value):
        raise DataError(f"{where} is {shown(text)}; every cell used must be a finite number")
    return value
