"""The loader at the edges, tried as a skeptical user would: each test covers a class of inputs.

Expected values come from the text each test writes (Python's own float() of ASCII number text,
the names it put in the header), never from the loader's output.
"""

from __future__ import annotations

import gzip
import itertools
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.errors import DataError
from linreg_tui.core.loading import load_data

SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
#: An error line may quote a few names and a cell, but never grows with the input.
MAX_MESSAGE = 600


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def refusal(path: str, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_data(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) <= MAX_MESSAGE + len(path), message[:2000]
    return message


# -- what a number cell is ---------------------------------------------------------------------

#: Python's float() takes all of these; a CSV number is only the ASCII grammar.
NUMBERISH = st.text(
    alphabet=st.sampled_from([*"0123456789.eE+-_ ", "١", "٣", "०", "１", "²", "½", "Ⅻ"]),
    min_size=1,
    max_size=12,
)
ASCII_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*\Z")


def expected_number(text: str) -> float | None:
    """What the cell must load as, from the grammar: None if it must be refused."""
    if not ASCII_NUMBER.match(text):
        return None
    value = float(text)
    return value if np.isfinite(value) else None


@pytest.mark.parametrize("force_slow", [False, True], ids=["fast-parser", "cell-by-cell"])
@SETTINGS
@given(cell=NUMBERISH)
def test_a_number_cell_is_the_ascii_grammar_in_both_parsers(tmp_path, force_slow, cell):
    assume(cell.strip() != "" or True)
    # A whitespace-only line is accepted, but only the cell-by-cell parser takes it: it forces
    # the slow path, so both parsers are held to the same rule.
    filler = "   \n" if force_slow else ""
    path = write(tmp_path, "cell.csv", f"x,y\n1,0\n{filler}2,{cell}\n")
    want = expected_number(cell)
    if want is None:
        message = refusal(path)
        assert "row 2 " in message and "column 'y'" in message
    else:
        data = load_csv(path)
        assert data.y.tobytes() == np.array([0.0, want]).tobytes()


@pytest.mark.parametrize("cell", ["1_0", "1_000.5", "١٢", "１", "٣.5", "1e1_0"])
def test_python_literal_syntax_and_other_scripts_digits_are_not_numbers(tmp_path, cell):
    message = refusal(write(tmp_path, "lit.csv", f"x,y\n1,2\n2,{cell}\n"))
    assert "is not a number" in message and "row 2 (line 3)" in message


# -- header names that are numbers -------------------------------------------------------------


@SETTINGS
@given(
    width=st.integers(3, 8),
    data=st.data(),
)
def test_a_header_name_that_is_another_columns_number_is_ambiguous(tmp_path, width, data):
    names = [f"c{j}" for j in range(width)]
    at = data.draw(st.integers(0, width - 2), label="column holding the number name")
    number = data.draw(st.integers(1, width - 1), label="the number written as its name")
    names[at] = str(number)
    rows = "".join(",".join(str(i * (j + 1) + j) for j in range(width)) + "\n" for i in range(4))
    path = write(tmp_path, "numnames.csv", ",".join(names) + "\n" + rows)
    if number - 1 == at:
        # The name and the number agree: nothing to choose between.
        data_ = load_data(path, x=str(number))
        assert data_.x_names == (str(number),)
    else:
        message = refusal(path, x=str(number))
        assert "ambiguous" in message
        assert f"column {at + 1}" in message and f"column {number}" in message


# -- names with commas -------------------------------------------------------------------------


@SETTINGS
@given(
    names=st.lists(
        st.text(alphabet=st.sampled_from(list("ab ,kg")), min_size=1, max_size=8)
        .map(str.strip)
        .filter(lambda s: s and "," not in (s[0], s[-1]) and not s.isdigit()),
        min_size=2,
        max_size=5,
        unique=True,
    ),
    quoted=st.booleans(),
)
def test_a_column_whose_name_holds_a_comma_can_be_chosen_by_name(tmp_path, names, quoted):
    header = ";".join(f'"{n}"' for n in names)
    rows = "".join(";".join(str(i * i + j) for j in range(len(names))) + "\n" for i in range(5))
    path = write(tmp_path, "commas.csv", header + "\n" + rows)
    xs = names[:-1]
    # Joined with commas exactly as the names are written; a name made of other names' pieces
    # is ambiguous that way, and then the quoted form is what the user types.
    spec = ",".join(f'"{n}"' for n in xs) if quoted else ",".join(xs)
    pieces = ",".join(xs).split(",")
    assume(quoted or all(p.strip() not in names or p.strip() in xs for p in pieces))
    data = load_data(path, x=spec, y=names[-1])
    assert data.x_names == tuple(xs)
    assert data.raw_x[:, 0].tolist() == [float(i * i) for i in range(5)]


# -- Excel's sep= line -------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_an_excel_sep_line_names_the_delimiter(tmp_path, delimiter, newline, bom):
    # "|" is detected from no header; the sep= line is what makes it readable.
    d = delimiter
    lines = [f"sep={d}", f"x{d}y{d}note", f"1{d}2.5{d}a", f'3{d}4{d}"b{d}c"', f"5{d}7{d}"]
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    data = load_data(write(tmp_path, "excel.csv", text), x="x", y="y")
    assert data.raw_x[:, 0].tolist() == [1.0, 3.0, 5.0]
    assert data.y.tolist() == [2.5, 4.0, 7.0]


def test_after_a_sep_line_a_bad_cell_is_named_by_its_physical_line(tmp_path):
    message = refusal(write(tmp_path, "excel.csv", "sep=;\nx;y\n1;2\n2;oops\n"))
    assert "row 2 (line 4)" in message and "'oops'" in message


# -- unbalanced quotes -------------------------------------------------------------------------


@SETTINGS
@given(
    rows=st.integers(1, 6),
    bad_row=st.integers(0, 5),
    column=st.integers(0, 2),
    blank_lines=st.integers(0, 2),
)
def test_an_unbalanced_quote_is_named_with_its_row_line_and_column(
    tmp_path, rows, bad_row, column, blank_lines
):
    bad_row %= rows
    names = ["a", "b", "c"]
    lines = []
    for i in range(rows):
        cells = [str(i + j) for j in range(3)]
        if i == bad_row:
            cells[column] = '"' + cells[column]
        lines.append(",".join(cells))
    text = "a,b,c\n" + "\n" * blank_lines + "\n".join(lines) + "\n"
    message = refusal(write(tmp_path, "quote.csv", text))
    assert "unbalanced quote" in message
    assert f"row {bad_row + 1} (line {bad_row + 2 + blank_lines})" in message
    assert f"column {column + 1} ({names[column]!r})" in message


def test_an_unbalanced_quote_in_the_header(tmp_path):
    message = refusal(write(tmp_path, "quote.csv", '"x,y\n1,2\n'))
    assert "line 1" in message and "unbalanced quote" in message


# -- long cells, long headers, many columns: bounded messages and memory --------------------------


@pytest.mark.parametrize("length", [140_000, 1_000_000])
def test_a_huge_cell_is_refused_in_one_short_line_or_ignored_if_unused(tmp_path, length):
    big = "9" * (length // 2) + "z" * (length // 2)
    # In a chosen column: "not a number", quoted short.
    message = refusal(write(tmp_path, "big.csv", f"x,y\n1,2\n2,{big}\n"))
    assert "is not a number" in message and f"{length:,} characters" in message
    # In an unused column, on either parser, it is just text nobody asked for.
    for filler in ("", "  \n"):
        text = f"x,note,y\n1,{big},2\n{filler}2,a,3\n"
        data = load_data(write(tmp_path, "note.csv", text), x="x", y="y")
        assert data.y.tolist() == [2.0, 3.0]


@SETTINGS
@given(
    width=st.integers(2, 30_000),
    name_length=st.sampled_from([1, 10, 200]),
    what=st.sampled_from(["unknown-x", "header-only", "looks-like-data", "duplicate", "constant"]),
)
def test_error_lines_are_bounded_whatever_the_width_of_the_file(tmp_path, width, name_length, what):
    names = [f"{j:0{name_length}d}n" for j in range(width)]
    if what == "unknown-x":
        text, kwargs = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n", {"x": "nope"}
    elif what == "header-only":
        text, kwargs = ",".join(names) + "\n", {}
    elif what == "looks-like-data":
        text, kwargs = ",".join(str(j) for j in range(width)) + "\n1,2\n", {}
    elif what == "duplicate":
        names = ["t" * name_length] * width
        text, kwargs = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n", {"x": names[0]}
    else:
        text = ",".join(names) + "\n" + "\n".join(",".join("7" for _ in names) for _ in range(2))
        kwargs = {}
    refusal(write(tmp_path, "wide.csv", text + "\n"), **kwargs)


def test_a_100_mb_header_is_refused_in_one_short_line_and_bounded_memory(tmp_path):
    path = tmp_path / "header.csv"
    with path.open("wb") as handle:
        for _ in range(100):
            handle.write(b"abcdefghi," * 100_000)  # 1 MB a time, no line break
        handle.write(b"y\n1,2\n")
    script = (
        "import sys\n"
        "from linreg_tui.core.loading import load_data\n"
        "from linreg_tui.core.errors import DataError\n"
        "try:\n"
        f"    load_data({str(path)!r})\n"
        "except DataError as exc:\n"
        "    print(exc)\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (pytest) at exec.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(int(hwm.split()[1]) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    ).stdout.splitlines()
    message, peak_mb = out[0], int(out[1])
    assert len(message) < MAX_MESSAGE + len(str(path))
    assert "line 1" in message and "MiB" in message
    assert peak_mb < 150, f"{peak_mb} MB to refuse a 100 MB header"


# -- other ways the bytes come -----------------------------------------------------------------


def test_gzip_and_parquet_load_the_same_numbers_as_the_csv(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    xs = [0.1 * i for i in range(1, 50)]
    ys = [x * 3 - 1 / 3 for x in xs]
    text = "x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in zip(xs, ys))
    plain = load_data(write(tmp_path, "d.csv", text))
    packed = load_data(write(tmp_path, "d.csv.gz", gzip.compress(text.encode())))
    pq.write_table(pa.table({"x": xs, "y": ys}), tmp_path / "d.parquet")
    parquet = load_data(str(tmp_path / "d.parquet"))
    for other in (packed, parquet):
        assert other.raw_x.tobytes() == plain.raw_x.tobytes() == np.array([xs]).T.tobytes()
        assert other.y.tobytes() == plain.y.tobytes()


def test_a_bad_cell_in_a_gzip_file_is_named_as_in_the_plain_file(tmp_path):
    text = "x,y\n1,2\n2,3\n3,oops\n"
    plain = refusal(write(tmp_path, "d.csv", text))
    packed = refusal(write(tmp_path, "d.csv.gz", gzip.compress(text.encode())))
    assert plain.split(": ", 1)[1] == packed.split(": ", 1)[1]


def test_a_damaged_gzip_file_is_refused_in_one_line(tmp_path):
    data = gzip.compress(("x,y\n" + "1,2\n" * 10_000).encode())
    message = refusal(write(tmp_path, "cut.csv.gz", data[: len(data) // 2]))
    assert "gzip" in message


@pytest.mark.parametrize(
    ("table", "x", "detail"),
    [
        ({"x": ["a", "b"], "y": [1.0, 2.0]}, "x", "not numbers"),
        ({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 3.0]}, "x", "row 2, column 'x' is blank"),
        ({"x": [1.0, 2.0, 3.0], "y": [1.0, float("nan"), 3.0]}, "x", "row 2, column 'y' is nan"),
        ({"x": [1, 2, 3], "y": [1.0, 2.0, 3.0]}, "z", "unknown x column 'z'"),
    ],
)
def test_parquet_cells_are_refused_by_row_and_column(tmp_path, table, x, detail):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table(table), tmp_path / "bad.parquet")
    assert detail in refusal(str(tmp_path / "bad.parquet"), x=x)


def test_progress_is_reported_in_rows_and_bytes(tmp_path):
    n = 300_000
    text = "x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(n))
    path = write(tmp_path, "p.csv", text)
    seen = []
    data = load_data(path, progress=lambda done, total, rows: seen.append((done, total, rows)))
    assert data.n_samples == n
    assert seen, "no progress reported"
    assert seen[-1][2] == n and seen[-1][1] == len(text)
    assert all(a[0] <= b[0] and a[2] <= b[2] for a, b in itertools.pairwise(seen))


# -- unnamed and twice-named columns ---------------------------------------------------------


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(-999, 999), st.integers(-999, 999)), min_size=3, max_size=12
    ).filter(lambda rows: len({x for x, _ in rows}) > 1),
    st.integers(1, 3),
)
def test_trailing_commas_as_spreadsheets_write_them_load_the_same_data(tmp_path, rows, commas):
    """'x,y,' then '1,2,': the unnamed, empty last columns are not chosen (y is the last column
    with a name) and no longer refuse the file."""
    plain = "x,y\n" + "".join(f"{x / 4!r},{y / 8!r}\n" for x, y in rows)
    trailing = "".join(line + "," * commas + "\n" for line in plain.splitlines())
    want = load_data(write(tmp_path, "plain.csv", plain))
    got = load_data(write(tmp_path, "trailing.csv", trailing))
    assert got.x_names == want.x_names and got.y_name == want.y_name
    assert np.array_equal(got.raw_x, want.raw_x) and np.array_equal(got.y, want.y)


def test_an_unnamed_column_is_refused_when_chosen(tmp_path):
    path = write(tmp_path, "mid.csv", "x,,y\n1,7,2\n2,8,4\n3,9,5\n")
    assert load_data(path).x_names == ("x",)
    message = refusal(path, x="2")
    assert "the x column, column 2, has no name in the header" in message


def test_two_chosen_columns_of_one_name_are_refused_by_number(tmp_path):
    """'x,x' used to load with x and y both called x (the charts and messages could not tell
    them apart); choosing one of them beside another column is fine."""
    path = write(tmp_path, "dup.csv", "x,x\n1,2\n2,4\n3,5\n")
    assert "columns 1 and 2 are both named 'x'" in refusal(path)
    other = write(tmp_path, "dup3.csv", "x,x,y\n1,2,3\n2,4,5\n3,5,8\n")
    assert load_data(other, x="1").x_names == ("x",)
