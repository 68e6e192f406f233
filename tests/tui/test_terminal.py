"""The installed ``linreg-tui`` in a real terminal (tmux): the entry point, the real driver, keys
typed as a terminal sends them, the terminal's size and colour depth.

The expected numbers are the seed script's own output, not the core's: after one epoch
m = 0.264, b = 0.08 (by hand: ∂m = −2/5·Σx·y = −26.4, ∂b = −2/5·Σy = −8, lr 0.01); after 1000
epochs the seed prints slope 0.6176946148762643, intercept 2.136116825825789 and prediction
5.842284515083374 at x = 6. The screen shows 6 significant digits.

tmux is required: without it these tests fail (they do not skip), since CI installs it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tmux import LINREG_TUI, Tmux

#: The command as installed next to this interpreter (the console script, not ``python -m``).

#: The seed script's printed results after 1000 epochs at lr 0.01.
SEED_SLOPE = 0.6176946148762643
SEED_INTERCEPT = 2.136116825825789
SEED_PREDICTION = 5.842284515083374
#: After one epoch (exact decimal arithmetic on the seed's data).
EPOCH1_M = 0.264
EPOCH1_B = 0.08
EPOCH1_PREDICTION = 0.264 * 6 + 0.08

#: The screen's status lines, e.g. "m 0.264 (LS 0.6)  b 0.08 (LS 2.2)  ŷ(6) 1.664 (LS 5.8)".
PARAMS = re.compile(r"\bm (\S+) \(LS [^)]*\)  b (\S+) \(LS [^)]*\)  ŷ\(6\) (\S+) \(LS")
FIRST_FRAME = ("epoch 0/1,000", "q Quit")
#: The help dialog's border title.
HELP_TITLE = "─ Help ─"


def base_env(term: str, **extra: str) -> dict[str, str]:
    """A clean environment: nothing of the test runner's terminal settings leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TERM": term,
    }
    env.update(extra)
    return env


ENV_256 = base_env("xterm-256color")
ENV_16 = base_env("xterm-16color", NO_COLOR="1")


def shown_params(screen: str) -> tuple[str, str, str]:
    """(m, b, ŷ(6)) as the screen writes them."""
    found = PARAMS.search(screen)
    assert found, f"no 'm … b … ŷ(6) …' line on the screen:\n{screen}"
    return found.group(1), found.group(2), found.group(3)


def six_digits(value: float) -> str:
    """How the app writes a number: 6 significant digits."""
    return format(value, ".6g")


def check_epoch1(screen: str) -> None:
    m, b, pred = shown_params(screen)
    assert (m, b, pred) == ("0.264", "0.08", six_digits(EPOCH1_PREDICTION)), screen


def check_end(screen: str) -> None:
    m, b, pred = shown_params(screen)
    assert (m, b, pred) == ("0.617695", "2.13612", "5.84228"), screen
    # The same numbers to 4 decimals, from the seed's unrounded output.
    for text, seed in ((m, SEED_SLOPE), (b, SEED_INTERCEPT), (pred, SEED_PREDICTION)):
        assert round(float(text), 4) == round(seed, 4), (text, seed)
        assert text == six_digits(seed)


def drive(session) -> dict[str, str]:
    """First frame, Space, e, ?, Escape, q: the screen at each stage, checked as it goes."""
    screens = {"first": session.wait_for_text(*FIRST_FRAME)}
    assert shown_params(screens["first"]) == ("0", "0", "0")

    session.send("Space")
    screens["epoch1"] = session.wait_for_text("epoch 1/1,000 ready")
    check_epoch1(screens["epoch1"])

    session.send("e")
    screens["end"] = session.wait_for_text("epoch 1,000/1,000 budget spent")
    check_end(screens["end"])

    # The help screen opens over the panes and closes on Escape (a key there once crashed the app).
    session.send("?")
    help_screen = session.wait_for_text(HELP_TITLE)
    # The frames are paced by the terminal's answers (it answered the question after a frame).
    inside = " ".join(line.split("│")[1] for line in help_screen.splitlines() if "│" in line)
    assert "paced by: terminal answers" in " ".join(inside.split()), help_screen
    session.send("Escape")
    after_help = session.wait_for(
        lambda s: HELP_TITLE not in s and "budget spent" in s, "help closed"
    )
    check_end(after_help)

    session.send("q")
    status, screens["exit"] = session.wait_for_exit()
    assert status == 0, screens["exit"]
    assert "Traceback" not in screens["exit"], screens["exit"]
    assert "Error" not in screens["exit"], screens["exit"]
    return screens


def test_step_end_quit_in_a_real_terminal(tmux: Tmux) -> None:
    session = tmux.start("main", [str(LINREG_TUI)], ENV_256, 80, 24)
    screens = drive(session)
    # Nothing but the exit line is left on the terminal after the app restores it.
    leftover = [line for line in screens["exit"].splitlines() if line.strip()]
    assert leftover[0] == "[exited with status 0]", screens["exit"]
    assert all(line.startswith("Pane is dead") for line in leftover[1:]), screens["exit"]


