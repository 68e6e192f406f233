"""What the app's plotext charts share: focusable, filling their pane, redrawn from scratch."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

#: Smallest chart (columns, rows) plotext is asked to draw; smaller shows a note instead.
SMALLEST = (16, 5)


class Chart(PlotextPlot, can_focus=True):
    """A plotext chart; subclasses keep their data and draw it in ``draw(plt)``."""

    DEFAULT_CSS = """
    Chart {
        height: 1fr;
        min-height: 5;
    }
    """

    def replot(self) -> None:
        """Repaint with the current data (drawn afresh by every render)."""
        self.refresh()

    def draw(self, plt: Plot) -> None:
        raise NotImplementedError

    def render(self) -> RenderResult:
        # While a terminal is being resized a pane can be a few cells for a moment; plotext's
        # tick arithmetic fails on such sizes (log of a non-positive span), and a chart must
        # never take the app down with it.
        if self.size.width < SMALLEST[0] or self.size.height < SMALLEST[1]:
            return Text("(too small to draw)", style="dim")
        # plotext's build rescales the figure's data in place (a log scale takes the log of the
        # stored values), so building the same figure twice draws the log of the log, or fails
        # below 1; and Textual renders whenever it needs to (a resize, a dialog closing). So the
        # data is drawn afresh for every render, at the chart's size of the moment.
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.grid(False, False)
        self.draw(plt)
        try:
            return super().render()
        except (ArithmeticError, ValueError):
            return Text("(cannot draw this chart at this size)", style="dim")
