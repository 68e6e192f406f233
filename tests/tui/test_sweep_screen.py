"""Pilot test of the sweep view (key s): 40 runs around 2/λmax, each ending as the bound says.

Independent answer: the seed's 2/λmax from its Hessian [[22, 6], [6, 2]], 2/(12 + √136).
"""

from __future__ import annotations

import math

from pilot import app_test

from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.sweep_screen import SweepChart, SweepScreen, decades

LR_MAX = 2 / (12 + math.sqrt(136))


@app_test
async def test_s_sweeps_lr_and_marks_the_bound_the_fastest_rate_and_the_nearest_run():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        result = app.screen.result
        assert result is not None and len(result.outcomes) == 40
        assert abs(result.bound - LR_MAX) < 1e-15
        for lr, o in zip(result.values.tolist(), result.outcomes):
            assert (o.status is Status.DIVERGED) == (lr > LR_MAX), (lr, o.status)
        assert abs(result.values[result.nearest] / 0.01 - 1) < 0.2  # nearest the seed's 0.01
        verdict = str(app.screen.query_one("#sweep-verdict").render())
        assert "exactly the runs above the stability bound" in verdict
        key = str(app.screen.query_one("#sweep-key").render())
        assert "2/λmax 0.08452" in key and "fastest 0.08333" in key
        assert app.screen.query_one(SweepChart).result is result
        await pilot.press("escape")
        assert not isinstance(app.screen, SweepScreen)


def test_decade_ticks():
    assert decades(2e-5, 0.3) == [1e-4, 1e-3, 1e-2, 1e-1]
    assert len(decades(1e-30, 1e10)) <= 5
    assert decades(0.0, 1.0) == []


@app_test
async def test_closing_the_sweep_at_once_leaves_the_app_working():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen)
        await pilot.press("space")
        assert app.session.trainer.epoch == 1


@app_test
async def test_sweep_of_adam_says_there_is_no_fixed_bound():
    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    app = make_app(Session(seed_dataset(), Hyperparameters(optimizer="adam", epochs=200)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.screen.query_one("#sweep-verdict").render())
        assert "no fixed bound" in verdict
        assert app.screen.result.bound is None
        await pilot.press("escape")


@app_test
async def test_a_sweep_with_a_penalty_measures_the_mse_from_least_squares_and_says_so():
    """Ridge λ = 0.5: every run's MSE is above the least-squares MSE 0.48 (the seed's, by hand),
    while the penalised answer's own MSE (0.5088) is above some runs' MSE: the excess is taken
    from 0.48 and the key names it."""
    from linreg_tui.core.dataset import seed_dataset
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    app = make_app(Session(seed_dataset(), Hyperparameters(l2=0.5)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        chart = app.screen.query_one(SweepChart)
        assert chart.mse_star == 0.48
        key = str(app.screen.query_one("#sweep-key").render())
        assert "final MSE − LS MSE by lr" in key, key
