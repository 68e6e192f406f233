"""Data larger than memory: one pass in blocks, keeping only what least squares needs.

Batch gradient descent on the MSE, its analysis and the least-squares reference depend on the data
only through n, Σz and Σzzᵀ of z = (features, y). One streamed pass accumulates them block by
block, exactly (:class:`Moments` over :class:`~.exact_sums.ExactSums`: each block centred on a
provisional mean, the first block's, and its products split so that BLAS adds them without
rounding), together with a uniform sample of the rows (:class:`Reservoir`, Vitter's algorithm R)
for the charts and the data pane. For a polynomial (``--degree``) the sums are those of Chebyshev
polynomials of x, which are rounded far less harmfully than raw powers (:mod:`.stream_fit`).

The least-squares answer comes from those exact sums (:meth:`StreamSummary.least_squares`, in
rational arithmetic, rounded once: the NIST StRD answers to 13+ digits). The run uses a
*moment-equivalent* dataset (:func:`stream_dataset`): d + 2 rows whose means and centred second
moments of (features, y) are those of the whole data, rounded once. Every quantity that depends on
the data only through those moments (the MSE of any parameters, its gradient and Hessian, R², the
scaling) is then the same on those rows as on the file, so the session runs on them unchanged.
What does not depend on them only (mini-batches, a validation split, single residuals) cannot be
had from a stream and is refused (:data:`NO_MINI_BATCH`, :data:`NO_VALIDATION`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import stream_fit
from .columns import select_columns
from .dataset import Dataset
from .errors import DataError, shown
from .exact_sums import ExactSums, rounded
from .reference import Reference
from .stream_fit import Basis

#: Rows kept as a uniform sample for the charts and the data pane.
SAMPLE_ROWS = 100_000
#: The words used when a validation split is asked for on streamed data.
NO_VALIDATION = (
    "a validation split holds out rows, and --stream keeps only the sums of the rows; "
    "load the data without --stream to hold rows out"
)
#: The words used when a mini-batch method is asked for on streamed data.
NO_MINI_BATCH = (
    "mini-batch methods need the rows themselves at every epoch, and --stream keeps only their "
    "sums; use full-batch gradient descent with --stream, or load the data without --stream"
)


class Moments:
    """n, means and centred co-moments of the columns of blocks of rows, merged as they come.

    The sums behind them are exact (:class:`~.exact_sums.ExactSums`: each block centred on a
    provisional mean, the first block's, its sums of products split so that BLAS adds them
    without rounding), so x = 1e9 + k/1000 keeps its digits, and least squares from them
    (:mod:`.stream_fit`) is that of the data itself. Up to
    :data:`~.exact_sums.EXACT_COLUMNS` columns; wider data is summed in float64 per block (and
    columns too near dependent for that are refused).

    Parameters
    ----------
    k : int
        Columns per row.

    Attributes
    ----------
    n : int
    sums : ExactSums
    """

    def __init__(self, k: int, sums: ExactSums | None = None):
        self.k = k
        self.sums = sums if sums is not None else ExactSums(k)
        self._rounded: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return self.sums.n

    @property
    def shift(self) -> np.ndarray:
        """ndarray of shape (k,): the provisional mean."""
        return self.sums.shift if self.sums.shift is not None else np.zeros(self.k)

    @property
    def mean(self) -> np.ndarray:
        """ndarray of shape (k,): the means of the columns (each rounded once)."""
        return self._floats()[0]

    @property
    def comoment(self) -> np.ndarray:
        """ndarray of shape (k, k): Σ (z − mean)(z − mean)ᵀ over every row z (rounded once)."""
        return self._floats()[1]

    def _floats(self) -> tuple[np.ndarray, np.ndarray]:
        if self._rounded is None:
            if self.n == 0:
                return np.zeros(self.k), np.zeros((self.k, self.k))
            mean = np.array([rounded(v) for v in self.sums.mean()])
            co = np.array([[rounded(v) for v in row] for row in self.sums.comoment()])
            self._rounded = (mean, co)
        return self._rounded

    def add(self, block: np.ndarray) -> None:
        """Merge a block of rows, ndarray of shape (rows, k)."""
        self.sums.add(block)
        self._rounded = None

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of rows (for partitions reduced separately, as Dask does)."""
        return Moments(self.k, self.sums.merge(other.sums))


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


