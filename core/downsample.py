"""Thinning a long series for a chart a few dozen cells wide, without hiding its extremes.

A chart cannot show more points than it has columns, and plotting costs grow with the number of
points, so a million-epoch loss history is cut into buckets, one per chart column, and each bucket
is drawn by its smallest and largest value (an envelope). Spikes survive, the last value is kept
exactly, and the cost of drawing stays the same however long the history grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Envelope:
    """A series thinned to buckets.

    Attributes
    ----------
    x : ndarray of shape (k,)
        Bucket positions (the index of each bucket's first value; the last is n − 1).
    low, high : ndarray of shape (k,)
        Smallest and largest value in each bucket (equal when a bucket holds one value).
    """

    x: np.ndarray
    low: np.ndarray
    high: np.ndarray


def envelope(values: np.ndarray, buckets: int) -> Envelope:
    """Thin ``values`` to at most ``buckets`` + 1 points (O(n), one pass in numpy).

    Parameters
    ----------
    values : ndarray of shape (n,), n ≥ 1
    buckets : int
    """
    n = values.shape[0]
    buckets = max(1, int(buckets))
    if n <= buckets + 1:
        x = np.arange(n)
        return Envelope(x, values, values)
    starts = np.unique(np.linspace(0, n - 1, buckets + 1).astype(np.int64)[:-1])
    low = np.minimum.reduceat(values[:-1], starts)
    high = np.maximum.reduceat(values[:-1], starts)
    last = values[-1:]
    return Envelope(
        np.append(starts, n - 1), np.concatenate([low, last]), np.concatenate([high, last])
    )
