"""The app draws data at the ends of float64 and diverging runs without a numpy warning and
without showing NaN or inf as a number: every pane (loss and fit charts, log, data table, loss
landscape) is drawn, stepped forward and back, with every warning turned into an error."""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pytest
from pilot import app_test

from linreg_tui.core.dataset import Dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app

ORDINARY = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
CASES = {
    # (x, y, settings): each drawn with warnings as errors
    "tiny x standardised": (
        [1e-308, 2e-308, 3e-308, 5e-308, 8e-308, 1.3e-307],
        ORDINARY,
        {"standardize": True},
    ),
    "huge y": (ORDINARY, [1e150, 2e150, 2.5e150, 4e150, 5e150, 7e150], {}),
    "small y": (ORDINARY, [1e-150, 2e-150, 2.5e-150, 4e-150, 5e-150, 7e-150], {}),
    "mixed x standardised": (
        [1e200, 1e-200, 3e-200, 2e200, 5e-200, 7e199],
        ORDINARY,
        {"standardize": True},
    ),
    "offset x": ([1e9 + k / 1000 for k in range(6)], ORDINARY, {"standardize": True}),
    "diverging gd": (ORDINARY, ORDINARY, {"lr": 1e3}),
    "diverging adam": (ORDINARY, ORDINARY, {"lr": 1e300, "optimizer": "adam"}),
    "diverging momentum, mini-batch": (
        ORDINARY,
        ORDINARY,
        {"lr": 5.0, "optimizer": "momentum", "batch_size": 2, "seed": 1},
    ),
    "rmsprop, l1, validation": (
        ORDINARY,
        [2.0, 4.0, 5.0, 4.0, 5.0, 7.0],
        {"lr": 1e3, "optimizer": "rmsprop", "l1": 0.5, "validation": 0.34, "seed": 1},
    ),
    "nesterov, l2, cosine, degree 2": (
        ORDINARY,
        [1e100, 3e100, 2e100, 5e100, 4e100, 6e100],
        {"optimizer": "nesterov", "l2": 1e300, "schedule": "cosine", "degree": 2},
    ),
    "adagrad, huge start": (ORDINARY, ORDINARY, {"optimizer": "adagrad", "m0": (1e150,)}),
}


def words_on_screen(app) -> list[str]:
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", " ", svg.split("<g", 1)[1]))
    return re.findall(r"[A-Za-z]+", text.lower())


@pytest.mark.parametrize("name", sorted(CASES))
@app_test
async def test_every_pane_draws_without_a_warning_or_a_nan(name):
    x, y, settings = CASES[name]
    settings = dict(settings)
    degree = settings.pop("degree", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        dataset = Dataset(np.array(x)[:, None], np.array(y), ("x",), "y", degree)
        try:
            session = Session(dataset, Hyperparameters(**settings, predict_x=(6.0,)))
        except (DataError, HyperparameterError):
            pytest.skip("refused with one line (tested in tests/core/test_no_warnings.py)")
        app = make_app(session)
        async with app.run_test(size=(120, 40)) as pilot:
            for keys in (
                ("space",),
                ("}",),
                ("}",),
                ("5",),
                ("{",),
                ("1",),
                ("2",),
                ("3",),
                ("4",),
                ("space",),
            ):
                await pilot.press(*keys)
                await pilot.pause()
                shown = words_on_screen(app)
                assert "nan" not in shown and "inf" not in shown, (name, keys)
