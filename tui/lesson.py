"""Scenarios in the app: a lesson's note and hidden settings, and ctrl+s to save a scenario.

A scenario's ``hide = [...]`` hides those settings' fields from the settings panel (their values
still apply), and its ``note`` is shown under the status lines. ctrl+s writes the current data
and settings to a scenario file (asking for the name, and again before replacing a file); in a
browser it is a download.
"""

from __future__ import annotations

import os

from linreg_tui.core import scenario
from linreg_tui.core.errors import DataError
from linreg_tui.core.files import write_text

from . import export
from .data_editing import ConfirmDialog, ValuesDialog, _parse_file_name
from .toggle import Toggle


def hide_settings(panel, names: tuple[str, ...]) -> None:
    """Hide the fields of ``names`` (with their labels) in the settings panel, for good: the
    panel's own showing and hiding (by what applies) toggles a class, this sets ``display``."""
    for name in names:
        for widget in panel.query(f"#set-{name}"):
            holder = widget if isinstance(widget, Toggle) else widget.parent
            holder.display = False


def scenario_text(app, folder: str) -> str:
    """The current data and settings as a scenario (the data's file is named only while the
    data is still as loaded from it)."""
    ds = app.session.dataset
    if ds.streamed is not None:
        raise DataError(
            "a scenario holds the data's rows, and --stream keeps only their sums and a sample; "
            "save a scenario from the data loaded without --stream"
        )
    path = app.data_path if ds.source == app.loaded_source else None
    return scenario.dumps(ds, app.session.hp, path, note=app.note, hide=app.hide, folder=folder)


def save(app) -> None:
    """ctrl+s: ask for a file name, write the scenario (or send it, in a browser)."""
    try:
        if app.served:
            text = scenario_text(app, ".")
            export.hand_out(app, "scenario", "toml", "application/toml", text, served=True)
            return
        scenario_text(app, ".")  # refuse at once what cannot be saved (too many rows)
    except DataError as exc:
        app.notify(str(exc), title="Not saved", severity="error", timeout=8)
        return
    source = app.data_path or "lesson"
    default = os.path.splitext(os.path.basename(source))[0] + "-scenario.toml"

    def write(path: str, overwrite: bool) -> None:
        try:
            text = scenario_text(app, os.path.dirname(os.path.abspath(path)))
            write_text(path, text, overwrite=overwrite)
        except FileExistsError:
            app.push_screen(
                ConfirmDialog(f"{path} exists. Replace it?"),
                lambda yes: write(path, True) if yes else app.notify("Not saved."),
            )
            return
        except DataError as exc:
            app.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return
        app.notify(
            f"wrote {os.path.abspath(path)}: open it with linreg-tui {path}",
            title="Scenario saved",
            timeout=6,
        )

    app.push_screen(
        ValuesDialog("Save a scenario", ["file"], [default], parse=_parse_file_name),
        lambda texts: texts is not None and write(texts[0].strip(), False),
    )
