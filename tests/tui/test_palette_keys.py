"""Regression: ctrl+p then PageDown, typed quickly, crashed the app with a KeyError inside
Textual's option list (see tui/palette.py). Typed in a real terminal (tmux), both keys in one
write, as a fast typist's terminal sends them; the app must still be running and the palette
open, and then close and quit normally.
"""

from __future__ import annotations

import pytest
from test_terminal import ENV_256, FIRST_FRAME
from tmux import LINREG_TUI


@pytest.mark.parametrize("page", ["PageDown", "PageUp"])
def test_ctrl_p_then_page_key_at_once_does_not_crash(tmux, page):
    session = tmux.start("palette", [str(LINREG_TUI)], ENV_256, 100, 30)
    session.wait_for_text(*FIRST_FRAME)
    for _ in range(3):  # a few times: the crash needed the keys to beat the palette's layout
        tmux.run("send-keys", "-t", "palette", "C-p", page)
        session.wait_for_text("Search for commands")
        tmux.run("send-keys", "-t", "palette", page, page, "Escape")
        session.wait_for(lambda s: "Search for commands" not in s, "the palette closed")
    screen = session.screen()
    assert "Traceback" not in screen and "KeyError" not in screen, screen
    session.send("q")
    status, text = session.wait_for_exit()
    assert status == 0, text
    assert "KeyError" not in text, text
