"""Writing a run's per-epoch history to CSV, all or nothing.

Rows go to a temporary file beside the target, which is renamed into place only when the run has
finished writing: a run that fails or is interrupted leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
from collections.abc import Iterator

from .errors import DataError
from .trainer import Records


def history_header(feature_names: tuple[str, ...], fit_intercept: bool) -> list[str]:
    """Column names: epoch, the parameters, mse, the gradient."""
    if len(feature_names) == 1:
        weights, grads = ["m"], ["grad_m"]
    else:
        weights = [f"w_{name}" for name in feature_names]
        grads = [f"grad_w_{name}" for name in feature_names]
    b, gb = (["b"], ["grad_b"]) if fit_intercept else ([], [])
    return ["epoch", *weights, *b, "mse", *grads, *gb]


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
        self._writer.writerows(zip(*columns))


def check_writable(path: str) -> None:
    """Refuse early a history path that cannot be written (before any training)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory; --history needs a file name")
    if not os.path.isdir(folder):
        raise DataError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise DataError(f"{path}: the folder {folder} is not writable")


def _create_beside(folder: str) -> tuple[int, str]:
    """A new temporary file in ``folder`` with the mode open() gives (0o666 less the umask);
    tempfile.mkstemp would make it 0600, and the rename would keep that."""
    while True:
        tmp = os.path.join(folder, f".history-{secrets.token_hex(8)}.csv.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


@contextlib.contextmanager
def atomic_history(path: str, fit_intercept: bool) -> Iterator[HistoryWriter]:
    """A :class:`HistoryWriter` whose file appears at ``path`` only if the block completes."""
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = _create_beside(folder)
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            yield HistoryWriter(handle, fit_intercept)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
