"""What the app's plotext charts share: focusable, filling their pane, and redrawn only when the
picture changes, and then only the rows of it that changed.

A chart's rows are read from plotext's own grid of cells (a character, its colour, style and
background each), not from the text plotext would write for a terminal: turning the grid into
colour codes and Rich parsing them back cost more than plotext's drawing itself. Each run of
cells of one colour becomes one segment, styled as Rich reads plotext's colour codes for it, so
the lines are the ones the text would give, segment for segment (tests/tui/test_cached_frames.py
compares them).
"""

from __future__ import annotations

from collections.abc import Hashable

import plotext._utility as plotext_codes  # plotext's colour codes, as its text would have them
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.strip import Strip
from textual.visual import Visual, VisualType
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from .repaint import QuietStatic, repaint_changed

_DIM = "\x1b[2m"
_END = plotext_codes.ansi_end
#: A row of a chart: runs of cells of one look, (colour codes, characters) each.
Row = tuple[tuple[str, str], ...]
#: Smallest chart (columns, rows) plotext is asked to draw; smaller shows a note instead.
SMALLEST = (16, 5)

#: The charts' marks: (Unicode, ASCII). ASCII ones stay distinct from one another, since the
#: braille line and the dotted one would both become dots.
MARKS = {
    "line": ("braille", "*"),  # the current line, the loss curve
    "line-key": ("⠤⠤", "**"),
    "ls-line": ("·", "."),  # least squares, or y = ŷ
    "point": ("●", "o"),  # data
    "now-point": ("●", "*"),
    "ls-point": ("○", "+"),
    "predict": ("◆", "#"),
    "hline-key": ("──", "--"),
    "validation": ("•", "v"),  # the held-out rows' MSE
}


class ChartKey(QuietStatic):
    """The line under a chart that says what each mark means. Its text may hold several wordings
    of it, one a line, most detailed first: it shows the first that fits its width, chosen again
    whenever it is drawn (so a resize picks the wording for the new width; the chart that writes
    the key does not know the key's width, which layout decides after it)."""

    def visual_of(self, content: VisualType) -> Visual:
        text = content if isinstance(content, str) else ""
        wordings = text.split("\n")
        width = self.content_region.width
        for wording in wordings:
            shown = Content.from_markup(wording)
            if shown.cell_length <= width:
                return shown
        return Content.from_markup(whole_items(wordings[-1], width))


#: Between two items of a chart's key ("● data  ── now  ── least squares").
KEY_GAP = "  "


def whole_items(wording: str, width: int) -> str:
    """As many of the first items of a key's ``wording`` (Rich markup, items separated by
    :data:`KEY_GAP`) as fit ``width`` cells whole, then "…" for the rest: a key too wide for its
    line was cut by the widget, mid-number ("least-squares MSE 0.4…" for 0.48). The items kept
    are the first ones, so "…" always stands for the items after them."""
    items = wording.split(KEY_GAP)
    size = [Content.from_markup(item).cell_length for item in items]
    if sum(size) + len(KEY_GAP) * (len(items) - 1) <= width:
        return wording
    room = width - len(KEY_GAP) - 1  # the "…" at the end
    kept: list[str] = []
    used = 0
    for item, cells in zip(items, size, strict=True):
        used += cells + (len(KEY_GAP) if kept else 0)
        if used > room:
            break
        kept.append(item)
    return KEY_GAP.join([*kept, "…"])


