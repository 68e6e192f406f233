"""The sweep view (key ``s``): the current run repeated at log-spaced learning rates around the
stability bound, each to its end, and the final loss drawn against lr on a log axis, with the
bound 2/λmax, the fastest fixed rate and the run nearest the current setting marked.

The runs go to a thread worker (and from there to a process pool when the work is large), so the
app keeps answering keys; a progress bar counts the runs as they finish.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import replace

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext.plot import Plot

from linreg_tui.core.session import Session
from linreg_tui.core.sweep import SweepResult, SweepSpec, disagreements, run_sweep
from linreg_tui.core.trainer import Status

from .chart import Chart, Same
from .markup import escape
from .numbers import num

#: Runs in the app's sweep, and its range as multiples of the stability bound.
POINTS = 40
FROM_BOUND, TO_BOUND = 1e-3, 4.0


class _Closed(Exception):
    """The sweep view closed while its runs went on."""


def app_sweep_spec(session: Session) -> SweepSpec:
    """40 log-spaced rates from 1/1000 of the method's bound to 4 times it (for a method with no
    fixed bound, around plain gradient descent's 2/λmax)."""
    bound = session.lr_max
    if bound is None:
        bound = session.bound_of(replace(session.hp, optimizer="gd"))[0]
    return SweepSpec("lr", bound * FROM_BOUND, bound * TO_BOUND, POINTS)


def decades(lo: float, hi: float, most: int = 5) -> list[float]:
    """Powers of ten between ``lo`` and ``hi`` (> 0), at most ``most`` of them, evenly picked."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return []
    first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    exps = list(range(first, last + 1))
    if len(exps) > most:
        step = math.ceil(len(exps) / most)
        exps = exps[::step]
    return [10.0**e for e in exps]


class SweepChart(Chart):
    """Final loss against lr, both on log axes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: SweepResult | None = None
        #: The least-squares MSE, below which no run's MSE goes (with a penalty too: the
        #: penalised answer's MSE is above it, and each run of an l2 sweep has its own).
        self.mse_star: float = 0.0
        self.star_label = "MSE*"
        self.formula = "2/λmax"

    def picture_key(self) -> Hashable:
        return Same(self.result)

    def draw(self, plt: Plot) -> None:
        r = self.result
        if r is None:
            return
        lrs = r.values
        mse = np.array([o.mse for o in r.outcomes])
        diverged = np.array([o.status is Status.DIVERGED for o in r.outcomes])
        excess = mse - self.mse_star
        finite = np.isfinite(excess) & ~diverged
        positive = excess[finite & (excess > 0)]
        floor = float(positive.min()) if positive.size else 1e-12
        good = excess[finite]
        top = float(good.max()) if good.size else 1.0
        y = np.where(finite, np.maximum(excess, floor), top * 10)
        plt.xscale("log")
        plt.yscale("log")
        ok = ~diverged
        if ok.any():
            plt.plot(lrs[ok].tolist(), y[ok].tolist(), marker=self.mark("line"), color="cyan")
        if diverged.any():
            plt.scatter(lrs[diverged].tolist(), y[diverged].tolist(), marker="x", color="red")
        k = r.nearest
        plt.scatter([float(lrs[k])], [float(y[k])], marker=self.mark("predict"), color="yellow")
        if r.bound is not None:
            plt.vline(r.bound, color="red")
        if r.fastest is not None:
            plt.vline(r.fastest, color="green")
        plt.xlabel("lr (log)")
        for axis, values in ((plt.xticks, lrs), (plt.yticks, y)):
            ticks = decades(float(np.min(values)), float(np.max(values)))
            axis(ticks, [f"{t:.0e}" for t in ticks])

    def key(self) -> str:
        r = self.result
        if r is None:
            return ""
        m = self.mark
        return (
            f"[cyan]{m('line-key')}[/] final MSE − {self.star_label} by lr  [red]x[/] diverged  "
            + (
                f"[red]|[/] {self.formula} {num(r.bound, 4)}  "
                if r.bound is not None
                else "no fixed stability bound  "
            )
            + (f"[green]|[/] fastest {num(r.fastest, 4)}  " if r.fastest is not None else "")
            + f"[yellow]{m('predict')}[/] nearest now (lr {num(r.values[r.nearest], 4)})"
        )


