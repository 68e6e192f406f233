"""Side-by-side timings of linreg-tui's Textual app: chart redraws, a long run with the charts
live, start-up, and key latency while running.

Run from the repository root::

    .venv/bin/python benchmarks/bench_tui.py    # about a minute

It prints the machine, then one markdown table with a baseline and a ratio where there is one:

1. the loss chart's redraw (``show`` + ``render``, which builds the plotext figure) against the
   length of the history: 100, 10,000, 1,000,000 and 10,000,000 epochs, linear and log scale,
   each as a ratio to the 100-epoch redraw. The design goal is about the same cost at 1M as at
   100: the trace is thinned to the chart's width before plotting;
2. the app running the seed data to the end of a 1,000,000-epoch budget (key ``e``, charts live)
   at 80×24 (tabs: the loss chart shows) and 120×40 (all four panes show), against the bare core
   running the same epochs (``trainer.advance``); the ratio is the UI's overhead;
3. time to first frame: the installed ``linreg-tui`` started in tmux at 80×24, the screen polled
   until 'epoch' appears (median of 5), and the import time of ``linreg_tui.tui.app`` in a fresh
   interpreter (median of 5);
4. key latency while running: during a run, a key that changes what the status panel or the pane
   title shows is posted as a key event, and the time until the widget shows the change is
   measured (about 20 presses of each kind; median and max).

A measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np
from report import markdown, yes  # benchmarks/report.py, beside this script
from textual import events
from textual.app import App, ComposeResult

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.downsample import envelope
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.loss_chart import LossChart
from linreg_tui.tui.status_panel import StatusPanel

#: History lengths for the chart redraw, in epochs.
HISTORIES = (100, 10_000, 1_000_000, 10_000_000)
CHART_SIZE = (100, 32)
RUN_EPOCHS = 1_000_000
#: Targets, from the project brief.
TARGET_RUN_S = 3.0
TARGET_FIRST_FRAME_S = 1.0
TARGET_KEY_MS = 100.0
#: Seconds any wait may last before the benchmark gives up on it.
DEADLINE_S = 60.0
LINREG_TUI = Path(sys.executable).parent / "linreg-tui"
#: Seconds between two key presses in the latency measurement.
GAP_S = 0.1


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def seed_session(epochs: int) -> Session:
    return Session(seed_dataset(), Hyperparameters(lr=0.01, epochs=epochs))


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` took, with the garbage collector off (as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    finally:
        gc.enable()


def post_key(app: App, key: str) -> None:
    """A key event as the driver delivers it (pilot.press would wait for the app to go idle,
    which never happens during a run at full speed)."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def until(condition: Callable[[], bool], what: str, poll_s: float = 0.001) -> None:
    end = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(what)
        await asyncio.sleep(poll_s)


# -- 1. the loss chart ----------------------------------------------------------------------------


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LossChart(id="loss")


async def bench_chart(trace: np.ndarray, optimum: float) -> dict[tuple[int, bool], tuple]:
    """{(epochs, log_scale): (ms per redraw, ms thinning)}, medians."""
    out = {}
    app = ChartApp()
    async with app.run_test(size=CHART_SIZE) as pilot:
        await pilot.pause()
        chart = app.query_one(LossChart)
        width = max(10, chart.size.width - 10)  # the chart's own bucket count
        for n in HISTORIES:
            history = trace[: n + 1]
            for log_scale in (False, True):
                repeats = 5 if n >= 1_000_000 else 20

                def redraw(history=history, log_scale=log_scale) -> None:
                    chart.show(history, optimum, log_scale)
                    chart.render()  # builds the plotext figure: the expensive part

                redraw()  # warm up
                ms = statistics.median(timed(redraw) for _ in range(repeats)) * 1000
                thin = statistics.median(
                    timed(lambda h=history: envelope(h, width)) for _ in range(repeats)
                )
                out[n, log_scale] = (ms, thin * 1000)
                say(f"chart: {n:>10,} epochs, log={log_scale}: {ms:.2f} ms")
    return out


# -- 2. a 1M-epoch run with the charts live -------------------------------------------------------


async def app_run(size: tuple[int, int]) -> tuple[float, int]:
    """Seconds from pressing 'e' to the budget spent, and the number of redraws on the way."""
    app = make_app(seed_session(RUN_EPOCHS))
    redraws = 0
    original = app.refresh_views

    def counting() -> None:
        nonlocal redraws
        redraws += 1
        original()

    app.refresh_views = counting
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        t = app.session.trainer
        t0 = time.perf_counter()
        post_key(app, "e")
        await until(
            lambda: t.status is Status.BUDGET_SPENT and not app.stepper.running,
            "the run reaching its budget",
            poll_s=0.002,
        )
        seconds = time.perf_counter() - t0
        assert t.epoch == RUN_EPOCHS
    return seconds, redraws


