"""The loss chart: the loss per epoch (the MSE, or J = MSE + penalty with one) and the reference
answer's as a line, linear or log scale."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace

import numpy as np
from textual_plotext.plot import Plot

from linreg_tui.core.downsample import Envelope, GrowingEnvelope, envelope
from linreg_tui.core.objective import REFERENCE_TITLE, REFERENCE_WORD

from .axes import Figure
from .chart import Chart, Same
from .frame import Frame
from .markup import escape
from .numbers import num
from .pins import Overlay

#: Where the epoch axis may end: these times a power of ten. The axis runs to the first of them
#: at or past the last epoch, so while a run is inside it the points already drawn stay where
#: they are (and are not sent again); at most a fifth of the width is ahead of the run.
AXIS_ENDS = (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def axis_end(last: int) -> int:
    """The end of the epoch axis for a history that reaches epoch ``last``."""
    if last <= 1:
        return 1
    power = 10 ** (len(str(last)) - 1)
    return next(int(step * power) for step in AXIS_ENDS if step * power >= last)


class LossChart(Chart):
    """MSE against epoch, thinned to the chart's width before plotting (at a cost that does not
    grow with the history), and redrawn only when the thinned points change."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._thin = GrowingEnvelope()
        self._env = Envelope(np.zeros(1, np.int64), np.zeros(1), np.zeros(1))
        self._val_thin = GrowingEnvelope()
        self._val_env: Envelope | None = None
        self._optimum: float | None = None
        self._penalty = ""  # the penalty's terms; "" while the loss is the MSE
        self._solved = "none"
        self._log_scale = False
        self._end = 1  # where the epoch axis ends
        self._pins: Sequence[Overlay] = ()
        #: Each pinned run's thinned loss, by (run, buckets): a pinned history never changes.
        self._pin_envs: dict[tuple[int, int], Envelope] = {}

    @property
    def log_scale(self) -> bool:
        return self._log_scale

    def show_frame(self, frame: Frame, pins: Sequence[Overlay] = ()) -> None:
        s = frame.session
        ref = s.reference
        optimum = ref.mse if ref.objective is None else ref.objective
        self.show(
            s.trainer.loss_trace,
            optimum,
            frame.log_scale,
            pins,
            s.trainer.validation_trace,
            penalty=s.problem.objective.penalty.terms(lambda v: num(v, 4)),
            solved=ref.penalty,
        )

    def show(
        self,
        trace: np.ndarray,
        optimum: float,
        log_scale: bool,
        pins: Sequence[Overlay] = (),
        validation: np.ndarray | None = None,
        penalty: str = "",
        solved: str = "none",
    ) -> None:
        """Plot ``trace`` (the loss at epochs 0..k) with the optimum's as a line, the held-out
        rows' MSE beside it (with a validation split) and the pinned runs' curves over it.

        ``penalty``: the penalty's terms ("0.1·‖w‖²"; "" without one: the loss is the MSE);
        ``solved``: what the reference answer solved (:attr:`.Reference.penalty`)."""
        self._penalty, self._solved = penalty, solved
        self._pins = tuple(pins)
        longest = max([trace.shape[0] - 1, *(p.run.loss.shape[0] - 1 for p in self._pins)])
        end = self._end = axis_end(longest)
        self._env = self._thin(trace, self.buckets(), end)
        self._val_env = (
            None if validation is None else self._val_thin(validation, self.buckets(), end)
        )
        self._optimum = optimum
        self._log_scale = log_scale
        self.replot()

    def _pin_envelope(self, pin: Overlay) -> Envelope:
        key = (id(pin.run), self.buckets())
        env = self._pin_envs.get(key)
        if env is None:
            live = {id(p.run) for p in self._pins}
            self._pin_envs = {k: v for k, v in self._pin_envs.items() if k[0] in live}
            env = self._pin_envs[key] = envelope(pin.run.loss, self.buckets())
        return env

    def buckets(self) -> int:
        return max(10, self.size.width - 10)

    def picture_key(self) -> Hashable:
        env = self._env
        return (
            env.x.tobytes(),
            env.low.tobytes(),
            env.high.tobytes(),
            self._optimum,
            None if self._val_env is None else self._val_env.high.tobytes(),
            self._log_scale,
            self._end,
            tuple((Same(p.run), p.label, p.colour, p.mark) for p in self._pins),
        )

    def key(self) -> str:
        """What each mark means, for the line under the chart (Rich markup): with a penalty,
        several wordings, one a line, most detailed first (see :class:`.chart.ChartKey`)."""
        scale = "log" if self._log_scale else "linear"
        if self._penalty:  # the curve is J and the line the penalised answer's J
            title, word = REFERENCE_TITLE[self._solved], REFERENCE_WORD[self._solved]
            # J written out where the line has room for it, fewer words where it has not
            wordings = [
                (f"J = MSE + {escape(self._penalty)}", f"min J ({title})"),
                ("J", f"min J ({title})"),
                ("J", f"min J ({word})"),
            ]
            held_out = "validation MSE"
        else:
            wordings, held_out = [("MSE", "least-squares MSE"), ("MSE", "LS MSE")], "validation"
        runs = "".join(f"  [{p.colour}]{p.mark}[/] {escape(p.label)}" for p in self._pins)
        held = (
            "" if self._val_env is None else f"  [magenta]{self.mark('validation')}[/] {held_out}"
        )
        keys = []
        for loss, best in wordings:
            optimum = (
                ""
                if self._optimum is None
                else f"  [green]{self.mark('hline-key')}[/] {best} {num(self._optimum)}"
            )
            keys.append(
                f"[cyan]{self.mark('line-key')}[/] {loss} by epoch{held}{optimum}{runs}  "
                f"({scale} scale: l)"
            )
        # one wording a line, most detailed first: the key line (a ChartKey) shows what fits
        return "\n".join(keys)

    def draw(self, plt: Plot) -> str | None:
        env = self._env
        low, high = env.low, env.high
        optimum = self._optimum
        pins = [(p, self._pin_envelope(p)) for p in self._pins]
        val = self._val_env
        fig = Figure(log_y=self._log_scale)
        if self._log_scale:
            # The floor from the thinned points, not the whole history (a copy of 80 MB at 10M).
            extra = [] if val is None else [val.low]
            both = np.concatenate([low, high, *(e.low for _, e in pins), *extra])
            positive = both[(both > 0) & np.isfinite(both)]
            floor = float(positive.min()) if positive.size else 1.0
            low, high = np.maximum(low, floor), np.maximum(high, floor)
            pins = [(p, replace(e, low=np.maximum(e.low, floor))) for p, e in pins]
            if val is not None:
                val = replace(val, high=np.maximum(val.high, floor))
            if optimum is not None and optimum <= 0:
                optimum = None  # an exact fit: log scale has no place for 0
        x = env.x
        if len(x) == 1:
            fig.scatter(x, high, marker=self.mark("point"), color="cyan")
        else:
            fig.plot(x, high, marker=self.mark("line"), color="cyan")
            if not np.array_equal(low, high):
                fig.plot(x, low, marker=self.mark("line"), color="cyan")
        if val is not None:
            fig.plot(val.x, val.high, marker=self.mark("validation"), color="magenta")
        for p, e in pins:
            # The low envelope: where a pinned run went, without doubling its marks.
            fig.plot(e.x, e.low, marker=p.mark, color=p.colour)
        if optimum is not None:
            # The y range takes in the optimum: as a run descends towards it the axis then
            # stays put, and only the rows the curve's end moves through are drawn again.
            fig.hline(optimum, color="green")
        fig.xrange, fig.whole_x = (0, self._end), True
        self.figure = fig  # what was drawn, and on which axes (read by the tests)
        return fig.draw(plt, self.size.width, self.size.height)
