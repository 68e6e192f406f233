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
        """Clear the figure, draw the current data, repaint."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.grid(False, False)
        self.draw(plt)
        self.refresh()

    def draw(self, plt: Plot) -> None:
        raise NotImplementedError

    def render(self) -> RenderResult:
        # While a terminal is being resized a pane can be a few cells for a moment; plotext's
        # tick arithmetic fails on such sizes (log of a non-positive span), and a chart must
        # never take the app down with it.
        if self.size.width < SMALLEST[0] or self.size.height < SMALLEST[1]:
            return Text("(too small to draw)", style="dim")
        try:
            return super().render()
        except (ArithmeticError, ValueError):
            return Text("(cannot draw this chart at this size)", style="dim")
