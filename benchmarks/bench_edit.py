"""How long an edit of one row takes to reach the reference and the charts.

Run from the repository root::

    .venv/bin/python benchmarks/bench_edit.py    # about half a minute

For the seed's 5 rows and for 1,000,000 synthetic rows (y = 3 + 2x + N(0, 1), fixed seed) one
cell (row 2's y) is changed 10 times, each edit on the last, and timed:

1. the core alone, side by side: the edited dataset (:meth:`EditableData.propose_set`), then
   either a new :class:`Session` built from the rows (as before the update path) or
   :meth:`Session.edited` (the least-squares answer updated from the changed row through the
   data's moments; the first such edit forms the moments), its first record (the MSE on the
   data) and the Hessian analysis;
2. the app at 120×40 (all five panes), the edit made with keys as a person makes it: from the
   Enter that applies the value typed into the cell's field (in the Data pane, in place) to
   every view given the new data, to the first screen update written that shows the typed value
   (with the app's own CPU time for it), and to the last update before the app is idle (the
   toast); see :func:`app_ms`.

Targets: 5 rows within 50 ms, 1,000,000 rows within 300 ms, every edit (the "met" column
compares the slowest of the ten). A measurement, not a test.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import time

import numpy as np
from report import markdown, yes  # benchmarks/report.py, beside this script
from textual import events

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.editing import EditableData
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.data_view import DataView

REPEATS = 10


def big() -> Dataset:
    rng = np.random.default_rng(0)
    n = 1_000_000
    x = rng.uniform(0, 10, n)
    return Dataset(x[:, None], 3 + 2 * x + rng.normal(0, 1, n), ("x",), "y", source="synthetic")


def core_ms(ds: Dataset, hp: Hyperparameters, fresh: bool) -> list[float]:
    """Core only: the edited dataset, then its session and first record; ``fresh``: a new
    session built from the rows (as before the update path), else :meth:`Session.edited` (the
    first of these edits forms the data's moments)."""
    session = Session(ds, hp)
    data = EditableData(ds)
    out = []
    for i in range(REPEATS):
        t0 = time.perf_counter()
        new, edit = data.propose_set(1, 1, str(10 + i))
        s = Session(new, hp) if fresh else session.edited(new, edit.change, hp)
        s.record()
        s.analysis  # noqa: B018  (computed on first use)
        out.append((time.perf_counter() - t0) * 1000)
        data.apply(new, edit)
        session = s
    return out


async def app_ms(ds: Dataset, hp: Hyperparameters) -> tuple[list[float], ...]:
    """(key to the views told, key to the frame that shows the edit, the app's CPU time for
    that, key to the last frame), in ms.

    The edit is made as a person makes it: Enter on a cell of the Data pane opens its field (in
    place, in the pane's last lines), the new value is typed, and the timer starts when the
    Enter that applies it is delivered; nothing else is asked of the app until the frame that
    shows it is written (the pilot's pause would send every widget a message first).
    "Told" ends when the app has the new session and every view has been given it; "shown" at
    the first screen update composed after that which has the typed value in it (the Data
    pane's row; the charts, the status and the log were redrawn in the same update); "settled"
    at the last update before the app went idle (anything drawn after the edit's frame; the
    status says what changed in the edit's own frame, so there should be none). Each update
    is turned into the terminal's text, as a real terminal's driver does, before it is
    time-stamped; the pilot's own waiting for the app to go
    idle is not counted. The CPU time is the event loop's thread's (time.thread_time): the
    work the app did for the edit, which on an idle machine is its wall time.
    """
    app = make_app(Session(ds, hp))
    told, shown, settled, shown_cpu = [], [], [], []
    frames: list[tuple[float, float, str]] = []
    told_at: list[float] = []
    awaited: list[str] = [""]  # the value whose frame is waited for
    seen = asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        display = app._display

        def stamped_display(screen, update) -> None:
            text = ""
            if update is not None and hasattr(update, "render_segments"):
                text = update.render_segments(app.console)  # what a terminal would be sent
            display(screen, update)
            frames.append((time.perf_counter(), time.thread_time(), text))
            if told_at and awaited[0] and awaited[0] in text:
                seen.set()

        replace_data = app.replace_data

        def stamped_replace(*args, **kwargs):
            try:
                return replace_data(*args, **kwargs)
            finally:
                told_at.append(time.perf_counter())

        app._display = stamped_display
        app.replace_data = stamped_replace
        await pilot.press("4")  # the Data pane
        await pilot.press("down", "right")  # row 2's y
        await pilot.pause()
        # The app's start-up work done, as it is before a person has reached a cell: for a
        # million rows the data's moments, formed in a worker thread when the app opens (about
        # 0.1 s; an edit made before it is done waits for it, and is not what is measured here).
        await app.workers.wait_for_complete()
        for i in range(REPEATS):
            value = f"{70 + i}.125"  # a number nothing else on the screen shows
            await pilot.press("enter", *value)  # the cell's field opens; typing replaces it
            await pilot.pause()
            assert app.query_one(DataView).editing.line.text == value
            before = app.session
            frames.clear()
            told_at.clear()
            seen.clear()
            awaited[0] = value
            t0, cpu0 = time.perf_counter(), time.thread_time()
            app.post_message(events.Key("enter", "\r"))
            # Nothing else is asked of the app until the frame is written: the pilot's pause
            # sends every widget a callback, whose handling would be counted in the edit.
            await asyncio.wait_for(seen.wait(), 60)
            await pilot.pause()
            await pilot.pause()
            assert app.session is not before, "the edit was not applied"
            told.append((told_at[-1] - t0) * 1000)
            first, cpu = next((t, c) for t, c, text in frames if t > told_at[-1] and value in text)
            shown.append((first - t0) * 1000)
            shown_cpu.append((cpu - cpu0) * 1000)
            settled.append((frames[-1][0] - t0) * 1000)
    return told, shown, shown_cpu, settled


def main() -> None:
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    rows = []
    for name, ds, hp, target in (
        ("5 rows (seed)", seed_dataset(), Hyperparameters(), 50),
        ("1,000,000 rows", big(), Hyperparameters(lr=0.001), 300),
    ):
        print(f"{name} …", file=sys.stderr)
        fresh = core_ms(ds, hp, fresh=True)
        updated = core_ms(ds, hp, fresh=False)
        told, shown, shown_cpu, settled = asyncio.run(app_ms(ds, hp))
        for how, ms in (
            ("core, a new session from the rows (before)", fresh),
            ("core, the first edit (forms the moments)", updated[:1]),
            ("core, later edits (updated from the moments)", updated[1:]),
            ("app: Enter → every view given the new data", told),
            ("app: Enter → the frame that shows it written", shown),
            ("app: the same, the app's CPU time", shown_cpu),
            ("app: Enter → the last frame before idle written", settled),
        ):
            rows.append(
                [
                    name,
                    how,
                    f"{statistics.median(ms):.1f}",
                    f"{max(ms):.1f}",
                    f"{target}",
                    yes(max(ms) <= target),  # every edit, not most
                ]
            )
    print(markdown(["data", "edit one cell →", "median ms", "max ms", "target ms", "met"], rows))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
