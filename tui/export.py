"""Files the app hands out: the SVG screenshot and the exports of the command palette.

In a terminal a file is written atomically into the current directory under a new name that says
what it holds and when (``linreg-tui-loss-history-20250101-120000.csv``); a name that is taken is
never overwritten (``-2``, ``-3`` … are tried). In a browser (``--serve``) the same file is sent
to the visitor as a download instead: nothing served writes a path anyone names.
The toast names the file written.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from textual.app import App, SystemCommand

from linreg_tui.core import export as core_export
from linreg_tui.core.errors import DataError
from linreg_tui.core.files import write_text
from linreg_tui.core.session import Session

#: Most names tried before giving up (``name-2`` … ``name-99``).
MAX_TRIES = 99


@dataclass(frozen=True)
class Export:
    """One export of the command palette."""

    title: str
    help: str
    stem: str
    suffix: str
    mime: str
    text: Callable[[Session], str]


EXPORTS = (
    Export(
        "Export loss history (CSV)",
        "the MSE of every epoch so far: epoch,mse",
        "loss-history",
        "csv",
        "text/csv",
        core_export.loss_history_csv,
    ),
    Export(
        "Export loss history (JSON)",
        "the MSE of every epoch so far, as a JSON list",
        "loss-history",
        "json",
        "application/json",
        core_export.loss_history_json,
    ),
    Export(
        "Export current fit (CSV)",
        "the parameters now beside least squares', with MSE, R² and the prediction",
        "fit",
        "csv",
        "text/csv",
        core_export.fit_csv,
    ),
    Export(
        "Export current fit (JSON)",
        "the weights, intercept, MSE, R² and prediction now and at least squares",
        "fit",
        "json",
        "application/json",
        core_export.fit_json,
    ),
)


def new_name(stem: str, suffix: str, folder: str = ".") -> str:
    """``linreg-tui-STEM-YYYYmmdd-HHMMSS.SUFFIX`` in ``folder``, with ``-2`` … if taken."""
    base = os.path.join(folder, f"linreg-tui-{stem}-{time.strftime('%Y%m%d-%H%M%S')}")
    return f"{base}.{suffix}"


def write_new(stem: str, suffix: str, text: str, folder: str = ".") -> str:
    """Write ``text`` under a new name (never over an existing file); returns the path."""
    first = new_name(stem, suffix, folder)
    base = first.removesuffix(f".{suffix}")
    for i in range(1, MAX_TRIES + 1):
        path = first if i == 1 else f"{base}-{i}.{suffix}"
        try:
            write_text(path, text, overwrite=False)
        except FileExistsError:
            continue
        return path
    raise DataError(f"{first}: {MAX_TRIES} files of that name are already there")


def hand_out(app: App, stem: str, suffix: str, mime: str, text: str, served: bool) -> None:
    """Write the file (terminal) or send it as a download (browser), and say which."""
    if served:
        name = os.path.basename(new_name(stem, suffix))
        app.deliver_text(
            io.StringIO(text), save_filename=name, open_method="download", mime_type=mime
        )
        app.notify(f"sent {name} to your browser as a download", title="Exported", timeout=6)
        return
    try:
        path = write_new(stem, suffix, text)
    except DataError as exc:
        app.notify(str(exc), title="Not written", severity="error", timeout=8)
        return
    app.notify(f"wrote {os.path.abspath(path)}", title="Exported", timeout=6)


def system_commands(
    app: App, session: Callable[[], Session], served: bool
) -> Iterable[SystemCommand]:
    """The palette's export commands."""
    for e in EXPORTS:

        def run(e: Export = e) -> None:
            hand_out(app, e.stem, e.suffix, e.mime, e.text(session()), served)

        yield SystemCommand(e.title, e.help, run)
