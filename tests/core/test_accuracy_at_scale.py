"""The reference at scale: every NIST StRD linear data set replicated to at least 100,000 rows
(replication leaves the certified least-squares answer unchanged) keeps >= 10 significant digits
of every certified parameter in the in-memory path, whichever solver the size selects, and in the
streamed path (its exact sums; the Dask path: tests/core/test_dask.py)."""

from __future__ import annotations

import numpy as np
import pytest
from nist_scale import check_certified, write_replicated
from refdata import NIST_NAMES, load_nist

from linreg_tui.core import reference
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.streaming import load_streamed

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


@pytest.mark.parametrize("name", NIST_NAMES)
def test_streamed_nist_replicated_to_100000_rows_keeps_ten_digits(name, tmp_path):
    """--stream (with --degree for the polynomial sets): parameters, R² and the residual SD
    from the exact sums, against the certified values."""
    rep = write_replicated(name, tmp_path)
    data = load_streamed(
        str(tmp_path / f"{name}.csv"), x=",".join(rep.x_names), y="y", degree=rep.case.degree
    )
    assert data.streamed.n_samples == rep.rows >= ROWS
    check_certified(reference.solve(data, rep.case.intercept), rep)


@pytest.mark.parametrize("name", ["Longley", "Filip", "Wampler5", "NoInt1"])
def test_streamed_nist_as_published_gives_the_certified_residual_sd(name, tmp_path):
    """The original rows, not replicated: the residual SD is the certified one itself (the
    streamed path used to divide by the moment rows' count)."""
    rep = write_replicated(name, tmp_path, rows=1)
    assert rep.copies == 1
    data = load_streamed(
        str(tmp_path / f"{name}.csv"), x=",".join(rep.x_names), y="y", degree=rep.case.degree
    )
    ref = reference.solve(data, rep.case.intercept)
    np.testing.assert_allclose(ref.residual_sd, rep.case.residual_sd, rtol=1e-10)
    check_certified(ref, rep)


@pytest.mark.parametrize("name", ["Filip", "Longley", "Wampler5"])
def test_the_streamed_mse_of_any_parameters_is_exact(name, tmp_path):
    """The MSE the run shows (session.record) on streamed data, at the certified parameters and
    near them, against exact rational arithmetic over the published rows (replication leaves an
    MSE unchanged). On moment rows Filip's would cancel to nonsense (3e8 for 1e-5)."""
    from fractions import Fraction

    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    rep = write_replicated(name, tmp_path)
    case = rep.case
    data = load_streamed(
        str(tmp_path / f"{name}.csv"), x=",".join(rep.x_names), y="y", degree=case.degree
    )
    session = Session(data, Hyperparameters(predict_x=(1.0,) * data.raw_x.shape[1]))
    x = case.x if case.x.ndim == 2 else case.x[:, None]
    if case.degree == 1:
        rows = [[Fraction(1), *map(Fraction, r)] for r in x.tolist()]
    else:  # the exact powers of x
        rows = [[Fraction(r[0]) ** k for k in range(case.degree + 1)] for r in x.tolist()]
    for scale in (1.0, 1.0 + 1e-9):
        theta = [c * scale for c in case.certified]
        exact = sum(
            (Fraction(yi) - sum(Fraction(t) * v for t, v in zip(theta, row))) ** 2
            for row, yi in zip(rows, case.y.tolist())
        ) / len(case.y)
        got = session.problem.loss.mse(np.array(theta[1:]), theta[0])
        assert got == pytest.approx(float(exact), rel=1e-14, abs=0)
