"""The landscape's numbers against independent answers: J − J* evaluated straight from the data
(the seed's own MSE formula, and exact rational arithmetic), the trainer's path against the seed
script's loop, and the view and levels against their definitions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core import model
from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.landscape import (
    MAX_BANDS,
    Bowl,
    Slice,
    choose_levels,
    draw,
    fit_view,
    pairs,
    parameter_names,
    segment_pixels,
    thin_path,
)
from linreg_tui.core.session import Session


def bowl_of(session: Session) -> Bowl:
    q = session.problem.quadratic
    names = parameter_names(session.dataset.feature_names, q.fit_intercept, False)
    return Bowl.from_quadratic(q, names)


def exact_excess(xs, ys, m: Fraction, b: Fraction) -> Fraction:
    """MSE(m, b) − MSE* in rational arithmetic, with the optimum from the normal equations."""
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(x * x for x in xs)
    sxy = sum(x * y for x, y in zip(xs, ys))
    m_star = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    b_star = (sy - m_star * sx) / n

    def mse(mm, bb):
        return sum((y - (mm * x + bb)) ** 2 for x, y in zip(xs, ys)) / n

    return mse(m, b) - mse(m_star, b_star)


def test_seed_excess_on_a_grid_is_exact_rational_arithmetics():
    xs = [Fraction(int(v)) for v in SEED_X]
    ys = [Fraction(int(v)) for v in SEED_Y]
    bowl = bowl_of(Session(seed_dataset(), Hyperparameters()))
    sl = Slice.through(bowl, np.array([0.0, 0.0]), 0, 1)
    u = np.linspace(-1.0, 2.0, 7)
    v = np.linspace(-3.0, 5.0, 9)
    grid = sl.excess(u[None, :], v[:, None])
    for r, vv in enumerate(v.tolist()):
        for c, uu in enumerate(u.tolist()):
            want = float(exact_excess(xs, ys, Fraction(uu), Fraction(vv)))
            assert grid[r, c] == pytest.approx(want, rel=1e-13, abs=1e-15)
    # The optimum is the seed data's least squares (0.6, 2.2), and the excess there is 0.
    np.testing.assert_allclose(sl.minimum, [0.6, 2.2], rtol=1e-15)
    assert sl.floor == 0.0


def _dataset(rows: np.ndarray, y: np.ndarray) -> Dataset:
    return Dataset(rows, y, tuple(f"x{k}" for k in range(rows.shape[1])), "y")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(1, 4),
    pair=st.integers(0, 20),
)
def test_a_slice_through_any_point_is_the_mse_straight_from_the_data(seed, d, pair):
    """With other parameters held at a point, J − J* on the plane equals MSE − MSE* computed from
    the rows (the seed's formula), at every grid point, and the slice's minimum is the lowest."""
    rng = np.random.default_rng(seed)
    n = 12
    x = rng.normal(size=(n, d)) * rng.uniform(0.2, 5.0, size=d)
    y = x @ rng.normal(size=d) + rng.normal() + rng.normal(scale=0.5, size=n)
    s = Session(_dataset(x, y), Hyperparameters(predict_x=(0.0,) * d))
    bowl = bowl_of(s)
    held = bowl.theta_star + rng.normal(size=bowl.n_params)
    i, j = pairs(bowl.n_params)[pair % len(pairs(bowl.n_params))]
    sl = Slice.through(bowl, held, i, j)
    mse_star = model.mse(s.dataset.features, y, s.reference.weights, s.reference.intercept)
    for uu, vv in rng.normal(size=(5, 2)) * 3 + sl.minimum:
        theta = held.copy()
        theta[i], theta[j] = uu, vv
        direct = model.mse(s.dataset.features, y, theta[:d], theta[d]) - mse_star
        got = float(sl.excess(np.array(uu), np.array(vv)))
        assert got == pytest.approx(direct, rel=1e-8, abs=1e-9 * (1 + abs(direct)))
        assert got >= sl.floor - 1e-12 * (1 + sl.floor)
    at_min = held.copy()
    at_min[[i, j]] = sl.minimum
    direct_floor = model.mse(s.dataset.features, y, at_min[:d], at_min[d]) - mse_star
    assert sl.floor == pytest.approx(direct_floor, rel=1e-8, abs=1e-10)


def test_a_badly_scaled_valley_is_never_negative_and_its_axes_are_the_hessians():
    ds = load_csv("sample_data/badly_scaled.csv")
    s = Session(ds, Hyperparameters())
    bowl = bowl_of(s)
    sl = Slice.through(bowl, bowl.theta_star, 0, 1)
    view = fit_view(sl, np.array([[0.0, 0.0]]), 100, 60)
    pic = draw(sl, view, 100, 60)
    u, v = view.axes(100, 60)
    grid = sl.excess(u[None, :], v[:, None])
    assert (grid >= 0).all()
    lam = np.linalg.eigvalsh(bowl.hessian)
    np.testing.assert_allclose(sl.curvatures, lam, rtol=1e-9)
    assert sl.curvatures[1] / sl.curvatures[0] > 1e9  # a long thin valley
    assert pic.bands.max() < MAX_BANDS


def test_standardised_the_bowl_is_round():
    ds = load_csv("sample_data/badly_scaled.csv")
    s = Session(ds, Hyperparameters(standardize=True))
    q = s.problem.quadratic
    bowl = Bowl.from_quadratic(q, ("m_z", "b_z"))
    sl = Slice.through(bowl, bowl.theta_star, 0, 1)
    # Standardised x has variance 1 and mean 0: the Hessian of the MSE is 2·I.
    np.testing.assert_allclose(sl.curvatures, [2.0, 2.0], rtol=1e-12)


def test_levels_are_log_spaced_and_bands_are_ordered():
    excess = np.logspace(-6, 3, 200)
    levels = choose_levels(excess)
    ratios = levels.values[1:] / levels.values[:-1]
    np.testing.assert_allclose(ratios, 10**levels.step, rtol=1e-12)
    assert len(levels.values) + 1 <= MAX_BANDS
    bands = levels.bands(excess)
    assert (np.diff(bands) >= 0).all()  # more loss, never a lower band
    assert bands[0] == 0 and bands[-1] == len(levels.values)
    # Each value lies between the levels of its band.
    for e, k in zip(excess.tolist(), bands.tolist()):
        if k > 0:
            assert levels.values[k - 1] <= e
        if k < len(levels.values):
            assert e < levels.values[k]


def test_the_fitted_view_shows_every_point_with_equal_units_per_pixel():
    bowl = bowl_of(Session(seed_dataset(), Hyperparameters()))
    sl = Slice.through(bowl, np.array([0.3, 0.1]), 0, 1)
    points = np.array([[0.0, 0.0], [0.3, 0.1], [-0.5, 3.0]])
    view = fit_view(sl, points, 60, 20)
    col, row = view.pixel(points[:, 0], points[:, 1], 60, 20)
    assert ((col >= 0) & (col <= 59) & (row >= 0) & (row <= 19)).all()
    u, v = view.axes(60, 20)
    assert u[1] - u[0] == pytest.approx(v[0] - v[1])  # square pixels
    # Zoom halves the units per pixel about the same centre.
    assert view.zoomed(2).scale == pytest.approx(view.scale / 2)
    assert view.zoomed(2).centre == view.centre


def test_path_pixels_stay_on_the_picture_and_join_the_points():
    bowl = bowl_of(Session(seed_dataset(), Hyperparameters()))
    sl = Slice.through(bowl, bowl.theta_star, 0, 1)
    view = fit_view(sl, np.array([[0.0, 0.0]]), 40, 20)
    path = np.array([[0.0, 0.0], [0.6, 2.2], [1e6, 1e6]])  # the last one far off the picture
    px = thin_path(path, view, 40, 20)
    pix = segment_pixels(px, 40, 20)
    assert len(pix) > 5
    assert ((pix[:, 0] >= 0) & (pix[:, 0] < 40) & (pix[:, 1] >= 0) & (pix[:, 1] < 20)).all()


def test_trainer_path_is_the_seed_loops_parameters_thinned():
    s = Session(seed_dataset(), Hyperparameters(epochs=5000))
    s.trainer.advance(4500, records=False)
    epochs, theta = s.trainer.path(dense=100, sparse=3)
    seed = seed_loop(SEED_X, SEED_Y, 0.01, 4500)
    assert epochs[:101].tolist() == list(range(101))
    assert epochs[-1] == 4500 and len(epochs) <= 101 + 3 + 1
    assert (np.diff(epochs) > 0).all()
    history = seed[2]
    for k, (m, b) in zip(epochs.tolist(), theta.tolist()):
        want = history[k]
        assert m == pytest.approx(want.m, rel=1e-12, abs=1e-15)
        assert b == pytest.approx(want.b, rel=1e-12, abs=1e-15)
    final = s.record()
    assert theta[-1].tolist() == [final.weights[0], final.intercept]


def test_path_cost_does_not_grow_with_the_history():
    """However long the run, the path holds at most dense + sparse + 2 points."""
    s = Session(seed_dataset(), Hyperparameters(epochs=300_000))
    s.trainer.advance(300_000, records=False)
    epochs, theta = s.trainer.path(dense=50, sparse=20)
    assert theta.shape == (len(epochs), 2)
    assert len(epochs) <= 50 + 1 + 20 + 1
    assert epochs[-1] == 300_000


@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.5), (0.3, 0.0), (0.2, 0.4)])
def test_with_a_penalty_the_landscape_is_of_j_straight_from_the_data(l1, l2):
    """J = MSE + λ₂‖w‖² + λ₁‖w‖₁ computed from the rows (the seed's MSE formula), minus J at the
    penalised optimum, equals the slice's excess at every point; and it is never below 0."""
    from linreg_tui.tui.landscape_view import bowl_of

    ds = load_csv("sample_data/multi_feature.csv", x=["1", "2", "3"])
    hp = Hyperparameters(l1=l1, l2=l2, predict_x=(0.0, 0.0, 0.0))
    s = Session(ds, hp)
    bowl = bowl_of(s.problem)
    ref = s.reference  # the penalised answer

    def j(theta):
        w, b = theta[:3], theta[3]
        return model.mse(ds.features, ds.y, w, b) + l2 * float(w @ w) + l1 * float(np.abs(w).sum())

    star = np.append(ref.weights, ref.intercept)
    rng = np.random.default_rng(7)
    held = star + rng.normal(size=4)
    for i, jj in pairs(4):
        sl = Slice.through(bowl, held, i, jj)
        for uu, vv in rng.normal(size=(4, 2)) + star[[i, jj]]:
            theta = held.copy()
            theta[i], theta[jj] = uu, vv
            want = j(theta) - j(star)
            got = float(sl.excess(np.array(uu), np.array(vv)))
            assert got == pytest.approx(max(want, 0.0), rel=1e-7, abs=1e-7)
    u = np.linspace(star[0] - 1, star[0] + 1, 21)
    v = np.linspace(star[3] - 1, star[3] + 1, 21)
    assert (Slice.through(bowl, star, 0, 3).excess(u[None, :], v[:, None]) >= 0).all()
