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


def bucket_width(span: int, buckets: int) -> int:
    """Values a bucket holds when ``buckets`` buckets cover ``span`` values."""
    return max(1, -(-int(span) // max(1, int(buckets))))


def envelope(values: np.ndarray, buckets: int, span: int | None = None) -> Envelope:
    """Thin ``values`` to at most ``buckets`` + 1 points (O(n), one pass in numpy).

    Parameters
    ----------
    values : ndarray of shape (n,), n ≥ 1
    buckets : int
    span : int, optional
        The extent (≥ n − 1) the buckets are cut for: buckets of a fixed width, span/buckets,
        from 0, so a series that grows within the span keeps its buckets (a chart whose x axis
        runs to ``span`` then changes only at its end). Default: cut for n − 1.
    """
    n = values.shape[0]
    buckets = max(1, int(buckets))
    if span is not None:
        return _fixed_width(values, bucket_width(max(span, n - 1), buckets))
    if n <= buckets + 1:
        return Envelope(np.arange(n), values, values)
    else:
        starts = np.unique(np.linspace(0, n - 1, buckets + 1).astype(np.int64)[:-1])
    low = np.minimum.reduceat(values[:-1], starts)
    high = np.maximum.reduceat(values[:-1], starts)
    last = values[-1:]
    return Envelope(
        np.append(starts, n - 1), np.concatenate([low, last]), np.concatenate([high, last])
    )


def _fixed_width(values: np.ndarray, width: int) -> Envelope:
    n = values.shape[0]
    if width == 1 or n <= 2:
        return Envelope(np.arange(n), values, values)
    starts = np.arange(0, n - 1, width)
    low = np.minimum.reduceat(values[:-1], starts)
    high = np.maximum.reduceat(values[:-1], starts)
    last = values[-1:]
    return Envelope(
        np.append(starts, n - 1), np.concatenate([low, last]), np.concatenate([high, last])
    )


class GrowingEnvelope:
    """:func:`envelope` of a series that grows at its end, at a cost independent of its length.

    The smallest and largest value of every complete block of :attr:`block` values are kept from
    one call to the next; a call folds in the blocks completed since, and buckets the blocks
    instead of the values (bucket edges then fall on block edges). Short series go to
    :func:`envelope` itself. If the series was cut back or rewritten (a step back, a restart, a
    new learning rate below the frontier), the blocks past the cut are found stale, by their last
    values, and computed again.

    Parameters
    ----------
    block : int
        Values per block (the bucket edges' granularity in long series).
    """

    def __init__(self, block: int = 4096) -> None:
        self.block = block
        self._low = np.empty(0)
        self._high = np.empty(0)
        self._ends = np.empty(0)  # each block's last value: a rewrite changes it (almost surely)

    def __call__(self, values: np.ndarray, buckets: int, span: int | None = None) -> Envelope:
        """The envelope of ``values`` (shape (n,), n ≥ 1) in at most ``buckets`` + 1 points;
        ``span`` as for :func:`envelope` (bucket edges on block edges)."""
        n = values.shape[0]
        buckets = max(1, int(buckets))
        b = self.block
        complete = (n - 1) // b  # blocks wholly before the last value, which is kept exactly
        blocks = 0
        if span is not None:
            # buckets of whole blocks once they are wider than one, whichever way they are made
            # below, so their edges do not move when the series grows into the block path
            width = bucket_width(max(span, n - 1), buckets)
            blocks = -(-width // b) if width > b else 0
            if complete < 2 * buckets or not blocks:
                return _fixed_width(values, blocks * b or width)
        elif complete < 2 * buckets:
            return envelope(values, buckets)
        self._fold(values, complete)
        if blocks:
            starts = np.arange(0, complete, blocks)
        else:
            starts = np.unique(np.linspace(0, complete, buckets + 1).astype(np.int64)[:-1])
        low = np.minimum.reduceat(self._low, starts)
        high = np.maximum.reduceat(self._high, starts)
        tail = values[complete * b : n - 1]
        if tail.size:
            low[-1] = min(low[-1], tail.min())
            high[-1] = max(high[-1], tail.max())
        last = values[-1:]
        return Envelope(
            np.append(starts * b, n - 1),
            np.concatenate([low, last]),
            np.concatenate([high, last]),
        )

    def _fold(self, values: np.ndarray, complete: int) -> None:
        b = self.block
        kept = min(self._ends.shape[0], complete)
        # A cut or rewrite changes everything after some epoch, so the last kept block's end
        # (and, cheaply, every 64th block's) tells whether the kept blocks still hold.
        if kept:
            check = np.unique(np.append(np.arange(0, kept, 64), kept - 1))
            now, then = values[check * b + b - 1], self._ends[check]
            stale = ~((now == then) | (np.isnan(now) & np.isnan(then)))
            if stale.any():
                first = int(np.argmax(stale))
                kept = int(check[first - 1]) + 1 if first else 0
        if kept < complete:
            fresh = values[kept * b : complete * b].reshape(-1, b)
            self._low = np.concatenate([self._low[:kept], fresh.min(axis=1)])
            self._high = np.concatenate([self._high[:kept], fresh.max(axis=1)])
            self._ends = np.concatenate([self._ends[:kept], fresh[:, -1]])
        else:
            self._low, self._high, self._ends = (
                self._low[:complete],
                self._high[:complete],
                self._ends[:complete],
            )
