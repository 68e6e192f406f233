"""load_csv: what real CSV files look like is accepted, what cannot be fitted is refused.

Every expected value below is read off the text the test itself wrote (or, for Anscombe's
quartet, parsed from the verbatim file with the standard library's :mod:`csv`), never taken from
the loader's own output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linreg_tui.core import reference
from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.errors import DataError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session

ANSCOMBE_LONG = Path(__file__).resolve().parents[1] / "data" / "anscombe.csv"


def write(folder: Path, name: str, content: str | bytes) -> str:
    """Write ``content`` byte for byte (no newline translation) and return the path as str."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def refusal(path: str, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert path in message, f"the message does not name the file: {message}"
    assert "\n" not in message
    return message


# -- accepted -------------------------------------------------------------------------------------

# One table, x = 1, 2, 3 and y = 2.5, 4, 5.25, written in every way a real file may come.
TABLE_X = [1.0, 2.0, 3.0]
TABLE_Y = [2.5, 4.0, 5.25]
TABLE_VARIANTS = {
    "comma": b"x,y\n1,2.5\n2,4\n3,5.25\n",
    "semicolon": b"x;y\n1;2.5\n2;4\n3;5.25\n",
    "tab": b"x\ty\n1\t2.5\n2\t4\n3\t5.25\n",
    "utf8-bom": b"\xef\xbb\xbfx,y\n1,2.5\n2,4\n3,5.25\n",
    "crlf": b"x,y\r\n1,2.5\r\n2,4\r\n3,5.25\r\n",
    "cr-only": b"x,y\r1,2.5\r2,4\r3,5.25\r",
    "no-final-newline": b"x,y\n1,2.5\n2,4\n3,5.25",
    "quoted-numbers": b'x,y\n"1","2.5"\n"2",4\n3,"5.25"\n',
    "quoted-header": b'"x","y"\n1,2.5\n2,4\n3,5.25\n',
    "quoted-semicolon-crlf": b'x;y\r\n"1";"2.5"\r\n"2";"4"\r\n"3";"5.25"\r\n',
    "trailing-blank-lines": b"x,y\n1,2.5\n2,4\n3,5.25\n\n\n\n",
    "trailing-blank-lines-crlf": b"x,y\r\n1,2.5\r\n2,4\r\n3,5.25\r\n\r\n\r\n",
    "blank-lines-inside": b"x,y\n1,2.5\n\n2,4\n\n\n3,5.25\n",
    "whitespace-line-inside": b"x,y\n1,2.5\n   \n2,4\n3,5.25\n",
    "spaces-after-delimiter": b"x, y\n1, 2.5\n2, 4\n3, 5.25\n",
    "spaces-after-tab": b"x\t y\n1\t 2.5\n2\t 4\n3\t 5.25\n",
    "spaces-then-quotes": b'x, y\n1, "2.5"\n2, "4"\n3, "5.25"\n',
    "spaces-around-cells": b"x , y\n 1 , 2.5 \n2 ,4\n3, 5.25 \n",
    "exponent-and-sign": b"x,y\n+1,25e-1\n2.0,4E0\n3,+5.25\n",
    "bom-semicolon-crlf-blank": b'\xef\xbb\xbfx;y\r\n1;"2.5"\r\n\r\n2;4\r\n3;5.25\r\n\r\n',
}


@pytest.mark.parametrize("variant", list(TABLE_VARIANTS))
def test_every_way_of_writing_the_same_table_loads_the_same_numbers(tmp_path, variant):
    data = load_csv(write(tmp_path, "table.csv", TABLE_VARIANTS[variant]))
    assert data.x_names == ("x",)
    assert data.y_name == "y"
    assert data.raw_x.shape == (3, 1)
    assert data.raw_x[:, 0].tolist() == TABLE_X
    assert data.y.tolist() == TABLE_Y


def test_the_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path):
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfheight;weight\n58;115\n59;117\n")
    data = load_csv(path, x=["height"], y="weight")
    assert data.x_names == ("height",)
    assert data.raw_x[:, 0].tolist() == [58.0, 59.0]


