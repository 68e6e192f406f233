"""An edit updates the session from the changed rows (the data's moments, :mod:`.moments`)
instead of solving again from every row. Whatever sequence of edits, adds, deletes and undos,
the updated session must be the session a fresh build on the same data gives: bit for bit where
the moments are exact, and where they are formed in twice float64's precision (large data, here
forced on small data by lowering the exact solver's limit) to the digits the reference tests
demand, with both checked against least squares in exact rational arithmetic (Fractions)."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from exact import gram, solve
from hypothesis import given, settings
from hypothesis import strategies as st

from linreg_tui.core import reference
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.editing import EditableData
from linreg_tui.core.errors import DataError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.moments import Change, Moments
from linreg_tui.core.session import Session


def exact_least_squares(ds: Dataset, fit_intercept: bool) -> tuple[list[Fraction], Fraction]:
    """(θ: weights then intercept, SSres) by the normal equations in Fractions (tests/exact.py),
    independent of the core's solvers."""
    rows = [[Fraction(v) for v in r] for r in ds.features.tolist()]
    if fit_intercept:
        rows = [[*r, Fraction(1)] for r in rows]
    ys = [Fraction(v) for v in ds.y.tolist()]
    theta = solve(*gram(rows, ys))
    ss_res = sum((y - sum(t * v for t, v in zip(theta, r))) ** 2 for r, y in zip(rows, ys))
    return theta, ss_res


def parameter_tolerance(ds: Dataset, rtol: float) -> np.ndarray:
    """Absolute tolerances for the weights and the intercept (last) where a parameter is near 0:
    rtol of what moves ŷ by rtol·max|y| (a float solver is accurate relative to the data's scale,
    not to a parameter that happens to be 0)."""
    top_y = float(np.max(np.abs(ds.y))) or 1.0
    top_x = np.max(np.abs(ds.features), axis=0)
    return np.append(rtol * top_y / np.where(top_x > 0, top_x, 1.0), rtol * top_y)


def assert_close(got, want, rtol: float, atol) -> None:
    """|got − want| ≤ atol + rtol·|want|, element by element (atol may differ per element)."""
    got, want = np.atleast_1d(got), np.atleast_1d(want)
    ok = np.abs(got - want) <= atol + rtol * np.abs(want)
    assert np.all(ok), f"got {got.tolist()}, want {want.tolist()} (rtol {rtol}, atol {atol})"


def assert_same_session(updated: Session, fresh: Session, rtol: float) -> None:
    """The numbers the screen shows, from the updated session and from a fresh build."""
    a, b = updated.reference, fresh.reference
    if rtol == 0:
        for name in ("intercept", "mse", "rmse", "r2", "ss_res", "ss_tot", "residual_sd"):
            assert getattr(a, name) == getattr(b, name), name
        assert a.weights.tolist() == b.weights.tolist()
        assert a.method == b.method
    else:
        tolerance = parameter_tolerance(updated.dataset, rtol)
        assert_close(a.weights, b.weights, rtol, tolerance[:-1])
        assert_close(a.intercept, b.intercept, rtol, tolerance[-1])
        for name in ("mse", "ss_res", "ss_tot", "rmse"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=0)
    assert (a.n_samples, a.n_params) == (b.n_samples, b.n_params)
    qa, qb = updated.problem.quadratic, fresh.problem.quadratic
    # (training coordinates: the weights times the scaling's σ)
    scale = updated.problem.scaling.scale
    tolerance = parameter_tolerance(updated.dataset, rtol)[:-1] * scale
    assert_close(qa.w_star, qb.w_star, rtol, tolerance)
    np.testing.assert_allclose(qa.gram, qb.gram, rtol=0, atol=0)
    np.testing.assert_allclose(updated.lr_max or 0, fresh.lr_max or 0, rtol=max(rtol, 1e-15))
    assert updated.record().mse == fresh.record().mse
    assert updated.analysis.verdict == fresh.analysis.verdict
    assert updated.analysis.epochs_needed == fresh.analysis.epochs_needed


@st.composite
def edit_sequences(draw):
    n = draw(st.integers(4, 12))
    d = draw(st.integers(1, 2))
    value = st.integers(-400, 400).map(lambda k: k / 8)
    rows = [[draw(value) for _ in range(d + 1)] for _ in range(n)]
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["set", "add", "delete", "undo"]),
                st.integers(0, 40),
                st.integers(0, d),
                value,
            ),
            min_size=1,
            max_size=10,
        )
    )
    settings_ = draw(st.sampled_from([(True, False), (False, False), (True, True)]))
    return rows, d, ops, settings_