def test_16_colours_and_no_color_show_the_same_screens(tmux: Tmux) -> None:
    full = tmux.start("full", [str(LINREG_TUI)], ENV_256, 80, 24)
    plain = tmux.start("plain", [str(LINREG_TUI)], ENV_16, 80, 24)

    full.wait_for_text(*FIRST_FRAME)
    plain.wait_for_text(*FIRST_FRAME)
    # Colour codes: 256-colour (38;5 / 48;5) and truecolour (38;2 / 48;2) only in the full one.
    deep = re.compile(r"\x1b\[[0-9;]*[34]8;[25];")
    assert deep.search(full.screen(escapes=True))
    plain_codes = plain.screen(escapes=True)
    assert not deep.search(plain_codes), plain_codes

    full_screens = drive(full)
    plain_screens = drive(plain)
    for stage in ("first", "epoch1", "end"):
        assert plain_screens[stage] == full_screens[stage], stage


def collapsed(screen: str) -> str:
    return " ".join(screen.split())


def test_too_small_window_asks_for_more_and_comes_back(tmux: Tmux) -> None:
    session = tmux.start("resize", [str(LINREG_TUI)], ENV_256, 80, 24)
    session.wait_for_text(*FIRST_FRAME)
    session.send("Space")
    before = session.wait_for_text("epoch 1/1,000 ready")
    check_epoch1(before)

    session.resize(50, 15)
    message = "Make the window larger: linreg-tui needs at least 60×18, this one is 50×15."
    small = session.wait_for(lambda s: message in collapsed(s), "the 'make it larger' message")
    assert "epoch 1/1,000" not in small
    assert "q Quit" not in small

    session.resize(80, 24)
    back = session.wait_for(
        lambda s: (
            "Make the window" not in s
            and all(t in s for t in ("epoch 1/1,000 ready", "1 Loss", "q Quit"))
        ),
        "the panes again",
    )
    check_epoch1(back)
    assert back == before, f"before:\n{before}\nafter:\n{back}"

    session.send("q")
    status, text = session.wait_for_exit()
    assert status == 0, text
    assert "Traceback" not in text, text


#: Any SGR parameter that sets a colour: 30–37, 39, 40–47, 49, 90–97, 100–107, 38;…, 48;…
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9]*;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:[;:][0-9:;]*)?m")


def test_no_color_sends_no_colour_codes_at_all(tmux: Tmux, tmp_path: Path) -> None:
    """What the app writes (tmux's pipe-pane copies the program's output as it comes)."""
    session = tmux.start("nocolor", [str(LINREG_TUI)], base_env("xterm-256color", NO_COLOR="1"))
    session.wait_for_text(*FIRST_FRAME)
    written = tmp_path / "written"
    tmux.run("pipe-pane", "-t", "nocolor", "-O", f"cat >> {written}")
    session.send("e")
    session.wait_for_text("budget spent")
    for key, shows in (("2", "least squares"), ("3", "∂m"), ("4", "residual"), ("?", HELP_TITLE)):
        session.send(key)
        session.wait_for_text(shows)
    session.send("Escape")  # (Escape then q at once would read as alt+q)
    session.wait_for(lambda s: HELP_TITLE not in s, "help closed")
    session.send("q")
    status, text = session.wait_for_exit()
    assert status == 0, text
    output = written.read_text(encoding="utf-8", errors="replace")
    assert "budget spent" in output and "residual" in output  # the frames were captured
    assert not COLOUR_SGR.search(output), COLOUR_SGR.search(output)
    # bold and reverse still carry the meaning (the current tab is reversed)
    assert re.search(r"\x1b\[(?:[0-9]*;)*7m", output)


@pytest.mark.parametrize(
    ("name", "env", "args"),
    [
        ("c-locale", base_env("xterm-256color", LANG="C", LC_ALL="C"), []),
        ("plain-c", base_env("xterm-256color", LANG="C"), []),
        ("flag", base_env("xterm-256color"), ["--ascii"]),
    ],
)
def test_a_terminal_that_is_not_utf8_gets_ascii_only(tmux: Tmux, name, env, args) -> None:
    session = tmux.start(name, [str(LINREG_TUI), *args], env)
    first = session.wait_for_text("epoch 0/1,000", "q Quit")
    assert "+-" in first and "|" in first  # borders drawn in ASCII
    session.send("e")
    screens = [session.wait_for_text("budget spent")]
    for key in ("2", "3", "4", "?"):
        session.send(key)
        screens.append(session.wait_for(lambda s: True, "a frame"))
    for screen in screens:
        assert screen.isascii(), [c for c in screen if not c.isascii()]
    check_end(screens[0].replace("y(6)", "ŷ(6)"))  # the numbers are the same, in ASCII


@pytest.mark.parametrize("term", ["dumb", ""])
def test_a_terminal_without_cursor_addressing_is_refused_with_a_hint(tmux: Tmux, term) -> None:
    env = base_env(term)
    if not term:
        del env["TERM"]
    session = tmux.start(f"term-{term or 'unset'}", [str(LINREG_TUI)], env)
    status, text = session.wait_for_exit()
    assert status == 2, text
    lines = [line for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("[exited", "Pane is dead"))]
    message = "".join(lines)  # one line, wrapped (not broken) by the 80-column pane
    assert message.startswith("linreg-tui: error: the terminal"), text
    assert message.endswith("use --headless or --json"), text
    assert "Traceback" not in text