@pytest.mark.parametrize(
    "content",
    [
        '"weight, kg";"age, years"\n1;3\n2;5\n',
        '"weight, kg, net"\tage\n1\t3\n2\t5\n',
        '"weight\tkg\tnet","age ""years"""\n1,3\n2,5\n',
        # A space after the separator, then a quoted name: read like the data rows are.
        'weight, "age, years"\n1, 3\n2, "5"\n',
    ],
)
def test_delimiters_inside_quoted_header_names_do_not_count(tmp_path, content):
    # Spreadsheet exports quote names such as "weight, kg" in semicolon-separated files.
    data = load_csv(write(tmp_path, "quoted_names.csv", content))
    assert len(data.x_names) == 1 and data.x_names[0].startswith("weight")
    assert data.y_name.startswith("age")
    assert data.raw_x[:, 0].tolist() == [1.0, 2.0]
    assert data.y.tolist() == [3.0, 5.0]


def test_default_columns_are_the_first_as_x_and_the_last_as_y(tmp_path):
    path = write(tmp_path, "abc.csv", "a,b,c\n1,10,100\n2,20,300\n4,40,700\n")
    data = load_csv(path)
    assert data.x_names == ("a",)
    assert data.y_name == "c"
    assert data.raw_x[:, 0].tolist() == [1.0, 2.0, 4.0]
    assert data.y.tolist() == [100.0, 300.0, 700.0]


FOUR_COLUMNS = "a,b,c,d\n1,10,100,-1\n2,30,200,-2\n4,20,500,-3\n8,70,300,-5\n"
COLUMN_A = [1.0, 2.0, 4.0, 8.0]
COLUMN_B = [10.0, 30.0, 20.0, 70.0]
COLUMN_C = [100.0, 200.0, 500.0, 300.0]
COLUMN_D = [-1.0, -2.0, -3.0, -5.0]


@pytest.mark.parametrize(
    ("x", "y", "x_names", "x_columns", "y_name", "y_column"),
    [
        (["c"], "a", ("c",), [COLUMN_C], "a", COLUMN_A),
        (["3"], "1", ("c",), [COLUMN_C], "a", COLUMN_A),
        (["b"], "4", ("b",), [COLUMN_B], "d", COLUMN_D),
        ([" 2 "], " d ", ("b",), [COLUMN_B], "d", COLUMN_D),
        (["c", "a"], "b", ("c", "a"), [COLUMN_C, COLUMN_A], "b", COLUMN_B),
        (["4", "b", "1"], "c", ("d", "b", "a"), [COLUMN_D, COLUMN_B, COLUMN_A], "c", COLUMN_C),
    ],
)
def test_columns_are_chosen_by_name_or_one_based_number(
    tmp_path, x, y, x_names, x_columns, y_name, y_column
):
    data = load_csv(write(tmp_path, "four.csv", FOUR_COLUMNS), x=x, y=y)
    assert data.x_names == x_names
    assert data.y_name == y_name
    assert data.raw_x.shape == (4, len(x_columns))
    assert data.raw_x.T.tolist() == x_columns
    assert data.y.tolist() == y_column
    assert data.n_features == len(x_columns)


@pytest.mark.parametrize("degree", [2, 3, 5])
def test_degree_builds_the_powers_of_the_single_x_column(tmp_path, degree):
    xs = [-2, 0, 1, 3, 7, 10]
    text = "t,v\n" + "".join(f"{x},{i}\n" for i, x in enumerate(xs))
    data = load_csv(write(tmp_path, "poly.csv", text), degree=degree)
    assert data.raw_x[:, 0].tolist() == [float(x) for x in xs]
    assert data.feature_names == ("t", *(f"t^{k}" for k in range(2, degree + 1)))
    expected = [[float(x**k) for k in range(1, degree + 1)] for x in xs]  # exact integers
    assert data.features.tolist() == expected


