"""The charts' axes: every tick label shown is a short number and is the value at its row or
column, for data from 1e-300 to 1e300 (positive, negative, spanning zero, constant; log scale on
and off), and a chart of finite data is never blank.

The pictures are plotext's own grid of cells, read back as text; a label's value is checked
against the value of its row or column worked out from nothing but the axis's two limits and the
cell's place between them (a straight line, or a straight line in log10 on a log axis).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pilot import app_test
from textual_plotext import PlotextPlot

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.axes import MAX_LABEL, NOTHING_TO_DRAW, Figure, choose
from linreg_tui.tui.chart import Chart, grid_rows

NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)(e[+-]\d+)?")
MARKS = set("●⣿") | {chr(c) for c in range(0x2801, 0x2900)}  # the data's marks, braille dots


def significant(label: str) -> int:
    """Significant digits a label shows."""
    mantissa = label.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return max(1, len(mantissa.rstrip("0")) if "." not in label.split("e")[0] else len(mantissa))


def cell_value(lo: float, hi: float, c: int, cells: int, log: bool) -> float:
    """The value at cell ``c`` of ``cells`` from ``lo`` (cell 0) to ``hi`` (the last cell); on a
    log axis ``lo`` and ``hi`` are the limits' log10 (the top one may be beyond float64)."""
    if log:
        return 10 ** (lo + (hi - lo) * c / (cells - 1))
    return lo + (hi / 2 - lo / 2) * 2 * c / (cells - 1)


def assert_label_states(label: str, lo: float, hi: float, c: int, cells: int, log: bool) -> None:
    assert NUMBER.fullmatch(label), label
    assert len(label) <= MAX_LABEL, label
    value = cell_value(lo, hi, c, cells, log)
    shown = float(label)
    rounded = float(format(value, f".{significant(label)}g"))
    # the value at the cell to the digits shown; a value of 0 or one that is the label's exact
    # decimal is allowed float noise of a millionth of a cell
    cell = abs(hi / 2 - lo / 2) * 2 / (cells - 1) if not log else abs(value) * 1e-3
    assert shown == rounded or abs(shown - value) <= 1e-6 * cell, (label, value, lo, hi, c)


magnitude = st.integers(-300, 300).map(lambda e: 10.0**e)
mantissa = st.floats(1.0, 9.99)


@st.composite
def ranges(draw):
    """(lo, hi, log): positive, negative, spanning zero, constant; any size from 1e-300 to 1e300."""
    log = draw(st.booleans())
    a = draw(mantissa) * draw(magnitude)
    kind = draw(st.sampled_from(["positive", "negative", "spanning", "constant", "near"]))
    if log or kind == "positive":
        b = draw(mantissa) * draw(magnitude)
    elif kind == "negative":
        a, b = -a, -draw(mantissa) * draw(magnitude)
    elif kind == "spanning":
        b = -draw(mantissa) * draw(magnitude)
    elif kind == "constant":
        b = a
    else:  # a range small beside its values
        b = a * (1 + draw(st.floats(1e-12, 1e-2)))
    return min(a, b), max(a, b), log


@given(ranges(), st.integers(3, 60), st.booleans(), st.booleans())
@settings(max_examples=400, deadline=None)
def test_every_label_is_the_value_at_its_cell(r, cells, x, whole):
    lo, hi, log = r
    whole = whole and not log
    axis = choose(lo, hi, cells, log=log, gap=2, x=x, whole=whole)
    assert axis is not None
    first, last = limits(axis)
    if log:
        assert first <= math.log10(lo) and math.log10(hi) <= last  # the data is inside the axis
    else:
        assert first <= lo and hi <= last
    assert axis.labels  # at least one tick says where the axis is
    for c, label in zip(axis.ticks, axis.labels, strict=True):
        assert_label_states(label, first, last, c, cells, log)
        if whole:
            assert float(label).is_integer(), label


def limits(axis):
    """The axis's two limits (their log10 on a log axis)."""
    if axis.log:
        return axis.units(0), axis.units(axis.cells - 1)
    return axis.value(0), axis.value(axis.cells - 1)


def build(fig: Figure, width: int, height: int) -> list[str] | str:
    """The figure as plotext draws it, its rows as text top first (or the note shown instead)."""
    plt = PlotextPlot().plt
    plt.clear_figure()
    plt.grid(False, False)
    note = fig.draw(plt, width, height)
    if note is not None:
        return note
    plt.plotsize(width, height)
    plt._set_size(width, height)
    plt._set_sizes()
    plt._build_matrix()
    return ["".join(text for _, text in row) for row in grid_rows(plt.monitor.matrix)]


