"""The validation split: the held-out rows are chosen by the seed, training sees only the rest,
and the validation MSE of every epoch equals the MSE computed directly on the held-out rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.errors import HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.reference import solve
from linreg_tui.core.session import Session

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def noisy(degree: int = 1):
    return load_csv(str(SAMPLE / "noisy_line.csv"), degree=degree)


def test_the_held_out_rows_are_the_seeds_and_training_sees_the_rest():
    data = noisy()
    session = Session(data, Hyperparameters(validation=0.3, seed=5))
    held = np.sort(np.random.default_rng(5).permutation(data.n_samples)[: round(0.3 * 100)])
    assert session.problem.validation.rows.tolist() == held.tolist()
    train = np.setdiff1d(np.arange(data.n_samples), held)
    assert session.dataset.y.tolist() == data.y[train].tolist()
    ref = solve(session.dataset)  # the reference is least squares on the training rows
    assert session.reference.weights.tolist() == ref.weights.tolist()


@pytest.mark.parametrize("standardize", [False, True])
def test_validation_mse_of_every_epoch_is_the_direct_mse_on_the_held_out_rows(standardize):
    data = noisy(degree=3)
    hp = Hyperparameters(
        validation=0.25, seed=2, standardize=standardize, lr=0.2 if standardize else 1e-7
    )
    session = Session(data, hp)
    recs = session.trainer.advance(300)
    rows = session.problem.validation.rows
    x, y = data.features[rows], data.y[rows]
    for i in (0, 1, 150, 299):
        direct = np.mean((y - (x @ recs.weights[i] + recs.intercept[i])) ** 2)
        assert recs.val_mse[i] == pytest.approx(direct, rel=1e-9)
        assert session.trainer.validation_trace[recs.epochs[i]] == recs.val_mse[i]
    assert session.record().val_mse == recs.val_mse[-1]


def test_without_a_seed_one_is_drawn_and_a_split_leaving_too_few_rows_is_refused():
    assert Session(noisy(), Hyperparameters(validation=0.2)).hp.seed is not None
    with pytest.raises(HyperparameterError, match="validation: holding out"):
        Session(noisy(degree=3), Hyperparameters(validation=0.97, seed=1))