def test_an_unselected_text_column_is_ignored_anscombe_long_format():
    data = load_csv(str(ANSCOMBE_LONG), x=["x"], y="y")
    with ANSCOMBE_LONG.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 44
    assert data.raw_x.shape == (44, 1)
    assert data.raw_x[:, 0].tolist() == [float(r["x"]) for r in rows]
    assert data.y.tolist() == [float(r["y"]) for r in rows]
    assert (data.raw_x[0, 0], data.y[0]) == (10.0, 8.04)  # Anscombe (1973), set I, first point


def test_unselected_columns_may_hold_text_nan_and_blanks(tmp_path):
    text = 'label,x,note,y,extra\n"Smith, J",1,nan,2,\nDoe,2,,3,inf\n"",4,n/a,5.5,x\n'
    data = load_csv(write(tmp_path, "mixed.csv", text), x=["x"], y="y")
    assert data.raw_x[:, 0].tolist() == [1.0, 2.0, 4.0]
    assert data.y.tolist() == [2.0, 3.0, 5.5]


def test_a_blank_unselected_last_cell_of_a_tab_separated_file_is_accepted(tmp_path):
    # The same blank is accepted on every row; the last line must not be special.
    text = "x\ty\tnote\n1\t2\t\n2\t3\tok\n4\t6\t\n"
    data = load_csv(write(tmp_path, "notes.tsv", text), x=["x"], y="y")
    assert data.raw_x[:, 0].tolist() == [1.0, 2.0, 4.0]
    assert data.y.tolist() == [2.0, 3.0, 6.0]


def test_a_blank_selected_last_cell_of_a_tab_separated_file_is_called_blank(tmp_path):
    path = write(tmp_path, "gap.tsv", "x\ty\n1\t2\n2\t\n")
    message = refusal(path)
    assert "row 2" in message and "line 3" in message and "'y'" in message
    assert "blank" in message


def test_a_million_rows_load_exactly(tmp_path):
    n = 1_000_000
    path = tmp_path / "big.csv"
    # x = i, y = i/4 - 3: every value is exact in binary, so the text is exactly these floats.
    path.write_text("x,y\n" + "".join(f"{i},{i / 4 - 3!r}\n" for i in range(n)), encoding="utf-8")
    data = load_csv(str(path))
    assert data.raw_x.shape == (n, 1)
    assert data.y.shape == (n,)
    assert data.raw_x.dtype == np.float64 and data.y.dtype == np.float64
    for i in (0, 1, 2, 123_456, n - 2, n - 1):
        assert data.raw_x[i, 0] == i
        assert data.y[i] == i / 4 - 3
    np.testing.assert_array_equal(data.raw_x[:, 0], np.arange(n, dtype=np.float64))
    np.testing.assert_array_equal(data.y, np.arange(n, dtype=np.float64) / 4 - 3)


# -- refused --------------------------------------------------------------------------------------


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


def test_missing_file(tmp_path):
    message = refusal(str(tmp_path / "absent.csv"))
    assert "no such file" in message