def read_axes(rows: list[str], fig: Figure) -> None:
    """Check every label the picture shows against its row's or column's value."""
    xaxis, yaxis = fig.axes
    top = next(i for i, row in enumerate(rows) if "┌" in row)
    bottom = next(i for i, row in enumerate(rows) if "└" in row)
    col = rows[top].index("┌")
    canvas_rows = bottom - top - 1
    assert canvas_rows == yaxis.cells
    ylo, yhi = limits(yaxis)
    shown = 0
    for i in range(top + 1, bottom):
        label = rows[i][:col].strip()
        if label:
            assert rows[i][col] in "┤├", rows[i]
            assert_label_states(label, ylo, yhi, bottom - 1 - i, yaxis.cells, yaxis.log)
            shown += 1
    assert shown >= 1
    # x: a ┬ on the axis line for each label under it, in order
    xlo, xhi = xaxis.value(0), xaxis.value(xaxis.cells - 1)
    marks = [j - col - 1 for j, ch in enumerate(rows[bottom]) if ch == "┬"]
    labels = rows[bottom + 1].split()
    assert len(marks) == len(labels) >= 1, (rows[bottom], rows[bottom + 1])
    for c, label in zip(marks, labels):
        assert_label_states(label, xlo, xhi, c, xaxis.cells, False)


@st.composite
def data(draw):
    lo, hi, log = draw(ranges())
    n = draw(st.integers(1, 30))
    t = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    if log:
        y = 10 ** (math.log10(lo) + (math.log10(hi) - math.log10(lo)) * t)
    else:
        y = lo + (hi / 2 - lo / 2) * 2 * t
    xlo, xhi, _ = draw(ranges())
    x = np.sort(xlo + (xhi / 2 - xlo / 2) * 2 * np.array(sorted(t)))
    return x, np.clip(y, lo, hi), log


@given(data(), st.integers(30, 140), st.integers(9, 40), st.booleans(), st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_chart_of_finite_data_is_drawn_with_true_labels(d, width, height, named, loss):
    x, y, log = d
    fig = Figure(log_y=log)
    if loss:  # as the loss chart draws: epochs from 0, labelled at whole numbers; a line
        x = np.abs(x)
        fig.xrange, fig.whole_x = (0, float(x.max())), True
        fig.hline(float(y.min()), color="green")
    fig.plot(x, y, marker="braille", color="cyan")
    fig.scatter(x, y, marker="●", color="white")
    if named:
        fig.xlabel = "x"
    rows = build(fig, width, height)
    assert isinstance(rows, list), rows
    read_axes(rows, fig)
    top = next(i for i, row in enumerate(rows) if "┌" in row)
    col = rows[top].index("┌")
    canvas = [row[col + 1 : -1] for row in rows[top + 1 : top + 1 + fig.axes[1].cells]]
    assert any(ch in MARKS for row in canvas for ch in row), "\n".join(rows)
    # each point is in the cell whose value is nearest to it: worked out from the limits alone
    xaxis, yaxis = fig.axes
    xlo, xhi = xaxis.value(0), xaxis.value(xaxis.cells - 1)
    ylo, yhi = limits(yaxis)
    for px, py in zip(x.tolist(), y.tolist()):
        c = (px / 2 - xlo / 2) / (xhi / 2 - xlo / 2) * (xaxis.cells - 1)
        if log:
            r = (math.log10(py) - ylo) / (yhi - ylo) * (yaxis.cells - 1)
        else:
            r = (py / 2 - ylo / 2) / (yhi / 2 - ylo / 2) * (yaxis.cells - 1)
        # a point halfway between two cells may go to either
        near_c = {math.floor(c + 0.5 - 1e-6), math.floor(c + 0.5 + 1e-6)}
        near_r = {math.floor(r + 0.5 - 1e-6), math.floor(r + 0.5 + 1e-6)}
        assert any(canvas[yaxis.cells - 1 - rr][cc] == "●" for rr in near_r for cc in near_c), (
            px,
            py,
            c,
            r,
            "\n".join(rows),
        )


def test_values_beyond_float64_leave_a_note_or_are_left_out():
    fig = Figure()
    fig.plot([0, 1], [math.inf, math.nan], marker="braille", color="cyan")
    assert build(fig, 60, 16) == NOTHING_TO_DRAW
    fig = Figure()
    fig.plot([0, 1, 2], [1.0, 2.0, math.inf], marker="braille", color="cyan")
    rows = build(fig, 60, 16)
    assert "not drawn" in rows[0]
    read_axes(rows, fig)
    fig = Figure(log_y=True)
    fig.plot([0, 1], [-1.0, 0.0], marker="braille", color="cyan")
    assert build(fig, 60, 16) == NOTHING_TO_DRAW


CASES = {
    "m0 1e150": dict(m0=(1e150,)),
    "m0 1e50": dict(m0=(1e50,)),
    "m0 1e20": dict(m0=(1e20,)),
    "lr 5": dict(lr=5.0),
    "seed": dict(),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("name", sorted(CASES))
@app_test
async def test_the_apps_charts_at_huge_values_are_drawn_with_true_labels(name, size):
    """The report's cases: the loss and fit charts of a run to the end, linear and log."""
    session = Session(seed_dataset(), Hyperparameters(**CASES[name], predict_x=(6.0,)))
    app = make_app(session)
    async with app.run_test(size=size) as pilot:
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for keys in (("1",), ("l",), ("2",)):
            await pilot.press(*keys)
            await pilot.pause()
            charts = [c for c in app.query(Chart) if c.display and c.size.width >= 16]
            assert charts
            for chart in charts:
                if not hasattr(chart, "figure"):
                    continue
                chart._build()
                rows = ["".join(text for _, text in row) for row in chart._rows]
                assert len(rows) > 1, (name, keys, rows)  # drawn, not a note
                read_axes(rows, chart.figure)
