"""``linreg-tui --serve``: the app in a web browser, through textual-serve.

textual-serve starts one app process per browser tab (each tab is its own session) and relays
keys and screen over a websocket. The app it starts is this command with the same data and
settings plus the hidden ``--served`` flag, which lets it run without a terminal and turns every
file it would write into a download for the visitor: nothing served reads or writes a file a
visitor names.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass

#: The address --serve listens on unless --host says otherwise.
LOOPBACK = "127.0.0.1"
#: Options that are about serving (or running without a screen), not about the app's session.
NOT_FOR_THE_APP = frozenset(
    {
        "serve",
        "port",
        "host",
        "served",
        "headless",
        "json",
        "history",
        "help",
        "version",
        "save_scenario",
        "resume",
        "svg",
        "compare",
        "sweep",
    }
)


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen and what each browser tab runs."""

    host: str
    port: int
    host_given: bool
    app_args: tuple[str, ...]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def parse_port(text: str) -> int:
    """A TCP port, 1–65535. Raises ValueError with a one-line message."""
    try:
        port = int(text.strip())
    except ValueError:
        raise ValueError(f"--port: {text.strip()!r} is not a whole number") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"--port: must be from 1 to 65535, got {port}")
    return port


def app_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[str, ...]:
    """The command-line arguments that give each tab's app the same data and settings: every
    option of ``parser`` that differs from its default, except the serving ones."""
    out: list[str] = []
    for action in parser._actions:  # argparse has no public list of its actions
        if action.dest in NOT_FOR_THE_APP:
            continue
        value = getattr(args, action.dest, None)
        if value == action.default or value is None:
            continue
        if not action.option_strings:  # the data file
            out.append(str(value))
        elif action.nargs == 0:  # a flag
            out.append(action.option_strings[0])
        else:
            out += [action.option_strings[0], str(value)]
    return tuple(out)


def app_command(opts: ServeOptions) -> str:
    """The shell command textual-serve runs for each browser tab."""
    return shlex.join([sys.executable, "-m", "linreg_tui.tui.cli", *opts.app_args, "--served"])


def serve(opts: ServeOptions) -> int:
    """Serve until interrupted (Ctrl+C). Returns the exit status."""
    from textual_serve.server import Server  # aiohttp and friends load only for --serve

    if opts.host_given:
        print(
            f"linreg-tui: warning: serving on {opts.host}: anyone who can reach "
            f"{opts.url} can use the app; there is no authentication",
            file=sys.stderr,
        )
    server = Server(app_command(opts), host=opts.host, port=opts.port, title="linreg-tui")
    try:
        server.serve()
    except OSError as exc:
        print(
            f"linreg-tui: error: cannot serve on {opts.url}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    return 0
