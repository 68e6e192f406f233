"""Values at the ends of float64: a problem float64 can hold is solved with true numbers; one it
cannot is refused with one line (exit 2). Never a numpy warning, never NaN or inf as a result,
never a false diagnosis, and the verdict agrees with the outcome.

The property test draws data at every scale float64 has (x and y multiplied independently by
2^e, e from −1074 to 1023), and checks each run either way against exact rational arithmetic.
"""

from __future__ import annotations

import json
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import run
from test_printed_mse import exact_mse_and_tolerance

from linreg_tui.core.analysis import Verdict
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.reference import solve
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.cli import render_json, render_text, train_headless

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def strict_json(text: str) -> dict:
    def refuse(name):
        raise AssertionError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@st.composite
def scaled_problems(draw):
    n = draw(st.integers(3, 12))
    degree = draw(st.sampled_from([1, 1, 2, 3]))
    ex = draw(st.integers(-1074, 1023))
    ey = draw(st.integers(-1074, 1023))
    xs = sorted(set(draw(st.lists(st.integers(-64, 64), min_size=n, max_size=n))))
    if len(xs) < degree + 2:
        xs = list(range(degree + 2))
    x = [math.ldexp(v / 8, ex) for v in xs]
    y = [math.ldexp(draw(st.integers(-64, 64)) / 8, ey) for _ in xs]
    hp = Hyperparameters(
        lr=1.0,
        epochs=draw(st.integers(0, 200)),
        standardize=draw(st.booleans()),
        fit_intercept=draw(st.booleans()),
        predict_x=(draw(st.sampled_from([0.0, 6.0, 1e200, -1e300])),),
        m0=(draw(st.sampled_from([0.0, 1.0, 1e200])),),
    )
    return x, y, degree, hp, draw(st.floats(0.01, 1.5))


@SETTINGS
@given(scaled_problems())
def test_any_scale_is_solved_truly_or_refused_in_one_line(problem):
    x, y, degree, hp, fraction = problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        dataset = Dataset(np.array(x)[:, None], np.array(y), ("x",), "y", degree)
        try:
            session = Session(dataset, hp)
            session = session.replace(lr=fraction * session.lr_max)
        except (DataError, HyperparameterError) as exc:
            message = str(exc)
            assert "\n" not in message and len(message) < 400
            assert "nan" not in message.lower()
            assert "linear combination" not in message  # distinct points are never collinear
            return
        assert 0 < session.lr_max < math.inf
        train_headless(session, None)
        out = strict_json(render_json(session))
        text = render_text(session)
    assert "nan" not in text.lower() and "inf\n" not in text
    assert out["mse"] is not None
    intercept = out["intercept"] if hp.fit_intercept else 0.0
    exact, tolerance = exact_mse_and_tolerance(x, y, degree, out["weights"], intercept)
    assert abs(out["mse"] - float(exact)) <= tolerance
    # The verdict agrees with the outcome.
    if out["status"] == Status.DIVERGED.value:
        assert out["verdict"] == Verdict.WILL_DIVERGE.value
    for key, why in out.get("nulls", {}).items():
        assert "prediction" in key and "float64" in why


