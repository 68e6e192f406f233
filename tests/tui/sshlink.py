"""A real SSH login to 127.0.0.1 through a slow link, for the test and the benchmark.

:class:`SshLink` starts an sshd of its own (its own host key, its own ``sshd_config``, its own
authorized key, a free port on 127.0.0.1; nothing of the system's sshd or ssh config is used) and
a throttling relay (``slow_link.py``) in front of it, and gives the ``ssh`` command line that
logs in through the relay. :meth:`SshLink.stop` stops both; it is safe to call twice.

sshd must be installed (``apt-get install openssh-server``; CI's ``.ci/run`` does it).
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Seconds to wait for sshd or the relay to come up.
START_S = 15.0


def sshd_or_fail() -> str:
    for path in (shutil.which("sshd"), "/usr/sbin/sshd"):
        if path and os.access(path, os.X_OK):
            return path
    raise AssertionError(
        "sshd is not installed: the real-SSH test needs it "
        "(apt-get install openssh-server; CI installs it)"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SshLink:
    """sshd on 127.0.0.1 behind a relay of ``rate`` bytes/s and ``delay_ms`` each way.

    Parameters
    ----------
    directory : Path
        Where keys, config, pid and logs go (a temporary directory).
    rate : float
        Bytes a second, each way.
    delay_ms : float
        One-way delay.
    queue : int
        Most bytes the relay holds in flight per direction.
    """

    def __init__(self, directory: Path, rate: float, delay_ms: float, queue: int = 16384):
        self.dir = directory
        self.user = getpass.getuser()
        self._sshd: subprocess.Popen | None = None
        self._relay: subprocess.Popen | None = None
        sshd = sshd_or_fail()
        keygen = shutil.which("ssh-keygen") or "ssh-keygen"
        for name in ("host_key", "client_key"):
            subprocess.run(
                [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(directory / name)],
                check=True,
            )
        (directory / "authorized_keys").write_text((directory / "client_key.pub").read_text())
        self.port = _free_port()
        config = directory / "sshd_config"
        config.write_text(
            f"Port {self.port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {directory / 'host_key'}\n"
            f"PidFile {directory / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {directory / 'authorized_keys'}\n"
            f"AllowUsers {self.user}\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "UsePAM no\n"
            "StrictModes no\n"
            "PermitRootLogin prohibit-password\n"
            "PrintMotd no\n"
            "PrintLastLog no\n"
            "Banner none\n"
            "LogLevel ERROR\n"
        )
        host_pub = (directory / "host_key.pub").read_text().split()
        self.known_hosts = directory / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:* {host_pub[0]} {host_pub[1]}\n")
        if os.geteuid() == 0:
            # sshd running as root wants its privilege-separation directory (an empty
            # root-owned directory that systemd would make; a container may lack it).
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self._sshd = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=open(directory / "sshd.log", "wb"),  # noqa: SIM115 (closed with the process)
        )
        self._relay = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "slow_link.py"),
                str(self.port),
                str(rate),
                str(delay_ms),
                str(queue),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._relay.stdout is not None
        self.relay_port = int(self._relay.stdout.readline())
        self._wait_for_sshd()

    def _wait_for_sshd(self) -> None:
        import socket

        end = time.monotonic() + START_S
        while True:
            if self._sshd is not None and self._sshd.poll() is not None:
                log = (self.dir / "sshd.log").read_text(errors="replace")
                raise AssertionError(f"sshd exited at start: {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > end:
                    raise AssertionError("sshd did not start listening") from None
                time.sleep(0.05)

    def ssh_argv(self, remote: list[str]) -> list[str]:
        """``ssh`` through the relay, with a terminal, running ``remote`` (a command line)."""
        return [
            shutil.which("ssh") or "ssh",
            "-F",
            "/dev/null",
            "-tt",
            "-p",
            str(self.relay_port),
            "-i",
            str(self.dir / "client_key"),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "LogLevel=ERROR",
            f"{self.user}@127.0.0.1",
            shlex.join(remote),
        ]

    def stop(self) -> None:
        """Stop the relay and sshd (and with it every session it started)."""
        for proc in (self._relay, self._sshd):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._relay = self._sshd = None
