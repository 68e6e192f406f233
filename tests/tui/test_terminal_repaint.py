"""Frames that send only the changed cells leave the same screen as a full repaint, in a real
terminal (tmux): after a run with keys pressed along the way, the screen is captured, the window
is resized away and back (Textual then draws everything again), and the two screens must match,
character for character and colour for colour.

Pilot screenshots cannot catch a stale cell: they render the whole screen afresh. A terminal
keeps whatever it was sent, so a cell that changed but was not repainted stays wrong (as once
"speed 100/s" stayed after "30/s" was drawn, one cell shorter).
"""

from __future__ import annotations

import re

import pytest
from tmux import LINREG_TUI, Tmux

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TERM": "xterm-256color"}
EPOCH = re.compile(r"epoch ([\d,]+)/")


def epoch(screen: str) -> int:
    found = EPOCH.search(screen)
    return int(found.group(1).replace(",", "")) if found else -1


def past(session, n: int) -> str:
    return session.wait_for(lambda s: epoch(s) >= n, f"epoch {n} reached")


#: (size, keys along the way): all five panes side by side; the tabs at 80×24, switched.
CASES = {
    "200x60": ((200, 60), ["l", "-", "l"]),
    "80x24": ((80, 24), ["5", "3", "2", "l", "1"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_screen_after_a_run_is_the_screen_drawn_afresh(tmux: Tmux, case: str) -> None:
    (width, height), keys = CASES[case]
    s = tmux.start("repaint", [str(LINREG_TUI), "--epochs", "100000"], ENV, width, height)
    s.wait_for_text("epoch 0/100,000", "q Quit")
    s.send("-", "-")  # 10 epochs a second: many small frames
    s.send("r")
    past(s, 5)
    for key in keys:
        s.send(key)
        past(s, epoch(s.screen()) + 3)
    s.send("+", "+", "+")  # faster: larger steps between frames
    past(s, epoch(s.screen()) + 200)
    s.send("r")  # pause
    paused = epoch(s.wait_for(lambda t: "running" not in t, "paused"))
    s.send("Space", "Space")  # two hand steps: the log's arithmetic, the status
    s.wait_for(lambda t: epoch(t) >= paused + 2, "two hand steps")
    before_text = s.wait_for(lambda t: t == s.screen(), "a still screen")
    before = s.screen(escapes=True)
    s.resize(width - 1, height)
    narrower = s.wait_for(lambda t: t != before_text and t == s.screen(), "the narrower screen")
    assert "q Quit" in narrower
    s.resize(width, height)
    s.wait_for(lambda t: t == before_text, "the same text drawn afresh")
    assert s.screen(escapes=True) == before
    s.send("q")
    s.wait_for_exit()