@pytest.mark.parametrize(
    "rows, args, words",
    [
        # x ≈ 1e-308: the curvature x² underflows.
        ([(1e-308, 1), (2e-308, 2), (3e-308, 2.5), (4e-308, 4)], [], "curvature"),
        ([(1e-308, 1), (2e-308, 2), (3e-308, 2.5), (4e-308, 4)], ["--standardize"], "deviation"),
        # y ≈ 1e308: its squares overflow.
        ([(1, 1e308), (2, 1.5e308), (3, 1.2e308), (4, 1.7e308)], [], "squares of y"),
        # Subnormal x: the slope is beyond float64.
        ([(5e-324, 1), (1e-323, 2), (1.5e-323, 2.5), (2e-323, 4)], [], "weight of 'x'"),
        # 1e200 next to 1e-200, unscaled: no learning rate float64 holds is stable.
        ([(1e200, 1), (1e-200, 2), (3e-200, 2.5), (2e200, 4)], ["--lr", "1e-30"], "curvature"),
    ],
)
def test_out_of_range_data_is_refused_in_one_line(tmp_path, rows, args, words):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in rows))
    result = run(str(path), "--headless", *args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and words in lines[0] and "float64" in lines[0], result.stderr


def test_mixed_magnitudes_standardised_train_truly(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1e200,1\n1e-200,2\n3e-200,2.5\n2e200,4\n")
    result = run(str(path), "--json", "--standardize", "--epochs", "5000")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = strict_json(result.stdout)
    assert out["status"] == "budget spent" and out["verdict"] != "will diverge"
    # Least squares in exact arithmetic: the answer the run must be approaching.
    xs = [Fraction(v) for v in (1e200, 1e-200, 3e-200, 2e200)]
    ys = [Fraction(v) for v in (1, 2, 2.5, 4)]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
    assert out["reference"]["weights"][0] == float(slope)
    assert out["weights"][0] == pytest.approx(float(slope), rel=1e-9)


def test_a_start_beyond_float64_is_refused_not_called_good():
    result = run("--headless", "--m0", "1e200")
    assert result.returncode == 2
    assert "m0" in result.stderr and "float64" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_json_is_strict_with_null_and_reason():
    result = run("--predict", "1e200", "--degree", "2", "--standardize", "--json")
    assert result.returncode == 0 and result.stderr == ""
    out = strict_json(result.stdout)
    assert out["prediction"] is None and out["reference"]["prediction"] is None
    assert "float64" in out["nulls"]["prediction"]
    assert "prediction is null" in out["message"]


def test_degree_25_on_distinct_points_is_not_called_collinear(tmp_path):
    # 1,400 distinct points in [0, 1]: above the exact solver's default size, and too
    # ill-conditioned for the float solver, which then hands it to exact arithmetic.
    rng = np.random.default_rng(0)
    x = np.sort(rng.random(1400))
    y = np.round(np.sin(3 * x) * 1024) / 1024
    dataset = Dataset(x[:, None], y, ("x",), "y", 25)
    refined = solve(dataset, method="refined")
    exact = solve(dataset, method="exact")
    assert refined.weights.tolist() == exact.weights.tolist()
    assert refined.mse == exact.mse


def test_large_offset_keeps_its_digits_in_every_path():
    # x = 1e9 + k/1000: the float solver, the exact solver and gradient descent (standardised)
    # agree with the closed form in exact arithmetic.
    k = np.arange(200)
    x = 1e9 + k / 1000
    y = np.round(0.5 * (k / 1000) * 1024 + 3) / 1024
    xs = [Fraction(v) for v in x.tolist()]
    ys = [Fraction(v) for v in y.tolist()]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
    intercept = my - slope * mx
    dataset = Dataset(x[:, None], y, ("x",), "y")
    for method in ("exact", "refined"):
        ref = solve(dataset, method=method)
        assert ref.weights[0] == pytest.approx(float(slope), rel=1e-12), method
        assert ref.intercept == pytest.approx(float(intercept), rel=1e-12), method
    session = Session(dataset, Hyperparameters(standardize=True, epochs=5000, predict_x=(1e9,)))
    session = session.replace(lr=session.analysis.lr_best)
    train_headless(session, None)
    rec = session.record()
    assert rec.weights[0] == pytest.approx(float(slope), rel=1e-9)
    # b ≈ −m·1e9, so ŷ(1e9) = b + m·1e9 cancels eleven digits: it can be no closer to the exact
    # answer than rounding m and b to float64 allows (about an ulp of m·1e9).
    truth = float(intercept + slope * Fraction(1e9))
    for got, m, b in [
        (session.prediction(rec), rec.weights[0], rec.intercept),
        (session.reference_prediction(), session.reference.weights[0], session.reference.intercept),
    ]:
        assert abs(got - truth) <= 8 * 2**-52 * (abs(m) * 1e9 + abs(b)) + 1e-9 * abs(m) * 1e9


def test_every_json_output_is_strict():
    # The one writer every --json output goes through (the run, --compare, --sweep).
    from linreg_tui.tui.strict_json import dumps

    out = strict_json(dumps({"a": math.inf, "b": [1.0, -math.inf, {"c": math.nan}], "d": 2.5}))
    assert out["a"] is None and out["b"][1] is None and out["b"][2]["c"] is None
    assert out["d"] == 2.5
    assert set(out["nulls"]) == {"a", "b[1]", "b[2].c"}
    assert "float64" in out["nulls"]["a"] and "not a number" in out["nulls"]["b[2].c"]


def test_too_ill_conditioned_and_too_big_to_solve_exactly_says_so(monkeypatch):
    # The same distinct points, with the exact fallback out of reach: the message says float64
    # cannot solve it, never that a column is a linear combination of the others.
    from linreg_tui.core import reference

    monkeypatch.setattr(reference, "EXACT_FALLBACK_LIMIT", 0)
    rng = np.random.default_rng(0)
    x = np.sort(rng.random(1400))
    dataset = Dataset(x[:, None], np.sin(3 * x), ("x",), "y", 25)
    with pytest.raises(DataError) as refused:
        solve(dataset, method="refined")
    message = str(refused.value)
    assert "for float64" in message and "linear combination" not in message
    assert "\n" not in message
