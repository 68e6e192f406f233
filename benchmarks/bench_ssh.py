"""linreg-tui in real terminals and over a real SSH login through a slow link: what frames cost
in bytes and CPU, how fast keys show, and what drawing adds to a run to the end.

Run from the repository root (needs tmux, and sshd for part 1)::

    .venv/bin/python benchmarks/bench_ssh.py            # about 4 minutes
    .venv/bin/python benchmarks/bench_ssh.py --quick    # about 2 minutes: fewer samples

It prints the machine and its load, then one markdown table, each row beside its target:

1. **Key to effect over SSH**: an sshd of its own on 127.0.0.1 behind a throttling relay
   (``tests/tui/slow_link.py``), ``ssh`` in tmux running the installed ``linreg-tui``; during a run
   at full speed (``e``, after a few seconds to fill every buffer on the way), ``r`` (pause) and
   ``l`` (log scale) are pressed and the time until tmux's screen shows the change is measured:
   20 KB/s with 50 ms each way at 80×24, 1 Mbit/s with 50 ms each way at 200×60.
2. **Bytes and CPU of a paced run**: ``linreg-tui`` in tmux, running at 1 and at 100 epochs a
   second, at 80×24 and at 200×60; the bytes it writes (tmux ``pipe-pane``) and its CPU time
   (``/proc``: user + system, all threads) over a stretch of seconds. Under the table, an audit
   of the 1 epoch/s runs: the output cut into frames (at the pacer's ``ESC [ 6 n`` after each)
   and each piece of a frame put down to the widget it paints (``tests/tui/frame_audit.py``, on
   the widgets' regions from a pilot run at the same size), in bytes a second and a frame.
3. **A run to the end**: 10,000,000 epochs of the seed data. Headless: ``linreg-tui --headless``
   less the same command with 1 epoch (its start-up); in the app: from ``e`` until the screen
   says "budget spent", at 80×24 and 200×60. Runs alternate, so a busy spell of the (shared)
   machine falls on both.

A measurement, not a test: nothing here asserts. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from report import markdown, yes  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from frame_audit import by_widget, regions  # noqa: E402  (tests/tui: the pilot tests' audit)
from sshlink import SshLink  # noqa: E402  (tests/tui: the real-SSH test's own helpers)
from tmux import Tmux  # noqa: E402

LINREG_TUI = Path(sys.executable).parent / "linreg-tui"
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm-256color"}
TICK = os.sysconf("SC_CLK_TCK")
RUN_EPOCHS = 10_000_000
LOG_SCALE = "· log"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def app_pid(session) -> int:
    """The linreg-tui process in a tmux pane (the pane's process or one of its children)."""
    pane = int(session.tmux.run("display-message", "-p", "-t", session.name, "#{pane_pid}"))
    todo = [pane]
    while todo:
        pid = todo.pop()
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        argv = cmd.split(b"\0")
        if len(argv) > 1 and argv[1].endswith(b"/linreg-tui"):  # python …/linreg-tui
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        todo += [int(c) for c in children.read_text().split()] if children.exists() else []
    raise RuntimeError("no linreg-tui process in the pane")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


# -- 1. key to effect over ssh --------------------------------------------------------------------


def ssh_latency(rate: float, size: tuple[int, int], samples: int, fill_s: float) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bench-ssh-") as d:
        directory = Path(d)
        link = SshLink(directory, rate=rate, delay_ms=50)
        tmux = Tmux(directory)
        try:
            remote = ["env", "LANG=C.UTF-8", str(LINREG_TUI), "--epochs", "100000000"]
            env = {**ENV, "HOME": str(directory)}
            s = tmux.start("ssh", link.ssh_argv(remote), env, *size)
            s.wait_for_text("epoch 0/100,000,000", "q Quit")
            out = []
            for i in range(samples):
                s.send("e")
                s.wait_for_text("running")
                time.sleep(fill_s)
                if i % 2 == 0:
                    key, shows = "r", (lambda t: "running" not in t)
                else:
                    on = LOG_SCALE not in s.screen()
                    key, shows = "l", (lambda t, on=on: (LOG_SCALE in t) == on)
                t0 = time.monotonic()
                s.send(key)
                s.wait_for(shows, f"{key} shown")
                out.append(time.monotonic() - t0)
                say(f"ssh {rate / 1000:g} kB/s {size}: {key} {out[-1]:.2f} s")
                if key == "l":
                    s.send("r")
                s.wait_for(lambda t: "running" not in t, "paused")
            s.send("q")
            s.wait_for_exit()
            return out
        finally:
            tmux.kill()
            link.stop()


# -- 2. bytes and CPU of a paced run --------------------------------------------------------------


def paced(size: tuple[int, int], slower: int, seconds: float) -> tuple[float, float, str]:
    """(bytes a second, share of a core, what was written) of a run at 100 epochs/s slowed
    ``slower`` steps."""
    with tempfile.TemporaryDirectory(prefix="bench-paced-") as d:
        directory = Path(d)
        tmux = Tmux(directory)
        try:
            s = tmux.start("paced", [str(LINREG_TUI), "--epochs", "100000000"], ENV, *size)
            s.wait_for_text("epoch 0/", "q Quit")
            for _ in range(slower):
                s.send("-")
            s.send("r")
            s.wait_for_text("running")
            time.sleep(1.5)  # past the first frames
            pid = app_pid(s)
            written = directory / "written"
            tmux.run("pipe-pane", "-t", "paced", "-O", f"cat >> {written}")
            time.sleep(0.5)
            b0, c0, t0 = written.stat().st_size, cpu_s(pid), time.monotonic()
            time.sleep(seconds)
            b1, c1, t1 = written.stat().st_size, cpu_s(pid), time.monotonic()
            data = written.read_bytes()[b0:b1].decode("utf-8", "replace")
            return (b1 - b0) / (t1 - t0), (c1 - c0) / (t1 - t0), data
        finally:
            tmux.kill()


def layout_of(size: tuple[int, int]) -> list:
    """The widgets' regions at ``size`` (the app's layout, from a pilot run of the same app)."""
    import asyncio

    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session
    from linreg_tui.tui.app import make_app

    app = make_app(Session(seed_dataset(), Hyperparameters(epochs=100_000_000)))

    async def run() -> list:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return regions(app)

    return asyncio.run(run())


def audit(size: tuple[int, int], written: str, seconds: float) -> str:
    """What each frame of a paced run sent, by pane (frames end at the pacer's question)."""
    frames = [f for f in written.split("\x1b[6n") if f]
    shown = layout_of(size)
    total = sum((by_widget(f, shown) for f in frames), Counter())
    sizes = [len(f.encode()) for f in frames]
    lines = [
        f"{size[0]}×{size[1]}, paced 1 epoch/s: {len(frames)} frames in {seconds:g} s, "
        f"{statistics.mean(sizes) / 1000:.2f} kB a frame (largest {max(sizes) / 1000:.2f} kB)"
        if sizes
        else f"{size[0]}×{size[1]}: no frames"
    ]
    rows = [
        [
            name,
            f"{n / seconds:,.0f}",
            f"{n / max(1, len(frames)):,.0f}",
            f"{n / sum(total.values()):.0%}",
        ]
        for name, n in total.most_common()
    ]
    return "\n".join(lines) + "\n\n" + markdown(["widget", "B/s", "B a frame", "share"], rows)


# -- 3. a run to the end --------------------------------------------------------------------------


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def headless_run(epochs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``linreg-tui --headless``, less its start-up."""

    def once(n: int) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), children_cpu()
        subprocess.run(
            [str(LINREG_TUI), "--headless", "--epochs", str(n)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - t0, children_cpu() - c0

    (w1, c1), (w0, c0) = once(epochs), once(1)
    return w1 - w0, c1 - c0


def app_run(size: tuple[int, int], epochs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the app) from ``e`` to "budget spent" on the screen."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as d:
        tmux = Tmux(Path(d))
        try:
            s = tmux.start("run", [str(LINREG_TUI), "--epochs", str(epochs)], ENV, *size)
            s.wait_for_text("epoch 0/", "q Quit")
            time.sleep(0.5)
            pid = app_pid(s)
            t0, c0 = time.monotonic(), cpu_s(pid)
            s.send("e")
            s.wait_for(lambda t: "budget spent" in t, "the end", deadline_s=300)
            return time.monotonic() - t0, cpu_s(pid) - c0
        finally:
            tmux.kill()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer samples, shorter stretches")
    ap.add_argument("--no-ssh", action="store_true", help="skip part 1 (no sshd here)")
    ap.add_argument(
        "--parts",
        default="123",
        help="which parts to run: 1 keys over SSH, 2 paced runs, 3 runs to the end (default 123)",
    )
    args = ap.parse_args()
    samples, seconds, reps = (2, 5.0, 1) if args.quick else (4, 10.0, 2)

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows: list[list[str]] = []

    if "1" in args.parts and not args.no_ssh:
        for rate, size, target in ((20_000, (80, 24), 2.0), (125_000, (200, 60), 0.5)):
            lat = ssh_latency(rate, size, samples, fill_s=4.0)
            rows.append(
                [
                    f"key to effect over SSH, {rate * 8 / 1000:g} kbit/s 50 ms, "
                    f"{size[0]}×{size[1]}",
                    f"median {statistics.median(lat):.2f} s, max {max(lat):.2f} s "
                    f"({len(lat)} keys)",
                    f"≤ {target} s",
                    yes(max(lat) <= target),
                ]
            )

    audits: list[str] = []
    for size in ((80, 24), (200, 60)) if "2" in args.parts else ():
        for slower, speed in ((4, 1), (0, 100)):
            rate, core, written = paced(size, slower, seconds)
            if speed == 1:
                audits.append(audit(size, written, seconds))
            say(f"paced {speed}/s {size}: {rate:.0f} B/s, {core:.1%}")
            if speed == 1:
                target, ok = "≤ 10 KB/s", rate <= 10_000
            else:
                limit = 0.25 if size == (80, 24) else 0.35
                target, ok = f"≤ {limit:.0%} of a core", core <= limit
            rows.append(
                [
                    f"paced {speed} epoch{'s' if speed > 1 else ''}/s, {size[0]}×{size[1]}",
                    f"{rate / 1000:.1f} KB/s, {core:.1%} of a core",
                    target,
                    yes(ok),
                ]
            )

    # Side by side: each app run next to a headless run of its own; CPU time is the fair
    # measure on a shared machine (wall time is also shown: it moves with the others' load).
    for size in ((80, 24), (200, 60)) if "3" in args.parts else ():
        walls, cpus = [], []
        for _ in range(reps):
            hw, hc = headless_run(RUN_EPOCHS)
            aw, ac = app_run(size, RUN_EPOCHS)
            say(f"{size}: headless {hw:.2f} s ({hc:.2f} s CPU), app {aw:.2f} s ({ac:.2f} s CPU)")
            walls.append((aw, hw))
            cpus.append((ac, hc))
        cpu_ratio = statistics.median(a / h for a, h in cpus)
        wall_ratio = statistics.median(a / h for a, h in walls)
        ac, hc = cpus[-1]
        rows.append(
            [
                f"{RUN_EPOCHS:,} epochs to the end in the app, {size[0]}×{size[1]}",
                f"CPU {cpu_ratio:.2f}× headless (last: {ac:.1f} s vs {hc:.1f} s); "
                f"wall {wall_ratio:.2f}×",
                "≤ 1.25×",
                yes(cpu_ratio <= 1.25),
            ]
        )
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(markdown(["measurement", "result", "target", "met"], rows))
    for text in audits:
        print()
        print(text)


if __name__ == "__main__":
    main()
