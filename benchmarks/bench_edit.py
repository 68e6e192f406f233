"""How long an edit of one row takes to reach the reference and the charts.

Run from the repository root::

    .venv/bin/python benchmarks/bench_edit.py    # about half a minute

For the seed's 5 rows and for 1,000,000 synthetic rows (y = 3 + 2x + N(0, 1), fixed seed) one
cell is changed (row 2's y), then undone, several times, and timed two ways:

1. the core alone: the edited dataset (:meth:`EditableData.propose_set`), then a new
   :class:`Session` on it (the least-squares reference, the Hessian analysis, the trainer) and
   its first record (the MSE on the data);
2. the app: the same edit through the Data pane's path (``DataEditor._apply``: the new session,
   the restarted log, every visible view given its new data), then until the screen has been
   painted (``pilot.pause()``: the charts' plotext drawing and the pilot's own wait), at 120×40
   where all four panes show.

Targets: 5 rows within 50 ms, 1,000,000 rows within 300 ms. A measurement, not a test.
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

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.editing import EditableData
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app

REPEATS = 5


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


async def app_ms(ds: Dataset, hp: Hyperparameters) -> tuple[list[float], list[float]]:
    """(until the views are told, until the screen is painted), in ms."""
    app = make_app(Session(ds, hp))
    told, painted = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for i in range(REPEATS):
            editor = app.data_editor
            t0 = time.perf_counter()
            editor._apply(*editor.data.propose_set(1, 1, str(10 + i)))
            told.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
            painted.append((time.perf_counter() - t0) * 1000)
    return told, painted


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
        told, painted = asyncio.run(app_ms(ds, hp))
        for how, ms in (
            ("core, a new session from the rows (before)", fresh),
            ("core, the first edit (forms the moments)", updated[:1]),
            ("core, later edits (updated from the moments)", updated[1:]),
            ("app, views updated", told),
            ("app, screen painted", painted),
        ):
            rows.append(
                [
                    name,
                    how,
                    f"{statistics.median(ms):.1f}",
                    f"{max(ms):.1f}",
                    f"{target}",
                    yes(statistics.median(ms) <= target),
                ]
            )
    print(markdown(["data", "edit one cell →", "median ms", "max ms", "target ms", "met"], rows))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
