"""Key latency of ``linreg-tui --serve`` in a real browser (headless chromium), on loopback.

Run from the repository root (needs chromium and playwright, as the tests do)::

    .venv/bin/python benchmarks/bench_serve.py    # about a minute

A key (``space``: one epoch) is pressed in the page and the time until the browser's own
terminal shows the new epoch is measured: browser → websocket → textual-serve → the app process
→ back → xterm.js. The page is watched from inside (``wait_for_function`` polling every animation
frame), so the time includes the browser drawing the answer. Measured with one tab open, then with
ten tabs open at once (each its own app process), pressing in each tab in turn. Target: a key is
answered within 100 ms.

A measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from report import markdown, yes  # benchmarks/report.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tui"))
from browser import Tab, chromium, served  # the tests' browser driver

PRESSES = 30
EPOCH_SHOWN = "() => window.__term && {read}().includes('epoch {epoch}/')"


def latencies(tab: Tab, start_epoch: int, presses: int) -> list[float]:
    from browser import READ_SCREEN

    out = []
    for k in range(1, presses + 1):
        target = EPOCH_SHOWN.format(read=f"({READ_SCREEN})", epoch=f"{start_epoch + k:,}")
        tab.page.bring_to_front()  # not timed: a person switching tabs
        t0 = time.perf_counter()
        tab.page.keyboard.press(" ")
        tab.page.wait_for_function(target, polling="raf", timeout=10_000)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def row(name: str, ms: list[float]) -> list[str]:
    return [
        name,
        str(len(ms)),
        f"{statistics.median(ms):.1f}",
        f"{max(ms):.1f}",
        yes(max(ms) <= 100),
    ]


def main() -> None:
    print(
        f"python {platform.python_version()}, textual {version('textual')}, "
        f"textual-serve {version('textual-serve')}, playwright {version('playwright')}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        with (
            served(cwd=tmp_path) as (url, _),
            chromium(tmp_path / "small", viewport=(760, 480)) as browser,
        ):
            print("one small tab …", file=sys.stderr)
            tab = Tab(browser, url)
            latencies(tab, 0, 3)  # warm up
            cols, lines = tab.size()
            rows.append(row(f"1 tab, {cols}×{lines}", latencies(tab, 3, PRESSES)))
        with served(cwd=tmp_path) as (url, _), chromium(tmp_path / "profile") as browser:
            print("one tab …", file=sys.stderr)
            tab = Tab(browser, url)
            latencies(tab, 0, 3)  # warm up
            cols, lines = tab.size()
            rows.append(row(f"1 tab, {cols}×{lines}", latencies(tab, 3, PRESSES)))
            print("ten tabs …", file=sys.stderr)
            tabs = [tab, *(Tab(browser, url) for _ in range(9))]
            epochs = [3 + PRESSES] + [0] * 9
            ms: list[float] = []
            for _ in range(PRESSES // 10 + 1):
                for i, t in enumerate(tabs):
                    ms += latencies(t, epochs[i], 1)
                    epochs[i] += 1
            rows.append(row(f"10 tabs open, {cols}×{lines}, each in turn", ms))
    header = [
        "key answered (space → new epoch on screen)",
        "presses",
        "median ms",
        "max ms",
        "≤ 100 ms",
    ]
    print(markdown(header, rows))


if __name__ == "__main__":
    main()
