"""Choosing which points of a series to send when the caller asks for fewer than all.

Both functions return *indices* into the series, sorted ascending, so the caller can take the
same points from every column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

X_AXES = ("step", "wall_time")


@dataclass(frozen=True, slots=True)
class ScalarWindow:
    """What a plot shows of a scalar series: the window ``[x_min, x_max]`` of axis ``x``
    (``"step"`` or ``"wall_time"``; an open end means the series' own end), drawn
    ``buckets`` slices wide (see :func:`viewport_indices`)."""

    buckets: int
    x: str = "step"
    x_min: float | None = None
    x_max: float | None = None

    def __post_init__(self) -> None:
        if self.buckets <= 0:
            raise ValueError(f"buckets must be positive, got {self.buckets}")
        if self.x not in X_AXES:
            raise ValueError(f"x must be one of {', '.join(X_AXES)}, got {self.x!r}")

    def indices(self, step: np.ndarray, wall_time: np.ndarray, value: np.ndarray) -> np.ndarray:
        """Indices of the points of one series (its columns) needed to draw this window."""
        if not step.shape[0]:
            return np.empty(0, dtype=np.int64)
        axis = step if self.x == "step" else wall_time
        lo = float(axis[0]) if self.x_min is None else self.x_min
        hi = float(axis[-1]) if self.x_max is None else self.x_max
        return viewport_indices(axis, value, lo, hi, self.buckets)


def sample_indices(length: int, count: int | None) -> np.ndarray:
    """Indices of at most ``count`` points of a series of ``length`` points.

    ``None`` or ``0`` selects every point. Otherwise the points are spread evenly over the
    series, deterministically (the same call gives the same answer), and the latest point is
    always included (as is the first one when ``count >= 2``).
    """
    if not count or count >= length:
        return np.arange(length, dtype=np.int64)
    if count < 0:
        raise ValueError(f"downsample must be None, 0 or positive, got {count}")
    if count == 1:
        return np.array([length - 1], dtype=np.int64)
    # Evenly spaced positions over [0, length-1]; integer arithmetic keeps them distinct.
    return (np.arange(count, dtype=np.int64) * (length - 1)) // (count - 1)


def viewport_indices(
    x: np.ndarray, y: np.ndarray, x_min: float, x_max: float, buckets: int
) -> np.ndarray:
    """Indices of the points needed to draw ``(x, y)`` faithfully over ``[x_min, x_max]``.

    The window is cut into ``buckets`` equal slices of x; from each slice the first, last,
    lowest and highest point are kept, so every spike survives at any zoom level. Points with
    a non-finite y (NaN, ±inf) are always kept so they can be marked. The nearest point just
    outside each edge of the window is kept too, so lines run to the edges. ``x`` must be
    sorted ascending (steps and wall times of a series are).
    """
    if buckets <= 0:
        raise ValueError(f"buckets must be positive, got {buckets}")
    n = int(x.shape[0])
    lo = int(np.searchsorted(x, x_min, side="left"))
    hi = int(np.searchsorted(x, x_max, side="right"))
    if hi - lo <= 4 * buckets:
        keep = np.arange(max(lo - 1, 0), min(hi + 1, n), dtype=np.int64)
        return keep
    xs = x[lo:hi]
    ys = y[lo:hi]
    count = hi - lo
    # x is sorted, so each bucket is one contiguous segment: cut at the bucket edges.
    span = float(x_max) - float(x_min)
    if span <= 0:
        starts = np.zeros(1, dtype=np.int64)
    else:
        edges = float(x_min) + np.arange(1, buckets, dtype=np.float64) * (span / buckets)
        cuts = np.searchsorted(xs, edges, side="left")
        starts = np.unique(np.r_[0, cuts[cuts < count]])
    ends = np.r_[starts[1:], count] - 1
    seg_id = np.zeros(count, dtype=np.int64)
    seg_id[starts[1:]] = 1
    np.cumsum(seg_id, out=seg_id)
    finite = np.isfinite(ys)
    all_finite = bool(finite.all())
    y_for_min = ys if all_finite else np.where(finite, ys, np.inf)
    y_for_max = ys if all_finite else np.where(finite, ys, -np.inf)
    picked = [
        starts,
        ends,
        _segment_arg(y_for_min, starts, seg_id, np.minimum),
        _segment_arg(y_for_max, starts, seg_id, np.maximum),
        np.array([i for i in (-1, count) if 0 <= i + lo < n], dtype=np.int64),
    ]
    if not all_finite:
        picked.append(np.flatnonzero(~finite))
    return np.unique(np.concatenate(picked)) + lo


def _segment_arg(
    values: np.ndarray, starts: np.ndarray, seg_id: np.ndarray, ufunc: np.ufunc
) -> np.ndarray:
    """For each segment beginning at ``starts`` (``seg_id``: each value's segment), the index
    of its first ``ufunc``-extreme value."""
    extreme = ufunc.reduceat(values, starts)
    hits = np.flatnonzero(values == extreme[seg_id])
    segments = seg_id[hits]
    # Hits are in order, so a segment's first hit is where the segment number changes; a
    # segment without a hit (NaN values only) keeps its start.
    first = np.flatnonzero(np.r_[True, segments[1:] != segments[:-1]])
    result = np.array(starts, copy=True)
    result[segments[first]] = hits[first]
    return result
