"""The app's first frame on a large file, in a real terminal: when each stage reaches the screen.

Run from the repository root (needs tmux)::

    .venv/bin/python benchmarks/bench_first_frame.py            # 1,000,000 rows, 3 runs each
    .venv/bin/python benchmarks/bench_first_frame.py --rows 100000 --runs 5

A CSV file of x, y rows (about 38 MB for 1,000,000 rows) is written to a temporary folder, then
the installed ``linreg-tui FILE`` (and ``linreg-tui FILE --stream``) is started in a fresh tmux
pane at 120×40, where every pane shows, and the screen is polled every 5 ms for three stages:

1. **first frame**: anything on the screen (the loading screen: "reading FILE");
2. **data shown**: the status line counts the file's rows (the fit chart and the data pane have
   the data);
3. **least squares shown**: the status line shows the least-squares MSE ("(LS " followed by a
   number), i.e. the reference and the analysis are there.

It prints the median and the slowest of each, in seconds from starting the process, beside the
seed's five points (no file) as the floor: Python, Textual and the terminal's own start-up. A
measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from report import markdown, yes  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from tmux import Tmux  # noqa: E402  (tests/tui: the real-terminal tests' own helper)

LINREG_TUI = Path(sys.executable).parent / "linreg-tui"
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm-256color"}
SIZE = (120, 40)
DEADLINE_S = 120.0
#: The status line once least squares is known: "MSE 12.3 (LS 1.02)".
LS_SHOWN = re.compile(r"\(LS [-0-9.]")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def write_file(folder: Path, rows: int) -> Path:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, rows)
    y = 0.5 * x + 3 + rng.normal(size=rows)
    path = folder / f"rows-{rows}.csv"
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header="x,y", comments="", fmt="%.9g")
    return path


def stages(argv: list[str], rows: int | None) -> dict[str, float]:
    """Seconds from the start to each stage on the screen, in a fresh tmux server."""
    # The status line's "1,000,000 rows, y = m·x + b" (not the loading screen's "rows, 38 MB").
    counted = re.compile(
        rf"{5 if rows is None else rows:,} rows( \(streamed\))?, (y =|\d+ weights)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ff-") as tmp:
        tmux = Tmux(Path(tmp))
        seen: dict[str, float] = {}
        try:
            t0 = time.perf_counter()
            session = tmux.start("ff", argv, ENV, *SIZE)
            end = time.monotonic() + DEADLINE_S
            while len(seen) < 3:
                screen = session.screen()
                now = time.perf_counter() - t0
                if "first" not in seen and screen.strip():
                    seen["first"] = now
                data = counted.search(screen) is not None
                if "data" not in seen and data:
                    seen["data"] = now
                if "ls" not in seen and data and LS_SHOWN.search(screen):
                    seen["ls"] = now
                if time.monotonic() > end:
                    raise TimeoutError(f"stages seen: {seen}; the screen:\n{screen}")
                time.sleep(0.005)
            session.send("q")
            session.wait_for_exit()
        finally:
            tmux.kill()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    table = []
    with tempfile.TemporaryDirectory(prefix="bench-ff-data-") as folder:
        path = write_file(Path(folder), args.rows)
        mb = path.stat().st_size / 1e6
        cases = [
            ("seed's 5 points (floor)", [str(LINREG_TUI)], None),
            (f"{args.rows:,} rows ({mb:.0f} MB)", [str(LINREG_TUI), str(path)], args.rows),
            (
                f"{args.rows:,} rows, --stream",
                [str(LINREG_TUI), str(path), "--stream"],
                args.rows,
            ),
        ]
        for label, argv, rows in cases:
            runs = []
            for i in range(args.runs):
                runs.append(stages(argv, rows))
                say(
                    f"{label} run {i + 1}: "
                    + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items())
                )
            cells = [label]
            for key in ("first", "data", "ls"):
                values = [r[key] for r in runs]
                cells.append(f"{statistics.median(values):.2f} s (max {max(values):.2f})")
            first = statistics.median(r["first"] for r in runs)
            cells.append(yes(first <= 1.0))
            table.append(cells)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(
        markdown(
            ["file", "first frame", "data shown", "least squares shown", "first frame ≤ 1 s"],
            table,
        )
    )


if __name__ == "__main__":
    main()
