"""GrowingEnvelope against exact recomputation: every bucket it returns holds exactly the smallest
and largest value of the epochs it stands for, the last value is exact, and cutting the series
back or rewriting its end (a step back, a restart, a new learning rate) is noticed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from linreg_tui.core.downsample import GrowingEnvelope, envelope

BLOCK = 16  # small blocks, so short series take the block path


def check(env, values: np.ndarray, buckets: int, span: int | None = None) -> None:
    n = values.shape[0]
    assert env.x.shape[0] <= buckets + 1 + (span is not None)
    assert env.x[0] == 0 and env.x[-1] == n - 1
    assert np.all(np.diff(env.x) > 0)
    assert env.low[-1] == env.high[-1] == values[-1]
    for i in range(env.x.shape[0] - 1):
        part = values[env.x[i] : env.x[i + 1]]
        assert env.low[i] == part.min() and env.high[i] == part.max(), i


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(1, 3000), min_size=1, max_size=8),
    buckets=st.integers(1, 40),
)
def test_each_bucket_is_the_exact_range_of_its_epochs(seed, lengths, buckets):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(max(lengths))
    thin = GrowingEnvelope(BLOCK)
    for n in lengths:  # grows, and is cut back, in any order
        check(thin(values[:n], buckets), values[:n], buckets)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(200, 3000),
    cut=st.floats(0, 1),
    buckets=st.integers(1, 5),
)
def test_a_rewritten_end_is_noticed(seed, n, cut, buckets):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(n)
    thin = GrowingEnvelope(BLOCK)
    thin(values, buckets)
    rewritten = values.copy()
    start = int(cut * (n - 1))
    rewritten[start:] = rng.standard_normal(n - start) * 10  # what a new learning rate does
    check(thin(rewritten, buckets), rewritten, buckets)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(1, 3000), min_size=1, max_size=8),
    buckets=st.integers(1, 40),
    slack=st.integers(0, 3000),
)
def test_buckets_cut_for_a_span_are_exact_and_stay_put_as_the_series_grows(
    seed, lengths, buckets, slack
):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(max(lengths))
    span = max(lengths) - 1 + slack
    thin = GrowingEnvelope(BLOCK)
    for n in lengths:
        check(thin(values[:n], buckets, span), values[:n], buckets, span)
    # growing within the span: the earlier buckets' edges are kept
    shorter, longer = sorted(lengths)[0], sorted(lengths)[-1]
    a = thin(values[:shorter], buckets, span).x[:-2]
    b = thin(values[:longer], buckets, span).x
    assert set(a.tolist()) <= set(b.tolist())


def test_short_series_are_the_plain_envelope():
    values = np.arange(50.0)
    env = GrowingEnvelope(BLOCK)(values, 10)
    plain = envelope(values, 10)
    for a, b in ((env.x, plain.x), (env.low, plain.low), (env.high, plain.high)):
        np.testing.assert_array_equal(a, b)
