"""Data beyond one machine: the streamed statistics of many files, computed as one Dask reduction.

``--engine dask`` takes a file, a glob of files (``parts/*.csv``) or a Parquet dataset (a folder
of ``.parquet`` files). Each file is one task: it streams the file with this project's own reader
(so the rules and the messages for bad cells, with the file's name, are the in-memory loader's)
and returns the exact sums of its columns (:class:`~.streaming.Moments`) and a uniform sample; the
tasks' results are merged pairwise in a tree (the sums are exact, so any order gives the same),
on Dask's local threaded scheduler or, with ``--scheduler ADDRESS``, on an existing
dask.distributed cluster. ``--degree`` works as with ``--stream``: the polynomial basis is chosen
from the first file's first block and shared by every task. dask.dataframe's readers
are not used for the cells: pandas' parser takes what this project refuses (blank cells and
``nan`` become NaN) and names no row or line.

Dask is an optional extra (``pip install 'linreg-tui[dask]'``); it is imported only here.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence

import numpy as np

from .dataset import Dataset
from .errors import DataError, few
from .stream_fit import Basis
from .streaming import (
    SAMPLE_ROWS,
    Moments,
    StreamSummary,
    check_summary,
    stream_dataset,
    summarize,
)

#: What to say when Dask is not installed.
INSTALL_HINT = "--engine dask needs the optional extra: pip install 'linreg-tui[dask]'"


def dask_available() -> bool:
    try:
        import dask  # noqa: F401
    except ImportError:
        return False
    return True


def files_of(spec: str) -> list[str]:
    """The files a spec names: one file, a glob, or a folder (a Parquet dataset), sorted.

    Raises
    ------
    DataError
        Nothing matches.
    """
    if os.path.isdir(spec):
        found = sorted(
            os.path.join(spec, f)
            for f in os.listdir(spec)
            if not f.startswith((".", "_")) and os.path.isfile(os.path.join(spec, f))
        )
        if not found:
            raise DataError(f"{spec}: the folder holds no data files")
        return found
    if os.path.exists(spec):
        return [spec]
    found = sorted(glob.glob(spec))
    if not found:
        raise DataError(f"{spec}: no such file (and no file matches it as a pattern)")
    return found


def _file_summary(
    path: str, x: Sequence[str] | str | None, y: str | None, seed: int, basis: Basis
) -> tuple[Moments, np.ndarray, list[str], str]:
    """One task: stream one file into the exact sums of its basis columns and a sample (runs on
    a Dask worker). Every task uses the same basis, so their sums add up."""
    from .streaming import stream_csv_blocks

    x_names, y_names, _, blocks = stream_csv_blocks(path, x, y)
    summary = summarize(blocks, len(x_names) + 1, path, SAMPLE_ROWS, basis=basis, seed=seed)
    return summary.moments, summary.sample, [*x_names, *y_names], path


def _merge(a, b):
    moments_a, sample_a, names_a, path_a = a
    moments_b, sample_b, names_b, path_b = b
    if names_a != names_b:
        raise DataError(
            f"{path_b}: its columns ({few(names_b)}) are not those of {path_a} ({few(names_a)}); "
            "every file must have the same columns"
        )
    merged = moments_a.merge(moments_b)
    return merged, _merge_samples(sample_a, moments_a.n, sample_b, moments_b.n), names_a, path_a


def _merge_samples(a: np.ndarray, n_a: int, b: np.ndarray, n_b: int) -> np.ndarray:
    """A uniform sample of the union from uniform samples of two parts (rows weighted by how
    many rows of its part each stands for)."""
    if len(a) + len(b) <= SAMPLE_ROWS:
        return np.concatenate([a, b])
    rng = np.random.default_rng(n_a * 7919 + n_b)
    take_a = rng.hypergeometric(n_a, n_b, SAMPLE_ROWS)
    take_a = min(take_a, len(a))
    take_b = min(SAMPLE_ROWS - take_a, len(b))
    return np.concatenate(
        [
            a[rng.choice(len(a), take_a, replace=False)],
            b[rng.choice(len(b), take_b, replace=False)],
        ]
    )


def load_dask(
    spec: str,
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
    scheduler: str | None = None,
) -> Dataset:
    """The moment-equivalent :class:`Dataset` of every file ``spec`` names, reduced with Dask.

    Parameters
    ----------
    spec : str
        A file, a glob, or a folder of files (CSV, CSV.gz or Parquet, all with the same columns).
    x, y, degree
        As for :func:`~.loading.load_data` (a polynomial's basis is chosen from the first
        file's first block, and shared by every task).
    scheduler : str, optional
        Address of a dask.distributed scheduler (``tcp://host:8786``); default: Dask's local
        threaded scheduler.

    Raises
    ------
    DataError
        As the in-memory loader (the message names the file), or a cluster that cannot be reached.
    """
    import dask

    files = files_of(spec)
    # Columns are chosen once, against the first file, so a bad --x is refused before any work.
    from .streaming import check_degree, stream_csv_blocks

    first_x, first_y, _, first_blocks = stream_csv_blocks(files[0], x, y)
    check_degree(spec, degree, first_x)
    basis = Basis()
    if degree > 1:
        first = next((b for b in first_blocks if b.shape[0]), None)
        if first is not None:
            basis = Basis.for_block(degree, first[:, 0])
    tasks = [
        dask.delayed(_file_summary, pure=True)(path, x, y, seed, basis)
        for seed, path in enumerate(files)
    ]
    while len(tasks) > 1:  # a pairwise tree: log2(files) rounds
        tasks = [
            dask.delayed(_merge, pure=True)(tasks[i], tasks[i + 1])
            if i + 1 < len(tasks)
            else tasks[i]
            for i in range(0, len(tasks), 2)
        ]
    result = _compute(tasks[0], scheduler, spec)
    moments, sample, names, _ = result
    summary = StreamSummary(moments, sample, spec if len(files) > 1 else files[0], basis)
    check_summary(summary, spec, names[:-1], "the files have")
    return stream_dataset(summary, first_x, first_y[0])


def _compute(task, scheduler: str | None, spec: str):
    if scheduler is None:
        return task.compute(scheduler="threads")
    try:
        from distributed import Client
    except ImportError:
        raise DataError(f"{spec}: --scheduler needs dask.distributed; {INSTALL_HINT}") from None
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise DataError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
        ) from None
    with client:
        return client.compute(task).result()
