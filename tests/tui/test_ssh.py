"""linreg-tui over a real SSH login through a slow link: keys still work during a full-speed run.

An sshd of the test's own on 127.0.0.1 (own keys and config), a throttling relay in front of it
(20 KB/s with 50 ms each way at 80×24, as a poor mobile link; 1 Mbit/s at 200×60), ``ssh`` in
tmux (the terminal) running the installed ``linreg-tui`` on the far side. During a run at full
speed, a pause (``r``) and the log scale (``l``) must show on the screen: before the frames were
paced, the screen ran tens of seconds behind the app and the keys looked dead.

The time from key to effect is measured and printed (``-s`` shows it), not asserted: these
machines are shared and noisy; ``benchmarks/bench_ssh.py`` reports it against the targets. The
deadline here (30 s) only turns a hang into a failure. Everything started is stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sshlink import SshLink
from tmux import LINREG_TUI

#: A budget that a run cannot spend during the test (about a minute at full speed).
BUDGET = "100000000"
#: Seconds of full-speed running before a key: long enough to fill every buffer on the way if
#: the frames were not paced.
FILL_S = 4.0
#: What the loss pane's title says on a log scale (tabbed: "· log scale"; side by side: "· log").
LOG_SCALE = "· log"


#: (bytes/s, one-way delay ms, terminal size): a poor mobile link at 80×24; 1 Mbit/s at 200×60.
LINKS = {"20KBps-80x24": (20_000, 50, (80, 24)), "1Mbit-200x60": (125_000, 50, (200, 60))}


@pytest.fixture(params=list(LINKS))
def link(request, tmp_path: Path) -> Iterator[tuple[SshLink, tuple[int, int]]]:
    rate, delay_ms, size = LINKS[request.param]
    link = SshLink(tmp_path, rate=rate, delay_ms=delay_ms)
    try:
        yield link, size
    finally:
        link.stop()


def key_to_effect(session, key: str, shows, what: str) -> float:
    """Seconds from sending ``key`` to ``shows(screen)`` holding."""
    t0 = time.monotonic()
    session.send(key)
    session.wait_for(shows, what)
    return time.monotonic() - t0


def test_keys_take_effect_during_a_full_speed_run_over_a_slow_ssh_link(link, tmux):
    link, (width, height) = link
    remote = ["env", "LANG=C.UTF-8", str(LINREG_TUI), "--epochs", BUDGET]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(link.dir), "TERM": "xterm-256color"}
    session = tmux.start("ssh", link.ssh_argv(remote), env, width, height)
    session.wait_for_text("epoch 0/100,000,000", "q Quit")

    latencies = []
    for _ in range(2):
        session.send("e")  # to the end, at full speed
        session.wait_for_text("running")
        time.sleep(FILL_S)
        latencies.append(
            key_to_effect(session, "r", lambda s: "running" not in s, "the pause (r) shown")
        )
        paused = session.screen()
        assert "ready" in paused, paused

        session.send("e")
        session.wait_for_text("running")
        time.sleep(FILL_S)
        log_on = LOG_SCALE not in session.screen()
        latencies.append(
            key_to_effect(
                session,
                "l",
                lambda s, on=log_on: (LOG_SCALE in s) == on,
                "the log scale (l) shown",
            )
        )
        session.send("r")
        session.wait_for(lambda s: "running" not in s, "paused")

    print(f"\nkey to effect ({width}x{height}): {[round(t, 2) for t in latencies]} s")
    session.send("q")
    status, text = session.wait_for_exit()
    assert status == 0, text
