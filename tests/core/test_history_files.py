"""``--history`` on whatever the path names, and signals during a headless run, for real in
subprocesses.

The history never replaces what is not a regular file of its own: a device is written to (a
private device node made with mknod in a temporary folder, never the real /dev), a symbolic
link's target is written and the link kept, a hard-linked file is written in place; a read-only
file is refused (exit 2) as a shell's ``>`` would refuse it; a full device is exit 2 with "No
space left on device". SIGTERM and SIGHUP during a run leave no temporary file; SIGINT, also while
the data are still loading, ends with one line and exit status 130.

Device nodes need root (CI runs as root). As root, permission bits do not stop writes, so the
read-only case drops the capability that overrides them (util-linux ``setpriv``), which is what
makes an ordinary user's shell refuse the file.
"""

from __future__ import annotations

import csv
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from test_cli import COMMAND, ENV, run

#: Generous: only turns a hang into a failure.
DEADLINE_S = 60.0

ROOT = os.geteuid() == 0


def mknod(path: Path, major: int, minor: int) -> None:
    assert ROOT, "device nodes need root (CI runs as root)"
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def history_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_onto_a_device_it_writes_to_the_device(tmp_path):
    null = tmp_path / "null"
    mknod(null, 1, 3)  # the null device's numbers
    result = run("--headless", "--history", str(null))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.lstat().st_mode), "the device was replaced by a file"
    assert names(tmp_path) == {"null"}  # no temporary file beside it


def test_a_full_device_is_exit_2_no_space_left(tmp_path):
    full = tmp_path / "full"
    mknod(full, 1, 7)  # the full device's numbers: every write fails with ENOSPC
    result = run("--headless", "--history", str(full))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"linreg-tui: error: {full}: No space left on device"], (
        result.stderr
    )
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert names(tmp_path) == {"full"}


def test_onto_a_symbolic_link_it_writes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "data" / "history.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o600)
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    result = run("--headless", "--epochs", "3", "--history", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    rows = history_rows(target)
    assert rows[0][0] == "epoch" and [r[0] for r in rows[1:]] == ["0", "1", "2", "3"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the file keeps its permissions
    assert names(target.parent) == {"history.csv"}
    # A link to a file that does not exist yet: the file is created, the link kept.
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(tmp_path / "data" / "made.csv")
    assert run("--headless", "--epochs", "1", "--history", str(dangling)).returncode == 0
    assert dangling.is_symlink() and len(history_rows(tmp_path / "data" / "made.csv")) == 3


def test_a_hard_linked_file_is_written_in_place(tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("old\n")
    second = tmp_path / "b.csv"
    os.link(first, second)
    assert run("--headless", "--epochs", "2", "--history", str(first)).returncode == 0
    assert first.read_text() == second.read_text() != "old\n"
    assert first.stat().st_ino == second.stat().st_ino


def test_a_read_only_file_is_refused_as_a_shell_would(tmp_path):
    target = tmp_path / "ro.csv"
    target.write_text("keep me\n")
    os.chmod(target, 0o444)
    drop = ["dac_override", "dac_read_search"]
    prefix = (
        [
            "setpriv",
            "--bounding-set=" + ",".join(f"-{c}" for c in drop),
            "--inh-caps=" + ",".join(f"-{c}" for c in drop),
        ]
        if ROOT
        else []
    )
    shell = subprocess.run(
        [*prefix, "sh", "-c", f"echo x > {target}"], capture_output=True, text=True
    )
    assert shell.returncode != 0  # the shell refuses it too
    result = subprocess.run(
        [*prefix, *COMMAND, "--headless", "--history", str(target)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "not writable" in result.stderr
    assert target.read_text() == "keep me\n"
    assert names(tmp_path) == {"ro.csv"}


def wait_for(condition, what: str):
    end = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < end, f"{what}: not within {DEADLINE_S:.0f} s"
        time.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_run_leaves_no_temporary_file(tmp_path, signum):
    folder = tmp_path / "out"
    folder.mkdir()
    proc = subprocess.Popen(
        [*COMMAND, "--headless", "--epochs", "100000000", "--history", str(folder / "h.csv")],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        # The run is writing once its temporary file exists and has grown.
        wait_for(
            lambda: any(p.stat().st_size > 0 for p in folder.iterdir()), "the temporary history"
        )
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=DEADLINE_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert names(folder) == set(), "a temporary or half-written file was left"
    assert out == ""
    assert len(err.splitlines()) == 1 and "nothing was written" in err, err
    expected = 130 if signum == signal.SIGINT else -signum  # ended by the signal itself
    assert proc.returncode == expected


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_loading_is_one_line(tmp_path, signum):
    # A FIFO as the data file: the loader is certainly still reading when the signal arrives.
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [*COMMAND, str(fifo), "--headless"],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    writer = os.open(fifo, os.O_WRONLY)  # returns once the loader has opened the file
    try:
        os.write(writer, b"x,y\n1,2\n2,3\n")
        # The loader has read that and waits for more: blocked reading the pipe.
        wchan = Path(f"/proc/{proc.pid}/wchan")
        wait_for(lambda: "pipe_read" in wchan.read_text(), "the loader waiting for more rows")
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=DEADLINE_S)
    finally:
        os.close(writer)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert proc.returncode == (130 if signum == signal.SIGINT else -signum)


def test_dev_stdout_into_a_pipe_gets_the_history():
    # /dev/stdout is a link to /proc/self/fd/1, here a pipe with no name: written, not resolved.
    result = run("--headless", "--epochs", "2", "--history", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "epoch,m,b,mse,grad_m,grad_b"
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert lines[4].startswith("Slope: ")
