"""--stream: one pass in blocks keeps n, the means and the centred co-moments, and a uniform sample.

Expected values come from exact rational arithmetic on the same floats (fractions), and from the
in-memory loader and reference, never from the streaming code itself.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import run

from linreg_tui.core import reference
from linreg_tui.core.errors import DataError
from linreg_tui.core.exact_sums import ExactSums
from linreg_tui.core.loading import load_data
from linreg_tui.core.streaming import Moments, Reservoir, equivalent_rows, load_streamed


def exact_moments(rows: np.ndarray) -> tuple[list[Fraction], list[list[Fraction]]]:
    values = [[Fraction(v) for v in row] for row in rows.tolist()]
    n = len(values)
    k = len(values[0])
    mean = [sum(r[j] for r in values) / n for j in range(k)]
    co = [
        [sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in values) for j in range(k)]
        for i in range(k)
    ]
    return mean, co


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(
    n=st.integers(2, 60),
    k=st.integers(1, 3),
    offset=st.sampled_from([0.0, 1e3, 1e9, -1e12]),
    splits=st.lists(st.integers(1, 59), max_size=5),
    seed=st.integers(0, 1000),
)
def test_merged_blocks_give_the_exact_moments(n, k, offset, splits, seed):
    rng = np.random.default_rng(seed)
    rows = offset + rng.normal(size=(n, k)) * rng.choice([1e-3, 1.0, 1e3], size=k)
    cuts = sorted({s for s in splits if s < n})
    moments = Moments(k)
    for block in np.split(rows, cuts):
        moments.add(block)
    mean, co = exact_moments(rows)
    assert moments.n == n
    # The mean to a few ulps of the largest value (a mean near 0 has no relative digits to keep).
    err_mean = np.abs(moments.mean - [float(m) for m in mean])
    assert np.all(err_mean <= 4e-16 * np.abs(rows).max(axis=0))
    scale = np.sqrt(np.outer(np.diag(moments.comoment), np.diag(moments.comoment)))
    # Each co-moment to a few ulps of the spread, however large the offset (1e9 + small).
    err = np.abs(moments.comoment - np.array([[float(c) for c in r] for r in co]))
    assert np.all(err <= 1e-13 * scale + 1e-300)


def test_two_reductions_merge_like_one():
    rng = np.random.default_rng(1)
    rows = 5 + rng.normal(size=(1000, 3))
    whole, a, b = Moments(3), Moments(3), Moments(3)
    whole.add(rows)
    a.add(rows[:300])
    b.add(rows[300:])
    merged = a.merge(b)
    assert merged.n == 1000
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-14)
    np.testing.assert_allclose(merged.comoment, whole.comoment, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_the_equivalent_rows_have_the_datas_means_and_second_moments(k):
    rng = np.random.default_rng(k)
    rows = 100 + rng.normal(size=(5000, k)) @ rng.normal(size=(k, k))
    moments = Moments(k)
    moments.add(rows)
    eq = equivalent_rows(moments)
    assert eq.shape == (k + 1, k)
    np.testing.assert_allclose(eq.mean(axis=0), rows.mean(axis=0), rtol=1e-13)
    centred = eq - eq.mean(axis=0)
    np.testing.assert_allclose(
        centred.T @ centred / (k + 1), np.cov(rows.T, bias=True).reshape(k, k), rtol=1e-10
    )


def test_the_reservoir_keeps_everything_when_small_and_a_uniform_sample_when_large():
    small = Reservoir(100, 1)
    small.add(np.arange(60.0)[:, None])
    np.testing.assert_array_equal(small.sample[:, 0], np.arange(60.0))
    big = Reservoir(2000, 1, seed=3)
    n = 200_000
    for start in range(0, n, 7_777):
        big.add(np.arange(start, min(n, start + 7_777), dtype=float)[:, None])
    picked = big.sample[:, 0]
    assert len(picked) == 2000 and len(set(picked.tolist())) == 2000
    assert picked.min() >= 0 and picked.max() < n
    # Uniform over the stream: the mean index is (n-1)/2 within 5 standard errors.
    se = n / np.sqrt(12 * 2000)
    assert abs(picked.mean() - (n - 1) / 2) < 5 * se
    # Every quarter of the stream is represented about equally (within 5 sigma of 500).
    counts = np.histogram(picked, bins=4, range=(0, n))[0]
    assert np.all(np.abs(counts - 500) < 5 * np.sqrt(2000 * 0.25 * 0.75))


def write_table(path, n, seed=0, offset=0.0, bad_at=None):
    rng = np.random.default_rng(seed)
    x1 = (offset + rng.uniform(0, 10, n)).tolist()
    x2 = rng.normal(size=n).tolist()
    y = (3 * np.array(x1) - 2 * np.array(x2) + 1 + rng.normal(size=n)).tolist()
    with open(path, "w") as handle:
        handle.write("a,b,note,y\n")
        for i in range(n):
            cell = "oops" if i == bad_at else repr(y[i])
            handle.write(f"{x1[i]!r},{x2[i]!r},n{i % 7},{cell}\n")


def test_streamed_data_gives_the_in_memory_least_squares_answer(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, 300_000, offset=1e6)
    full = reference.solve(load_data(str(path), x="a,b", y="y"))
    streamed = load_streamed(str(path), x="a,b", y="y")
    assert streamed.streamed.n_samples == 300_000
    assert streamed.streamed.sample.shape == (100_000, 3)
    ref = reference.solve(streamed)
    np.testing.assert_allclose(ref.weights, full.weights, rtol=1e-9)
    # The intercept is ȳ − w·x̄ with x̄ ≈ 1e6: its digits are counted against w·x̄, which cancels.
    scale = abs(full.weights @ streamed.streamed.moments.mean[:2])
    assert abs(ref.intercept - full.intercept) <= 1e-11 * scale
    np.testing.assert_allclose(ref.mse, full.mse, rtol=1e-9)
    np.testing.assert_allclose(ref.r2, full.r2, rtol=1e-10)


@pytest.mark.parametrize("bad_at", [3, 150_000])
def test_a_bad_cell_is_named_as_the_in_memory_loader_names_it(tmp_path, bad_at):
    # 150,000 rows is past pyarrow's first blocks: the stream has merged blocks before it.
    path = tmp_path / "bad.csv"
    write_table(path, 160_000, bad_at=bad_at)
    messages = []
    for load in (load_data, load_streamed):
        with pytest.raises(DataError) as info:
            load(str(path), x="a,b", y="y")
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert f"row {bad_at + 1} (line {bad_at + 2}), column 'y': 'oops'" in messages[0]


def test_headless_stream_prints_the_in_memory_run(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, 20_000, seed=4)
    outs = []
    for extra in ([], ["--stream"]):
        result = run(str(path), "--x", "a,b", "--json", "--lr", "0.005", "--epochs", "3000", *extra)
        assert result.returncode == 0, result.stderr
        outs.append(json.loads(result.stdout))
    memory, streamed = outs
    np.testing.assert_allclose(streamed["weights"], memory["weights"], rtol=1e-9)
    np.testing.assert_allclose(streamed["mse"], memory["mse"], rtol=1e-9)
    np.testing.assert_allclose(
        streamed["reference"]["weights"], memory["reference"]["weights"], rtol=1e-9
    )


def test_stream_with_a_degree_and_standardize_runs_the_in_memory_fit(tmp_path):
    """--degree and --standardize with --stream: the same least squares and the same run as in
    memory (the features' moments are exact, the moment rows have them)."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 3, 30_000)
    y = 1 - 2 * x + 0.5 * x**2 - 0.1 * x**3 + rng.normal(size=x.size)
    path = tmp_path / "poly.csv"
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist())))
    args = ["--degree", "3", "--standardize", "--json", "--lr", "0.1", "--epochs", "3000"]
    outs = []
    for extra in ([], ["--stream"]):
        result = run(str(path), *args, *extra)
        assert result.returncode == 0, result.stderr
        outs.append(json.loads(result.stdout))
    memory, streamed = outs
    np.testing.assert_allclose(
        streamed["reference"]["weights"], memory["reference"]["weights"], rtol=1e-12
    )
    np.testing.assert_allclose(streamed["reference"]["mse"], memory["reference"]["mse"], rtol=1e-12)
    np.testing.assert_allclose(streamed["weights"], memory["weights"], rtol=1e-8)
    np.testing.assert_allclose(streamed["mse"], memory["mse"], rtol=1e-8)