class Same:
    """An object in a picture key, compared by identity (and kept alive by the key, so its id
    cannot be reused by a new object while the key stands)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


class Chart(PlotextPlot, can_focus=True):
    """A plotext chart; subclasses keep their data, say what the picture depends on in
    ``picture_key()``, and draw it in ``draw(plt)``.

    The chart is built once per change of its key or size (not on every render), its rows are
    compared with the rows on screen, and only the rows that differ are repainted: a loss curve
    that grows by one point sends a few rows to the terminal, not the whole chart.
    """

    DEFAULT_CSS = """
    Chart {
        height: 1fr;
        min-height: 5;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._built_for: Hashable = None
        self._rows: list[Row] = []  # plotext's rows, as runs of cells
        self._strips: list[Strip | None] = []  # made from the rows when first drawn
        self._note: str | None = None  # said instead of the chart when it cannot be drawn

    #: Draw with ASCII marks only (set by the app on a terminal that is not UTF-8).
    ascii_only = False

    def mark(self, name: str) -> str:
        return MARKS[name][self.ascii_only]

    def picture_key(self) -> Hashable:
        """Everything the picture depends on apart from the size; equal keys, equal pictures."""
        raise NotImplementedError

    def draw(self, plt: Plot) -> str | None:
        """Draw the picture on ``plt``; or return a note to show instead (nothing drawable)."""
        raise NotImplementedError

    def forget_rows(self) -> None:
        """The next :meth:`replot` repaints the whole chart without comparing it row by row with
        the rows on screen: for other data every row changes, and the comparison would cost more
        than it saves."""
        self._rows, self._strips = [], []

    def replot(self) -> None:
        """Repaint the rows that changed, if the picture changed."""
        if not self.is_mounted:
            return
        old, old_strips = self._rows, self._strips
        if not self._build():
            return
        new = self._rows
        if len(old) != len(new):
            self.refresh()
            return
        # Rows whose text is the same stand as they are; in the others only the cells that
        # differ are repainted (a line that moved a little changes a few cells of each row).
        for y, (a, b) in enumerate(zip(old, new)):
            if a == b:
                self._strips[y] = old_strips[y]
            else:
                repaint_changed(self, [old_strips[y]], [self._strip(y)], top=y)

    def _build(self) -> bool:
        """Build the picture for the current key and size; False if it is already built."""
        key = (self.picture_key(), self.size.width, self.size.height, self.app.theme)
        if key == self._built_for:
            return False
        self._built_for = key
        self._rows = self._plot_rows()
        self._strips = [None] * len(self._rows)
        return True

    def _plot_rows(self) -> list[Row]:
        # While a terminal is being resized a pane can be a few cells for a moment; plotext's
        # tick arithmetic fails on such sizes (log of a non-positive span), and a chart must
        # never take the app down with it.
        if self.size.width < SMALLEST[0] or self.size.height < SMALLEST[1]:
            return [((_DIM, "(too small to draw)"),)]
        plt = self._draw_plot()
        if self._note is not None:
            return [((_DIM, self._note),)]
        try:
            # What plt.build() does, but for the text it makes of the grid at the end.
            plt._set_sizes()
            plt._build_matrix()
        except (ArithmeticError, ValueError):
            return [((_DIM, "(cannot draw this chart at this size)"),)]
        return grid_rows(plt.monitor.matrix)

    def _draw_plot(self) -> Plot:
        """The chart's plot, drawn afresh and sized (what PlotextPlot.render does first)."""
        # plotext's build rescales the figure's data in place (a log scale takes the log of the
        # stored values), so the data is drawn afresh for every build.
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.grid(False, False)
        self._note = self.draw(plt)
        width, height = self.size.width, self.size.height
        plt.plotsize(width, height)
        plt._set_size(width, height)
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        return plt

    def render(self) -> Text:
        """The whole chart as one Text (Textual draws it line by line, :meth:`render_line`)."""
        self._build()
        return Text("\n").join(
            Text.from_ansi(row_text(row), no_wrap=True, end="") for row in self._rows
        )

    def render_line(self, y: int) -> Strip:
        # Line by line (Textual's line API): a repaint of a few changed rows makes strips for
        # those rows only, not a render of the whole chart.
        self._build()
        width = self.size.width
        if y >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        return self._strip(y)

    def _strip(self, y: int) -> Strip:
        """Row ``y`` as a strip (made once per picture)."""
        strip = self._strips[y]
        if strip is None:
            console = self.app.console
            segments = [Segment(text, run_style(codes, console)) for codes, text in self._rows[y]]
            strip = Strip(segments).crop_extend(0, self.size.width, self.rich_style)
            self._strips[y] = strip
        return strip


def grid_rows(matrix) -> list[Row]:
    """plotext's grid of cells (``plt.monitor.matrix`` after a build) as rows of runs, top row
    first: a run ends where the colour, style or background changes, as in plotext's text."""
    rows: list[Row] = []
    codes_of = plotext_codes.colors_to_ansi
    for r in matrix.Rows[::-1]:
        marker, ink, style, ground = (
            matrix.marker[r],
            matrix.fullground[r],
            matrix.style[r],
            matrix.background[r],
        )
        looks = list(zip(ink, style, ground))
        runs = []
        start = 0
        for c in range(1, len(looks) + 1):
            if c == len(looks) or looks[c] != looks[start]:
                runs.append((codes_of(*looks[start]), "".join(marker[start:c])))
                start = c
        rows.append(tuple(runs))
    return rows


def row_text(row: Row) -> str:
    """A row as plotext writes it for a terminal: each run in its colour codes, then a reset."""
    return "".join(codes + text + _END for codes, text in row)


_run_styles: dict[str, Style] = {}


def run_style(codes: str, console: Console) -> Style:
    """The style Rich reads from plotext's colour codes (cached: a chart has a few looks)."""
    style = _run_styles.get(codes)
    if style is None:
        text = Text.from_ansi(codes + "x" + _END, no_wrap=True, end="")
        style = _run_styles[codes] = next(iter(text.render(console))).style
    return style
