"""Which widget the bytes of a frame paint: the terminal output of a frame cut at its cursor moves.

Textual writes a frame as pieces of lines, each after a cursor move (``ESC [ row ; col H``) to where
the piece starts; a piece belongs to the innermost widget whose region holds that cell. Used by the
pilot tests (on the updates the compositor makes) and by ``benchmarks/bench_ssh.py`` (on what a
real run wrote to tmux).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from textual.app import App
from textual.geometry import Region

MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")


def regions(app: App) -> list[tuple[str, Region]]:
    """(name, screen region) of every widget shown: its id, else its class name."""
    return [
        (w.id or type(w).__name__, w.region)
        for w in app.screen.walk_children()
        if w.display and w.region.area
    ]


def owner(shown: Sequence[tuple[str, Region]], x: int, y: int) -> str:
    """The innermost widget at (x, y)."""
    best: tuple[str, Region] | None = None
    for name, region in shown:
        if region.contains(x, y) and (best is None or region.area < best[1].area):
            best = (name, region)
    return best[0] if best else "(none)"


def by_widget(frame: str, shown: Sequence[tuple[str, Region]]) -> Counter[str]:
    """UTF-8 bytes of ``frame`` (terminal output) by the widget each piece paints."""
    out: Counter[str] = Counter()
    moves = list(MOVE.finditer(frame))
    head = frame[: moves[0].start()] if moves else frame
    if head:
        out["(no cursor move)"] += len(head.encode())
    for k, move in enumerate(moves):
        end = moves[k + 1].start() if k + 1 < len(moves) else len(frame)
        y, x = int(move.group(1)) - 1, int(move.group(2)) - 1
        out[owner(shown, x, y)] += len(frame[move.start() : end].encode())
    return out
