"""What a key's frame keeps from the last one draws what drawing everything afresh draws.

A key's frame reuses what did not change: the charts' rows read from plotext's grid of cells
instead of its text, the landscape's rows whose marks did not move, a Static's lines from its
last update, the log's arithmetic holding its tallest height. Each is compared here with the
same picture made from nothing, after steps, scale and size changes, pins, other data and
settings.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from pilot import app_test
from rich.text import Text
from textual.strip import Strip
from textual.visual import Visual

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.chart import Chart
from linreg_tui.tui.iteration_log import Arithmetic
from linreg_tui.tui.landscape_view import LandscapeView
from linreg_tui.tui.repaint import QuietStatic, cells


def ansi_strips(chart: Chart) -> list[Strip]:
    """The chart as the text plotext writes for a terminal, read back by Rich: how the charts
    were drawn before they read plotext's grid."""
    plt = chart._draw_plot()
    text = plt.build()
    width = chart.size.width
    return [
        Strip(
            list(Text.from_ansi(row, no_wrap=True, end="").render(chart.app.console))
        ).crop_extend(0, width, chart.rich_style)
        for row in text.split("\n")[: chart.size.height]
    ]


def assert_charts_as_plotext_writes_them(app) -> None:
    for chart in app.query(Chart):
        if not chart.display or chart.size.width < 16 or chart.size.height < 5:
            continue
        chart._build()
        shown = [chart._strip(y) for y in range(len(chart._rows))]
        expected = ansi_strips(chart)
        # segment for segment, not only cell for cell: the terminal gets the same bytes
        assert [list(s) for s in shown] == [list(s) for s in expected], chart.id


def assert_landscape_as_drawn_afresh(app) -> None:
    view = app.query_one(LandscapeView)
    if not view.display or not view.size.area:
        return
    kept = view._ensure_built()
    view._row_strips, view._rows_for = {}, None
    view._strips = view._drawn_for = None
    fresh = view._ensure_built()
    assert [cells(s) for s in kept] == [cells(s) for s in fresh]


def assert_statics_as_rendered_afresh(app) -> None:
    """Every QuietStatic's lines on screen are its content rendered now."""
    for widget in app.query(QuietStatic):
        if not widget.display or not widget.size.area:
            continue
        width, height = widget.size
        shown = [widget.render_line(y) for y in range(height)]
        fresh = Visual.to_strips(widget, widget.visual, width, None, widget.visual_style)
        if isinstance(widget, Arithmetic) and len(fresh) > height:
            # taller than its room: the last line shown counts the lines hidden below it
            hidden = len(fresh) - height + 1
            assert shown[-1].text.startswith(f"  … {hidden} more lines below"), widget.id
            shown, fresh, height = shown[:-1], fresh[: height - 1], height - 1
        fresh = fresh[:height]
        blank = Strip.blank(width, widget.visual_style.rich_style)
        fresh += [blank] * (height - len(fresh))
        assert [cells(s) for s in shown] == [cells(s) for s in fresh], widget.id


def check_all(app) -> None:
    assert_charts_as_plotext_writes_them(app)
    assert_landscape_as_drawn_afresh(app)
    assert_statics_as_rendered_afresh(app)