def test_stream_refuses_a_degree_of_several_columns_and_a_validation_split(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, 100)
    for args, words in (
        (["--x", "a,b", "--degree", "2"], "degree 2 needs exactly one x column"),
        (["--x", "a", "--validation", "0.2"], "validation 0.2: a validation split holds out rows"),
    ):
        result = run(str(path), "--stream", "--headless", *args)
        assert result.returncode == 2, result.stdout
        assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_mini_batches_are_refused_on_streamed_data_with_the_reason(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, 1000)
    result = run(str(path), "--stream", "--headless", "--batch-size", "32")
    assert result.returncode == 2
    assert "mini-batch" in result.stderr and "--stream" in result.stderr
    assert result.stderr.count("\n") == 1


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(
    n=st.integers(1, 80),
    k=st.integers(1, 4),
    offset=st.sampled_from([0.0, 1e3, 1e9, -1e12, 1e-300]),
    parts=st.lists(st.integers(1, 79), max_size=4),
    seed=st.integers(0, 1000),
)
def test_the_sums_are_exact_in_any_blocks_and_partitions(n, k, offset, parts, seed):
    """ExactSums against Fraction arithmetic on the same floats: equal, not close, however the
    rows are cut into blocks and into separately reduced partitions (each its own shift)."""
    rng = np.random.default_rng(seed)
    rows = offset + rng.normal(size=(n, k)) * rng.choice([1e-8, 1.0, 1e6], size=k)
    cuts = sorted({p for p in parts if p < n})
    partials = []
    for chunk in np.split(rows, cuts):
        sums = ExactSums(k)
        for block in np.array_split(chunk, 1 + seed % 3):
            sums.add(block)
        partials.append(sums)
    merged = partials[0]
    for other in partials[1:]:
        merged = merged.merge(other)
    mean, co = exact_moments(rows)
    assert merged.n == n
    assert merged.mean() == mean
    assert merged.comoment() == co


