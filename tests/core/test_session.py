"""The session's derived numbers (R² now, distance to least squares, predictions, gradient norm,
condition number) against answers worked out by hand or in exact arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
#: Σ(y − ȳ)² for the seed's y = 2, 4, 5, 4, 5 (ȳ = 4): 4 + 0 + 1 + 0 + 1.
SEED_SST = 6


def test_r2_now_is_one_minus_n_mse_over_the_centred_total():
    s = Session(seed_dataset(), Hyperparameters())
    # Epoch 0: MSE 17.2, so R² = 1 − 5·17.2/6 = −40/3.
    assert s.r2_at(s.record().mse) == pytest.approx(-40 / 3, rel=1e-14)
    s.trainer.advance(1)
    # Epoch 1: MSE 10.490176 (exact, see test_seed_parity).
    assert s.r2_at(s.record().mse) == pytest.approx(1 - 5 * 10.490176 / SEED_SST, rel=1e-13)
    # At the optimum it is the reference's R², 0.6.
    assert s.r2_at(s.reference.mse) == pytest.approx(0.6, rel=1e-14)


def test_r2_without_intercept_is_uncentred():
    # Through the origin: R² = 1 − SSres/Σy², Σy² = 4 + 16 + 25 + 16 + 25 = 86.
    s = Session(seed_dataset(), Hyperparameters(fit_intercept=False))
    assert s.r2_at(17.2) == pytest.approx(1 - 5 * 17.2 / 86, rel=1e-14)


def test_distance_prediction_and_gradient_norm_at_the_first_epochs():
    s = Session(seed_dataset(), Hyperparameters())
    rec = s.record()
    assert s.distance_to_reference(rec) == pytest.approx(math.sqrt(0.6**2 + 2.2**2), rel=1e-14)
    assert rec.grad_norm == pytest.approx(math.sqrt(26.4**2 + 8**2), rel=1e-14)
    assert s.prediction(rec) == 0.0
    assert s.reference_prediction() == pytest.approx(5.8, rel=1e-15)
    s.trainer.advance(1)
    rec = s.record()
    assert s.prediction(rec) == pytest.approx(0.264 * 6 + 0.08, rel=1e-14)  # 1.664
    assert s.distance_to_reference(rec) == pytest.approx(math.hypot(0.6 - 0.264, 2.2 - 0.08))


def test_condition_number_of_the_seed_hessian():
    # H = [[22, 6], [6, 2]]: λ = 12 ± √136.
    a = Session(seed_dataset(), Hyperparameters()).analysis
    root = math.sqrt(136)
    assert a.condition == pytest.approx((12 + root) / (12 - root), rel=1e-12)


def test_prediction_with_several_x_columns_uses_the_readme_answer():
    ds = load_csv(SAMPLE / "multi_feature.csv", x=["1", "2", "3"])
    s = Session(ds, Hyperparameters(predict_x=(5.0, 7.0, 2.0), standardize=True))
    # sample_data/README.md (exact least squares, 12 significant digits).
    expected = 18.396376912 + 4.65915796139 * 5 + 3.05616782403 * 7 - 1.52831489149 * 2
    assert s.reference_prediction() == pytest.approx(expected, rel=1e-10)


def _exact_quadratic_fit(x: list[int], y: list[int]) -> list[Fraction]:
    """Least squares for y = c0 + c1·x + c2·x², by Cramer's rule in fractions."""
    rows = [[Fraction(1), Fraction(v), Fraction(v * v)] for v in x]
    a = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    b = [sum(r[i] * t for r, t in zip(rows, y)) for i in range(3)]

    def det(m):
        return (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )

    d = det(a)
    out = []
    for k in range(3):
        m = [[b[i] if j == k else a[i][j] for j in range(3)] for i in range(3)]
        out.append(det(m) / d)
    return out


def test_prediction_of_a_polynomial_uses_the_powers_of_predict_x():
    x, y = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    c0, c1, c2 = _exact_quadratic_fit(x, y)
    ds = Dataset(np.array(x, float)[:, None], np.array(y, float), ("x",), "y", degree=2)
    s = Session(ds, Hyperparameters())
    assert s.reference_prediction() == pytest.approx(float(c0 + c1 * 6 + c2 * 36), rel=1e-13)
