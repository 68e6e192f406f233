"""The status block's number lines fit their width: parts are left out whole where the panel
is narrow, never a number cut off by the terminal's edge ('R² 0.9707 (LS 0.983…')."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pilot import app_test
from rich.text import Text

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.editing import EditableData
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.sweep import parse_sweep, run_sweep
from linreg_tui.tui.app import make_app
from linreg_tui.tui.status_panel import StatusPanel, status_lines

MULTI = load_csv("sample_data/multi_feature.csv", x=["1", "2", "3"])
CASES = {
    "seed": (seed_dataset(), {}),
    "momentum": (seed_dataset(), {"optimizer": "momentum"}),
    "nesterov l2": (seed_dataset(), {"optimizer": "nesterov", "l2": 0.1}),
    "mini-batch": (seed_dataset(), {"batch_size": 2, "seed": 1}),
    "schedule": (seed_dataset(), {"schedule": "step"}),
    "lasso": (seed_dataset(), {"l1": 0.25}),
    "three features": (MULTI, {"predict_x": (1.0, 1.0, 1.0)}),
    "three features adam": (MULTI, {"predict_x": (1.0, 1.0, 1.0), "optimizer": "adam"}),
    "cars": (load_csv("sample_data/cars.csv"), {}),
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CASES)), st.integers(58, 140), st.integers(0, 30))
def test_the_number_lines_fit_any_width_the_app_runs_at(case, width, epochs):
    data, changes = CASES[case]
    session = Session(data, Hyperparameters(**changes))
    session.trainer.advance(epochs)
    lines = status_lines(session, False, "100/s", width)
    for line in lines[:3]:
        assert Text.from_markup(line).cell_len <= width, (case, width, line)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 5),
    st.floats(-1e100, 1e100, allow_nan=False),
    st.integers(36, 140),
)
def test_an_edits_line_says_what_changed_whole_or_not_at_all(row, value, width):
    """After an edit the last line says what it did (in the edit's own frame, instead of a
    toast): at any width the line fits, and the edit's words are whole or left out."""
    data = EditableData(seed_dataset())
    new, edit = data.propose_set(row - 1, 1, repr(value))
    session = Session(new, Hyperparameters())
    line = status_lines(session, False, "100/s", width, edit.description)[3]
    plain = Text.from_markup(line).plain
    assert len(plain) <= width, (width, plain)
    assert "restarted at epoch 0" in plain
    assert edit.description in plain or f"row {row} " not in plain
    if width >= 100:  # room for all of it
        assert f"seed's points, edited: 5 rows · {edit.description} ·" in plain


def test_mini_batch_status_says_its_rates_are_full_batch_figures():
    session = Session(seed_dataset(), Hyperparameters(batch_size=2, seed=1))
    line3 = status_lines(session, False, "100/s", 200)[2]
    assert "full-batch figures" in line3 and "epochs needed" not in line3


@pytest.mark.parametrize("changes", [{"batch_size": 2, "seed": 1}, {"schedule": "step"}])
def test_an_lr_sweep_of_mini_batches_or_a_schedule_claims_no_stability_bound(changes):
    """The app's sweep said '… exactly the runs above the stability bound, as the analysis
    says' for mini-batches while the headless sweep said no fixed bound decides them."""
    result = run_sweep(
        seed_dataset(),
        Hyperparameters(epochs=200, **changes),
        parse_sweep("lr=0.01:0.3:4"),
        processes=1,
    )
    assert result.bound is None and result.fastest is None


@app_test
async def test_the_first_frame_is_chosen_for_the_panels_width():
    """The first frame came before the layout gave the panel a width: the widest lines were
    shown and cut ('best 0.1349 with …') until something else changed."""
    app = make_app(Session(seed_dataset(), Hyperparameters(optimizer="momentum")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(StatusPanel)
        width = panel.content_region.width
        shown = str(panel.render()).splitlines()
        for line in shown[:3]:
            assert len(line) <= width and "…" not in line, line
