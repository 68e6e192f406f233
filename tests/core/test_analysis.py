"""The learning-rate analysis against the closed form, and its epoch count against real runs.

Seed data: the Hessian of the MSE in (m, b) is (2/n)·[[Σx², Σx], [Σx, n]] = [[22, 6], [6, 2]],
with eigenvalues 12 ± √136. So lr_max = 2/λmax = 2/(12 + √136) ≈ 0.0845, lr_best = 2/(λmin + λmax)
= 2/24 = 1/12, condition λmax/λmin = (12 + √136)/(12 − √136). Least squares: MSE* = 12/25 = 0.48.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from refdata import DATA_DIR, load_csv_columns
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core.analysis import Verdict
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

ROOT = math.sqrt(136)
LAM_MIN, LAM_MAX = 12 - ROOT, 12 + ROOT
MSE_STAR = Fraction(12, 25)


def seed_session(**changes) -> Session:
    return Session(seed_dataset(), Hyperparameters(**changes))


def test_seed_closed_form():
    analysis = seed_session().analysis
    np.testing.assert_allclose(analysis.eigenvalues, [LAM_MIN, LAM_MAX], rtol=1e-13)
    np.testing.assert_allclose(analysis.lr_max, 2 / LAM_MAX, rtol=1e-13)
    np.testing.assert_allclose(analysis.lr_max, 0.0845240525773498, rtol=1e-13)
    np.testing.assert_allclose(analysis.lr_best, 1 / 12, rtol=1e-13)
    np.testing.assert_allclose(analysis.condition, LAM_MAX / LAM_MIN, rtol=1e-12)
    # lr 0.01: the slow direction shrinks by 1 − 0.01·λmin an epoch.
    np.testing.assert_allclose(analysis.rate, 1 - 0.01 * LAM_MIN, rtol=1e-13)
    # Target with tol = 0: 1e-8 of the starting excess, 17.2 − 0.48 = 16.72.
    np.testing.assert_allclose(analysis.target, 1e-8 * 16.72, rtol=1e-12)


def test_standardised_single_feature_is_perfectly_conditioned():
    # z has mean 0 and variance 1, so the Hessian in (m_z, b_z) is 2·I: every direction has
    # λ = 2, lr_max = 1, lr_best = 1/2, condition 1.
    data = load_csv_columns(DATA_DIR / "cars.csv")
    dataset = Dataset(raw_x=data["speed"][:, None], y=data["dist"], x_names=("s",), y_name="d")
    analysis = Session(dataset, Hyperparameters(standardize=True)).analysis
    np.testing.assert_allclose(analysis.eigenvalues, [2.0, 2.0], rtol=1e-13)
    np.testing.assert_allclose(analysis.lr_max, 1.0, rtol=1e-13)
    np.testing.assert_allclose(analysis.lr_best, 0.5, rtol=1e-13)
    np.testing.assert_allclose(analysis.condition, 1.0, rtol=1e-13)


def test_no_intercept_single_feature():
    # MSE(m) = mean((y − m·x)²): Hessian 2·mean(x²) = 2·55/5 = 22 on the seed's x.
    analysis = seed_session(fit_intercept=False).analysis
    np.testing.assert_allclose(analysis.eigenvalues, [22.0], rtol=1e-14)
    np.testing.assert_allclose(analysis.lr_max, 1 / 11, rtol=1e-14)
    np.testing.assert_allclose(analysis.lr_best, 1 / 22, rtol=1e-14)


def exact_excess(m: float, b: float) -> Fraction:
    """MSE(m, b) − MSE* on the seed's data, exactly, for float parameters."""
    total = sum(
        (Fraction(int(y)) - Fraction(m) * int(x) - Fraction(b)) ** 2 for x, y in zip(SEED_X, SEED_Y)
    )
    return total / len(SEED_X) - MSE_STAR


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.05, 1 / 12, 0.084])
def test_epochs_needed_matches_a_real_run(lr):
    budget = 40_000
    session = seed_session(lr=lr, epochs=budget)
    analysis = session.analysis
    needed = analysis.epochs_needed
    assert needed is not None and 0 < needed <= budget
    target = analysis.target
    np.testing.assert_allclose(target, 1e-8 * 16.72, rtol=1e-12)

    session.trainer.advance(needed, records=False)
    trace = session.trainer.loss_trace
    assert trace.shape == (needed + 1,)
    # From the trainer's loss trace: the excess is above the target one epoch early, not after.
    assert trace[needed] - 0.48 <= target
    assert trace[needed - 1] - 0.48 > target

    # And from the seed loop, with the excess of its parameters computed exactly.
    _, _, history = seed_loop(SEED_X, SEED_Y, lr, needed)
    assert exact_excess(history[needed].m, history[needed].b) <= Fraction(target)
    assert exact_excess(history[needed - 1].m, history[needed - 1].b) > Fraction(target)


