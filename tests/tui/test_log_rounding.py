"""The log's gradient cells: a gradient below its rounding bound reads "≈0 (round)" instead of
noise digits shown as if they were a gradient (report item 9); real gradients keep their digits."""

from __future__ import annotations

from pilot import app_test

from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.iteration_log import LogTable


def advanced(hp: Hyperparameters, epochs: int) -> Session:
    session = Session(seed_dataset(), hp)
    session.trainer.advance(epochs, records=False)
    return session


@app_test
async def test_rounding_noise_is_shown_as_such():
    # adam at lr 0.1 after 1,000 epochs: ∂m = ∂b = 8.8818e-16 in float64, exactly 1.4655e-15 and
    # 1.1102e-15 at the parameters shown; the bounds are about 2e-13 and 6e-14.
    app = make_app(advanced(Hyperparameters(optimizer="adam", lr=0.1), 1000))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.query_one(LogTable)
        cells = table.row_cells(0, 10)
        assert cells[0] == "1,000"
        assert cells[-2:] == ["≈0 (round)", "≈0 (round)"]
        assert table.row_cells(0, 8)[-2:] == ["≈0 round", "≈0 round"]


@app_test
async def test_a_gradient_keeps_its_digits():
    app = make_app(advanced(Hyperparameters(), 1000))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cells = app.query_one(LogTable).row_cells(0, 10)
        assert cells[-2:] == ["0.00598248", "-0.0215987"]
