"""Editing data by hand: each edit against a plain list model of the table, undo back to the
original exactly, and the least-squares reference of the edited data against closed-form least
squares in exact rational arithmetic (Fractions), not the core's solver."""

from __future__ import annotations

import re

import numpy as np
import pytest
from exact import exact_line
from hypothesis import given, settings
from hypothesis import strategies as st

from linreg_tui.core import editing, generate
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.editing import EditableData
from linreg_tui.core.errors import DataError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session


def table(ds: Dataset) -> list[list[float]]:
    return [[*r[:-1], r[-1]] for r in np.column_stack([ds.raw_x, ds.y]).tolist()]


def test_a_changed_cell_moves_the_reference_to_the_new_least_squares_line():
    data = EditableData(seed_dataset())
    new, edit = data.propose_set(1, 1, "6")  # row 2's y: 4 → 6
    assert edit.description == "row 2 y: 4 → 6"
    s = Session(new, Hyperparameters())
    m, b = exact_line([1, 2, 3, 4, 5], [2, 6, 5, 4, 5])
    assert (s.reference.weights[0], s.reference.intercept) == (m, b) == (0.4, 3.2)
    assert s.trainer.epoch == 0
    assert new.source.endswith("(edited)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "row 2, column 'y' is blank"),
        ("abc", "row 2, column 'y': 'abc' is not a number"),
        ("nan", "row 2, column 'y' is 'nan'; every cell used must be a finite number"),
        ("1e999", "must be a finite number"),
    ],
)
def test_a_bad_cell_is_refused_like_a_csv_cell(text: str, message: str):
    data = EditableData(seed_dataset())
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        data.propose_set(1, 1, text)
    assert data.dataset is seed_dataset() or table(data.dataset) == table(seed_dataset())


def test_add_and_delete_rows_then_undo_everything():
    data = EditableData(seed_dataset())
    original = table(data.dataset)
    data.apply(*data.propose_add(["7", "1e1"], at=2))
    assert table(data.dataset)[2] == [7.0, 10.0] and data.dataset.n_samples == 6
    data.apply(*data.propose_delete(0))
    assert table(data.dataset)[0] == [2.0, 4.0]
    data.apply(*data.propose_set(0, 0, " 2.5 "))
    for _ in range(3):
        previous, _ = data.propose_undo()
        data.apply_undo(previous)
    assert table(data.dataset) == original
    assert data.dataset.source == seed_dataset().source
    with pytest.raises(DataError, match="nothing to undo"):
        data.propose_undo()


def test_a_row_needs_one_value_per_column():
    with pytest.raises(DataError, match=r"a row needs 2 values \(x, y\), got 1"):
        EditableData(seed_dataset()).propose_add(["1"])


def test_too_few_rows_for_the_parameters_is_refused_by_the_session():
    data = EditableData(Dataset(np.array([[1.0], [2.0]]), np.array([1.0, 3.0]), ("x",), "y"))
    new, _ = data.propose_delete(0)
    with pytest.raises(DataError, match="1 row cannot fit 2 parameters"):
        Session(new, Hyperparameters())


@pytest.mark.parametrize("value", ["1", "2.5", "-0.125"])
def test_edits_that_make_x_constant_say_so_as_the_loader_does(value):
    """Not "column 'the intercept' is a linear combination of 'x'" (true, but not what the
    person did), both by a fresh solve and by the update from the moments."""
    seed = seed_dataset()
    session = Session(seed, Hyperparameters())
    data = EditableData(seed)
    for row in range(seed.n_samples - 1):
        new, edit = data.propose_set(row, 0, value)
        session = session.edited(new, edit.change, Hyperparameters())
        data.apply(new, edit)
    new, edit = data.propose_set(seed.n_samples - 1, 0, value)
    expected = f"column 'x' is constant (every row is {float(value)!r})"
    with pytest.raises(DataError, match=re.escape(expected)):
        Session(new, Hyperparameters())
    with pytest.raises(DataError, match=re.escape(expected)):
        session.edited(new, edit.change, Hyperparameters())


@st.composite
def edits(draw):
    n = draw(st.integers(3, 8))
    rows = [[draw(st.integers(-50, 50)) / 4, draw(st.integers(-50, 50)) / 4] for _ in range(n)]
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["set", "add", "delete"]),
                st.integers(0, 20),
                st.integers(0, 1),
                st.integers(-50, 50),
            ),
            max_size=12,
        )
    )
    return rows, ops


@settings(max_examples=60, deadline=None)
@given(edits())
def test_any_edits_match_a_list_model_and_undo_restores_each_step(case):
    rows, ops = case
    ds = Dataset(np.array([[r[0]] for r in rows]), np.array([r[1] for r in rows]), ("x",), "y")
    data = EditableData(ds)
    model = [list(r) for r in rows]
    history = [[list(r) for r in model]]
    for kind, row, column, value in ops:
        row = row % len(model)
        if kind == "set":
            data.apply(*data.propose_set(row, column, str(value)))
            model[row][column] = float(value)
        elif kind == "add":
            data.apply(*data.propose_add([str(value), str(-value)], at=row))
            model.insert(row, [float(value), float(-value)])
        elif len(model) > 1:
            data.apply(*data.propose_delete(row))
            del model[row]
        else:
            continue
        assert table(data.dataset) == model
        history.append([list(r) for r in model])
    history.pop()
    while data.can_undo:
        previous, _ = data.propose_undo()
        data.apply_undo(previous)
        assert table(data.dataset) == history.pop()
    assert table(data.dataset) == [list(map(float, r)) for r in rows]


def test_to_csv_round_trips_exactly_through_the_loader(tmp_path):
    from linreg_tui.core.csv_loader import load_csv

    ds = generate.generate("badly-scaled", seed=7, rows=40)
    path = tmp_path / "out.csv"
    path.write_text(editing.to_csv(ds))
    back = load_csv(path, x=["rooms", "area"], y="price")
    assert np.array_equal(back.raw_x, ds.raw_x) and np.array_equal(back.y, ds.y)


@pytest.mark.parametrize("name", list(generate.RECIPES))
def test_generated_data_is_the_same_for_the_same_seed_and_fits(name):
    a = generate.generate(name, seed=42, rows=60)
    b = generate.generate(name, seed=42, rows=60)
    c = generate.generate(name, seed=43, rows=60)
    assert np.array_equal(a.raw_x, b.raw_x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.y, c.y)
    assert "seed 42" in a.source and a.n_samples == 60
    Session(a, Hyperparameters(predict_x=(1.0,) * a.raw_x.shape[1]))  # fits without error


def test_generated_line_is_near_its_recipe():
    ds = generate.generate("line", seed=1, rows=2000)
    m, b = exact_line(ds.raw_x[:, 0].tolist(), ds.y.tolist())
    assert abs(m - 2) < 0.1 and abs(b - 3) < 0.5  # y = 3 + 2x + N(0, 2²)
