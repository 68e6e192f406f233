"""Writing a file all at once: the text goes to a temporary file beside the target, which then
takes the target's name in one step, so a reader never sees half a file and a failure leaves
nothing behind. A file that is already there is replaced only when the caller says so.
"""

from __future__ import annotations

import contextlib
import os
import secrets

from .errors import DataError


def _temporary_beside(path: str) -> tuple[int, str]:
    """A new file in ``path``'s folder with the mode open() gives (0o666 less the umask)."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def check_folder(path: str) -> None:
    """Refuse a target whose folder is missing or not writable, or that is a directory."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory; a file name is needed")
    if not os.path.isdir(folder):
        raise DataError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise DataError(f"{path}: the folder {folder} is not writable")


def write_text(path: str, text: str, overwrite: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    Parameters
    ----------
    path : str
    text : str
    overwrite : bool
        Replace a file already at ``path``. Without it an existing file is never touched: the
        temporary file is linked to ``path``, which fails if the name is taken, even when another
        program creates it in the meantime.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    DataError
        The folder is missing or not writable, or the disk refused (the message says why).
    """
    check_folder(path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(path)
    fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # atomic, and refuses an existing name
    except FileExistsError:
        raise
    except OSError as exc:
        raise DataError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