class SweepScreen(ModalScreen[None]):
    """Run the sweep, show its progress, then its chart and a one-line verdict."""

    DEFAULT_CSS = """
    SweepScreen {
        align: center middle;
    }
    SweepScreen > Vertical {
        width: 96%;
        height: 92%;
        border: round $accent;
        border-title-align: center;
        background: $surface;
        padding: 0 1;
    }
    SweepScreen #sweep-key, SweepScreen #sweep-verdict {
        height: auto;
        color: $text-muted;
    }
    SweepScreen #sweep-progress {
        height: 1;
    }
    """
    BINDINGS = [Binding("escape,s,q", "close", "Close the sweep", id="sweep.close")]

    def __init__(self, session: Session, ascii_only: bool = False) -> None:
        super().__init__()
        self._session = session
        self._spec = app_sweep_spec(session)
        self._ascii = ascii_only
        self.result: SweepResult | None = None
        self._left = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = (
                f"Sweep: lr from {num(self._spec.start, 3)} to {num(self._spec.stop, 3)}, "
                f"{self._spec.count} runs of {self._session.hp.epochs:,} epochs"
            )
            yield Static(progress_text(0, self._spec.count, self._ascii), id="sweep-progress")
            chart = SweepChart(id="sweep-chart")
            chart.ascii_only = self._ascii
            yield chart
            yield Static(id="sweep-key")
            yield Static("running …", id="sweep-verdict")

    def on_mount(self) -> None:
        # The app's worker, not the screen's: the screen may close while the runs go on.
        self.app.run_worker(self._run, thread=True, group="sweep", exclusive=True)

    def _run(self) -> None:
        s = self._session

        def progress(done: int, total: int) -> None:
            if self._left:
                raise _Closed  # stop the sweep: nobody is looking any more
            self.app.call_from_thread(self._progress, done)

        try:
            result = run_sweep(s.dataset, s.hp, self._spec, progress=progress, problem=s.problem)
        except _Closed:
            return
        if not self._left:
            self.app.call_from_thread(self._show, result)

    def _progress(self, done: int) -> None:
        if not self._left:
            bar = progress_text(done, self._spec.count, self._ascii)
            self.query_one("#sweep-progress", Static).update(bar)

    def _show(self, result: SweepResult) -> None:
        if self._left:
            return
        self.result = result
        chart = self.query_one(SweepChart)
        problem = self._session.problem
        # the least-squares MSE, not the penalised answer's (above it, and λ's own)
        chart.mse_star = (problem.least_squares or problem.reference).mse
        chart.star_label = "LS MSE" if problem.objective.penalty.active else "MSE*"
        chart.formula = self._session.bound_of(self._session.hp)[1]
        chart.result = result
        chart.replot()
        chart.refresh()
        self.query_one("#sweep-key", Static).update(chart.key())
        self.query_one("#sweep-verdict", Static).update(escape(verdict(result)))
        self.query_one("#sweep-progress", Static).display = False

    def action_close(self) -> None:
        self._left = True
        self.dismiss(None)


def progress_text(done: int, total: int, ascii_only: bool = False, width: int = 30) -> str:
    """ "runs 12/40 ━━━━━━━━──────" (no animation: a plain line redrawn as runs finish)."""
    full = round(width * done / max(total, 1))
    on, off = ("#", "-") if ascii_only else ("━", "─")
    return f"runs {done}/{total} {on * full}{off * (width - full)}"


def verdict(result: SweepResult) -> str:
    """One line: how many diverged, and whether that is exactly the runs above the bound."""
    if result.bound is None:
        diverged = sum(o.status is Status.DIVERGED for o in result.outcomes)
        return f"{diverged} of {len(result.outcomes)} diverged; this method has no fixed bound"
    diverged = sum(o.status is Status.DIVERGED for o in result.outcomes)
    above = int(np.sum(result.values > result.bound)) if result.bound is not None else 0
    bad = disagreements(result)
    agree = (
        "exactly the runs above the stability bound, as the analysis says"
        if not bad
        else f"{len(bad)} run(s) disagree with the bound"
    )
    best = min(
        (o for o in result.outcomes if o.status is not Status.DIVERGED and math.isfinite(o.mse)),
        key=lambda o: o.mse,
        default=None,
    )
    lowest = f"; lowest final MSE {num(best.mse)} at lr {num(best.hp.lr, 4)}" if best else ""
    return (
        f"{diverged} of {len(result.outcomes)} diverged ({above} above the bound): {agree}{lowest}"
    )
