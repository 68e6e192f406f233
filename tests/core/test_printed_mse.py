"""The MSE printed is the MSE of the parameters printed.

For generated ill-conditioned (high-degree polynomials, standardised or not), tiny, huge and
offset (x = 1e9 + k/1000) data, a headless run's JSON is parsed, and its MSE is compared with the
exact MSE of the printed parameters on the data, recomputed in rational arithmetic
(:class:`fractions.Fraction`, polynomial features as exact powers of x). The tolerance is what
rounding to float64 can change: each term xᵢⱼ·wⱼ and b perturbed by a relative u = (D + 2)·eps
(D the degree: float powers of x carry up to D − 1 roundings) moves the MSE by at most
(2/n)·Σ|rᵢ|·u·sᵢ + (1/n)·Σ(u·sᵢ)², sᵢ = Σⱼ|xᵢⱼ·wⱼ| + |b|; plus a few ulps of the MSE itself.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from linreg_tui.core import residuals
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.errors import DataError
from linreg_tui.core.float_range import fits
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.cli import render_json, train_headless

EPS = 2.0**-52

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def exact_mse_and_tolerance(
    x: list[float],
    y: list[float],
    degree: int,
    weights: list[float],
    intercept: float,
    ulps: int = 4,
) -> tuple[Fraction, float]:
    ws = [Fraction(w) for w in weights]
    b = Fraction(intercept)
    n = len(y)
    total = Fraction(0)
    bound_linear = Fraction(0)
    bound_square = Fraction(0)
    for xi, yi in zip(x, y):
        xf = Fraction(xi)
        terms = [w * xf ** (k + 1) for k, w in enumerate(ws)]
        r = Fraction(yi) - b - sum(terms, Fraction(0))
        s = sum((abs(t) for t in terms), Fraction(0)) + abs(b)
        total += r * r
        bound_linear += abs(r) * s
        bound_square += s * s
    mse = total / n
    u = Fraction((degree + 2) * EPS)
    tolerance = float(2 * u * bound_linear / n + u * u * bound_square / n) + ulps * EPS * float(mse)
    return mse, tolerance


@st.composite
def runs(draw):
    kind = draw(st.sampled_from(["ill-conditioned", "tiny", "huge", "offset"]))
    n = draw(st.integers(3, 40))
    if kind == "offset":
        degree = 1
        x = [1e9 + k / 1000 for k in range(n)]
        slope = draw(st.integers(-8, 8)) / 4
        y = [slope * (k / 1000) + draw(st.integers(-100, 100)) / 64 for k in range(n)]
    else:
        degree = draw(st.integers(2, 20)) if kind == "ill-conditioned" else draw(st.integers(1, 3))
        n = max(n, degree + 2)
        start = draw(st.integers(-50, 50))
        step = draw(st.sampled_from([1, 0.5, 0.125, 1 / 3]))
        x = [start + k * step for k in range(n)]
        y = [xi / 2 + draw(st.integers(-100, 100)) / 50 for xi in x]
        if kind != "ill-conditioned":
            e = draw(st.integers(200, 300)) * (-1 if kind == "tiny" else 1)
            sx = draw(st.integers(-1, 1))
            x = [math.ldexp(v, e * sx // 2) for v in x]
            y = [math.ldexp(v, e) for v in y]
    hp = Hyperparameters(
        lr=1.0,
        epochs=draw(st.integers(0, 300)),
        standardize=draw(st.booleans()),
        fit_intercept=draw(st.booleans()),
        predict_x=(0.0,),
    )
    return kind, x, y, degree, hp, draw(st.floats(0.01, 1.2))


@SETTINGS
@given(runs())
def test_printed_mse_is_the_exact_mse_of_the_printed_parameters(run):
    kind, x, y, degree, hp, fraction = run
    dataset = Dataset(np.array(x)[:, None], np.array(y), ("x",), "y", degree)
    try:
        session = Session(dataset, hp)
    except DataError:
        return  # refused with a message (tested elsewhere), so nothing is printed
    session = session.replace(lr=fraction * session.lr_max)
    train_headless(session, None)
    out = json.loads(render_json(session))
    intercept = out["intercept"] if hp.fit_intercept else 0.0
    exact, tolerance = exact_mse_and_tolerance(x, y, degree, out["weights"], intercept)
    printed = out["mse"]
    assert printed is not None and printed >= 0
    assert abs(printed - float(exact)) <= tolerance, (kind, printed, float(exact), tolerance)
    # The reference's MSE is also the exact MSE of its printed parameters.
    ref = out["reference"]
    ref_intercept = ref["intercept"] if hp.fit_intercept else 0.0
    ref_exact, ref_tolerance = exact_mse_and_tolerance(x, y, degree, ref["weights"], ref_intercept)
    assert ref["mse"] <= float(ref_exact) + ref_tolerance


def test_degree_20_standardised_mse_is_not_negative():
    # The case: x = 1..100, y = x/2 + noise, degree 20, standardised; MSE was −1.08e10.
    rng = np.random.default_rng(1)
    x = np.arange(1, 101, dtype=float)
    y = x / 2 + np.round(rng.normal(0, 1, 100) * 64) / 64
    dataset = Dataset(x[:, None], y, ("x",), "y", 20)
    session = Session(dataset, Hyperparameters(standardize=True, predict_x=(6.0,)))
    train_headless(session, None)
    out = json.loads(render_json(session))
    exact, tolerance = exact_mse_and_tolerance(
        x.tolist(), y.tolist(), 20, out["weights"], out["intercept"]
    )
    assert out["mse"] >= out["reference"]["mse"]
    assert abs(out["mse"] - float(exact)) <= tolerance
    assert session.trainer.loss_trace.min() >= 0


@SETTINGS
@given(
    st.integers(1, 4),
    st.integers(-1000, 1000),
    st.integers(-1000, 1000),
    st.randoms(use_true_random=False),
)
def test_residual_mse_is_correctly_rounded_whatever_the_cancellation(d, ex, ey, rnd):
    # Parameters chosen so that X·w + b nearly equals y: the residuals are many orders of
    # magnitude below the terms, which is where a plain float evaluation loses every digit.
    assume(abs(ey - ex) < 1000 and ey < 1000)
    n = rnd.randint(1, 30)
    x = np.array([[math.ldexp(rnd.uniform(-1, 1), ex) for _ in range(d)] for _ in range(n)])
    w = np.array([math.ldexp(rnd.uniform(-1, 1), ey - ex) for _ in range(d)])
    b = math.ldexp(rnd.uniform(-1, 1), ey)
    y = np.array(
        [float(sum(Fraction(v) * Fraction(c) for v, c in zip(row, w)) + Fraction(b)) for row in x]
    )
    y = y + np.array([math.ldexp(rnd.uniform(-1, 1), ey - rnd.randint(0, 40)) for _ in range(n)])
    exact = (
        sum(
            (Fraction(yi) - Fraction(b) - sum(Fraction(v) * Fraction(c) for v, c in zip(row, w)))
            ** 2
            for row, yi in zip(x, y)
        )
        / n
    )
    got = residuals.mse(x, y, w, b)
    if not fits(exact):
        return  # beyond float64 (inf) or below its normal range
    assert abs(Fraction(got) - exact) <= 8 * Fraction(EPS) * exact


#: The per-epoch MSE comes from a QR factor of the data (:mod:`linreg_tui.core.quadratic`), whose
#: backward error is a relative change of each column of a few eps: beside what rounding the
#: parameters can change, it may differ from the exact value by a few ulps more than a direct
#: sum (measured: up to 3.1 eps at an epoch 0 of ~500 drawn runs).
FAST_ULPS = 8

OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@st.composite
def history_runs(draw):
    kind, x, y, degree, hp, fraction = draw(runs())
    optimizer = draw(st.sampled_from(OPTIMIZERS))
    batch = draw(st.sampled_from([None, None, 1, 3]))
    epochs = min(hp.epochs, 120)
    return kind, x, y, degree, hp, fraction, optimizer, batch, epochs


def _history(path) -> tuple[list[str], list[list[str]]]:
    import csv

    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@SETTINGS
@given(history_runs())
def test_every_history_row_and_chart_point_is_the_exact_mse_of_its_parameters(
    tmp_path_factory, run
):
    # Every optimiser, full batch and mini-batch: each --history row's MSE, and the loss chart's
    # trace (the same numbers, from the core), against the exact MSE of that row's parameters.
    kind, x, y, degree, hp, fraction, optimizer, batch, epochs = run
    dataset = Dataset(np.array(x)[:, None], np.array(y), ("x",), "y", degree)
    hp = replace(hp, optimizer=optimizer, batch_size=batch, seed=1, epochs=epochs)
    try:
        session = Session(dataset, hp)
    except DataError:
        return
    lr_max = session.lr_max
    if lr_max is None or optimizer != "gd":
        lr_max = Session(dataset, replace(hp, optimizer="gd", batch_size=None)).lr_max
    session = session.replace(lr=fraction * lr_max / (1 if optimizer == "gd" else 4))
    path = tmp_path_factory.mktemp("h") / "history.csv"
    train_headless(session, str(path))
    header, rows = _history(path)
    names = [h for h in header if h == "m" or h.startswith("w_")]
    iw = [header.index(h) for h in names]
    ib = header.index("b") if "b" in header else None
    im = header.index("mse")
    trace = session.trainer.loss_trace
    assert len(rows) == len(trace)
    picks = sorted(set(np.linspace(0, len(rows) - 1, min(len(rows), 12)).astype(int).tolist()))
    for i in picks:
        row = rows[i]
        weights = [float(row[j]) for j in iw]
        intercept = float(row[ib]) if ib is not None else 0.0
        exact, tolerance = exact_mse_and_tolerance(x, y, degree, weights, intercept, FAST_ULPS)
        for printed in (float(row[im]), float(trace[i])):
            assert printed >= 0
            assert abs(printed - float(exact)) <= tolerance, (
                kind,
                optimizer,
                batch,
                i,
                printed,
                float(exact),
                tolerance,
            )
