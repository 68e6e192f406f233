"""``linreg-tui --serve`` in a real browser: Debian's chromium, headless, driven by Playwright.

:func:`served` starts the installed command serving on a free loopback port and stops it;
:func:`chromium` opens a fresh headless chromium (a new profile in a temporary directory) that
may load nothing but pages on 127.0.0.1; :class:`Tab` opens the app in a tab, presses keys and
reads the screen's text from the browser's own terminal (xterm.js's buffer), so what is checked
is what a visitor sees.

chromium and Playwright are required: without them these tests fail (they do not skip), since
CI installs them (.ci/run: apt-get install chromium; the test extra: playwright).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tmux import LINREG_TUI

#: The browser: Debian's chromium package (Playwright's own browser download is not used).
CHROMIUM = "/usr/bin/chromium"
#: Flags for a quiet, self-contained headless browser.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Seconds a wait may last before it fails. Generous: it only turns a hang into a failure.
DEADLINE_S = 60.0

#: Runs before the page's scripts: keeps the xterm.js Terminal that textual-serve's page makes
#: (it assigns it to ``this.terminal``) as ``window.__term``, so its buffer can be read.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && !window.__term) { window.__term = value; }
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""
#: The screen's text, one line per row, from the terminal's active buffer.
READ_SCREEN = """
() => {
  const t = window.__term;
  if (!t) return null;
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}
"""


def chromium_or_fail() -> str:
    if not os.path.exists(CHROMIUM):
        raise AssertionError(
            f"{CHROMIUM} is missing: the browser test needs Debian's chromium "
            "(apt-get install chromium; CI installs it)"
        )
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(*args: str, cwd: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``linreg-tui --serve --port P *args`` running in ``cwd``; yields (url, process)."""
    assert LINREG_TUI.is_file(), f"{LINREG_TUI} is missing: install the package"
    port = free_port()
    proc = subprocess.Popen(
        [str(LINREG_TUI), *args, "--serve", "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its app processes are stopped with it
    )
    try:
        wait_until(lambda: _accepts(port) or proc.poll() is not None, "the server to listen")
        assert proc.poll() is None, f"the server exited: {proc.communicate()}"
        yield f"http://127.0.0.1:{port}/", proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(ready: Callable[[], object], what: str, deadline_s: float = DEADLINE_S):
    end = time.monotonic() + deadline_s
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {deadline_s:.0f} s for {what}")
        time.sleep(0.02)


@contextlib.contextmanager
def chromium(profile: Path, viewport: tuple[int, int] = (1280, 800)):
    """A headless chromium with a fresh profile; yields a Playwright browser context."""
    from playwright.sync_api import sync_playwright

    chromium_or_fail()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=list(FLAGS),
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            # Nothing but the local server: the page's web font link would go elsewhere.
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                    else route.abort()
                ),
            )
            context.add_init_script(CATCH_TERMINAL)
            yield context
        finally:
            context.close()


class Tab:
    """The app in one browser tab."""

    def __init__(self, context, url: str) -> None:
        self.page = context.new_page()
        self.page.goto(url)
        self.wait_for("epoch 0/")
        # Keys go to the terminal's hidden text area, as a visitor's typing does.
        self.page.evaluate("() => window.__term.focus()")

    def size(self) -> tuple[int, int]:
        """The terminal's (columns, rows) in this tab."""
        return tuple(self.page.evaluate("() => [window.__term.cols, window.__term.rows]"))

    def screen(self) -> str:
        """The terminal's text, or "" for a look that did not complete: starting a download
        can drop the evaluation under way ("Resulting promise was garbage collected"), and a
        wait simply looks again."""
        from playwright.sync_api import Error

        try:
            return self.page.evaluate(READ_SCREEN) or ""
        except Error as exc:
            if "garbage collected" not in str(exc):
                raise
            return ""

    def wait_for(self, text: str, deadline_s: float = DEADLINE_S) -> str:
        """Wait until ``text`` is on the screen; returns the screen. (The tab is brought to the
        front: a browser runs a background tab's timers, and so its terminal, once a second.)"""
        self.page.bring_to_front()
        return wait_until(
            lambda: (s := self.screen()) and text in s and s,
            f"{text!r} on the browser's screen",
            deadline_s,
        )

    def wait_until_gone(self, text: str) -> str:
        return wait_until(
            lambda: (s := self.screen()) and text not in s and s, f"{text!r} to go away"
        )

    def press(self, key: str) -> None:
        """Type a key into this tab (brought to the front first: a browser barely runs a tab
        in the background, as when a person looks at another one)."""
        self.page.bring_to_front()
        self.page.evaluate("() => window.__term.focus()")  # a popup may have taken the focus
        self.page.keyboard.press(key)

    def close(self) -> None:
        self.page.close()