@dataclass(frozen=True, eq=False)
class StreamSummary:
    """What a streamed pass kept: the exact sums of the basis columns and a sample of the rows.

    Attributes
    ----------
    moments : Moments
        Of the basis columns and y (:class:`~.stream_fit.Basis`: the x columns themselves, or
        Chebyshev polynomials of x for a polynomial).
    sample : ndarray of shape (s, columns + 1)
        A uniform sample of the rows as read, (x columns…, y) (all of them when there are at
        most SAMPLE_ROWS).
    source : str
    basis : Basis
    """

    moments: Moments
    sample: np.ndarray
    source: str
    basis: Basis = field(default_factory=Basis)
    _answers: dict = field(default_factory=dict, repr=False)

    @property
    def n_samples(self) -> int:
        return self.moments.n

    def least_squares(self, fit_intercept: bool, feature_names: tuple[str, ...]) -> Reference:
        """The least-squares answer of every row read, from the exact sums (cached)."""
        key = (fit_intercept, feature_names)
        if key not in self._answers:
            total, products = self.moments.sums.raw()
            self._answers[key] = stream_fit.least_squares(
                self.n_samples,
                total,
                products,
                self.basis,
                fit_intercept,
                self.source,
                feature_names,
                self.moments.sums.exact,
            )
        return self._answers[key]

    def loss(self) -> stream_fit.SumsLoss:
        """The MSE of any parameters over every row read, from the exact sums (cached)."""
        if "loss" not in self._answers:
            total, products = self.moments.sums.raw()
            self._answers["loss"] = stream_fit.SumsLoss(self.n_samples, total, products, self.basis)
        return self._answers["loss"]

    def sample_dataset(self, x_names: Sequence[str], y_name: str) -> Dataset:
        """The sample as a :class:`Dataset` (for the charts and the data pane; cached)."""
        if "sample" not in self._answers:
            self._answers["sample"] = Dataset(
                raw_x=self.sample[:, :-1],
                y=self.sample[:, -1],
                x_names=tuple(x_names),
                y_name=y_name,
                degree=self.basis.degree,
                source=f"a uniform sample of {len(self.sample):,} of the {self.n_samples:,} rows "
                f"of {self.source}",
            )
        return self._answers["sample"]

    @property
    def is_sample(self) -> bool:
        """True when the sample holds fewer rows than were read."""
        return len(self.sample) < self.n_samples

    def feature_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Means and centred co-moments of (features…, y), ndarray of shape (d + 1,) and
        (d + 1, d + 1): those of the basis columns for a straight line, else computed exactly
        from them in the features' coordinates and rounded once."""
        if self.basis.degree == 1:
            return self.moments.mean, self.moments.comoment
        total, products = self.moments.sums.raw()
        return stream_fit.feature_moments(self.n_samples, total, products, self.basis)


def equivalent_rows(moments: Moments) -> np.ndarray:
    """k + 1 rows with the same means and centred second moments (over n) as the data.

    Returns
    -------
    ndarray of shape (k + 1, k)
        Rows z with mean(z) = moments.mean and Σ(z − mean)(z − mean)ᵀ / (k + 1) = comoment / n.
    """
    return _equivalent(moments.mean, moments.comoment / moments.n)


