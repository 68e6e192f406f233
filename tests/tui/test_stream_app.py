"""The app on streamed data (--stream): the fit chart and the data pane show the uniform sample,
marked as one; gradient descent runs on the whole file's statistics; mini-batches, edits and
scenarios are refused, each saying why.

Expected numbers come from the in-memory loader and reference on the same file, and from the
in-memory app's run with the same settings, never from the streamed path itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from pilot import app_test
from test_keys import note_text, run_to_completion, type_into, wait_until

from linreg_tui.core import reference
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.loading import load_data
from linreg_tui.core.session import Session
from linreg_tui.core.streaming import NO_MINI_BATCH, SAMPLE_ROWS, load_streamed
from linreg_tui.tui.app import make_app
from linreg_tui.tui.data_view import DataView
from linreg_tui.tui.fit_chart import FitChart

ROWS = 150_000
SIZE = (120, 40)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 10, ROWS)
    y = 2.5 * x - 4 + rng.normal(size=ROWS)
    path = tmp_path_factory.mktemp("stream") / "big.csv"
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist())))
    return path


HP = Hyperparameters(lr=0.02, epochs=400, predict_x=(6.0,))


def texts(app) -> str:
    return " ".join(str(w.render()) for w in app.query("Static"))


@app_test
async def test_the_sample_is_shown_and_marked_and_the_run_is_the_whole_files(big_file):
    streamed = Session(load_streamed(str(big_file)), HP)
    memory = Session(load_data(str(big_file)), HP)
    app = make_app(streamed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(DataView)
        assert view.row_count() == SAMPLE_ROWS  # the sample, not the moment rows
        shown = texts(app)
        assert f"a uniform sample of {SAMPLE_ROWS:,} of the {ROWS:,} rows" in shown
        assert f"{ROWS:,} rows (streamed)" in shown
        assert f"sample of {SAMPLE_ROWS:,}/{ROWS:,} rows" in app.query_one(FitChart).key()
        # The sample's rows are rows of the file.
        whole = memory.dataset
        rows = {(a, b) for a, b in zip(whole.raw_x[:, 0].tolist(), whole.y.tolist())}
        sample = app.session.shown_data
        assert all(
            (a, b) in rows for a, b in zip(sample.raw_x[:500, 0].tolist(), sample.y[:500].tolist())
        )
        await pilot.press("e")
        await run_to_completion(pilot)
        await wait_until(pilot, lambda: app.session.trainer.epoch == 400, "the run ended")
    # The least-squares answer and the run: the in-memory ones (the run's arithmetic differs
    # only in rounding: the moment rows against the rows themselves).
    ref = reference.solve(memory.dataset)
    np.testing.assert_allclose(app.session.reference.weights, ref.weights, rtol=1e-12)
    np.testing.assert_allclose(app.session.reference.intercept, ref.intercept, rtol=1e-12)
    memory.trainer.advance(400)
    got, want = app.session.record(), memory.record()
    np.testing.assert_allclose(got.weights, want.weights, rtol=1e-9)
    np.testing.assert_allclose(got.intercept, want.intercept, rtol=1e-9)
    np.testing.assert_allclose(got.mse, want.mse, rtol=1e-9)


@app_test
async def test_a_mini_batch_is_refused_with_the_reason(big_file):
    app = make_app(Session(load_streamed(str(big_file)), HP))
    async with app.run_test(size=SIZE) as pilot:
        hp = app.session.hp
        await pilot.press("g")  # the method page holds the batch size
        await type_into(pilot, "batch_size", "32")
        assert app.session.hp == hp
        note = note_text(app)
        assert NO_MINI_BATCH.split(";")[0] in note.replace("\n", " "), note


@pytest.mark.parametrize("key", ["enter", "a", "d", "n", "u", "w"])
@app_test
async def test_editing_keys_are_refused_saying_why(big_file, key):
    app = make_app(Session(load_streamed(str(big_file)), HP))
    async with app.run_test(size=SIZE) as pilot:
        session, data = app.session, app.session.dataset
        app.query_one(DataView).focus()
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no dialog opened
        notes = [n.message for n in app._notifications]
        assert any("Editing is off with --stream" in n for n in notes), notes
        assert app.session is session and app.session.dataset is data


@app_test
async def test_saving_a_scenario_is_refused_saying_why(big_file):
    app = make_app(Session(load_streamed(str(big_file)), HP))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        notes = [n.message for n in app._notifications]
        assert any("--stream keeps only their sums" in n for n in notes), notes
