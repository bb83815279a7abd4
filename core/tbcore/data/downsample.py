"""Choosing which points of a series to send when the caller asks for fewer than all.

Both functions return *indices* into the series, sorted ascending, so the caller can take the
same points from every column.
"""

from __future__ import annotations

import numpy as np


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
    xs = x[lo:hi].astype(np.float64)
    ys = y[lo:hi].astype(np.float64)
    span = float(x_max) - float(x_min)
    if span <= 0:
        bucket = np.zeros(hi - lo, dtype=np.int64)
    else:
        bucket = ((xs - float(x_min)) * (buckets / span)).astype(np.int64)
        np.clip(bucket, 0, buckets - 1, out=bucket)
    # x is sorted, so each bucket is one contiguous segment: segment starts are where the
    # bucket number changes.
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ends = np.r_[starts[1:], hi - lo] - 1
    finite = np.isfinite(ys)
    y_for_min = np.where(finite, ys, np.inf)
    y_for_max = np.where(finite, ys, -np.inf)
    seg_min = _segment_arg(y_for_min, starts, np.minimum)
    seg_max = _segment_arg(y_for_max, starts, np.maximum)
    picked = np.concatenate([starts, ends, seg_min, seg_max, np.flatnonzero(~finite)])
    keep = np.unique(picked) + lo
    extra = [i for i in (lo - 1, hi) if 0 <= i < n]
    if extra:
        keep = np.unique(np.concatenate([keep, np.array(extra, dtype=np.int64)]))
    return keep.astype(np.int64)


def _segment_arg(values: np.ndarray, starts: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """For each segment beginning at ``starts``, the index of its ``ufunc``-extreme value."""
    extreme = ufunc.reduceat(values, starts)
    seg_id = np.repeat(np.arange(starts.shape[0]), np.diff(np.r_[starts, values.shape[0]]))
    hits = np.flatnonzero(values == extreme[seg_id])
    # First hit of each segment.
    first = np.unique(seg_id[hits], return_index=True)[1]
    result = np.array(starts, copy=True)
    result[np.unique(seg_id[hits])] = hits[first]
    return result