@pytest.mark.parametrize("lr", [0.01, 0.05])
def test_epochs_needed_with_tol_is_where_the_tol_stop_fires(lr):
    # With tol > 0 the prediction is the trainer's stop: the first epoch lowering the MSE by less
    # than tol. Checked on the seed loop's parameters, with each epoch's drop computed exactly.
    tol = 1e-6
    session = seed_session(lr=lr, tol=tol, epochs=50_000)
    analysis = session.analysis
    assert analysis.target == tol
    needed = analysis.epochs_needed
    assert needed is not None and needed > 1
    _, _, history = seed_loop(SEED_X, SEED_Y, lr, needed)

    def drop(k: int) -> Fraction:
        before, after = history[k - 1], history[k]
        return exact_excess(before.m, before.b) - exact_excess(after.m, after.b)

    assert drop(needed) < Fraction(tol)
    assert drop(needed - 1) >= Fraction(tol)
    # And the trainer does stop there.
    session.trainer.advance(50_000, records=False)
    assert session.trainer.status.value == "converged"
    assert session.trainer.epoch == needed


def test_epochs_needed_on_several_features():
    # multi_feature.csv, three features, standardised, lr 0.1: check the count against the run.
    data = load_csv_columns(DATA_DIR.parent.parent / "sample_data" / "multi_feature.csv")
    names = ("hours_studied", "hours_slept", "coffee_cups")
    dataset = Dataset(
        raw_x=np.column_stack([data[n] for n in names]),
        y=data["score"],
        x_names=names,
        y_name="score",
    )
    hp = Hyperparameters(lr=0.1, epochs=10_000, standardize=True, predict_x=(0.0,) * 3)
    session = Session(dataset, hp)
    analysis = session.analysis
    needed = analysis.epochs_needed
    assert needed is not None and 1 < needed < 10_000
    session.trainer.advance(needed, records=False)
    trace = session.trainer.loss_trace
    # sample_data/README.md: MSE* = 3.76729139032 (exact, 12 digits); excess from the trace.
    mse_star = session.reference.mse
    np.testing.assert_allclose(mse_star, 3.76729139032, rtol=1e-11)
    assert trace[needed] - mse_star <= analysis.target
    assert trace[needed - 1] - mse_star > analysis.target


def test_verdicts():
    too_small = seed_session(lr=0.001).analysis
    assert too_small.verdict is Verdict.TOO_SMALL
    assert too_small.summary.startswith("too small")
    good = seed_session(lr=0.05).analysis
    assert good.verdict is Verdict.GOOD
    best = seed_session(lr=1 / 12, epochs=1000).analysis
    assert best.verdict is Verdict.GOOD
    oscillating = seed_session(lr=0.084).analysis
    assert oscillating.verdict is Verdict.OSCILLATING
    assert oscillating.epochs_needed is not None
    diverging = seed_session(lr=0.1).analysis
    assert diverging.verdict is Verdict.WILL_DIVERGE
    assert diverging.epochs_needed is None
    assert format(2 / LAM_MAX, ".6g") in diverging.summary


def test_too_small_even_with_a_large_budget():
    # lr 0.001 shrinks the slow direction by 1 − 0.001·λmin an epoch, lr_best by 1 − λmin/12:
    # ln(1 − λmin/12)/ln(1 − 0.001·λmin) ≈ 85 times faster, well past the 10× threshold.
    analysis = seed_session(lr=0.001, epochs=10_000_000).analysis
    assert math.log(1 - LAM_MIN / 12) / math.log(1 - 0.001 * LAM_MIN) > 10
    assert analysis.verdict is Verdict.TOO_SMALL
    assert analysis.epochs_needed <= 10_000_000


def test_verdicts_agree_with_what_the_runs_do():
    # "oscillating" (lr above lr_best = 1/12): the slowest-shrinking direction is the steep one,
    # whose factor 1 − lr·λmax is negative, so late in the run the slope's error changes sign
    # every epoch. "good" at 0.05: the slowest direction is the flat one (factor 1 − 0.05·λmin > 0)
    # and the error keeps its sign. Epochs 400..500: well before rounding sets in.
    def slope_errors(lr: float) -> np.ndarray:
        _, _, history = seed_loop(SEED_X, SEED_Y, lr, 500)
        return np.array([h.m - 0.6 for h in history[400:]])

    assert seed_session(lr=0.084).analysis.verdict is Verdict.OSCILLATING
    zigzag = np.sign(slope_errors(0.084))
    assert np.all(zigzag[1:] == -zigzag[:-1])
    assert seed_session(lr=0.05).analysis.verdict is Verdict.GOOD
    smooth = np.sign(slope_errors(0.05))
    assert np.all(smooth == smooth[0])
    assert seed_session(lr=0.1).analysis.verdict is Verdict.WILL_DIVERGE
    session = seed_session(lr=0.1)
    session.trainer.advance(1000, records=False)
    assert session.trainer.status is Status.DIVERGED
