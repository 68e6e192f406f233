"""Signals that end the program: SIGINT, SIGTERM and SIGHUP (a closed SSH connection sends it).

Whatever is running when one arrives gets to clean up first: a headless run removes its temporary
history file (the signal becomes an exception that unwinds through ``finally`` blocks), and the
app restores the terminal (the signal becomes a quit). Then SIGTERM and SIGHUP are delivered
again with their default action, so the parent sees the process end by that signal, as it would
for any program; SIGINT ends with exit status 130, as documented.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import termios
from collections.abc import Iterator

#: The signals that end a run, in the order they are handled.
ENDING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived (a BaseException, like KeyboardInterrupt, so that ``except
    Exception`` blocks do not swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise(signum: int, _frame) -> None:
    raise Signalled(signum)


@contextlib.contextmanager
def as_exceptions() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Signalled` inside the block (SIGINT already raises
    KeyboardInterrupt)."""
    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def name(signum: int) -> str:
    return signal.Signals(signum).name


def exit_status(signum: int) -> int:
    """End the process by ``signum`` with its default action (SIGTERM, SIGHUP), so that the
    parent sees how it ended; return the shell's number for it if that did not end it, and 130
    for SIGINT."""
    if signum == signal.SIGINT:
        return 130
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    return 128 + signum


def terminal_gone() -> bool:
    """True when the controlling terminal has hung up (its SSH connection or window closed):
    then there is nothing to restore, and writing to it would only block or fail."""
    try:
        termios.tcgetattr(sys.__stdout__.fileno())
    except (termios.error, OSError, ValueError, AttributeError):
        return True
    return False


def end_now(signum: int) -> None:
    """End the process at once by ``signum`` (130 for SIGINT), without cleaning up the screen."""
    if signum != signal.SIGINT:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(130 if signum == signal.SIGINT else 128 + signum)
