"""Loaders for the reference data in tests/data/ (test support; holds no tests).

The NIST StRD linear-least-squares files are parsed from their own text: the header
states which lines hold the certified values and which hold the data, and the
certified block names its parameters (B0..Bk), so nothing here is hard-coded per file.
Provenance and licences: tests/data/SOURCES.md.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
NIST_DIR = DATA_DIR / "nist"

NIST_NAMES = (
    "Norris",
    "Pontius",
    "NoInt1",
    "NoInt2",
    "Longley",
    "Filip",
    "Wampler1",
    "Wampler2",
    "Wampler3",
    "Wampler4",
    "Wampler5",
)

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = r"\(lines\s+(\d+)\s+to\s+(\d+)\)"
_CERTIFIED_RANGE = re.compile(r"Certified Values\s+" + _RANGE)
_DATA_RANGE = re.compile(r"Data\s+" + _RANGE)
_PARAMETER = re.compile(rf"^\s*B(\d+)\s+({_NUMBER})\s+({_NUMBER})\s*$")
_RESIDUAL_SD = re.compile(rf"^\s*Standard Deviation\s+({_NUMBER})\s*$")
_R_SQUARED = re.compile(rf"^\s*R-Squared\s+({_NUMBER})\s*$")


@dataclass(frozen=True)
class NistCase:
    """One NIST StRD linear-least-squares problem and its certified answer.

    Attributes
    ----------
    name : str
        Data set name, e.g. ``"Longley"``.
    x : ndarray of shape (n,) or (n, 6)
        The predictor; shape (n, 6) for Longley, which has six predictors.
    y : ndarray of shape (n,)
        The response.
    degree : int
        Polynomial degree in x of the certified model (1 for straight lines and for
        Longley's linear model in six predictors, 2 for Pontius, 5 for Wampler, 10 for Filip).
    intercept : bool
        Whether the model has an intercept B0 (False for NoInt1 and NoInt2).
    certified : tuple of float
        Certified estimates B0..Bk in file order (just B1 when there is no intercept),
        in the raw, unscaled power basis.
    certified_sd : tuple of float
        Certified standard deviations of those estimates, same order.
    residual_sd : float
        Certified residual standard deviation, sqrt(SSres / (n - p)).
    r_squared : float
        Certified R²: centred with an intercept, uncentred (1 - SSres / sum(y²)) without.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    degree: int
    intercept: bool
    certified: tuple[float, ...]
    certified_sd: tuple[float, ...]
    residual_sd: float
    r_squared: float

    @property
    def n(self) -> int:
        """Number of observations."""
        return len(self.y)

    def design_matrix(self) -> np.ndarray:
        """Raw design matrix of the certified model, ndarray of shape (n, len(certified)).

        Columns are in the order of ``certified``: a column of ones if there is an
        intercept, then x, x², ..., x^degree (or, for Longley, x1..x6).
        """
        columns = [np.ones(self.n)] if self.intercept else []
        if self.x.ndim == 2:
            columns.extend(self.x.T)
        else:
            columns.extend(self.x**k for k in range(1, self.degree + 1))
        return np.column_stack(columns)


def _line_range(header: str, pattern: re.Pattern[str], path: Path) -> tuple[int, int]:
    match = pattern.search(header)
    if match is None:
        raise ValueError(f"{path}: no {pattern.pattern!r} in the header")
    return int(match.group(1)), int(match.group(2))


def load_nist(name: str) -> NistCase:
    """Parse ``tests/data/nist/{name}.dat`` into a :class:`NistCase`.

    Parameters
    ----------
    name : str
        One of :data:`NIST_NAMES`.

    Returns
    -------
    NistCase
    """
    path = NIST_DIR / f"{name}.dat"
    lines = path.read_text(encoding="ascii").splitlines()
    header = "\n".join(lines[:10])
    cert_first, cert_last = _line_range(header, _CERTIFIED_RANGE, path)
    data_first, data_last = _line_range(header, _DATA_RANGE, path)

    params: list[tuple[int, float, float]] = []
    residual_sd = r_squared = None
    for line in lines[cert_first - 1 : cert_last]:
        if m := _PARAMETER.match(line):
            params.append((int(m.group(1)), float(m.group(2)), float(m.group(3))))
        elif m := _RESIDUAL_SD.match(line):
            residual_sd = float(m.group(1))
        elif m := _R_SQUARED.match(line):
            r_squared = float(m.group(1))
    if not params or residual_sd is None or r_squared is None:
        raise ValueError(f"{path}: incomplete certified block in lines {cert_first}-{cert_last}")
    indices = [i for i, _, _ in params]
    intercept = indices[0] == 0
    if indices != list(range(indices[0], indices[0] + len(indices))) or indices[0] > 1:
        raise ValueError(f"{path}: parameters B{indices} are not B0..Bk or B1..Bk")

    data = np.array(
        [[float(v) for v in line.split()] for line in lines[data_first - 1 : data_last]]
    )
    if data.ndim != 2 or data.shape[0] != data_last - data_first + 1:
        raise ValueError(f"{path}: data lines {data_first}-{data_last} are not a table")
    y = data[:, 0]
    x = data[:, 1] if data.shape[1] == 2 else data[:, 1:]
    n_predictors = data.shape[1] - 1
    n_slopes = len(params) - int(intercept)
    if n_slopes % n_predictors:
        raise ValueError(f"{path}: {n_slopes} slopes do not fit {n_predictors} predictors")
    degree = n_slopes // n_predictors
    if n_predictors > 1 and degree != 1:
        raise ValueError(f"{path}: a polynomial in {n_predictors} predictors is not supported")

    return NistCase(
        name=name,
        x=x,
        y=y,
        degree=degree,
        intercept=intercept,
        certified=tuple(b for _, b, _ in params),
        certified_sd=tuple(sd for _, _, sd in params),
        residual_sd=residual_sd,
        r_squared=r_squared,
    )


def load_csv_columns(path: str | Path) -> dict[str, np.ndarray]:
    """Read a simple numeric CSV with a header row into one float array per column.

    Columns whose values are not all numbers (e.g. Anscombe's ``dataset`` I..IV) are
    returned as string arrays.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict of str to ndarray of shape (n_rows,)
        In header order.
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader if row]
    columns: dict[str, np.ndarray] = {}
    for j, column in enumerate(header):
        cells = [row[j].strip() for row in rows]
        try:
            columns[column] = np.array([float(c) for c in cells])
        except ValueError:
            columns[column] = np.array(cells)
    return columns