def run_edits(case, check, in_place: bool = False) -> None:
    """Apply the case's edits through EditableData and Session.edited, calling
    ``check(updated, fresh)`` after every one the session accepted (``fresh``: a session built
    from a copy of the edited data). ``in_place``: changed cells are written into the data's own
    arrays as the app writes them (moments formed, the patch written, restored if refused)."""
    rows, d, ops, (fit_intercept, standardize) = case
    table = np.array(rows, dtype=float)
    ds = Dataset(table[:, :d], table[:, d], tuple(f"x{j}" for j in range(d)), "y")
    hp = Hyperparameters(
        fit_intercept=fit_intercept, standardize=standardize, m0=(0.0,), predict_x=(0.0,) * d
    )
    try:
        session = Session(ds, hp)
    except DataError:
        return
    data = EditableData(ds)
    for kind, row, column, value in ops:
        row %= data.dataset.n_samples
        text = repr(value)
        if kind == "undo" and not data.can_undo:
            continue
        before = data.dataset
        try:
            if kind == "undo":
                new, edit = data.propose_undo(in_place=in_place)
            elif kind == "set":
                new, edit = data.propose_set(row, column, text, in_place=in_place)
            elif kind == "add":
                new, edit = data.propose_add([text] * (d + 1), at=row)
            else:
                new, edit = data.propose_delete(row)
        except DataError:  # e.g. deleting the last row: refused, and the data stays as it was
            assert data.dataset is before
            continue
        kept = (before.raw_x.copy(), before.y.copy())
        if edit.patch is not None:
            assert new.y is before.y and new.raw_x is before.raw_x  # no copy of the rows
            session.prepare_edits()
            edit.patch.write()
        else:
            assert new.y is not before.y and new.raw_x is not before.raw_x
        copy = replace(new, raw_x=new.raw_x.copy(), y=new.y.copy())
        try:
            fresh = Session(copy, hp)
        except DataError as exc:  # the update must refuse the same data the same way
            with pytest.raises(DataError, match=re.escape(str(exc))):
                session.edited(new, edit.change, hp)
            if edit.patch is not None:
                edit.patch.restore()
            # refused: the data is as it was, bit for bit
            assert before.raw_x.tobytes() == kept[0].tobytes()
            assert before.y.tobytes() == kept[1].tobytes()
            continue
        updated = session.edited(new, edit.change, hp)
        check(updated, fresh)
        if kind == "undo":
            data.apply_undo(new)
        else:
            data.apply(new, edit)
        session = updated


def test_deleting_the_last_row_is_refused_and_the_data_stays():
    ds = Dataset(np.array([[2.0]]), np.array([3.0]), ("x",), "y")
    data = EditableData(ds)
    with pytest.raises(DataError, match="0 rows"):
        data.propose_delete(0)
    assert data.dataset is ds
    assert not data.can_undo


@pytest.mark.parametrize("in_place", [False, True], ids=["copied", "in-place"])
@settings(max_examples=80, deadline=None)
@given(edit_sequences())
def test_edits_update_the_session_exactly_as_a_fresh_build(in_place, case):
    def check(updated: Session, fresh: Session) -> None:
        assert updated.reference.method == "exact"
        assert_same_session(updated, fresh, rtol=0)

    run_edits(case, check, in_place)


@pytest.mark.parametrize("in_place", [False, True], ids=["copied", "in-place"])
@settings(max_examples=60, deadline=None)
@given(edit_sequences())
def test_edits_from_twice_precise_moments_keep_the_digits_of_a_fresh_build(in_place, case):
    fit_intercept = case[3][0]

    def check(updated: Session, fresh: Session) -> None:
        assert_same_session(updated, fresh, rtol=1e-12)
        theta, ss_res = exact_least_squares(updated.dataset, fit_intercept)
        got = [*updated.reference.weights.tolist()] + (
            [updated.reference.intercept] if fit_intercept else []
        )
        tolerance = parameter_tolerance(updated.dataset, 1e-13)
        if not fit_intercept:
            tolerance = tolerance[:-1]
        assert_close(got, [float(t) for t in theta], 1e-13, tolerance)
        # (an exact fit: the refined solver's SSres is its residuals' squares, ~1e-38 of Σy²)
        yy = float(updated.dataset.y @ updated.dataset.y)
        assert_close(updated.reference.ss_res, float(ss_res), 1e-12, 1e-30 * yy)

    # Every size above the exact solver's limit: the moments are formed in twice float64's
    # precision and a fresh build uses the refined solver, as for a million rows.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reference, "EXACT_LIMIT", 0)
        run_edits(case, check, in_place)


