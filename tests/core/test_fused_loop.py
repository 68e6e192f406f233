"""The fused one-feature loop (core/kernel.py ``_run_fused``) against the general loop, bit for bit.

The fused loop inlines the objective's gradient and each optimiser's rule, runs epochs in blocks
and computes the records and the checks of a block at once; the general loop steps one epoch at a
time through the optimiser's compiled step and ``Quadratic.evaluate_scalar``. On random data,
every optimiser, rates below and above the stable bound (so rises and overflows happen),
tolerances, schedules, with and without an intercept, from random starting states and with
blocks of a few epochs (so stops fall inside blocks and runs cross block boundaries), the two
must give the same records, the same end point, the same epoch count and the same reason to stop.
The general loop is itself checked against an independent implementation of the formulas in
test_optimizers.py.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from linreg_tui.core import kernel, schedules
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.kernel import Buffers, Plan, Point, Stop
from linreg_tui.core.optimizers import OPTIMIZERS
from linreg_tui.core.session import Session

value = st.integers(-80, 80).map(lambda k: k / 8)


def _bits(x) -> bytes:
    return np.asarray(x, dtype=np.float64).tobytes()


def _same_point(a: Point, b: Point) -> None:
    assert _bits(a.w) == _bits(b.w)
    assert _bits(a.b) == _bits(b.b)
    assert [_bits(s) for s in a.state_w] == [_bits(s) for s in b.state_w]
    assert [_bits(s) for s in a.state_b] == [_bits(s) for s in b.state_b]
    assert a.t == b.t


@st.composite
def cases(draw):
    n = draw(st.integers(3, 12))
    x = np.array(draw(st.lists(value, min_size=n, max_size=n)))
    assume(np.ptp(x) > 0)
    y = np.array(draw(st.lists(value, min_size=n, max_size=n)))
    intercept = draw(st.booleans())
    name = draw(st.sampled_from(list(OPTIMIZERS)))
    schedule = draw(st.sampled_from(["constant", "invscaling", "exponential"]))
    hp = Hyperparameters(
        optimizer=name,
        lr=1.0,  # replaced below, once the bound is known
        fit_intercept=intercept,
        schedule=schedule,
        decay=0.999,
        momentum=draw(st.sampled_from([0.0, 0.5, 0.9])),
        tol=draw(st.sampled_from([0.0, 1e-9, 1e-4])),
        epochs=400,
    )
    dataset = Dataset(raw_x=x[:, None], y=y, x_names=("x",), y_name="y")
    return dataset, hp, draw(st.data())


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@pytest.mark.parametrize("block", [1, 7, 64])
@SETTINGS
@given(case=cases())
def test_the_fused_loop_equals_the_general_loop_bit_for_bit(block, case):
    dataset, hp, data = case
    session = Session(dataset, hp)
    lr_max, _ = session.bound_of(hp)
    scale = data.draw(st.sampled_from([0.3, 0.9, 1.05, 3.0]))
    lr = scale * (lr_max if lr_max is not None else 0.5)
    hp = dataclasses.replace(hp, lr=lr)
    objective = session.problem.objective
    opt = session.trainer.optimizer
    # a random starting state: parameters, the optimiser's state, its step count, the epoch
    w0 = np.array([data.draw(value)])
    b0 = data.draw(value) if hp.fit_intercept else 0.0
    start = Point.start(w0, b0, opt)
    state_w = tuple(np.abs(np.array([data.draw(value)])) for _ in opt.state_names)
    state_b = tuple(abs(data.draw(value)) for _ in opt.state_names) if hp.fit_intercept else ()
    # step counts where Adam's bias corrections become exactly 1 (β₁ = 0.9: after 362 steps;
    # β₂ = 0.999: after 38,000 or so), so blocks with and without them are both run
    t = data.draw(st.one_of(st.integers(0, 50), st.integers(300, 400), st.integers(37_900, 38_300)))
    start = Point(start.w, start.b, state_w, state_b or start.state_b, t)
    epoch = data.draw(st.integers(0, 50))
    schedule = None if hp.schedule == "constant" else functools.partial(schedules.rate, hp)
    plan = Plan(
        opt,
        lr,
        hp.tol,
        lr_max,
        data.draw(st.integers(0, 2)),
        data.draw(st.booleans()),
        schedule,
        epoch,
        None,
    )
    steps = data.draw(st.integers(0, 150))
    fused, general = Buffers(), Buffers()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernel, "BLOCK", block)
        got = kernel.run(objective, start, steps, plan, fused)
    want = kernel.run(objective, start, steps, plan, general, fused=False)
    assert got[1:] == want[1:]
    _same_point(got[0], want[0])
    for name in ("weights", "intercept", "mse", "grad_weights", "grad_intercept"):
        assert bytes(getattr(fused, name)) == bytes(getattr(general, name)), name


def test_the_stops_happen_in_the_fused_loop():
    """The property above must see every kind of stop (else it proves little about them)."""
    data = Dataset(
        raw_x=np.array([[1.0], [2.0], [3.0], [4.0], [5.0]]),
        y=np.array([5.0, 7.0, 9.0, 11.0, 13.0]),
        x_names=("x",),
        y_name="y",
    )
    seen = set()
    for hp, checks in (
        (Hyperparameters(lr=0.01, tol=1e-6, epochs=100_000), True),
        (Hyperparameters(lr=0.2, epochs=100_000), True),
        (Hyperparameters(lr=0.2, epochs=100_000), False),  # a replay: no checks but overflow
    ):
        session = Session(data, hp)
        objective, opt = session.problem.objective, session.trainer.optimizer
        lr_max, _ = session.bound_of(hp)
        plan = Plan(opt, hp.lr, hp.tol, lr_max, checks=checks)
        start = Point.start(np.array([0.0]), 0.0, opt)
        a, b = Buffers(), Buffers()
        got = kernel.run(objective, start, 100_000, plan, a)
        want = kernel.run(objective, start, 100_000, plan, b, fused=False)
        assert got[1:] == want[1:]
        assert bytes(a.mse) == bytes(b.mse)
        _same_point(got[0], want[0])
        seen.add(got[2])
    assert seen == {Stop.TOL, Stop.RISE, Stop.OVERFLOW}


def test_the_coefficients_do_not_depend_on_how_steps_are_grouped():
    """Adam's bias corrections 1 − βᵗ, from a table: any block gives the entries any other does,
    and they are 1 − βᵗ to within an ulp (numpy may compute βᵗ with its own pow)."""
    adam = OPTIMIZERS["adam"](beta1=0.9, beta2=0.999)
    whole = adam.coefficient_table(1, 50_000)
    for first, count in ((1, 1), (7, 300), (350, 30), (38_000, 2_000), (49_999, 2)):
        part = adam.coefficient_table(first, count)
        assert part[0] == whole[0][first - 1 : first - 1 + count]
        assert part[1] == whole[1][first - 1 : first - 1 + count]
        assert adam.coefficients(first) == (whole[0][first - 1], whole[1][first - 1])
    for t in (1, 2, 10, 361, 1000, 40_000):
        for beta, got in ((0.9, whole[0][t - 1]), (0.999, whole[1][t - 1])):
            assert got == pytest.approx(1 - beta**t, rel=4 * 2**-52)
            if beta**t <= 2**-55:
                assert got == 1.0


def test_the_generated_code_is_the_rule():
    """What the fused loop runs for Adam is its rule, renamed per block, and nothing else."""
    from linreg_tui.core.dataset import seed_dataset

    session = Session(seed_dataset(), Hyperparameters(optimizer="adam"))
    loop = kernel.fused_loop(session.trainer.optimizer, session.problem.quadratic, False)
    assert loop.__defaults__ is None and loop.__kwdefaults__["sqrt"] is math.sqrt
    source = kernel._fused_factory.__wrapped__(
        OPTIMIZERS["adam"], True, False, *[tuple(x) for x in _gradient(session)]
    ).__source__
    for line in OPTIMIZERS["adam"].rule_for("w", "gw", "_w"):
        assert line in source
    assert "w = w - lr * m_hat_w / (sqrt(v_hat_w) + eps)" in source
    assert "b = b - lr * m_hat_b / (sqrt(v_hat_b) + eps)" in source


def _gradient(session):
    lines, constants = session.problem.quadratic.scalar_gradient()
    return lines, tuple(constants)
