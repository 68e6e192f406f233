"""The app opens before least squares is known: the data shows in the fit chart and the data pane
with the starting parameters, keys that need the answer wait politely, and the other panes fill in
when it is there; a dataset that cannot be fitted ends the app with the message.

The session is built in the app's thread; the tests hold that build at a gate to look at the
frames before it, and compare the frames after it with an app given the finished session.
"""

from __future__ import annotations

import threading

import numpy as np
from pilot import app_test
from test_keys import note_text, type_into, wait_until

from linreg_tui.core.dataset import Dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.data_view import DataView
from linreg_tui.tui.fit_chart import FitChart
from linreg_tui.tui.status_panel import StatusPanel

SIZE = (120, 40)


def data(n: int = 2_000) -> Dataset:
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, n)
    return Dataset(x[:, None], 1.5 * x + 2 + rng.normal(size=n), ("x",), "y", source="big.csv")


def gated(gate: threading.Event, built: list):
    def build(dataset, hp):
        assert gate.wait(30), "the test never opened the gate"
        session = Session(dataset, hp)
        built.append(session)
        return session

    return build


def status(app) -> str:
    return str(app.query_one(StatusPanel).render())


@app_test
async def test_the_data_shows_first_and_least_squares_fills_in():
    gate, built = threading.Event(), []
    hp = Hyperparameters(lr=0.01, m0=(0.5,), b0=1.0)
    app = make_app(pending=(data(), hp))
    app.build_session = gated(gate, built)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session is None
        text = status(app)
        assert "solving least squares" in text and "2,000 rows" in text
        assert "(LS" not in text
        # The data pane: every row, ŷ and the residual of the starting line 0.5·x + 1.
        view = app.query_one(DataView)
        assert view.row_count() == 2_000
        cells = view.row_cells(0, 12)
        x0, y0 = data().raw_x[0, 0], data().y[0]
        shown = [float(c) for c in cells[1:5]]
        expected = [x0, y0, 0.5 * x0 + 1, y0 - (0.5 * x0 + 1)]
        np.testing.assert_allclose(shown, expected, rtol=1e-3)
        assert "least squares: being solved" in app.query_one(FitChart).key()
        # Keys that need the answer wait politely; the app still answers.
        for key in ("space", "e", "r"):
            await pilot.press(key)
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("Solving least squares for 2,000 rows" in n for n in notes), notes
        # A setting typed now is refused, saying why, and kept.
        await type_into(pilot, "lr", "0.02")
        assert "still being solved" in note_text(app)
        # Panes still switch.
        await pilot.press("2")
        await pilot.pause()
        gate.set()
        await wait_until(pilot, lambda: app.session is not None, "least squares arrived")
        await pilot.pause()
        assert app.session is built[0]
        text = status(app)
        assert "(LS" in text and "solving" not in text
        assert app.session.hp.lr == 0.01  # the refused setting did not apply
        await pilot.press("space")
        await pilot.pause()
        assert app.session.trainer.epoch == 1
        after = status(app)
    # The same frame as an app given the finished session.
    twin = make_app(Session(data(), hp))
    async with twin.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert status(twin) == after


@app_test
async def test_data_that_cannot_be_fitted_ends_the_app_with_the_message():
    x = np.arange(10.0)
    collinear = Dataset(np.column_stack([x, 2 * x]), x + 1, ("a", "b"), "y", source="bad.csv")
    app = make_app(pending=(collinear, Hyperparameters(predict_x=(1.0, 1.0))))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.failure is not None, "the build failed")
    assert app.return_code == 2
    assert "linear combination" in app.failure


@app_test
async def test_a_streamed_dataset_opens_with_its_sample_before_least_squares(tmp_path):
    from linreg_tui.core.streaming import load_streamed

    path = tmp_path / "s.csv"
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 120_000)
    path.write_text("x,y\n" + "".join(f"{a!r},{2 * a!r}\n" for a in x.tolist()))
    gate, built = threading.Event(), []
    app = make_app(pending=(load_streamed(str(path)), Hyperparameters()))
    app.build_session = gated(gate, built)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "120,000 rows (streamed)" in status(app)
        assert app.query_one(DataView).row_count() == 100_000
        assert "sample of 100,000/120,000 rows" in app.query_one(FitChart).key()
        gate.set()
        await wait_until(pilot, lambda: app.session is not None, "least squares arrived")
        await pilot.pause()
        assert "(LS" in status(app)
    assert app.failure is None