@app_test
async def test_keys_sizes_scales_and_pins_draw_what_a_fresh_render_draws():
    app = make_app(Session(seed_dataset(), Hyperparameters(epochs=5000)))
    async with app.run_test(size=(142, 44)) as pilot:
        for keys in (
            ["space"],
            ["space"] * 6,
            ["right_square_bracket", "right_curly_bracket"],  # past the axis' first ends
            ["l"],  # log scale
            ["space", "l"],
            ["p", "ctrl+r", "space", "space"],  # a pinned run drawn over a new one
            ["z", "space", "x"],  # zoomed landscape
            ["backspace"] * 3,
        ):
            await pilot.press(*keys)
            await pilot.pause()
            check_all(app)
        for size in ((100, 32), (80, 24), (200, 60), (142, 44)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
            check_all(app)
        await pilot.press("2", "space", "4", "space", "5", "space")
        await pilot.pause()


@pytest.mark.parametrize(
    "hp",
    [
        Hyperparameters(l1=0.3, l2=0.1, validation=0.4, seed=1),  # J, held-out MSE
        Hyperparameters(lr=0.1),  # diverges
        Hyperparameters(optimizer="adam", lr=0.05),
    ],
    ids=["penalty-validation", "diverging", "adam"],
)
def test_other_settings_draw_what_a_fresh_render_draws(hp):
    @app_test
    async def run():
        app = make_app(Session(seed_dataset(), hp))
        async with app.run_test(size=(142, 44)) as pilot:
            for keys in (["space"] * 3, ["right_square_bracket"], ["l"], ["e"]):
                await pilot.press(*keys)
                await app.workers.wait_for_complete()
                await pilot.pause()
                check_all(app)

    run()


@app_test
async def test_several_features_draw_what_a_fresh_render_draws():
    ds = load_csv("sample_data/multi_feature.csv", x=["1", "2", "3"])
    app = make_app(Session(ds, Hyperparameters(lr=0.001, predict_x=(6.0, 6.0, 6.0))))
    async with app.run_test(size=(142, 44)) as pilot:
        for keys in (["space"] * 2, ["x", "space"], ["right_curly_bracket"], ["l"]):
            await pilot.press(*keys)
            await pilot.pause()
            check_all(app)


@app_test
async def test_a_chart_too_small_to_draw_says_so_as_before():
    app = make_app()
    async with app.run_test(size=(142, 44)) as pilot:
        chart = app.query_one("#loss", Chart)
        await pilot.pause()
        chart.styles.min_height = 0
        chart.styles.height = 3  # below plotext's smallest
        await pilot.pause()
        chart.replot()
        assert "too small to draw" in chart.render().plain


@app_test
async def test_the_arithmetic_holds_its_tallest_height_at_each_width():
    """At 142×44 the log pane is narrow: the step's arithmetic wraps to 3 or 4 lines as its
    numbers' widths change. It stays at the tallest, so the table above it does not move (and
    the screen is not laid out again) at every other key; drawn afresh at the same width
    (resized away and back) it is as tall; a log started again lets it go."""
    app = make_app()
    async with app.run_test(size=(142, 44)) as pilot:
        arithmetic = app.query_one(Arithmetic)
        heights, lines = [], []
        for _ in range(30):
            await pilot.press("space")
            await pilot.pause()
            heights.append(arithmetic.size.height)
            lines.append(lines_now(arithmetic))
        assert len(set(lines)) > 1, lines  # the text's own height does change here
        assert heights == [max(lines[: k + 1]) for k in range(len(lines))]
        tallest = heights[-1]
        await pilot.resize_terminal(120, 44)
        await pilot.pause()
        await pilot.resize_terminal(142, 44)
        await pilot.pause()
        assert arithmetic.size.height == tallest
        check_all(app)
        # a restart keeps the log (and the height); a log started again lets it go (a setting
        # that restarts the run, other data)
        await pilot.press("ctrl+r", "space")
        await pilot.pause()
        assert arithmetic.size.height == tallest
        app._start_log()
        await pilot.press("space")
        await pilot.pause()
        assert arithmetic.size.height == lines_now(arithmetic) < tallest
        check_all(app)


def lines_now(widget) -> int:
    strips = Visual.to_strips(widget, widget.visual, widget.size.width, None, widget.visual_style)
    return len(strips)


def test_the_command_freezes_the_heap_after_its_first_frame_and_tests_do_not():
    """The command's app moves what start-up made out of the collector's reach (a full
    collection paused a key by 50–75 ms); an app in a test process does not."""
    script = (
        "import asyncio, gc\n"
        "from linreg_tui.tui.app import make_app\n"
        "async def main():\n"
        "    app = make_app()\n"
        "    app.settle_heap = True\n"
        "    async with app.run_test(size=(100, 32)) as pilot:\n"
        "        await pilot.pause()\n"
        "        await pilot.press('space')\n"
        "        await pilot.pause()\n"
        "        print(gc.get_freeze_count())\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
    assert gc.get_freeze_count() == 0  # this process: apps of earlier tests were not frozen


@app_test
async def test_the_pinned_runs_table_grows_and_shrinks_with_the_runs():
    """The table of pinned runs over the log is as tall as its lines: it kept the height of its
    first drawing (a header and one run), so a second and third pinned run were cut off."""
    app = make_app()
    async with app.run_test(size=(142, 44)) as pilot:
        runs = app.query_one("#runs", QuietStatic)
        for keys in (["space", "p"], ["space", "p"], ["space", "p"], ["P"], ["P"]):
            await pilot.press(*keys)
            await pilot.pause()
            assert runs.size.height == len(str(runs.render()).splitlines()) == len(app.pinned) + 2
            check_all(app)
