"""NIST StRD linear sets replicated to at least 100,000 rows, written as CSV files (test support;
holds no tests).

Replication leaves the certified parameters and R² unchanged; the residual SD changes exactly:
SSres grows by the number of copies c, so sqrt(c·SSres / (c·n − p)) = certified ·
sqrt(c·(n − p) / (c·n − p)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from refdata import NistCase, load_nist

ROWS = 100_000


@dataclass(frozen=True)
class Replicated:
    case: NistCase
    copies: int
    x_names: tuple[str, ...]

    @property
    def rows(self) -> int:
        return self.copies * self.case.n

    @property
    def residual_sd(self) -> float:
        """The certified residual SD of the replicated data (exact relation above)."""
        c, n, p = self.copies, self.case.n, len(self.case.certified)
        return self.case.residual_sd * math.sqrt(c * (n - p) / (c * n - p))


def write_replicated(name: str, folder: Path, parts: int = 1, rows: int = ROWS) -> Replicated:
    """Write ``name`` replicated to at least ``rows`` rows as ``parts`` CSV files
    (``folder/part-*.csv``; one file: ``folder/<name>.csv``), with columns x0…, y."""
    case = load_nist(name)
    x = case.x if case.x.ndim == 2 else case.x[:, None]
    copies = -(-rows // case.n)
    table = np.column_stack([np.tile(x, (copies, 1)), np.tile(case.y, copies)])
    names = tuple(f"x{j}" for j in range(x.shape[1]))
    header = ",".join([*names, "y"]) + "\n"
    lines = [",".join(map(repr, row)) + "\n" for row in table.tolist()]
    bounds = np.linspace(0, len(lines), parts + 1).astype(int)
    for p in range(parts):
        path = folder / (f"{name}.csv" if parts == 1 else f"part-{p}.csv")
        path.write_text(header + "".join(lines[bounds[p] : bounds[p + 1]]))
    return Replicated(case, copies, names)


def check_certified(ref, rep: Replicated, digits: int = 10) -> None:
    """Every certified parameter, R² and the residual SD to ``digits`` significant digits."""
    case = rep.case
    tol = 10.0**-digits
    got = ([ref.intercept] if case.intercept else []) + ref.weights.tolist()
    np.testing.assert_allclose(got, case.certified, rtol=tol, atol=0)
    np.testing.assert_allclose(ref.r2, case.r_squared, rtol=tol, atol=0)
    assert ref.n_samples == rep.rows
    if case.residual_sd == 0:  # Wampler1: an exact fit
        assert ref.residual_sd <= 1e-12 * np.abs(case.y).max()
    else:
        np.testing.assert_allclose(ref.residual_sd, rep.residual_sd, rtol=tol, atol=0)
