"""One frame, read by every pane: a pane redraws only when what it shows changed, and a run's
epochs never depend on how many frames are drawn."""

from __future__ import annotations

from pilot import app_test

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status
from linreg_tui.tui.app import make_app
from linreg_tui.tui.chart import Chart
from linreg_tui.tui.data_view import DataView
from linreg_tui.tui.status_panel import StatusPanel


def spy(monkeypatch, cls: type, name: str) -> list[object]:
    """Record the instances on which ``cls.name`` is called (and still call it)."""
    calls: list[object] = []
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)
    return calls


@app_test
async def test_an_unchanged_frame_draws_nothing_and_a_step_draws_what_changed(monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # all four panes show
        await pilot.pause()
        app.refresh_views()  # the table learns what its lines are at its laid-out size
        builds = spy(monkeypatch, Chart, "_plot_rows")
        status = spy(monkeypatch, StatusPanel, "update")
        table = spy(monkeypatch, DataView, "refresh")

        app.refresh_views()
        app.refresh_views()
        assert builds == status == table == []

        await pilot.press("space")
        names = sorted(w.id for w in builds)
        assert names == ["fit", "loss"]  # each chart built once
        assert len(status) == 1
        # the data table repaints only the rows whose ŷ and residual changed: every row here
        assert table


@app_test
async def test_a_converged_run_stops_redrawing_the_fit_chart(monkeypatch):
    """Near the optimum the line no longer moves on screen: the fit chart is not built again,
    though the parameters still change in their last digits."""
    app = make_app(Session(seed_dataset(), Hyperparameters(epochs=100_000)))
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.trainer.advance(3_000, records=False)
        app.refresh_views()
        await pilot.pause()
        before = app.session.record()
        builds = spy(monkeypatch, Chart, "_plot_rows")
        await pilot.press("space")
        after = app.session.record()
        assert after.weights[0] != before.weights[0]  # it moved...
        assert [w.id for w in builds if w.id == "fit"] == []  # ...but not visibly


@app_test
async def test_the_epochs_run_do_not_depend_on_frames(monkeypatch):
    """A terminal that never takes another frame: the run still reaches its budget, and only
    the frames outside the run (its start and end) are drawn."""
    budget = 200_000
    app = make_app(Session(seed_dataset(), Hyperparameters(epochs=budget)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(app.pacer, "wait", lambda: float("inf"))
        drawn = spy(monkeypatch, type(app), "refresh_views")
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.trainer.epoch == budget
        assert app.session.trainer.status is Status.BUDGET_SPENT
        assert len(drawn) == 2  # the run's first frame and its last
        assert str(app.query_one("#status").render()).startswith("epoch 200,000/200,000")
