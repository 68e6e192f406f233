"""What the app's plotext charts share: focusable, filling their pane, redrawn from scratch."""

from __future__ import annotations

from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot


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
