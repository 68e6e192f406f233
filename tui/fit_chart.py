"""The fit chart: the data, the current line (or curve), the least-squares one, and the prediction.

With several x columns there is no single x axis, so the chart shows predicted against actual y
for the current parameters and for least squares, with the line ŷ = y where a perfect fit lies.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from textual_plotext.plot import Plot

from linreg_tui.core import model
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.objective import REFERENCE_TITLE, REFERENCE_WORD
from linreg_tui.core.reference import Reference

from .axes import Figure
from .chart import Chart, Same
from .frame import Frame
from .markup import escape
from .numbers import num
from .pins import Overlay

#: Most data points drawn; more are thinned by an even stride.
MAX_POINTS = 400


@dataclass(frozen=True)
class FitView:
    """What the fit chart draws: data, current and least-squares parameters, the prediction."""

    dataset: Dataset
    weights: np.ndarray
    intercept: float
    reference: Reference | None  # None: least squares is still being solved
    predict_x: tuple[float, ...]
    prediction: float
    reference_prediction: float
    pins: Sequence[Overlay] = ()
    #: The rows read when the data shown is a sample of them (streamed data), else None.
    sampled_from: int | None = None


class FitChart(Chart):
    """Data and lines, or predicted against actual y."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: FitView | None = None
        self._probe_for: Dataset | None = None
        self._probe = np.zeros((0, 1))

    @staticmethod
    def _probe_rows(ds: Dataset) -> np.ndarray:
        """Feature rows where the current line's height decides the picture."""
        if ds.raw_x.shape[1] == 1:
            x = ds.raw_x[:, 0]
            return ds.expand(np.linspace(float(x.min()), float(x.max()), 33)[:, None])
        return ds.features[:: max(1, ds.n_samples // MAX_POINTS)]

    def show_frame(self, frame: Frame, pins: Sequence[Overlay] = ()) -> None:
        s, rec = frame.session, frame.record
        self.show(
            FitView(
                s.shown_data,
                rec.weights,
                rec.intercept,
                s.reference,
                s.hp.predict_x,
                s.prediction(rec),
                s.reference_prediction(),
                tuple(pins),
                s.n_rows if s.shown_data.n_samples < s.n_rows else None,
            )
        )

    def show(self, view: FitView) -> None:
        self._view = view
        self.replot()

    def picture_key(self) -> Hashable:
        """The data, the settings, and the current line at a resolution finer than the chart's
        dots: while a run creeps towards the optimum, the line stops moving on screen long before
        its parameters stop changing, and then the chart is not drawn again."""
        v = self._view
        if v is None:
            return None
        ds = v.dataset
        if self._probe_for is not ds:
            self._probe_for, self._probe = ds, self._probe_rows(ds)
        lo, hi = float(ds.y.min()), float(ds.y.max())
        # a quarter of a braille dot (4 dots a row) of the data's own range
        step = (hi - lo or 1.0) / (max(1, self.size.height) * 16)
        now = np.append(model.predict(self._probe, v.weights, v.intercept), v.prediction)
        with np.errstate(invalid="ignore", over="ignore"):
            quantised = np.round(now / step)
        return (
            Same(ds),
            Same(v.reference),
            v.predict_x,
            quantised.tobytes(),
            v.reference_prediction,
            tuple((Same(p.run), p.label, p.colour, p.mark) for p in v.pins),
        )

    def key(self) -> str:
        """What each mark means, for the line under the chart (Rich markup)."""
        v = self._view
        if v is None:
            return ""
        runs = "".join(f"  [{p.colour}]{p.mark}[/] {escape(p.label)}" for p in v.pins)
        if v.dataset.raw_x.shape[1] == 1:
            x = f"{v.dataset.x_names[0]}={num(v.predict_x[0])}"
            m = self.mark
            data = "data"
            if v.sampled_from is not None:
                data = f"sample of {v.dataset.n_samples:,}/{v.sampled_from:,} rows"
            if v.reference is None:
                return (
                    f"[b]{m('point')}[/] {data}  [cyan]{m('line-key')}[/] start  "
                    "(least squares: being solved)"
                )
            # one wording a line, most detailed first: the key line (a ChartKey) shows what fits
            penalty = v.reference.penalty
            return "\n".join(
                f"[b]{m('point')}[/] {data}  [cyan]{m('line-key')}[/] now  "
                f"[green]{m('ls-line') * 2}[/] {reference}  "
                f"[yellow]{m('predict')}[/] ŷ({escape(x)}){now} {num(v.prediction)}{runs}"
                for reference, now in (
                    (REFERENCE_TITLE[penalty], " now"),
                    (REFERENCE_WORD[penalty], ""),
                )
            )
        if v.reference is None:
            mark = self.mark("now-point")
            return f"[cyan]{mark}[/] start; x: actual y (least squares: being solved)"
        sample = ""
        if v.sampled_from is not None:
            sample = f" (sample of {v.dataset.n_samples:,}/{v.sampled_from:,} rows)"
        return (
            f"[cyan]{self.mark('now-point')}[/] now  [green]{self.mark('ls-point')}[/] "
            f"{REFERENCE_TITLE[v.reference.penalty]}  {self.mark('ls-line') * 2} ŷ = y (perfect "
            f"fit); x: actual y{sample}{runs}"
        )

    def draw(self, plt: Plot) -> str | None:
        view = self._view
        if view is None:
            return None
        fig = Figure()
        if view.dataset.raw_x.shape[1] == 1:
            self._plot_line(view, fig)
        else:
            self._plot_predicted_vs_actual(view, fig)
        self.figure = fig  # what was drawn, and on which axes (read by the tests)
        return fig.draw(plt, self.size.width, self.size.height)

    def _plot_line(self, v: FitView, fig: Figure) -> None:
        ds = v.dataset
        x = ds.raw_x[:, 0]
        stride = max(1, x.size // MAX_POINTS)
        lo = min(float(x.min()), v.predict_x[0])
        hi = max(float(x.max()), v.predict_x[0])
        samples = 2 if ds.degree == 1 else max(20, self.size.width * 2)
        grid = np.linspace(lo, hi, samples)
        features = ds.expand(grid[:, None])
        with np.errstate(over="ignore", invalid="ignore"):
            now = model.predict(features, v.weights, v.intercept)
        m = self.mark
        if v.reference is not None:
            best = v.reference.predict(features)
            fig.plot(grid, best, marker=m("ls-line"), color="green")
        for p in v.pins:
            with np.errstate(over="ignore", invalid="ignore"):
                line = model.predict(features, p.run.weights, p.run.intercept)
            fig.plot(grid, line, marker=p.mark, color=p.colour)
        fig.plot(grid, now, marker=m("line"), color="cyan")
        # The points last, so the lines do not hide them.
        fig.scatter(x[::stride], ds.y[::stride], marker=m("point"), color="white")
        if v.reference is not None:
            px, py = np.array([v.predict_x[0]]), np.array([v.prediction])
            fig.scatter(px, py, marker=m("predict"), color="yellow")
        fig.xlabel = ds.x_names[0]

    def _plot_predicted_vs_actual(self, v: FitView, fig: Figure) -> None:
        ds = v.dataset
        stride = max(1, ds.n_samples // MAX_POINTS)
        features = ds.features[::stride]
        y = ds.y[::stride]
        with np.errstate(over="ignore", invalid="ignore"):
            now = model.predict(features, v.weights, v.intercept)
        lo, hi = float(ds.y.min()), float(ds.y.max())
        m = self.mark
        fig.plot([lo, hi], [lo, hi], marker=m("ls-line"), color="white")
        if v.reference is not None:
            best = v.reference.predict(features)
            fig.scatter(y, best, marker=m("ls-point"), color="green")
        for p in v.pins:
            with np.errstate(over="ignore", invalid="ignore"):
                pinned = model.predict(features, p.run.weights, p.run.intercept)
            fig.scatter(y, pinned, marker=p.mark, color=p.colour)
        fig.scatter(y, now, marker=m("now-point"), color="cyan")
        fig.xlabel = f"actual {ds.y_name}"
