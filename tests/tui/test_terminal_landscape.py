"""The landscape pane, pinning and the sweep in a real terminal (tmux): the installed linreg-tui,
keys as a terminal sends them, at 80×24, in colour and with NO_COLOR on a 16-colour terminal.

Expected numbers are the seed's by hand: after 3 epochs m = 0.61824, b = 0.1918016 (shown to 4
significant digits in the caption), least squares (0.6, 2.2), 2/λmax = 2/(12 + √136) = 0.0845241.
"""

from __future__ import annotations

from test_terminal import ENV_16, ENV_256
from tmux import LINREG_TUI, Tmux

CAPTION = "● m 0.6182 b 0.1918 · ✚ LS 0.6 2.2"


def test_landscape_pin_and_sweep_in_a_real_terminal(tmux: Tmux) -> None:
    s = tmux.start("land", [str(LINREG_TUI)], ENV_256, 80, 24)
    s.wait_for_text("epoch 0/1,000")
    s.send("Space", "Space", "Space")
    s.wait_for_text("epoch 3/1,000")
    s.send("5")
    screen = s.wait_for_text(CAPTION)
    assert "5 Landscape" in screen
    # Colour: the bands are half blocks with colours (escape codes carry them).
    coloured = s.screen(escapes=True)
    assert "▀" in coloured and "\x1b[" in coloured

    s.send("h")
    screen = s.wait_for_text("long axis λ 0.338")
    s.send("z")
    s.wait_for_text("zoom ×2")
    s.send("v")
    s.wait_for(lambda text: "zoom ×" not in text, "zoom back to 1")

    # Pin, restart, step: the caption names the pinned run; the log pane lists it.
    s.send("p", "C-r", "Space")
    s.wait_for_text("run 1")
    s.send("3")
    s.wait_for_text("pinned runs")

    # The sweep: 40 runs, the verdict agrees with the bound.
    s.send("s")
    screen = s.wait_for_text("diverged", "exactly the runs above the")
    assert "2/λmax 0.08452" in " ".join(screen.split())
    assert "above the stability bound, as the analysis says" in " ".join(
        line.strip("│ ") for line in screen.splitlines()
    )
    s.send("Escape")
    s.wait_for(lambda text: "Sweep:" not in text, "sweep closed")

    s.send("q")
    status, last = s.wait_for_exit()
    assert status == 0, last
    assert "Traceback" not in last


def test_landscape_with_no_color_on_16_colours_reads_by_characters(tmux: Tmux) -> None:
    s = tmux.start("mono", [str(LINREG_TUI)], ENV_16, 80, 24)
    s.wait_for_text("epoch 0/1,000")
    s.send("Space", "Space", "Space", "5")
    screen = s.wait_for_text(CAPTION)
    body = [line for line in screen.splitlines() if line.startswith("│")]
    glyphs = set("".join(body))
    assert len(glyphs & set("·:-=+*#")) >= 4, screen  # the bands, by density
    assert "▀" not in glyphs
    s.send("q")
    status, last = s.wait_for_exit()
    assert status == 0, last


def test_a_sweep_large_enough_for_the_process_pool_runs_in_a_real_terminal(tmux: Tmux) -> None:
    # 40 runs × 100,000 epochs is past POOL_FROM: the sweep starts a process pool from inside
    # the running app (whose sys.stderr is Textual's capture, without a file descriptor). It used
    # to end the app with a traceback ("bad value(s) in fds_to_keep").
    s = tmux.start("pool", [str(LINREG_TUI), "--epochs", "100000"], ENV_256, 80, 24)
    s.wait_for_text("epoch 0/100,000")
    s.send("s")
    screen = s.wait_for_text("diverged", "exactly the runs above the")
    assert "Traceback" not in screen and "fds_to_keep" not in screen
    s.send("Escape")
    s.wait_for(lambda text: "Sweep:" not in text, "sweep closed")
    s.send("q")
    status, last = s.wait_for_exit()
    assert status == 0, last
