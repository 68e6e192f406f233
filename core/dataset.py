"""The data a model is fitted to: x columns, y, their names and where they came from.

A :class:`Dataset` keeps the x columns as loaded (``raw_x``) and builds the model's features from
them: the columns themselves, or x, x², …, x^D for a polynomial of degree D.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import DataError

#: The most polynomial feature values (rows × degree) built: 400 MB of float64.
MAX_FEATURE_VALUES = 50_000_000

#: The seed script's five points.
SEED_X = (1.0, 2.0, 3.0, 4.0, 5.0)
SEED_Y = (2.0, 4.0, 5.0, 4.0, 5.0)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Data to fit.

    Parameters
    ----------
    raw_x : ndarray of shape (n_samples, n_columns)
        The x columns as loaded.
    y : ndarray of shape (n_samples,)
        The target.
    x_names : tuple of str
        Names of the x columns, one per column of ``raw_x``.
    y_name : str
        Name of the target.
    degree : int
        1 for a straight line / plane; D > 1 fits x, x², …, x^D of the single x column.
    source : str
        Where the data came from (a path, or a description of built-in data), used in messages.
    """

    raw_x: np.ndarray
    y: np.ndarray
    x_names: tuple[str, ...]
    y_name: str
    degree: int = 1
    source: str = "built-in data"
    #: For data read with --stream: the :class:`~.streaming.StreamSummary` (true row count,
    #: uniform sample); the rows here are then its moment-equivalent rows.
    streamed: object | None = None
    #: For streamed data of degree > 1: the moment-equivalent rows of the features (the powers
    #: of those rows' x would not have the data's moments); None otherwise.
    moment_features: np.ndarray | None = None
    _features: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw_x = np.asarray(self.raw_x, dtype=np.float64)
        if raw_x.ndim == 1:
            raw_x = raw_x[:, None]
        # Columns contiguous, whatever the source: sums over a column then run along memory,
        # and the same data give the same bits however they were read (a row-major array's
        # column sums and products round differently).
        if raw_x.strides[0] != raw_x.itemsize:
            raw_x = np.asfortranarray(raw_x)
        y = np.ascontiguousarray(self.y, dtype=np.float64)
        object.__setattr__(self, "raw_x", raw_x)
        object.__setattr__(self, "y", y)
        if raw_x.shape[0] != y.shape[0]:
            raise DataError(f"{self.source}: {raw_x.shape[0]} x rows but {y.shape[0]} y values")
        if len(self.x_names) != raw_x.shape[1]:
            raise DataError(
                f"{self.source}: {raw_x.shape[1]} x columns but {len(self.x_names)} names"
            )
        if self.degree < 1:
            raise DataError(f"{self.source}: degree must be at least 1, got {self.degree}")
        if self.degree > 1 and raw_x.shape[1] != 1:
            raise DataError(
                f"{self.source}: degree {self.degree} needs exactly one x column, "
                f"got {raw_x.shape[1]} ({', '.join(self.x_names)})"
            )
        n = raw_x.shape[0]
        # Checked before the features are built: x, x², …, x^D take n·D floats, and a degree
        # typed by mistake (100000000 on 5 rows) would take gigabytes before any other check.
        if self.degree > n:
            raise DataError(
                f"{self.source}: {n} row{'s' if n != 1 else ''} cannot fit a polynomial of degree "
                f"{self.degree:,} (at least {self.degree + 1:,} rows are needed with an intercept, "
                f"{self.degree:,} without)"
            )
        if n * self.degree > MAX_FEATURE_VALUES:
            raise DataError(
                f"{self.source}: degree {self.degree:,} on {n:,} rows makes "
                f"{n * self.degree:,} feature values; at most {MAX_FEATURE_VALUES:,} "
                f"({MAX_FEATURE_VALUES * 8 // 10**6:,} MB) are allowed: lower the degree"
            )
        if self.moment_features is not None:
            features = np.asarray(self.moment_features, dtype=np.float64)
            if features.shape != (n, self.degree):
                raise DataError(f"{self.source}: moment rows of shape {features.shape}")
            object.__setattr__(self, "_features", features)
            return
        object.__setattr__(self, "_features", self.expand(raw_x))

    @property
    def features(self) -> np.ndarray:
        """ndarray of shape (n_samples, n_features): what the model multiplies by its weights."""
        return self._features

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_features(self) -> int:
        return int(self._features.shape[1])

    @property
    def feature_names(self) -> tuple[str, ...]:
        if self.degree == 1:
            return self.x_names
        name = self.x_names[0]
        return (name, *(f"{name}^{k}" for k in range(2, self.degree + 1)))

    def expand(self, raw_x: np.ndarray) -> np.ndarray:
        """Features from x columns: ``raw_x`` itself, or its powers 1..degree.

        Parameters
        ----------
        raw_x : ndarray of shape (n, n_columns)

        Returns
        -------
        ndarray of shape (n, n_features)
        """
        raw_x = np.asarray(raw_x, dtype=np.float64)
        if self.degree == 1:
            return raw_x
        x = raw_x[:, 0]
        powers = [x]
        # A power beyond float64 becomes inf here, without a warning: the session refuses such
        # data by name (core/float_range.py).
        with np.errstate(over="ignore", under="ignore"):
            for _ in range(self.degree - 1):
                powers.append(powers[-1] * x)
        return np.column_stack(powers)


def seed_dataset() -> Dataset:
    """The seed script's data: x = 1..5, y = 2, 4, 5, 4, 5."""
    return Dataset(
        raw_x=np.array(SEED_X)[:, None],
        y=np.array(SEED_Y),
        x_names=("x",),
        y_name="y",
        source="built-in data (the seed's five points)",
    )
