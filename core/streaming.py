"""Data larger than memory: one pass in blocks, keeping only what least squares needs.

Batch gradient descent on the MSE, its analysis and the least-squares reference depend on the data
only through n, the means and the centred second moments of (features, y). One streamed pass
accumulates them block by block (:class:`Moments`: each block is centred on a provisional mean,
the first block's, and merged with Chan, Golub and LeVeque's update, so a large offset such as
x = 1e9 + k/1000 does not cancel), together with a uniform sample of the rows (:class:`Reservoir`,
Vitter's algorithm R) for the charts and the data pane.

The run then uses a *moment-equivalent* dataset (:func:`equivalent_rows`): k + 1 rows whose means
and centred second moments are those of the whole data. Every quantity that depends on the data
only through those moments (the MSE of any parameters, its gradient and Hessian, the
least-squares answer, R²) is the same on those rows as on the file, so the session runs on them
unchanged. What does not depend on them only (mini-batches, single residuals) cannot be had from
a stream and is refused (:data:`NO_MINI_BATCH`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .columns import select_columns
from .dataset import Dataset
from .errors import DataError, shown

#: Rows kept as a uniform sample for the charts and the data pane.
SAMPLE_ROWS = 100_000
#: The words used when a mini-batch method is asked for on streamed data.
NO_MINI_BATCH = (
    "mini-batch methods need the rows themselves at every epoch, and --stream keeps only their "
    "sums; use full-batch gradient descent with --stream, or load the data without --stream"
)


class Moments:
    """n, means and centred co-moments of the columns of blocks of rows, merged as they come.

    Means are kept relative to a provisional mean (the first block's), so that merging two blocks
    subtracts small numbers, not large ones: with x = 1e9 + k/1000, the blocks' means differ in
    their last digits, which a difference of the raw means (each rounded to 1e9's ulp) would lose.

    Parameters
    ----------
    k : int
        Columns per row.

    Attributes
    ----------
    n : int
    shift : ndarray of shape (k,)
        The provisional mean.
    comoment : ndarray of shape (k, k)
        Σ (z − mean)(z − mean)ᵀ over every row z seen.
    """

    def __init__(self, k: int):
        self.k = k
        self.n = 0
        self.shift = np.zeros(k)
        self._offset = np.zeros(k)  # mean − shift
        self.comoment = np.zeros((k, k))

    @property
    def mean(self) -> np.ndarray:
        """ndarray of shape (k,): the means of the columns."""
        return self.shift + self._offset

    def add(self, block: np.ndarray) -> None:
        """Merge a block of rows, ndarray of shape (rows, k)."""
        rows = block.shape[0]
        if rows == 0:
            return
        if self.n == 0:
            self.shift = block.mean(axis=0)
        shifted = block - self.shift
        block_offset = shifted.mean(axis=0)
        centred = shifted - block_offset
        self._merge(rows, block_offset, centred.T @ centred)

    def _merge(self, rows: int, offset: np.ndarray, comoment: np.ndarray) -> None:
        # Chan, Golub and LeVeque's pairwise update, in the shifted coordinates.
        if self.n == 0:
            self.n, self._offset, self.comoment = rows, offset, comoment
            return
        n = self.n + rows
        delta = offset - self._offset
        self._offset = self._offset + delta * (rows / n)
        self.comoment = self.comoment + comoment + np.outer(delta, delta) * (self.n * rows / n)
        self.n = n

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of rows (for partitions reduced separately, as Dask does)."""
        out = Moments(self.k)
        out.n, out.shift, out._offset, out.comoment = (
            self.n,
            self.shift,
            self._offset.copy(),
            self.comoment.copy(),
        )
        if other.n:
            if out.n == 0:
                out.shift = other.shift
            out._merge(other.n, other.shift - out.shift + other._offset, other.comoment)
        return out


class Reservoir:
    """A uniform sample of at most ``size`` rows of a stream (Vitter's algorithm R, by blocks).

    Parameters
    ----------
    size : int
    k : int
        Columns per row.
    seed : int
        For a reproducible sample.
    """

    def __init__(self, size: int, k: int, seed: int = 0):
        self.size = size
        self.rows = np.empty((size, k))
        self.seen = 0
        self._rng = np.random.default_rng(seed)

    def add(self, block: np.ndarray) -> None:
        rows = block.shape[0]
        fill = min(rows, max(0, self.size - self.seen))
        if fill:
            self.rows[self.seen : self.seen + fill] = block[:fill]
        rest = block[fill:]
        if len(rest):
            # Row t (0-based over the stream) replaces a random slot with probability size/(t+1).
            t = self.seen + fill + np.arange(len(rest))
            slots = (self._rng.random(len(rest)) * (t + 1)).astype(np.int64)
            keep = slots < self.size
            # Assignment in order: a later row taking the same slot wins, as one by one would.
            self.rows[slots[keep]] = rest[keep]
        self.seen += rows

    @property
    def sample(self) -> np.ndarray:
        return self.rows[: min(self.seen, self.size)]


@dataclass(frozen=True)
class StreamSummary:
    """What a streamed pass kept: the moments and a sample of the rows.

    Attributes
    ----------
    moments : Moments
        Of the columns (x columns…, y).
    sample : ndarray of shape (s, k)
        A uniform sample of the rows (all of them when there are at most SAMPLE_ROWS).
    source : str
    """

    moments: Moments
    sample: np.ndarray
    source: str

    @property
    def n_samples(self) -> int:
        return self.moments.n


def equivalent_rows(moments: Moments) -> np.ndarray:
    """k + 1 rows with the same means and centred second moments (over n) as the data.

    Returns
    -------
    ndarray of shape (k + 1, k)
        Rows z with mean(z) = moments.mean and Σ(z − mean)(z − mean)ᵀ / (k + 1) = comoment / n.
    """
    k = moments.k
    m = k + 1
    covariance = moments.comoment / moments.n
    # A square root S with SᵀS = covariance, from the symmetric eigen-decomposition.
    values, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
    root = np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T
    # m orthonormal columns orthogonal to the ones vector: a Helmert basis.
    basis = np.zeros((m, k))
    for j in range(k):
        basis[: j + 1, j] = 1.0 / np.sqrt((j + 1) * (j + 2))
        basis[j + 1, j] = -(j + 1) / np.sqrt((j + 1) * (j + 2))
    centred = np.sqrt(m) * basis @ root
    return moments.mean + centred


def stream_dataset(summary: StreamSummary, x_names: Sequence[str], y_name: str) -> Dataset:
    """A :class:`Dataset` of :func:`equivalent_rows` that carries the summary (``streamed``)."""
    rows = equivalent_rows(summary.moments)
    return Dataset(
        raw_x=rows[:, :-1],
        y=rows[:, -1],
        x_names=tuple(x_names),
        y_name=y_name,
        degree=1,
        source=summary.source,
        streamed=summary,
    )


Progress = Callable[[int, "int | None", int], None]


def stream_csv_blocks(
    path: str | os.PathLike[str],
    x: str | Sequence[str] | None,
    y: str | None,
    progress: Progress | None = None,
) -> tuple[list[str], list[str], str, Iterator[np.ndarray]]:
    """Column names and an iterator of blocks (rows × (x columns…, y)) of a CSV or Parquet file.

    Bad cells are refused with the in-memory loader's messages (file, row, line, column).
    """
    from . import csv_loader
    from .parquet_loader import is_parquet

    name = os.fspath(path)
    if name != "-" and os.path.isfile(name) and is_parquet(name):
        return _parquet_blocks(name, x, y, progress)
    source = csv_loader.open_source(name)
    layout = csv_loader.read_layout(source)
    x_cols, y_col = select_columns(source.name, layout.header, x, y)
    wanted = [*x_cols, y_col]
    blocks = csv_loader.stream_blocks(source, layout, wanted, progress)
    header = layout.header
    return [header[c] for c in x_cols], [header[y_col]], source.name, blocks


def _parquet_blocks(name, x, y, progress):
    import pyarrow.parquet as pq

    from .parquet_loader import check_numeric_type, column_values

    parquet = pq.ParquetFile(name)
    header = list(parquet.schema_arrow.names)
    x_cols, y_col = select_columns(name, header, x, y)
    wanted = [*x_cols, y_col]
    for col in wanted:
        check_numeric_type(name, header[col], parquet.schema_arrow.field(col).type)
    total = parquet.metadata.num_rows

    def blocks() -> Iterator[np.ndarray]:
        rows = 0
        for batch in parquet.iter_batches(columns=[header[c] for c in wanted], batch_size=1 << 18):
            block = np.empty((batch.num_rows, len(wanted)))
            for j, col in enumerate(wanted):
                block[:, j] = column_values(name, header[col], batch.column(j), rows)
            rows += batch.num_rows
            if progress is not None:
                progress(rows, total, rows)
            yield block

    return [header[c] for c in x_cols], [header[y_col]], name, blocks()


def summarize(
    blocks: Iterator[np.ndarray], k: int, source: str, sample_rows: int = SAMPLE_ROWS
) -> StreamSummary:
    """One pass: the moments and a uniform sample of the blocks' rows."""
    moments = Moments(k)
    reservoir = Reservoir(sample_rows, k)
    for block in blocks:
        moments.add(block)
        reservoir.add(block)
    return StreamSummary(moments, reservoir.sample.copy(), source)


def load_streamed(
    path: str | os.PathLike[str],
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
    progress: Progress | None = None,
) -> Dataset:
    """Stream ``path`` once and return the moment-equivalent :class:`Dataset` of its rows.

    Raises
    ------
    DataError
        Bad cells (as the in-memory loader says them), no rows, a constant x column, or a
        polynomial degree (the powers' moments would need the rows themselves).
    """
    name = os.fspath(path)
    if degree != 1:
        raise DataError(
            f"{name}: --stream fits the x columns as they are; --degree {degree} is not available "
            "with it (load the data without --stream)"
        )
    x_names, y_names, source, blocks = stream_csv_blocks(name, x, y, progress)
    summary = summarize(blocks, len(x_names) + 1, source)
    moments = summary.moments
    if moments.n == 0:
        raise DataError(f"{source}: the file has a header but no data rows")
    for j, column in enumerate(x_names):
        if moments.n > 1 and moments.comoment[j, j] == 0:
            raise DataError(
                f"{source}: column {shown(column)} is constant (every row is "
                f"{moments.mean[j]:.15g}), so it cannot explain y; choose another x column"
            )
    return stream_dataset(summary, x_names, y_names[0])
