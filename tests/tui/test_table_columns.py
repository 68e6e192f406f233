"""The Log and Data panes never cut a number or a header off, at any width.

A cell is checked against exact decimal arithmetic: the text shown, read back, must equal the
value (the float64 the core holds) correctly rounded to the significant digits the text has
(``decimal`` with round-half-even on the float's exact binary value), or be the explicit
too-narrow marker. A header shows whole or not at all; where columns are hidden, a marker (‹ ›)
says on which side, and ←/→ reach every one of them.
"""

from __future__ import annotations

import asyncio
import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.geometry import Region

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.trainer import Record
from linreg_tui.tui.data_view import DataView
from linreg_tui.tui.iteration_log import LogTable
from linreg_tui.tui.numbers import fit
from linreg_tui.tui.virtual_table import NUM_MIN

MARKER = re.compile(r"^#{1,3}$")
LEFT, RIGHT = "‹", "›"

#: Any finite float64, of any magnitude and sign (subnormals and ±0 included).
finite = st.floats(allow_nan=False, allow_infinity=False)
#: Column names: no spaces (the test splits lines on them), distinct from the fixed headers.
names = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz_0123456789", max_size=11).map(lambda s: "c" + s),
    min_size=1,
    max_size=5,
    unique=True,
)


def significant_digits(text: str) -> int:
    """How many significant digits a number's text has (1.20 → 3, 100000 → 6, 1e5 → 1)."""
    mantissa = text.lstrip("-+").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def assert_rounded(text: str, value: float, width: int | None = None) -> None:
    """``text`` is ``value`` correctly rounded to the digits it shows, or the marker."""
    if width is not None:
        assert len(text) <= width, (text, width)
    if MARKER.match(text):
        return
    if not math.isfinite(value):
        assert text == ("n/a" if math.isnan(value) else ">1.8e308" if value > 0 else "<-1.8e308")
        return
    shown = Decimal(text)  # raises if the text is not a number
    k = significant_digits(text)
    if k == 0:
        assert value == 0, (text, value)
        return
    exact = Context(prec=k, rounding=ROUND_HALF_EVEN).plus(Decimal(value))
    assert shown == exact, f"{text!r} shown for {value!r} (to {k} digits: {exact})"


# -- one cell -------------------------------------------------------------------------------------


@given(finite, st.integers(1, 14))
def test_a_cell_is_the_value_rounded_to_the_digits_shown_never_cut(value, width):
    text = fit(value, width)
    assert_rounded(text, value, width)
    if MARKER.match(text):
        assert width < 7  # one digit of any float64 fits in 7 characters (-1e-308)
    if len(format(value, ".6g")) <= width:  # room for six digits: six digits
        assert Decimal(text) == Decimal(format(value, ".6g"))


def test_the_reports_residuals_are_rounded_not_cut():
    # Seen at 120x40: 3.46208 shown as '3.4620', 1.99696 as '1.9969' (cut to six characters).
    assert fit(3.46208, 6) == "3.4621"
    assert fit(1.99696, 6) == "1.997"
    assert fit(-26.4, 4) == "-26"


# -- the panes ------------------------------------------------------------------------------------


class One(App):
    """A table alone, filling a terminal of the width being tried."""

    def __init__(self, table) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def lines_of(widget) -> list[str]:
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text for strip in widget.render_lines(region)]


def read_table(table) -> tuple[list[str], list[list[str]], list[str], bool, bool]:
    """(headers shown, each row's cells and note as tokens, each line, ‹ anywhere, › anywhere)."""
    lines = lines_of(table)
    view = table.scrollable_content_region.width
    for line in lines:
        assert len(line.rstrip()) <= view, line
    left = any(LEFT in line for line in lines)
    right = lines[0].rstrip().endswith(RIGHT)
    rows = [
        line.replace(LEFT, " ").replace(RIGHT, " ").split() for line in lines[1:] if line.strip()
    ]
    return lines[0].replace(LEFT, " ").replace(RIGHT, " ").split(), rows, lines, left, right


