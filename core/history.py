"""Writing a run's per-epoch history to CSV, all or nothing.

Rows go to a temporary file beside the target, which is renamed into place only when the run has
finished writing: a run that fails or is interrupted leaves no half-written file behind. What is
not a regular file of the history's own (a device, a FIFO, a hard-linked file) is never replaced:
it is written in place, as a shell's ``>`` would; a symbolic link's target is written and the link
kept.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import stat
from collections.abc import Iterator

from .errors import DataError
from .trainer import Records


def history_header(
    feature_names: tuple[str, ...],
    fit_intercept: bool,
    penalised: bool = False,
    validation: bool = False,
) -> list[str]:
    """Column names: epoch, the parameters, mse, the gradient; then J (``loss``) with a penalty
    and the held-out rows' MSE (``validation_mse``) with a validation split."""
    if len(feature_names) == 1:
        weights, grads = ["m"], ["grad_m"]
    else:
        weights = [f"w_{name}" for name in feature_names]
        grads = [f"grad_w_{name}" for name in feature_names]
    b, gb = (["b"], ["grad_b"]) if fit_intercept else ([], [])
    extra = (["loss"] if penalised else []) + (["validation_mse"] if validation else [])
    return ["epoch", *weights, *b, "mse", *grads, *gb, *extra]


class HistoryWriter:
    """Rows of records, in float repr (round-trips exactly)."""

    def __init__(self, handle, fit_intercept: bool) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._intercept = fit_intercept

    def header(self, names: list[str]) -> None:
        self._writer.writerow(names)

    def records(self, recs: Records) -> None:
        columns = [recs.epochs.tolist()]
        columns += [recs.weights[:, j].tolist() for j in range(recs.weights.shape[1])]
        if self._intercept:
            columns.append(recs.intercept.tolist())
        columns.append(recs.mse.tolist())
        columns += [recs.grad_weights[:, j].tolist() for j in range(recs.grad_weights.shape[1])]
        if self._intercept:
            columns.append(recs.grad_intercept.tolist())
        if recs.loss is not None:
            columns.append(recs.loss.tolist())
        if recs.val_mse is not None:
            columns.append(recs.val_mse.tolist())
        self._writer.writerows(zip(*columns))


def _target(path: str) -> str:
    """The file to write for ``path``. A path to something that exists is used as it is: the
    kernel follows a symbolic link, and /dev/stdout (a link to /proc/self/fd/1, which may be a
    pipe with no name) must not be resolved by hand. A link to a regular file, or a dangling one,
    is resolved, so that the file is written beside its target and the link kept."""
    if os.path.islink(path) and (not os.path.exists(path) or os.path.isfile(path)):
        return os.path.realpath(path)
    return path


def check_writable(path: str) -> None:
    """Refuse early a history path that cannot be written (before any training), as a shell's
    ``>`` would: a directory, a missing folder, a file or folder without write permission."""
    target = _target(path)
    folder = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        raise DataError(f"{path}: is a directory; --history needs a file name")
    if os.path.exists(target):
        if not os.access(target, os.W_OK):
            raise DataError(f"{path}: permission denied (the file is not writable)")
    elif not os.path.isdir(folder):
        raise DataError(f"{path}: the folder {folder} does not exist")
    elif not os.access(folder, os.W_OK):
        raise DataError(f"{path}: the folder {folder} is not writable")


def _create_beside(folder: str, mode: int | None) -> tuple[int, str]:
    """A new temporary file in ``folder``, with the mode of the file it will replace, or the mode
    open() gives a new file (0o666 less the umask; tempfile.mkstemp would make it 0600, and the
    rename would keep that)."""
    while True:
        tmp = os.path.join(folder, f".history-{secrets.token_hex(8)}.csv.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            os.fchmod(fd, mode)
        return fd, tmp


def _replaceable(target: str) -> tuple[bool, int | None]:
    """Whether the history may be written beside ``target`` and renamed onto it, and the mode
    to give it. Only a regular file that is nobody else's (one link) in a writable folder is
    replaced; a device, a FIFO, a file with other hard links or in a read-only folder is written
    in place, as a shell's ``>`` would."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return True, None
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
        return False, None
    return os.access(os.path.dirname(os.path.abspath(target)), os.W_OK), stat.S_IMODE(st.st_mode)


@contextlib.contextmanager
def atomic_history(path: str, fit_intercept: bool) -> Iterator[HistoryWriter]:
    """A :class:`HistoryWriter` whose file appears at ``path`` only if the block completes.

    ``path`` may be a symbolic link (its target is written, the link kept) or a device (written
    to directly: /dev/null, a terminal; a full device raises ``OSError`` ENOSPC). A regular file
    is written beside its target and renamed into place only when the block completes, so a run
    that fails or is interrupted (an exception, or SIGTERM/SIGHUP turned into one by the command
    line) leaves no half-written file and no temporary file.
    """
    check_writable(path)
    target = _target(path)
    replace, mode = _replaceable(target)
    if not replace:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(fd, "w", newline="") as handle:
            yield HistoryWriter(handle, fit_intercept)
        return
    fd, tmp = _create_beside(os.path.dirname(os.path.abspath(target)), mode)
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            yield HistoryWriter(handle, fit_intercept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
