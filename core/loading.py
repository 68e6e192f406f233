"""One entry point for every data file: CSV (plain or gzip, or ``-`` for standard input) and
Parquet, told apart by their first bytes rather than their names."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .csv_loader import Progress, load_csv
from .dataset import Dataset
from .parquet_loader import is_parquet, load_parquet


def load_data(
    path: str | os.PathLike[str],
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    degree: int = 1,
    progress: Progress | None = None,
) -> Dataset:
    """Load ``path`` (CSV, CSV.gz, Parquet or ``-``) and pick its x and y columns.

    Parameters are those of :func:`~.csv_loader.load_csv`.

    Raises
    ------
    DataError
    """
    name = os.fspath(path)
    if name != "-" and os.path.isfile(name) and is_parquet(name):
        return load_parquet(name, x, y, degree, progress)
    return load_csv(name, x, y, degree, progress)
