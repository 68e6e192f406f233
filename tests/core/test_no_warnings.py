"""Never a numpy warning, never NaN presented as a result: the class, not the cases.

Every optimiser, schedule, penalty, batch size and validation split, over data at the ends of
float64 (1e-308, subnormal, 1e308, 1e200 beside 1e-200), with rates far above the stable one and
starts far from the data, is run headless with every warning turned into an error. Each run
either prints results (strict JSON, no NaN, no inf in the text) or is refused with one line. A
few of them also go through the real command line under ``python -W error`` with stderr
checked.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import ENV
from test_float_edges import strict_json

from linreg_tui.core.dataset import Dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.cli import render_json, render_text, train_headless

OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
SCHEDULES = ["constant", "step", "exponential", "invscaling", "cosine"]

#: Columns at the ends of float64, and ordinary ones beside them.
COLUMNS = {
    "ordinary": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    "tiny": [1e-308, 2e-308, 3e-308, 5e-308, 8e-308, 1.3e-307],
    "subnormal": [5e-324, 1e-323, 1.5e-323, 2.5e-323, 4e-323, 6.4e-323],
    "huge": [1e308, 1.2e308, 1.5e308, 1.1e308, 1.7e308, 1.3e308],
    "mixed": [1e200, 1e-200, 3e-200, 2e200, 5e-200, 7e199],
    "offset": [1e9 + k / 1000 for k in range(6)],
    "large": [1e150, 2e150, 3e150, 4e150, 5e150, 6e150],
    "small": [1e-150, 2e-150, 3e-150, 4e-150, 5e-150, 6e-150],
}

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@st.composite
def problems(draw):
    x = COLUMNS[draw(st.sampled_from(sorted(COLUMNS)))]
    y = COLUMNS[draw(st.sampled_from(sorted(COLUMNS)))]
    y = [v * draw(st.sampled_from([1.0, -1.0])) for v in y][::-1] if draw(st.booleans()) else y
    degree = draw(st.sampled_from([1, 1, 2]))
    intercept = draw(st.booleans())
    hp = Hyperparameters(
        lr=draw(st.sampled_from([1e-30, 0.01, 1.0, 1e3, 1e300])),
        epochs=draw(st.sampled_from([0, 1, 7, 60])),
        standardize=draw(st.booleans()),
        fit_intercept=intercept,
        m0=(draw(st.sampled_from([0.0, 1.0, -3.0, 1e200, 1e-300])),),
        b0=draw(st.sampled_from([0.0, 1e200])) if intercept else 0.0,
        predict_x=(draw(st.sampled_from([0.0, 6.0, 1e200])),),
        optimizer=draw(st.sampled_from(OPTIMIZERS)),
        schedule=draw(st.sampled_from(SCHEDULES)),
        batch_size=draw(st.sampled_from([None, 1, 2, 4])),
        l1=draw(st.sampled_from([0.0, 0.0, 0.1, 1e300])),
        l2=draw(st.sampled_from([0.0, 0.0, 0.1, 1e300])),
        validation=draw(st.sampled_from([0.0, 0.0, 0.34])),
        seed=1,
        tol=draw(st.sampled_from([0.0, 1e-9])),
    )
    return x, y, degree, hp, draw(st.sampled_from([None, 0.5, 1.9, 50.0]))


def check_output(session: Session) -> None:
    out = strict_json(render_json(session))  # no NaN or Infinity
    text = render_text(session)
    words = text.lower().replace(",", " ").replace(":", " ").replace("(", " ").split()
    assert "nan" not in words and "inf" not in words and "-inf" not in words, text
    for key, why in out.get("nulls", {}).items():
        assert why, key


@SETTINGS
@given(problems())
def test_any_settings_on_any_data_run_without_a_warning(problem):
    x, y, degree, hp, fraction = problem
    dataset = Dataset(np.array(x)[:, None], np.array(y), ("x",), "y", degree)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        try:
            session = Session(dataset, hp)
            if fraction is not None and session.lr_max is not None:
                session = session.replace(lr=fraction * session.lr_max)
        except (DataError, HyperparameterError) as exc:
            message = str(exc)
            assert "\n" not in message and len(message) < 400
            assert "nan" not in message.lower().replace("nan-", "")
            return
        train_headless(session, None)
        check_output(session)
        # stepping back and forward again, and reading every record, as the app does
        session.trainer.seek(session.trainer.frontier // 2)
        session.record()
        if session.trainer.epoch:
            session.step()
        session.trainer.path()
        session.analysis  # noqa: B018


@pytest.mark.parametrize(
    "column, extra",
    [
        ("mixed", ["--optimizer", "adam", "--lr", "1e300"]),
        ("tiny", ["--optimizer", "rmsprop", "--standardize"]),
        ("huge", ["--optimizer", "momentum", "--batch-size", "2"]),
        ("subnormal", ["--optimizer", "nesterov", "--standardize", "--l2", "0.1"]),
        ("ordinary", ["--optimizer", "adagrad", "--lr", "1e300", "--validation", "0.34"]),
        ("ordinary", ["--m0", "1e200", "--optimizer", "adam"]),
        ("large", ["--schedule", "cosine", "--l1", "0.1", "--standardize"]),
        ("offset", ["--optimizer", "nesterov", "--lr", "1e3", "--batch-size", "1"]),
    ],
)
@pytest.mark.parametrize("mode", ["--json", "--headless"])
def test_command_line_under_W_error(tmp_path, column, extra, mode):
    path = tmp_path / "d.csv"
    rows = zip(COLUMNS[column], COLUMNS["ordinary"])
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in rows))
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "linreg_tui.tui.cli", str(path), mode, *extra],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert "Warning" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    if result.returncode == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        return
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    if mode == "--json":
        strict_json(result.stdout)
    else:
        words = result.stdout.lower().replace(",", " ").replace(":", " ").split()
        assert "nan" not in words and "inf" not in words, result.stdout