def core_run() -> float:
    session = seed_session(RUN_EPOCHS)
    return timed(lambda: session.trainer.advance(RUN_EPOCHS, records=False))


# -- 3. start-up ----------------------------------------------------------------------------------


def first_frames(repeats: int = 5) -> list[float] | None:
    """Seconds from starting linreg-tui in a fresh tmux pane to 'epoch' on its screen."""
    tmux = shutil.which("tmux")
    if tmux is None or not LINREG_TUI.exists():
        return None
    out = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
            base = [tmux, "-S", f"{tmp}/sock", "-f", "/dev/null"]

            def tm(*args: str, base=base) -> str:
                return subprocess.run(
                    [*base, *args], capture_output=True, text=True, check=False
                ).stdout

            env = f"env -i PATH={os.environ.get('PATH', '/usr/bin:/bin')} LANG=C.UTF-8"
            command = f"{env} TERM=xterm-256color HOME={tmp} {LINREG_TUI}"
            try:
                t0 = time.perf_counter()
                tm("new-session", "-d", "-s", "b", "-x", "80", "-y", "24", command)
                end = time.monotonic() + DEADLINE_S
                while "epoch" not in tm("capture-pane", "-p", "-t", "b"):
                    if time.monotonic() > end:
                        raise TimeoutError("no first frame")
                    time.sleep(0.005)
                out.append(time.perf_counter() - t0)
                tm("send-keys", "-t", "b", "q")
            finally:
                tm("kill-server")
        say(f"first frame {i + 1}: {out[-1] * 1000:.0f} ms")
    return out


def import_times(repeats: int = 5) -> tuple[list[float], list[float]]:
    """(import of linreg_tui.tui.app in a fresh interpreter, that interpreter's whole run)."""
    code = (
        "import time; t = time.perf_counter(); import linreg_tui.tui.app; "
        "print(time.perf_counter() - t)"
    )
    imports, wholes = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        wholes.append(time.perf_counter() - t0)
        imports.append(float(result.stdout))
    return imports, wholes


# -- 4. key latency while running -----------------------------------------------------------------


async def key_latencies() -> dict[str, list[float]]:
    """Seconds from a key event to the change on the widget it affects, while a run goes on."""
    app = make_app(seed_session(10_000_000))
    out: dict[str, list[float]] = {"+/−": [], "l": []}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(StatusPanel)
        panes = app.query_one("#panes")

        def speed_shown(label: str) -> Callable[[], bool]:
            return lambda: f"speed {label} (+/−)" in panel.render().plain

        async def press(key: str, shown: Callable[[], bool], into: list[float]) -> None:
            # A pause first, as between a person's key presses: each press then meets the run
            # as it goes, not the repaint the previous press caused.
            await asyncio.sleep(GAP_S)
            assert app.stepper.running, "the run stopped before the key"
            t0 = time.perf_counter()
            post_key(app, key)
            await until(shown, f"{key} shown")
            into.append(time.perf_counter() - t0)

        # '+' and '−' during a paced run ('r'): 100/s → max, then back and forth between
        # 100,000/s and max, where the stepper is busy all the time.
        post_key(app, "r")
        await until(lambda: app.stepper.running, "the run starting")
        for label in ("300/s", "1,000/s", "10,000/s", "100,000/s", "max"):
            await press("plus", speed_shown(label), out["+/−"])
        for i in range(15):
            key, label = ("minus", "100,000/s") if i % 2 == 0 else ("plus", "max")
            await press(key, speed_shown(label), out["+/−"])
        post_key(app, "r")  # pause
        await until(lambda: not app.stepper.running, "the run pausing")

        # 'l' (log scale on/off, shown in the pane title) during a run to the end ('e').
        post_key(app, "e")
        await until(lambda: app.stepper.running, "the run starting")
        for i in range(20):
            on = i % 2 == 0
            await press("l", lambda on=on: ("log scale" in str(panes.border_title)) == on, out["l"])
        post_key(app, "r")
        await until(lambda: not app.stepper.running, "the run pausing")
    return out


# -- output ---------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    tmux = shutil.which("tmux")
    tmux_version = (
        subprocess.run([tmux, "-V"], capture_output=True, text=True).stdout.strip()
        if tmux
        else "missing"
    )
    return "\n".join(
        [
            f"- platform: {platform.platform()}",
            f"- CPU: {cpu_model()} ({os.cpu_count()} CPUs)",
            f"- Python: {platform.python_version()} ({platform.python_implementation()})",
            "- "
            + ", ".join(
                f"{p} {version(p)}" for p in ("numpy", "textual", "textual-plotext", "plotext")
            ),
            f"- {tmux_version}",
        ]
    )