def test_directory(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    message = refusal(str(tmp_path / "folder.csv"))
    assert "directory" in message


def test_binary_file_with_nul_bytes(tmp_path):
    message = refusal(write(tmp_path, "image.csv", b"x,y\n1,2\n\x00\x01\x02\xff\n"))
    assert "binary" in message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_named_with_what_to_do(tmp_path, codec):
    # With or without a byte-order mark, UTF-16 is not "binary": it is text in another encoding.
    text = "x,y\n1,2\n2,3\n".encode(codec)
    message = refusal(write(tmp_path, "utf16.csv", text))
    assert "UTF-16" in message and "save it as UTF-8" in message


def test_non_utf8_text(tmp_path):
    message = refusal(write(tmp_path, "latin1.csv", "x,poids\n1,2\n2,3\n# é\n".encode("latin-1")))
    assert "UTF-8" in message
    assert "0xe9" in message  # the offending byte, as written


@pytest.mark.parametrize(
    ("bad", "expected"),
    [(b"\x00", "binary file (it contains NUL bytes, the first at offset {at:,})"),
     (b"\xe9", "is not UTF-8 text (byte 0xe9 at offset {at:,})")],
)  # fmt: skip
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_bad_byte_deep_in_a_large_file_in_an_unused_column(tmp_path, bad, expected, gzipped):
    # Past the first blocks (a plain file is checked in a pass of its own before pyarrow reads
    # it; a gzip file as pyarrow reads it), in a column no model uses: still refused, at its
    # exact offset.
    import gzip

    rows = b"".join(b"%d,%d,note\n" % (k, 2 * k) for k in range(600_000))
    head = b"x,y,note\n" + rows
    content = head + b"1,2,n" + bad + b"te\n" + rows[:1000]
    if gzipped:
        path = tmp_path / "big.csv.gz"
        path.write_bytes(gzip.compress(content, compresslevel=1))
    else:
        path = tmp_path / "big.csv"
        path.write_bytes(content)
    message = refusal(str(path), x="x", y="y")
    assert expected.format(at=len(head) + 5) in message


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  \r\n \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    message = refusal(write(tmp_path, "empty.csv", content))
    assert "empty" in message


@pytest.mark.parametrize("content", [b"x,y", b"x,y\n", b"x;y\r\n\r\n\r\n", b"x,y\n  \n"])
def test_header_only(tmp_path, content):
    message = refusal(write(tmp_path, "header.csv", content))
    assert "no data rows" in message


@pytest.mark.parametrize("content", ["1,2\n3,4\n5,7\n", "1.5;2e3\n3;4\n", '"1","2"\n3,4\n'])
def test_header_that_looks_like_data(tmp_path, content):
    message = refusal(write(tmp_path, "noheader.csv", content))
    assert "line 1" in message
    assert "header" in message


@pytest.mark.parametrize("content", ["x\n1\n2\n3\n", "x y\n1 2\n3 4\n", "x|y\n1|2\n3|4\n"])
def test_single_column(tmp_path, content):
    message = refusal(write(tmp_path, "one.csv", content))
    assert "line 1" in message
    assert "single column" in message


def test_header_with_an_unnamed_column_is_refused_when_it_is_chosen(tmp_path):
    message = refusal(write(tmp_path, "unnamed.csv", "x,,y\n1,2,3\n2,3,5\n"), x="2")
    assert "column 2, has no name in the header" in message


# (file content, load_csv arguments, the row, the physical line and the column it must name)
BAD_CELLS = {
    "text": ("x,y\n1,2\n2,abc\n3,4\n", {}, 2, 3, "y", "'abc'"),
    "text-in-x": ("x,y\n1,2\n2,3\nthree,4\n", {}, 3, 4, "x", "'three'"),
    "decimal-comma": ("x;y\n1;2,5\n2;3\n", {}, 1, 2, "y", "decimal point"),
    "blank": ("x,y\n1,\n2,3\n", {}, 1, 2, "y", "blank"),
    "blank-quoted": ('x,y\n1,2\n"",3\n', {}, 2, 3, "x", "blank"),
    "blank-spaces": ("x,y\n1,2\n2,   \n", {}, 2, 3, "y", "blank"),
    "nan": ("x,y\n1,2\nnan,3\n4,5\n", {}, 2, 3, "x", "'nan'"),
    "NaN-in-y": ("x;y\n1;NaN\n2;3\n", {}, 1, 2, "y", "'NaN'"),
    "inf": ("x,y\n1,2\n2,3\n3,inf\n", {}, 3, 4, "y", "'inf'"),
    "-Infinity": ("x,y\n-Infinity,2\n2,3\n", {}, 1, 2, "x", "'-Infinity'"),
    "overflow-to-inf": ("x,y\n1,2\n2,1e999\n", {}, 2, 3, "y", "'1e999'"),
    # A blank line is still a line: the physical line number counts it, the row number does not.
    "after-blank-lines": ("x,y\n1,2\n\n\n2,oops\n", {}, 2, 5, "y", "'oops'"),
    "crlf": ("x,y\r\n1,2\r\n2,3\r\n3,?\r\n", {}, 3, 4, "y", "'?'"),
    "chosen-column": ("a,b,c\n1,2,3\n2,x,4\n", {"x": ["b"], "y": "c"}, 2, 3, "b", "'x'"),
}


@pytest.mark.parametrize("case", list(BAD_CELLS))
def test_a_bad_cell_is_named_by_file_row_line_and_column(tmp_path, case):
    content, kwargs, row, line, column, detail = BAD_CELLS[case]
    message = refusal(write(tmp_path, "cells.csv", content), **kwargs)
    assert f"row {row} " in message
    assert f"line {line})" in message
    assert f"column {column!r}" in message
    assert detail in message


@pytest.mark.parametrize(
    ("content", "row", "line", "cells", "width"),
    [
        ("x,y\n1,2\n2,3,4\n", 2, 3, 3, 2),
        ("x,y,z\n1,2,3\n2,3\n3,4,5\n", 2, 3, 2, 3),
        ("x;y\n1;2\n\n2\n", 2, 4, 1, 2),
        ("x,y\r\n1,2,\r\n", 1, 2, 3, 2),
    ],
)
def test_a_ragged_row_is_named_with_its_cell_count(tmp_path, content, row, line, cells, width):
    message = refusal(write(tmp_path, "ragged.csv", content))
    assert f"row {row} " in message and f"line {line})" in message
    assert f"has {cells} cell{'' if cells == 1 else 's'} but" in message
    assert f"header has {width}" in message


def test_unknown_column_name(tmp_path):
    message = refusal(write(tmp_path, "ab.csv", "a,b\n1,2\n2,3\n"), x=["speed"])
    assert "'speed'" in message
    assert "1:a, 2:b" in message  # the columns that do exist


@pytest.mark.parametrize(
    ("x", "y", "bad"),
    [(["3"], None, "'3'"), (["0"], None, "'0'"), (None, "-1", "'-1'"), (None, "7", "'7'")],
)
def test_column_number_out_of_range(tmp_path, x, y, bad):
    message = refusal(write(tmp_path, "ab.csv", "a,b\n1,2\n2,3\n"), x=x, y=y)
    assert "unknown" in message
    assert bad in message


def test_duplicate_column_name_chosen_by_name(tmp_path):
    path = write(tmp_path, "dup.csv", "t,t,y\n1,5,2\n2,3,3\n3,1,5\n")
    message = refusal(path, x=["t"])
    assert "'t'" in message
    assert "columns 1 and 2" in message


def test_duplicate_column_name_chosen_by_number_is_fine(tmp_path):
    path = write(tmp_path, "dup.csv", "t,t,y\n1,5,2\n2,3,3\n3,1,5\n")
    data = load_csv(path, x=["2"])
    assert data.raw_x[:, 0].tolist() == [5.0, 3.0, 1.0]


@pytest.mark.parametrize("x", [["a", "a"], ["1", "a"], ["a", "b", "1"]])
def test_the_same_x_column_twice(tmp_path, x):
    message = refusal(write(tmp_path, "abc.csv", "a,b,c\n1,4,2\n2,3,3\n3,1,5\n"), x=x, y="c")
    assert "'a'" in message
    assert "twice" in message


@pytest.mark.parametrize(("x", "y"), [(["c"], None), (["a", "b"], "2"), (["1"], "a")])
def test_y_chosen_as_an_x_column_too(tmp_path, x, y):
    message = refusal(write(tmp_path, "abc.csv", "a,b,c\n1,4,2\n2,3,3\n3,1,5\n"), x=x, y=y)
    assert "as y and as an x column" in message


def test_constant_x_column(tmp_path):
    path = write(tmp_path, "flat.csv", "a,b,y\n1,7.5,2\n2,7.5,3\n3,7.5,5\n")
    message = refusal(path, x=["a", "b"])
    assert "'b'" in message
    assert "constant" in message
    assert "7.5" in message


def test_degree_above_one_needs_a_single_x_column(tmp_path):
    path = write(tmp_path, "two.csv", "a,b,y\n1,4,2\n2,3,3\n3,1,5\n4,0,1\n")
    message = refusal(path, x=["a", "b"], degree=2)
    assert "degree 2" in message
    assert "a, b" in message  # the two x columns it was given


@pytest.mark.parametrize(
    ("content", "x", "degree", "rows", "params"),
    [
        ("x,y\n1,2\n", None, 1, 1, 2),
        ("a,b,y\n1,4,2\n2,3,3\n", ["a", "b"], 1, 2, 3),
        ("x,y\n1,2\n2,3\n3,5\n", None, 3, 3, 4),
    ],
)
def test_fewer_rows_than_parameters_is_refused_by_the_session(
    tmp_path, content, x, degree, rows, params
):
    path = write(tmp_path, "short.csv", content)
    data = load_csv(path, x=x, degree=degree)  # the loader itself takes it
    assert data.n_samples == rows
    hp = Hyperparameters(predict_x=(0.0,) * data.raw_x.shape[1])
    for attempt in (lambda: reference.solve(data), lambda: Session(data, hp)):
        with pytest.raises(DataError) as info:
            attempt()
        message = str(info.value)
        assert path in message
        assert f"{rows} row" in message and f"{params} parameters" in message


# -- property: whatever way finite floats are written, they come back exactly --------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def csv_tables(draw):
    n_cols = draw(st.integers(min_value=2, max_value=4))
    n_rows = draw(st.integers(min_value=1, max_value=25))
    rows = draw(
        st.lists(
            st.lists(finite, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    # A constant x column is refused on purpose; make every x column take two values.
    for j in range(n_cols - 1):
        if n_rows > 1 and len({r[j] for r in rows}) == 1:
            rows[0][j] = 1.0 if rows[1][j] != 1.0 else 2.0
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    quote = draw(st.sampled_from(["never", "always", "some"]))
    space = draw(st.sampled_from(["", " ", "  "]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    blank_inside = draw(st.lists(st.integers(0, n_rows), max_size=3))
    trailing = draw(st.integers(min_value=0, max_value=3))

    def cell(value: float, i: int, j: int) -> str:
        text = repr(value)
        if quote == "always" or (quote == "some" and (i + j) % 2 == 0):
            text = f'"{text}"'
        return text

    # Names may hold any of the separators, quoted as a spreadsheet would write them.
    suffixes = draw(
        st.lists(
            st.sampled_from(["", ", kg", "; m", "\tcm", " (a,b;c)"]),
            min_size=n_cols,
            max_size=n_cols,
        )
    )
    names = [f"c{j}{suffix}" for j, suffix in enumerate(suffixes)]
    header = [f'"{name}"' if set(name) & set(",;\t") else name for name in names]
    lines = [(delimiter + space).join(header)]
    for i, row in enumerate(rows):
        lines.extend("" for k in blank_inside if k == i)
        lines.append((delimiter + space).join(cell(v, i, j) for j, v in enumerate(row)))
    text = newline.join(lines) + newline * (1 + trailing)
    return (("\ufeff" if bom else "") + text).encode("utf-8"), names, rows


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=csv_tables())
def test_written_floats_load_back_exactly(tmp_path, table):
    content, names, rows = table
    path = write(tmp_path, "random.csv", content)
    data = load_csv(path, x=names[:-1], y=names[-1])
    assert (data.x_names, data.y_name) == (tuple(names[:-1]), names[-1])
    expected_x = np.array([row[:-1] for row in rows], dtype=np.float64)
    expected_y = np.array([row[-1] for row in rows], dtype=np.float64)
    assert data.raw_x.shape == expected_x.shape
    # Bit for bit (tobytes also tells -0.0 from 0.0).
    assert data.raw_x.tobytes() == expected_x.tobytes()
    assert data.y.tobytes() == expected_y.tobytes()