async def check_every_position(table, headers, values, notes, index_texts, size):
    """Scroll along the columns from the left end to the right end, checking each view, and
    check that every column and note was seen that fits in the view beside the first column."""
    app = One(table)
    seen: set[str] = set()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(len(headers) + 2):
            shown, rows, lines, left, right = read_table(table)
            assert shown[0] == headers[0]
            middle = shown[1:]
            if middle:  # a contiguous run of the headers, each whole
                start = headers.index(middle[0])
                assert middle == headers[start : start + len(middle)], (middle, headers)
                assert left == (start > 1), lines
            seen.update(shown)
            for r, cells in enumerate(rows):
                assert cells[0] == index_texts[r]
                numbers = cells[1 : 1 + len(middle)]
                assert len(numbers) == len(middle), (cells, middle)
                for name, text in zip(middle, numbers):
                    assert_rounded(text, values[r][name])
                rest = " ".join(cells[1 + len(middle) :])
                assert rest in ("", notes[r]), (rest, notes[r])
                if notes[r] and rest != notes[r]:
                    assert RIGHT in lines[r + 1], lines  # a note not shown is marked
            if not right:
                break
            table.action_scroll_right()
            await pilot.pause()
        # What is still hidden (› at the right end) is wider than the view beside column 0
        # (a pane 20 wide with epochs in the millions): shown, it would be cut.
        alone = table.scrollable_content_region.width - max(map(len, [*index_texts, headers[0]]))
        alone -= 2  # the gap after column 0, the marker
        for name in set(headers) - seen:
            assert max(len(name), NUM_MIN) + 1 > alone, (name, alone)
        if right:
            assert any(len(n) + 1 > alone for n in notes) or set(headers) != seen, lines


def log_headers(features: list[str]) -> list[str]:
    if len(features) == 1:
        return ["epoch", "MSE", "m", "b", "∂m", "∂b"]
    return ["epoch", "MSE", "b", "‖∇‖", *(f"w:{n}" for n in features)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(20, 200),
    features=names,
    data=st.data(),
)
def test_the_log_shows_every_number_rounded_and_every_header_whole(width, features, data):
    n_rows = data.draw(st.integers(1, 6))
    table = LogTable()
    table.start(tuple(features), True)
    values, notes, epochs = [], [], []
    epoch = 0
    for _ in range(n_rows):
        epoch += data.draw(st.integers(0, 2_000_000))
        w = np.array(data.draw(st.lists(finite, min_size=len(features), max_size=len(features))))
        g = np.array(data.draw(st.lists(finite, min_size=len(features), max_size=len(features))))
        b, gb, mse = data.draw(finite), data.draw(finite), data.draw(finite.map(abs))
        rec = Record(epoch, w, b, mse, g, gb)
        note = data.draw(st.sampled_from(["", "start", "paused", "← back", "lr → 1e+308"]))
        table.add(rec, note)
        epochs.append(f"{epoch:,}")
        notes.append(note)
        if len(features) == 1:
            values.append({"MSE": mse, "m": w[0], "b": b, "∂m": g[0], "∂b": gb})
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                norm = rec.grad_norm  # the core's ‖∇‖ (its arithmetic is tested in tests/core)
            weights = {f"w:{n}": w[j] for j, n in enumerate(features)}
            values.append({"MSE": mse, "b": b, "‖∇‖": norm, **weights})
    headers = log_headers(features)
    asyncio.run(check_every_position(table, headers, values, notes, epochs, (width, 10)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(20, 200), features=names, data=st.data())
def test_the_data_pane_shows_every_number_rounded_and_every_header_whole(width, features, data):
    n_rows = data.draw(st.integers(1, 6))
    d = len(features)
    x = np.array(data.draw(st.lists(finite, min_size=n_rows * d, max_size=n_rows * d)))
    y = np.array(data.draw(st.lists(finite, min_size=n_rows, max_size=n_rows)))
    weights = np.array(data.draw(st.lists(finite, min_size=d, max_size=d)))
    intercept = data.draw(finite)
    dataset = Dataset(x.reshape(n_rows, d), y, tuple(features), "target")
    table = DataView()
    table.show(dataset, weights, intercept)
    values = []
    for i in range(n_rows):
        with np.errstate(over="ignore", invalid="ignore"):
            y_hat, residual = model.fitted(
                dataset.features[i : i + 1], dataset.y[i : i + 1], weights, intercept
            )
        values.append(
            {
                **{n: float(dataset.raw_x[i, j]) for j, n in enumerate(features)},
                "target": float(y[i]),
                "ŷ": float(y_hat[0]),
                "residual": float(residual[0]),
            }
        )
    headers = ["row", *features, "target", "ŷ", "residual"]
    rows = [f"{i + 1:,}" for i in range(n_rows)]
    asyncio.run(check_every_position(table, headers, values, [""] * n_rows, rows, (width, 10)))
