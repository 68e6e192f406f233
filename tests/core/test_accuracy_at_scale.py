"""The reference at scale: every NIST StRD linear data set replicated to at least 100,000 rows
(replication leaves the certified least-squares answer unchanged) keeps >= 10 significant digits
of every certified parameter in the in-memory path, whichever solver the size selects."""

from __future__ import annotations

import numpy as np
import pytest
from refdata import NIST_NAMES, load_nist

from linreg_tui.core import reference
from linreg_tui.core.dataset import Dataset

ROWS = 100_000


@pytest.mark.parametrize("name", NIST_NAMES)
def test_nist_replicated_to_100000_rows_keeps_ten_digits(name):
    case = load_nist(name)
    copies = -(-ROWS // case.n)
    x = case.x if case.x.ndim == 2 else case.x[:, None]
    data = Dataset(
        np.tile(x, (copies, 1)),
        np.tile(case.y, copies),
        tuple(f"x{j}" for j in range(x.shape[1])),
        "y",
        degree=case.degree,
        source=name,
    )
    assert data.n_samples >= ROWS
    ref = reference.solve(data, case.intercept)
    got = ([ref.intercept] if case.intercept else []) + ref.weights.tolist()
    np.testing.assert_allclose(got, case.certified, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ref.r2, case.r_squared, rtol=1e-10)
