"""A program in a real terminal: a detached tmux session on a private server, driven by keys.

The server has a socket of its own under a temporary directory and reads no config file
(``-f /dev/null``), so nothing of another tmux leaks in or gets killed (as in
``../shared/tools/tui-drive``). The program runs in a clean environment (``env -i``) with only
what is passed in; when it exits, the pane stays (``remain-on-exit``) showing whatever it printed
and a line ``[exited with status N]``, and the status is also written to a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

#: The program under test, installed beside the Python running the tests.
LINREG_TUI = Path(sys.executable).parent / "linreg-tui"
#: Seconds a wait may last before it fails. Generous: it only turns a hang into a failure.
DEADLINE_S = 30.0
#: Seconds between two looks at the screen while waiting.
POLL_S = 0.05

EXIT_LINE = re.compile(r"^\[exited with status (\d+)\]$", re.MULTILINE)


def tmux_or_fail() -> str:
    """The tmux executable, or an AssertionError saying it is missing (CI installs it)."""
    path = shutil.which("tmux")
    if path is None:
        raise AssertionError(
            "tmux is not installed: the real-terminal test needs it "
            "(apt-get install tmux; CI installs it)"
        )
    return path


class Tmux:
    """One private tmux server; :meth:`start` opens a session running a program.

    Parameters
    ----------
    directory : Path
        Where the socket and the exit-status files go (a temporary directory).
    """

    def __init__(self, directory: Path) -> None:
        self._tmux = tmux_or_fail()
        self.directory = directory
        self.socket = directory / "sock"

    def run(self, *args: str, check: bool = True) -> str:
        """One tmux command on the private server; returns its stdout."""
        proc = subprocess.run(
            [self._tmux, "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        width: int = 80,
        height: int = 24,
    ) -> Session:
        """Run ``argv`` with exactly ``env`` in a new ``width``×``height`` session."""
        status = self.directory / f"{name}.status"
        assignments = [f"{k}={v}" for k, v in env.items()]
        script = (
            f"env -i {shlex.join(assignments)} {shlex.join(argv)}; s=$?; "
            f'echo "$s" > {shlex.quote(str(status))}; echo "[exited with status $s]"'
        )
        # The option is set in the same tmux call, before the program can possibly exit.
        self.run(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(width),
            "-y",
            str(height),
            "/bin/sh",
            "-c",
            script,
            ";",
            "set-option",
            "-t",
            name,
            "remain-on-exit",
            "on",
        )
        return Session(self, name, status)

    def kill(self) -> None:
        """Stop the server and everything in it, and check that everything did stop.

        Killing the server hangs up each pane's terminal. A program that outlives that (stuck
        writing to a terminal that is gone, say) would be a process left behind on a user's
        server after every dropped SSH session: it is killed here, and the test fails.
        """
        panes = self.run("list-panes", "-a", "-F", "#{pane_pid}", check=False).split()
        started = _descendants({int(p) for p in panes if p.isdigit()})
        self.run("kill-server", check=False)
        end = time.monotonic() + DEADLINE_S
        left = started
        while left and time.monotonic() < end:
            time.sleep(POLL_S)
            left = {pid for pid in left if _alive(pid)}
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, (
            f"processes outlived their terminal by {DEADLINE_S:.0f} s (killed now): "
            + ", ".join(_command(pid) for pid in sorted(left))
        )


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _descendants(roots: set[int]) -> set[int]:
    """``roots`` and every process below them."""
    tree = _children()
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(tree.get(pid, []))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    return f"{pid} ({' '.join(a.decode(errors='replace') for a in argv if a)})"


class Session:
    """A program running in one tmux session."""

    def __init__(self, tmux: Tmux, name: str, status_file: Path) -> None:
        self.tmux = tmux
        self.name = name
        self.status_file = status_file

    def screen(self, escapes: bool = False, history: bool = False) -> str:
        """The pane's text now; ``escapes`` keeps colour codes, ``history`` adds the scrollback."""
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.append("-e")
        if history:
            args += ["-S", "-"]
        return self.tmux.run(*args)

    def send(self, *keys: str) -> None:
        """Keys by tmux name (``Space``, ``Enter``, ``C-c``) or literal text, one at a time."""
        for key in keys:
            self.tmux.run("send-keys", "-t", self.name, key)

    def resize(self, width: int, height: int) -> None:
        """Resize the window (``resize-window`` sets the window size to manual)."""
        self.tmux.run("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))
        shown = self.tmux.run(
            "display-message", "-p", "-t", self.name, "#{window_width}x#{window_height}"
        ).strip()
        assert shown == f"{width}x{height}", f"tmux did not resize the window: it is {shown}"

    def wait_for(
        self,
        condition: Callable[[str], bool],
        what: str,
        deadline_s: float = DEADLINE_S,
        history: bool = False,
    ) -> str:
        """Poll the screen (with the scrollback if ``history``) until ``condition(screen)`` holds;
        return that screen.

        The deadline only turns a hang into a failure (with the last screen in the message).
        """
        end = time.monotonic() + deadline_s
        while True:
            text = self.screen(history=history)
            if condition(text):
                return text
            if time.monotonic() > end:
                raise AssertionError(
                    f"{what}: not seen within {deadline_s:.0f} s; the screen was:\n{text}"
                )
            time.sleep(POLL_S)

    def wait_for_text(self, *needles: str, deadline_s: float = DEADLINE_S) -> str:
        """Poll until every one of ``needles`` is on the screen."""
        return self.wait_for(
            lambda s: all(n in s for n in needles), f"{needles!r} on screen", deadline_s
        )

    def wait_for_exit(self, deadline_s: float = DEADLINE_S) -> tuple[int, str]:
        """Wait until the program has exited; its status and the whole pane (with scrollback)."""
        # tmux's "Pane is dead" line can push the last lines into the scrollback.
        text = self.wait_for(
            lambda s: EXIT_LINE.search(s) is not None, "the program's exit", deadline_s, True
        )
        status = int(self.status_file.read_text().strip())
        assert EXIT_LINE.search(text).group(1) == str(status)
        return status, text
