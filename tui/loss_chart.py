"""The loss chart: MSE per epoch, the least-squares MSE as a line, linear or log scale."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from textual_plotext.plot import Plot

from linreg_tui.core.downsample import Envelope, GrowingEnvelope

from .chart import Chart
from .frame import Frame
from .numbers import num


class LossChart(Chart):
    """MSE against epoch, thinned to the chart's width before plotting (at a cost that does not
    grow with the history), and redrawn only when the thinned points change."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._thin = GrowingEnvelope()
        self._env = Envelope(np.zeros(1, np.int64), np.zeros(1), np.zeros(1))
        self._optimum: float | None = None
        self._log_scale = False

    @property
    def log_scale(self) -> bool:
        return self._log_scale

    def show_frame(self, frame: Frame) -> None:
        s = frame.session
        self.show(s.trainer.loss_trace, s.reference.mse, frame.log_scale)

    def show(self, trace: np.ndarray, optimum: float, log_scale: bool) -> None:
        """Plot ``trace`` (MSE at epochs 0..k) with the optimum's MSE as a line."""
        self._env = self._thin(trace, self.buckets())
        self._optimum = optimum
        self._log_scale = log_scale
        self.replot()

    def buckets(self) -> int:
        return max(10, self.size.width - 10)

    def picture_key(self) -> Hashable:
        env = self._env
        return (
            env.x.tobytes(),
            env.low.tobytes(),
            env.high.tobytes(),
            self._optimum,
            self._log_scale,
        )

    def key(self) -> str:
        """What each mark means, for the line under the chart (Rich markup)."""
        scale = "log" if self._log_scale else "linear"
        optimum = (
            ""
            if self._optimum is None
            else f"  [green]{self.mark('hline-key')}[/] least-squares MSE {num(self._optimum)}"
        )
        return f"[cyan]{self.mark('line-key')}[/] MSE by epoch{optimum}  ({scale} scale: l)"

    def draw(self, plt: Plot) -> None:
        env = self._env
        low, high = env.low, env.high
        optimum = self._optimum
        if self._log_scale:
            # The floor from the thinned points, not the whole history (a copy of 80 MB at 10M).
            both = np.concatenate([low, high])
            positive = both[both > 0]
            floor = float(positive.min()) if positive.size else 1.0
            low, high = np.maximum(low, floor), np.maximum(high, floor)
            plt.yscale("log")
            if optimum is not None and optimum <= 0:
                optimum = None  # an exact fit: log scale has no place for 0
        x = env.x.tolist()
        if len(x) == 1:
            plt.scatter(x, high.tolist(), marker=self.mark("point"), color="cyan")
        else:
            plt.plot(x, high.tolist(), marker=self.mark("line"), color="cyan")
            if not np.array_equal(low, high):
                plt.plot(x, low.tolist(), marker=self.mark("line"), color="cyan")
        if optimum is not None:
            plt.hline(optimum, color="green")
        last = max(1, int(env.x[-1]))
        ticks = sorted({round(v) for v in np.linspace(0, last, 5).tolist()})
        plt.xticks(ticks, [f"{t:,}" for t in ticks])
        plt.xlim(0, last)