def test_a_streamed_session_counts_the_files_rows_and_penalised_answers_match_memory(tmp_path):
    """The session's row count, R² of any MSE, and the ridge, lasso and elastic-net references
    (solved on the moment rows, then their sums scaled back to the file's rows) are the
    in-memory ones; the lasso's duality gap on the moment rows certifies it as on the rows."""
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    path = tmp_path / "t.csv"
    write_table(path, 40_000, seed=9)
    for hp in (
        Hyperparameters(predict_x=(1.0, 2.0)),
        Hyperparameters(predict_x=(1.0, 2.0), l2=0.3),
        Hyperparameters(predict_x=(1.0, 2.0), l1=0.2),
        Hyperparameters(predict_x=(1.0, 2.0), l1=0.2, l2=0.3, standardize=True),
    ):
        memory = Session(load_data(str(path), x="a,b", y="y"), hp)
        streamed = Session(load_streamed(str(path), x="a,b", y="y"), hp)
        assert streamed.n_rows == memory.n_rows == 40_000
        got, want = streamed.reference, memory.reference
        np.testing.assert_allclose(got.weights, want.weights, rtol=1e-9)
        for field in ("mse", "r2", "ss_res", "ss_tot", "residual_sd"):
            np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-9)
        assert got.n_samples == 40_000
        if hp.l1 or hp.l2:
            np.testing.assert_allclose(got.objective, want.objective, rtol=1e-12)
        if hp.l1:
            from linreg_tui.core.penalised import gap_target

            assert 0 <= got.gap <= gap_target(got.objective)
            assert np.count_nonzero(got.weights) == np.count_nonzero(want.weights)
        np.testing.assert_allclose(streamed.r2_at(2.0), memory.r2_at(2.0), rtol=1e-12)


def test_save_scenario_with_stream_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, 100)
    result = run(str(path), "--stream", "--x", "a", "--save-scenario", str(tmp_path / "s.toml"))
    assert result.returncode == 2
    assert "--stream keeps only their sums" in result.stderr
    assert not (tmp_path / "s.toml").exists()