def test_twice_precise_moments_of_many_chunks_against_exact_sums():
    rng = np.random.default_rng(5)
    n = 40_000  # more than two chunks, the last one short
    x = rng.uniform(-1e3, 1e3, (n, 2)) + 1e4
    y = x @ [0.5, -2.0] + 7 + rng.normal(0, 1e-3, n)
    ds = Dataset(x, y, ("a", "b"), "y")
    got = Moments._twice_precise(ds).sums
    z = np.column_stack([x, np.ones(n), y])
    for i, j in [(0, 0), (0, 1), (1, 3), (3, 3), (2, 3), (0, 2)]:
        exact = sum(Fraction(u) * Fraction(v) for u, v in zip(z[:, i].tolist(), z[:, j].tolist()))
        assert abs(got[i][j] - exact) <= abs(exact) * Fraction(1, 10**27), (i, j)


def test_a_million_rows_edited_updates_to_the_fresh_reference():
    rng = np.random.default_rng(0)
    n = 1_000_000
    x = rng.uniform(0, 10, n)
    ds = Dataset(x[:, None], 3 + 2 * x + rng.normal(0, 1, n), ("x",), "y")
    hp = Hyperparameters(lr=0.001)
    session = Session(ds, hp)
    data = EditableData(ds)
    x5 = float(ds.raw_x[5, 0])
    for kind, propose in (
        ("set", lambda: data.propose_set(1, 1, "1e4")),
        ("delete", lambda: data.propose_delete(7)),
        ("set", lambda: data.propose_set(5, 0, "-3.5", in_place=True)),  # no copy of the rows
        ("undo", lambda: data.propose_undo(in_place=True)),
    ):
        new, edit = propose()
        if edit.patch is not None:
            session.prepare_edits()
            edit.patch.write()
        updated = session.edited(new, edit.change, hp)
        assert updated.reference.method == "refined"
        copy = replace(new, raw_x=new.raw_x.copy(), y=new.y.copy())
        assert_same_session(updated, Session(copy, hp), rtol=1e-13)
        if kind == "undo":
            data.apply_undo(new)
        else:
            data.apply(new, edit)
        session = updated
    assert data.dataset.raw_x[5, 0] == x5 and data.dataset.y[1] == 1e4
    assert data.dataset.n_samples == n - 1


def test_an_edit_in_place_without_the_moments_formed_first_is_built_from_the_rows():
    # The moments before an edit made in place must be formed before it is written; a session
    # whose moments were not is built from the new rows instead (never from moments of the
    # already-written rows updated a second time).
    ds = Dataset(
        np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([2.0, 4.0, 5.0, 4.0]), ("x",), "y"
    )
    hp = Hyperparameters()
    session = Session(ds, hp)
    new, edit = EditableData(ds).propose_set(0, 1, "7", in_place=True)
    edit.patch.write()
    updated = session.edited(new, edit.change, hp)
    fresh = Session(replace(new, raw_x=new.raw_x.copy(), y=new.y.copy()), hp)
    assert_same_session(updated, fresh, rtol=0)
    assert (
        updated.reference.weights[0] == -0.8 and updated.reference.intercept == 7.0
    )  # closed form


def test_changes_undo_each_other():
    removed, added = np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])
    change = Change(removed, added)
    assert change.inverse().removed is added and change.inverse().added is removed


def test_a_polynomial_is_updated_from_exact_powers_bit_for_bit():
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(-2, 2, 30), 3)
    ds = Dataset(x[:, None], np.round(x**3 - x + rng.normal(0, 0.1, 30), 3), ("x",), "y", 3)
    hp = Hyperparameters(m0=(0.0,))
    session, data = Session(ds, hp), EditableData(ds)
    for propose in (
        lambda: data.propose_set(4, 0, "1.75"),
        lambda: data.propose_add(["0.3", "-2"], at=0),
        lambda: data.propose_delete(10),
    ):
        new, edit = propose()
        updated = session.edited(new, edit.change, hp)
        assert_same_session(updated, Session(new, hp), rtol=0)
        data.apply(new, edit)
        session = updated
