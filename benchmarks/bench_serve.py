"""Key latency of ``linreg-tui --serve`` in a real browser (headless chromium), on loopback.

Run from the repository root (needs chromium and playwright, as the tests do)::

    .venv/bin/python benchmarks/bench_serve.py    # about a minute

A key (``space``: one epoch) is pressed in the page and the time until the browser's own
terminal shows the new epoch is measured: browser → websocket → textual-serve → the app process
→ back → xterm.js. The page is watched from inside (``wait_for_function`` polling every animation
frame), so the time includes the browser drawing the answer. Measured with one tab open, then with
ten tabs open at once (each its own app process), pressing in each tab in turn. Each key in the
ten tabs comes as a person switching tabs would press it: the tab brought to the front, drawn by
the browser, and a quick reaction (0.25 s) later the key. Shown on rows of their own: the first
round (each tab's first key, right after ten apps started) and how long the browser took to draw
each tab brought back to the front the first time (the browser's work, no key in it). Target: a
key is answered within 100 ms.

For comparison, the same key in the app alone (no browser, no server: a pilot at the same sizes):
from the key event to the first screen update written (turned into the terminal's text), by the
wall clock and in the app's own CPU time, which is what the app costs a key whatever else the
machine is doing. The load average is printed before and after.

A measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import os
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


#: Resolves once the page has drawn two frames: the tab is on screen.
DRAWN = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


#: After switching to a tab, the pause before its key: a person sees the tab, then types (a
#: quick reaction is 0.2–0.3 s).
REACTION_S = 0.25


def to_front(tab: Tab) -> float:
    """Bring ``tab`` to the front, as a person switching tabs, and wait until the browser has
    drawn it; the ms that took (the browser's work, not the app's: no key is sent)."""
    t0 = time.perf_counter()
    tab.page.bring_to_front()
    tab.page.evaluate(DRAWN)
    return (time.perf_counter() - t0) * 1000


def latencies(
    tab: Tab,
    start_epoch: int,
    presses: int,
    switches: list[float] | None = None,
    switched: bool = False,
) -> list[float]:
    """ms from each key to the new epoch on the tab's screen. ``switched``: the tab was just
    switched to, so the key comes a person's reaction after the tab is drawn (``switches``
    gets how long the browser took to draw it)."""
    from browser import READ_SCREEN

    out = []
    for k in range(1, presses + 1):
        target = EPOCH_SHOWN.format(read=f"({READ_SCREEN})", epoch=f"{start_epoch + k:,}")
        drawn = to_front(tab)  # not timed (for one tab, already in front: no wait)
        if switches is not None:
            switches.append(drawn)
        if switched:
            time.sleep(REACTION_S)
        t0 = time.perf_counter()
        tab.page.keyboard.press(" ")
        tab.page.wait_for_function(target, polling="raf", timeout=10_000)
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def in_app(size: tuple[int, int], presses: int = PRESSES) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) from a space key event to the first screen update written, in a pilot."""
    from textual import events

    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session
    from linreg_tui.tui.app import make_app

    app = make_app(Session(seed_dataset(), Hyperparameters()))
    app.settle_heap = True  # as the command does (see linreg_tui.tui.heap)
    frames: list[tuple[float, float]] = []
    wall, cpu = [], []
    async with app.run_test(size=size) as pilot:
        display = app._display

        def stamped(screen, update) -> None:
            text = ""
            if update is not None and hasattr(update, "render_segments"):
                text = update.render_segments(app.console)
            display(screen, update)
            if text:
                frames.append((time.perf_counter(), time.thread_time()))

        app._display = stamped
        await pilot.pause()
        for k in range(1, presses + 4):
            frames.clear()
            t0, c0 = time.perf_counter(), time.thread_time()
            app.post_message(events.Key("space", " "))
            await pilot.pause()
            assert app.session.trainer.epoch == k
            if k > 3:  # after a warm-up
                wall.append((frames[0][0] - t0) * 1000)
                cpu.append((frames[0][1] - c0) * 1000)
    return wall, cpu


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
    load_before = os.getloadavg()[0]
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
            # The first round is each new tab's first key, while the apps just started are
            # still settling (as the one tab's first keys, a warm-up): shown on its own.
            first: list[float] = []
            switches: list[float] = []  # the first time each tab comes back to the front
            for i, t in enumerate(tabs):
                first += latencies(t, epochs[i], 1, switches, switched=True)
                epochs[i] += 1
            ms: list[float] = []
            for _ in range(PRESSES // 10 + 1):
                for i, t in enumerate(tabs):
                    ms += latencies(t, epochs[i], 1, switched=True)
                    epochs[i] += 1
            rows.append(row(f"10 tabs open, {cols}×{lines}, each in turn", ms))
            rows.append(row(f"10 tabs open, {cols}×{lines}: each new tab's first key", first))
            rows.append(
                [
                    "(no key) the browser drawing a tab brought back to the front, first time",
                    str(len(switches)),
                    f"{statistics.median(switches):.1f}",
                    f"{max(switches):.1f}",
                    "(browser)",
                ]
            )
    for cols, lines in ((84, 26), (142, 44)):
        print(f"the app alone at {cols}×{lines} …", file=sys.stderr)
        wall, cpu = asyncio.run(in_app((cols, lines)))
        rows.append(row(f"the app alone (pilot), {cols}×{lines}: wall clock", wall))
        rows.append(row(f"the app alone (pilot), {cols}×{lines}: the app's CPU time", cpu))
    header = [
        "key answered (space → new epoch on screen)",
        "presses",
        "median ms",
        "max ms",
        "≤ 100 ms",
    ]
    print(markdown(header, rows))
    print(f"load average before: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