@pytest.mark.parametrize(
    ("rows", "column"),
    [
        (["1e200,1", "2e200,3", "3e200,2"], "'x'"),
        (["1,1e300", "2,-1e300", "3,2"], "'y'"),
    ],
)
def test_moments_beyond_float64_are_refused_by_column(tmp_path, rows, column):
    """Squares beyond float64: one line naming the column (the exact sums hold them; the
    moment rows could not), exit 2, no traceback."""
    path = tmp_path / "huge.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    result = run(str(path), "--stream", "--headless")
    assert result.returncode == 2, result.stderr
    assert f"column {column}: its mean or its mean squared spread" in result.stderr
    assert result.stderr.count("\n") == 1


def write_wide(path, columns: int, rows: int, near: float, seed: int = 0) -> None:
    """``columns`` x columns, the second ``near`` away from the first (0: twice the first)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, columns))
    x[:, 1] = 2 * x[:, 0] if near == 0 else x[:, 0] + near * x[:, 1]
    y = x @ rng.normal(size=columns) + rng.normal(size=rows)
    names = [f"c{j}" for j in range(columns)]
    with open(path, "w") as handle:
        handle.write(",".join([*names, "y"]) + "\n")
        for row, yi in zip(x.tolist(), y.tolist()):
            handle.write(",".join(repr(v) for v in [*row, yi]) + "\n")


@pytest.mark.parametrize("near", [1e-3, 1e-6, 1e-7, 3e-8])
def test_many_columns_nearly_dependent_are_solved_to_the_last_digit(tmp_path, near):
    """Above EXACT_PARAMS parameters the streamed sums are solved in float64 and refined against
    the exact normal equations. Refinement gains fewer digits a step the nearer the columns are
    to dependent: it used to stop after six steps (8 digits at 1e-7) or, where float64's Cholesky
    failed (3e-8), to call the last column a linear combination of the others. Checked against
    the exact least-squares answer of the same floats."""
    from exact import gram, solve

    from linreg_tui.core.stream_fit import EXACT_PARAMS

    columns = EXACT_PARAMS + 1  # and the intercept
    path = tmp_path / "wide.csv"
    write_wide(path, columns, 80, near)
    names = ",".join(f"c{j}" for j in range(columns))
    streamed = reference.solve(load_streamed(str(path), x=names, y="y"))
    data = load_data(str(path), x=names, y="y")
    rows = [[*(Fraction(v) for v in r), Fraction(1)] for r in data.features.tolist()]
    theta = solve(*gram(rows, [Fraction(v) for v in data.y.tolist()]))
    want = [float(t) for t in theta]
    got = [*streamed.weights.tolist(), streamed.intercept]
    for g, w in zip(got, want):
        assert abs(g - w) <= math.ulp(w), (g, w)


def test_many_columns_exactly_dependent_name_the_column(tmp_path):
    from linreg_tui.core.stream_fit import EXACT_PARAMS

    columns = EXACT_PARAMS + 1
    path = tmp_path / "wide.csv"
    write_wide(path, columns, 80, near=0)
    names = ",".join(f"c{j}" for j in range(columns))
    with pytest.raises(DataError) as refused:
        reference.solve(load_streamed(str(path), x=names, y="y"))
    assert "column 'c1' is a linear combination of 'c0'" in str(refused.value)


def test_wider_than_the_exact_sums_too_near_dependent_is_refused_not_solved(tmp_path):
    """Wider than EXACT_COLUMNS the streamed sums are float64 per block: where those cannot
    tell two columns apart, the rounded sums' exact answer would show digits that are not the
    data's (it used to say a column was a linear combination of all the others)."""
    from linreg_tui.core.exact_sums import EXACT_COLUMNS

    columns = EXACT_COLUMNS  # and y: one more than summed exactly
    path = tmp_path / "wider.csv"
    names = ",".join(f"c{j}" for j in range(columns))
    write_wide(path, columns, 120, near=1e-9)
    with pytest.raises(DataError) as refused:
        reference.solve(load_streamed(str(path), x=names, y="y"))
    message = str(refused.value)
    assert "too nearly dependent to solve from float64 sums" in message and "\n" not in message
    assert "linear combination" not in message
    write_wide(path, columns, 120, near=0.5)  # well apart: solved, as in memory
    streamed = reference.solve(load_streamed(str(path), x=names, y="y"))
    memory = reference.solve(load_data(str(path), x=names, y="y"))
    np.testing.assert_allclose(streamed.weights, memory.weights, rtol=1e-10)
