"""The first frame before the data: a small app that shows the load's progress while a thread
reads the file and builds the session, then hands the session to the main app.

The command line runs it for files large enough to take a noticeable time (see
:data:`OPEN_AT_ONCE_BYTES`): its first frame comes at once, whatever the file's size. It shows the
file, a progress bar, rows read and MB/s, then "solving least squares" while the reference is
computed. Keys that need the data say so politely and wait; ``q`` or ``ctrl+c`` gives up (the
command exits 130). A bad file ends it with the loader's one-line message (exit 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import get_current_worker

#: Files at least this large open through the loading screen (smaller ones load in well under
#: the time a frame takes to appear anyway).
OPEN_AT_ONCE_BYTES = 1 << 20
#: The screen is updated at most this often while loading.
UPDATE_EVERY_S = 0.1

#: progress(bytes_read, total_bytes or None, rows) -> None
Progress = Callable[[int, "int | None", int], None]


class Cancelled(Exception):
    """The user quit while the data was loading."""


@dataclass
class Outcome:
    """How the load ended: ``result`` (whatever the build returned), or an error message."""

    result: object = None
    error: str | None = None


class LoadingApp(App[Outcome]):
    """Shows the load of ``name`` while ``build(progress, stage)`` runs in a thread.

    Parameters
    ----------
    name : str
        The file, for the title line.
    build : callable
        ``build(progress, stage)`` loads and returns the result; it calls ``progress`` per block
        and ``stage(text)`` when it moves on (to solving least squares). Errors of the types in
        ``errors`` end the app with their message.
    errors : tuple of exception types
    """

    CSS = """
    LoadingApp { align: center middle; }
    #loading { width: 72; height: auto; border: round $accent; padding: 1 2; }
    #loading-bar { width: 100%; }
    #loading-bar Bar { width: 1fr; }
    """
    BINDINGS = [
        Binding("q", "give_up", "Quit", id="quit"),
        Binding("ctrl+c", "give_up", "Quit", show=False, id="interrupt"),
        *(
            Binding(key, "wait", show=False)
            for key in (
                "space",
                "backspace",
                "r",
                "e",
                "l",
                "1",
                "2",
                "3",
                "4",
                "5",
                "question_mark",
            )
        ),
    ]

    def __init__(self, name: str, build: Callable, errors: tuple[type[BaseException], ...]):
        super().__init__()
        self.file_name = name
        self._build = build
        self._errors = errors
        self._started = time.perf_counter()
        self._shown_at = 0.0
        self.stage = "reading"

    def compose(self) -> ComposeResult:
        with Vertical(id="loading"):
            yield Static(f"linreg-tui: reading {self.file_name}", id="loading-title")
            yield ProgressBar(total=None, show_eta=False, id="loading-bar")
            yield Static("", id="loading-rate")
            yield Static(
                "The panes open when the data is read, least squares filling in after; q quits.",
                id="loading-hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int | None, rows: int) -> None:
            if worker.is_cancelled:
                raise Cancelled
            now = time.perf_counter()
            if now - self._shown_at >= UPDATE_EVERY_S:
                self._shown_at = now
                self.call_from_thread(self.show_progress, done, total, rows, now)

        def stage(text: str) -> None:
            if worker.is_cancelled:
                raise Cancelled
            self.call_from_thread(self.show_stage, text)

        try:
            result = self._build(progress, stage)
        except Cancelled:
            return
        except self._errors as exc:
            self.call_from_thread(self.exit, Outcome(error=str(exc)), 2)
            return
        self.call_from_thread(self.exit, Outcome(result=result))

    def show_progress(self, done: int, total: int | None, rows: int, now: float) -> None:
        bar = self.query_one("#loading-bar", ProgressBar)
        bar.update(total=total, progress=done)
        elapsed = max(now - self._started, 1e-9)
        self.query_one("#loading-rate", Static).update(
            f"{rows:,} rows, {done / 1e6:,.0f} MB"
            + (f" of {total / 1e6:,.0f} MB" if total else "")
            + f", {done / elapsed / 1e6:,.0f} MB/s"
        )

    def show_stage(self, text: str) -> None:
        self.stage = text
        self.query_one("#loading-title", Static).update(f"linreg-tui: {text}")
        bar = self.query_one("#loading-bar", ProgressBar)
        bar.update(total=None)

    def action_wait(self) -> None:
        self.notify(
            f"The data is still loading ({self.stage}); that key works once the panes are open.",
            timeout=3,
        )

    def action_give_up(self) -> None:
        self.workers.cancel_group(self, "load")
        self.exit(Outcome(error=None), 130)
