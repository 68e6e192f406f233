"""Signals to the installed app in a real terminal (tmux): SIGTERM, SIGHUP (what a closed SSH
connection sends) and SIGINT from outside end it with the terminal restored; Ctrl-Z suspends it
and ``fg`` brings it back, redrawn.

"Restored" is read from the terminal itself after the app has gone: ``stty -a`` (run in the same
terminal right after) shows ``echo`` and ``icanon``, and tmux reports the alternate screen
(``alternate_on``) and mouse reporting (``mouse_any_flag``) off and the cursor shown
(``cursor_flag``).
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest
from test_terminal import ENV_256, FIRST_FRAME
from tmux import DEADLINE_S, LINREG_TUI, POLL_S, Tmux


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def app_pid(tmux: Tmux, name: str) -> int:
    """The app's process: the pane's descendant running the linreg-tui script (python with the
    script as an argument, not a shell whose command line mentions it)."""
    top = int(tmux.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end:
        queue = [top]
        while queue:
            pid = queue.pop()
            try:
                args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a == str(LINREG_TUI).encode() for a in args[:2]):
                return pid
            queue += child_pids(pid)
        time.sleep(POLL_S)
    raise AssertionError("no linreg-tui process under the pane's shell")


def flags(tmux: Tmux, name: str) -> dict[str, str]:
    fmt = "#{alternate_on} #{mouse_any_flag} #{cursor_flag}"
    alternate, mouse, cursor = tmux.run("display-message", "-p", "-t", name, fmt).split()
    return {"alternate_on": alternate, "mouse_any_flag": mouse, "cursor_flag": cursor}


def stty_modes(screen: str) -> set[str]:
    """The local modes stty printed (``echo``, ``-echo``, ``icanon``, …)."""
    return set(re.findall(r"(?<![\w-])-?[a-z]+(?![\w-])", screen))


@pytest.mark.parametrize(
    "signum, status",
    [
        (signal.SIGTERM, 128 + signal.SIGTERM),
        (signal.SIGHUP, 128 + signal.SIGHUP),
        (signal.SIGINT, 130),
    ],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_signal_ends_the_app_with_the_terminal_restored(tmux, signum, status):
    # The shell stays (sleep) so that the terminal's state is read from a live pane.
    script = f"{LINREG_TUI}; s=$?; stty -a; echo app-status=$s; sleep {DEADLINE_S:.0f}"
    session = tmux.start("sig", ["/bin/sh", "-c", script], ENV_256, 100, 30)
    session.wait_for_text(*FIRST_FRAME)
    session.send("r")  # running: the stepper's worker is busy when the signal arrives
    os.kill(app_pid(tmux, "sig"), signum)
    screen = session.wait_for(lambda s: "app-status=" in s, "the app's exit", history=True)
    assert f"app-status={status}" in screen, screen
    assert "Traceback" not in screen, screen
    modes = stty_modes(screen)
    assert {"echo", "icanon", "isig"} <= modes, screen
    assert not {"-echo", "-icanon", "-isig"} & modes, screen
    assert flags(tmux, "sig") == {"alternate_on": "0", "mouse_any_flag": "0", "cursor_flag": "1"}


def test_ctrl_z_suspends_and_fg_redraws(tmux):
    # An interactive shell with job control, as a user has.
    env = {**ENV_256, "PS1": "$ "}
    session = tmux.start("job", ["/bin/bash", "--norc", "--noprofile", "-i"], env, 100, 30)
    session.wait_for_text("$")
    session.send(str(LINREG_TUI), "Enter")
    session.wait_for_text(*FIRST_FRAME)
    session.send("Space")
    session.wait_for_text("epoch 1/1,000 ready")

    session.send("C-z")
    stopped = session.wait_for(lambda s: "Stopped" in s, "the shell's 'Stopped' line")
    assert "epoch 1/1,000" not in stopped  # back on the normal screen
    assert flags(tmux, "job")["alternate_on"] == "0"
    session.send("stty -a | grep -o -- '-\\?icanon\\|-\\?echo ' | tr '\\n' ' '; echo", "Enter")
    shown = session.wait_for(lambda s: "icanon" in s.split("Stopped")[-1], "stty's modes")
    tail = shown.split("Stopped")[-1]
    assert "-icanon" not in tail and "-echo " not in tail, shown

    session.send("fg", "Enter")
    back = session.wait_for_text("epoch 1/1,000 ready", "q Quit")
    assert "Stopped" not in back
    session.send("Space")
    session.wait_for_text("epoch 2/1,000 ready")  # and it still takes keys
    session.send("q")
    session.wait_for(lambda s: "$" in s and "q Quit" not in s, "the prompt after quitting")
    session.send("echo status=$?", "Enter")
    session.wait_for_text("status=0")


def test_a_closed_terminal_ends_the_app(tmux):
    # What a dropped SSH connection does: the terminal hangs up (SIGHUP, and reads and writes on
    # it fail). The app must end, not wait forever to restore a terminal that is gone.
    session = tmux.start("gone", [str(LINREG_TUI)], ENV_256, 100, 30)
    session.wait_for_text(*FIRST_FRAME)
    session.send("r")
    pid = app_pid(tmux, "gone")
    tmux.kill()
    stat = Path(f"/proc/{pid}/stat")

    def ended() -> bool:
        try:
            text = stat.read_text()
        except OSError:
            return True  # gone (reaped)
        return text[text.rindex(")") + 2] == "Z"  # a zombie has ended

    end = time.monotonic() + DEADLINE_S
    while not ended():
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("the app was still running after its terminal closed")
        time.sleep(POLL_S)
