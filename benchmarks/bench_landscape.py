"""Side-by-side timings of the landscape pane and the sweep.

Run from the repository root::

    .venv/bin/python benchmarks/bench_landscape.py    # about a minute

It prints one markdown table:

1. the landscape pane's redraw in the app at 120×40 (all five panes shown): gathering its data
   from the session (the thinned path) and building every line of the picture, against the
   length of the history (100 … 10,000,000 epochs), each as a ratio to the 100-epoch redraw.
   Target: ≤ 30 ms whatever the history;
2. a run to the end of a 1,000,000-epoch budget in the app at 80×24 with the landscape pane
   shown, against the same run with the loss pane shown instead (the landscape hidden).
   Target: ≤ 1.25×;
3. a 50-point learning-rate sweep over the seed's data (1000 epochs each), as run by default
   (one process: the work is below the pool's threshold) against the same runs forced into a
   2-process pool; and a 50-fold larger sweep (100,000 epochs each) in the pool (the default at
   that size) against one process. Target: the seed sweep ≤ 2 s.

A measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable

from report import markdown, yes  # benchmarks/report.py, beside this script
from textual import events

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.landscape_view import LandscapeView, landscape_data

HISTORIES = (100, 10_000, 1_000_000, 10_000_000)
RUN_EPOCHS = 1_000_000
TARGET_REDRAW_MS = 30.0
TARGET_RUN_RATIO = 1.25
TARGET_SWEEP_S = 2.0
DEADLINE_S = 120.0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    finally:
        gc.enable()


def seed_session(epochs: int) -> Session:
    return Session(seed_dataset(), Hyperparameters(lr=0.01, epochs=epochs))


async def until(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(what)
        await asyncio.sleep(0.002)


# -- 1. redraw against the history ----------------------------------------------------------------


async def bench_redraw() -> dict[int, tuple[float, float]]:
    """{epochs: (ms per redraw, ms of it gathering the data)}, medians of 20."""
    out = {}
    for n in HISTORIES:
        session = seed_session(n)
        session.trainer.advance(n, records=False)
        app = make_app(session)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            view = app.query_one(LandscapeView)
            say(f"landscape {view.size.width}×{view.size.height} cells, {n:,} epochs")

            def redraw(view=view, session=session) -> None:
                view.show(landscape_data(session))
                view._invalidate()  # as if the point had moved: rebuild every line
                view._ensure_built()

            redraw()
            ms = statistics.median(timed(redraw) for _ in range(20)) * 1000
            data = statistics.median(timed(lambda s=session: landscape_data(s)) for _ in range(20))
            out[n] = (ms, data * 1000)
            say(f"  {ms:.2f} ms")
    return out


# -- 2. a run with the landscape shown or hidden --------------------------------------------------


async def app_run(pane: str) -> float:
    app = make_app(seed_session(RUN_EPOCHS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(str(1 + ("loss", "fit", "log", "data", "landscape").index(pane)))
        await pilot.pause()
        t = app.session.trainer
        t0 = time.perf_counter()
        app.post_message(events.Key("e", "e"))
        await until(lambda: t.status is Status.BUDGET_SPENT and not app.stepper.running, "end")
        return time.perf_counter() - t0


# -- 3. the sweep ---------------------------------------------------------------------------------


def bench_sweep() -> dict[str, float]:
    """Seconds (best of 3) for the seed sweep: by default (one process at this size), forced into
    the pool, and a 50-fold larger sweep with and without the pool."""
    from linreg_tui.core.sweep import SweepSpec, run_sweep

    spec = SweepSpec("lr", 1e-3, 0.2, 50)
    small = Hyperparameters(lr=0.01, epochs=1000)
    large = Hyperparameters(lr=0.01, epochs=100_000)

    def best(base: Hyperparameters, processes: int | None) -> float:
        return min(
            timed(lambda: run_sweep(seed_dataset(), base, spec, processes=processes))
            for _ in range(3)
        )

    return {
        "default": best(small, None),
        "pool": best(small, 2),
        "serial": best(small, 1),
        "large pool": best(large, None),
        "large serial": best(large, 1),
    }


def main() -> int:
    redraw = asyncio.run(bench_redraw())
    say("runs to the end …")
    shown = statistics.median(asyncio.run(app_run("landscape")) for _ in range(3))
    hidden = statistics.median(asyncio.run(app_run("loss")) for _ in range(3))
    data_pane = statistics.median(asyncio.run(app_run("data")) for _ in range(3))
    say("sweep …")
    sweep = bench_sweep()

    header = ["Benchmark", "Measured", "Baseline", "Ratio", "Target", "Met"]
    rows = []
    base = redraw[HISTORIES[0]][0]
    for n in HISTORIES:
        ms, data = redraw[n]
        rows.append(
            [
                f"landscape redraw at 120×40, {n:,} epochs of history",
                f"{ms:.2f} ms (path and data {data:.2f} ms)",
                f"{base:.2f} ms at 100 epochs",
                f"{ms / base:.2f}×",
                f"≤ {TARGET_REDRAW_MS:.0f} ms",
                yes(ms <= TARGET_REDRAW_MS),
            ]
        )
    rows.append(
        [
            f"app at 80×24: {RUN_EPOCHS:,} epochs to the budget, landscape shown",
            f"{shown:.2f} s",
            f"loss pane shown instead: {hidden:.2f} s",
            f"{shown / hidden:.2f}×",
            f"≤ {TARGET_RUN_RATIO}×",
            yes(shown / hidden <= TARGET_RUN_RATIO),
        ]
    )
    rows.append(
        [
            f"app at 80×24: {RUN_EPOCHS:,} epochs to the budget, landscape shown",
            f"{shown:.2f} s",
            f"data pane shown instead: {data_pane:.2f} s",
            f"{shown / data_pane:.2f}×",
            f"≤ {TARGET_RUN_RATIO}×",
            yes(shown / data_pane <= TARGET_RUN_RATIO),
        ]
    )
    rows.append(
        [
            "sweep: 50 learning rates × 1,000 epochs, seed data (default: one process)",
            f"{sweep['default']:.3f} s",
            f"forced into a 2-process pool: {sweep['pool']:.3f} s",
            f"{sweep['default'] / sweep['pool']:.2f}×",
            f"≤ {TARGET_SWEEP_S:.0f} s",
            yes(sweep["default"] <= TARGET_SWEEP_S),
        ]
    )
    rows.append(
        [
            "sweep: 50 learning rates × 100,000 epochs, seed data (default: the pool)",
            f"{sweep['large pool']:.3f} s",
            f"one process: {sweep['large serial']:.3f} s",
            f"{sweep['large pool'] / sweep['large serial']:.2f}×",
            "",
            "",
        ]
    )
    print(markdown(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