def main() -> int:
    started = time.perf_counter()
    say("computing a 10,000,000-epoch loss trace with the core …")
    full = seed_session(max(HISTORIES))
    full.trainer.advance(max(HISTORIES), records=False)
    trace = np.array(full.trainer.loss_trace)
    optimum = full.reference.mse

    chart = asyncio.run(bench_chart(trace, optimum))
    say("1M-epoch runs …")
    core = min(core_run() for _ in range(3))
    runs = {}
    for size in ((80, 24), (120, 40)):
        results = [asyncio.run(app_run(size)) for _ in range(3)]
        runs[size] = (statistics.median(s for s, _ in results), results[0][1])
        say(f"app {size}: {runs[size][0]:.2f} s")
    say("start-up …")
    frames = first_frames()
    imports, wholes = import_times()
    say("key latency …")
    keys = asyncio.run(key_latencies())

    header = ["Benchmark", "Measured", "Baseline", "Ratio", "Target", "Met"]
    rows: list[list[str]] = []
    for log_scale in (False, True):
        base = chart[HISTORIES[0], log_scale][0]
        scale = "log" if log_scale else "linear"
        for n in HISTORIES:
            ms, thin = chart[n, log_scale]
            rows.append(
                [
                    f"loss chart redraw, {n:,} epochs, {scale}",
                    f"{ms:.2f} ms (thinning {thin:.2f} ms)",
                    f"{base:.2f} ms at 100 epochs",
                    f"{ms / base:.1f}×",
                    "≈ 1× at 1M" if n == 1_000_000 else "",
                    yes(ms / base < 2) if n == 1_000_000 else "",
                ]
            )
    for size, (seconds, redraws) in runs.items():
        panes = "loss chart" if size == (80, 24) else "all 4 panes"
        rows.append(
            [
                f"app: 1,000,000 epochs to the budget, {size[0]}×{size[1]} ({panes}, "
                f"{redraws} redraws)",
                f"{seconds:.2f} s ({RUN_EPOCHS / seconds:,.0f} epochs/s)",
                f"core alone {core:.3f} s",
                f"{seconds / core:.1f}×",
                f"≤ {TARGET_RUN_S:.0f} s",
                yes(seconds <= TARGET_RUN_S),
            ]
        )
    if frames is None:
        rows.append(["first frame in tmux, 80×24", "n/a (tmux or linreg-tui missing)"] + [""] * 4)
    else:
        first = statistics.median(frames)
        rows.append(
            [
                "first frame in tmux, 80×24 (median of 5)",
                f"{first * 1000:.0f} ms (min {min(frames) * 1000:.0f}, "
                f"max {max(frames) * 1000:.0f})",
                "",
                "",
                f"≤ {TARGET_FIRST_FRAME_S:.0f} s",
                yes(first <= TARGET_FIRST_FRAME_S),
            ]
        )
    imp, whole = statistics.median(imports), statistics.median(wholes)
    rows.append(
        [
            "import linreg_tui.tui.app, fresh interpreter (median of 5)",
            f"{imp * 1000:.0f} ms",
            f"whole interpreter run {whole * 1000:.0f} ms",
            f"{imp / whole:.2f}",
            "",
            "",
        ]
    )
    for key, latencies in keys.items():
        ms = [s * 1000 for s in latencies]
        what = (
            "'+'/'−' during 'r' at 100,000/s–max (status panel speed)"
            if key == "+/−"
            else "'l' during 'e' (pane title shows log scale)"
        )
        rows.append(
            [
                f"key latency while running: {what}, {len(ms)} presses",
                f"median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms",
                "",
                "",
                f"every key ≤ {TARGET_KEY_MS:.0f} ms",
                yes(max(ms) <= TARGET_KEY_MS),
            ]
        )

    print("# linreg-tui app benchmark\n")
    print(machine())
    print()
    print(markdown(header, rows))
    print()
    print(
        "Chart redraw: `LossChart.show(trace, optimum, log_scale)` then `render()` (the plotext\n"
        f"build) in a headless {CHART_SIZE[0]}×{CHART_SIZE[1]} app, median of 5–20; the thinning\n"
        "column is `envelope()` alone. The app runs use the pilot, a key event for 'e', and end\n"
        "when the status is 'budget spent' (median of 3); the core row is the best of 3.\n"
        f"Key latency: presses {GAP_S * 1000:.0f} ms apart, each timed from the key event to the\n"
        "widget's content changing (the paint follows within a frame)."
    )
    print(f"\nTotal wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