def _equivalent(mean: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    k = mean.shape[0]
    m = k + 1
    # A square root S with SᵀS = covariance, from the symmetric eigen-decomposition.
    values, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
    root = np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T
    # m orthonormal columns orthogonal to the ones vector: a Helmert basis.
    basis = np.zeros((m, k))
    for j in range(k):
        basis[: j + 1, j] = 1.0 / np.sqrt((j + 1) * (j + 2))
        basis[j + 1, j] = -(j + 1) / np.sqrt((j + 1) * (j + 2))
    centred = np.sqrt(m) * basis @ root
    return mean + centred


def _powers(name: str, degree: int) -> list[str]:
    return [name, *(f"{name}^{k}" for k in range(2, degree + 1))]


def stream_dataset(summary: StreamSummary, x_names: Sequence[str], y_name: str) -> Dataset:
    """A :class:`Dataset` of moment-equivalent rows that carries the summary (``streamed``).

    The rows have the data's means and centred second moments of (features…, y), so gradient
    descent, its analysis and the scaling see the whole file; the least-squares answer comes from
    the exact sums (:meth:`StreamSummary.least_squares`, which :func:`~.reference.solve` uses).
    """
    mean, comoment = summary.feature_moments()
    degree = summary.basis.degree
    names = [*(x_names if degree == 1 else _powers(x_names[0], degree)), y_name]
    with np.errstate(over="ignore", invalid="ignore"):
        covariance = comoment / summary.n_samples
        finite = np.isfinite(mean) & np.isfinite(np.diag(covariance))
    if not np.all(finite):
        bad = names[int(np.argmin(finite))]
        raise DataError(
            f"{summary.source}: column {shown(bad)}: its mean or its mean squared spread over "
            "the rows is beyond the range float64 holds (1.8e308); rescale it"
        )
    rows = _equivalent(mean, covariance)
    return Dataset(
        raw_x=rows[:, :-1] if degree == 1 else rows[:, :1],
        y=rows[:, -1],
        x_names=tuple(x_names),
        y_name=y_name,
        degree=degree,
        source=summary.source,
        streamed=summary,
        moment_features=None if degree == 1 else rows[:, :-1],
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
    blocks: Iterator[np.ndarray],
    k: int,
    source: str,
    sample_rows: int = SAMPLE_ROWS,
    degree: int = 1,
    basis: Basis | None = None,
    seed: int = 0,
) -> StreamSummary:
    """One pass: the exact sums of the basis columns and a uniform sample of the blocks' rows.

    Parameters
    ----------
    blocks : iterator of ndarray of shape (rows, k)
        (x columns…, y).
    k : int
    source : str
    sample_rows : int
    degree : int
        Of the polynomial in the single x column (1: the x columns as they are).
    basis : Basis, optional
        Default: chosen from the first block (for a polynomial, from its range of x).
    seed : int
        Of the sample.
    """
    moments: Moments | None = None
    reservoir = Reservoir(sample_rows, k, seed)
    for block in blocks:
        if block.shape[0] == 0:
            continue
        if basis is None:
            basis = Basis.for_block(degree, block[:, 0])
        if moments is None:
            moments = Moments(k if basis.degree == 1 else basis.degree + 1)
        moments.add(basis.columns(block))
        reservoir.add(block)
    if basis is None:
        basis = Basis()
    if moments is None:
        moments = Moments(k if basis.degree == 1 else basis.degree + 1)
    return StreamSummary(moments, reservoir.sample.copy(), source, basis)


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
        Bad cells (as the in-memory loader says them), no rows, a constant x column, a degree
        with several x columns or too few rows for it.
    """
    name = os.fspath(path)
    x_names, y_names, source, blocks = stream_csv_blocks(name, x, y, progress)
    check_degree(source, degree, x_names)
    summary = summarize(blocks, len(x_names) + 1, source, degree=degree)
    check_summary(summary, source, x_names, "the file has")
    return stream_dataset(summary, x_names, y_names[0])


def check_degree(source: str, degree: int, x_names: Sequence[str]) -> None:
    """Refuse a polynomial of several x columns before the pass (as the in-memory loader)."""
    if degree > 1 and len(x_names) != 1:
        raise DataError(
            f"{source}: degree {degree} needs exactly one x column, "
            f"got {len(x_names)} ({', '.join(x_names)})"
        )


def check_summary(summary: StreamSummary, source: str, x_names: Sequence[str], has: str) -> None:
    """Refuse no rows, a constant x column, and fewer rows than a polynomial's degree needs."""
    n = summary.n_samples
    if n == 0:
        raise DataError(f"{source}: {has} a header but no data rows")
    mean, comoment = summary.moments.mean, summary.moments.comoment
    for j, column in enumerate(x_names):
        if n > 1 and comoment[j, j] == 0:
            raise DataError(
                f"{source}: column {shown(column)} is constant (every row is "
                f"{mean[j]:.15g}), so it cannot explain y; choose another x column"
            )
    degree = summary.basis.degree
    if degree > n:
        raise DataError(
            f"{source}: {n} row{'s' if n != 1 else ''} cannot fit a polynomial of degree "
            f"{degree:,} (at least {degree + 1:,} rows are needed with an intercept, "
            f"{degree:,} without)"
        )
