"""Sets of time ranges as pairs of numpy arrays: union, intersection, difference, and the
covered length in a window, all vectorized.

A *range set* is ``(starts, ends)``: float64 arrays, sorted, non-overlapping, no empty ranges
(what :func:`merge` returns). Ranges are half-open, so ``[0, 1)`` and ``[1, 2)`` merge into
``[0, 2)``.
"""

from __future__ import annotations

import numpy as np

RangeSet = tuple[np.ndarray, np.ndarray]

EMPTY: RangeSet = (np.empty(0), np.empty(0))


def merge(starts: np.ndarray, ends: np.ndarray) -> RangeSet:
    """The union of any ranges (unsorted, overlapping, empty ones allowed) as a range set."""
    starts = np.asarray(starts, dtype=np.float64)
    ends = np.asarray(ends, dtype=np.float64)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if not len(starts):
        return EMPTY
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    first = np.empty(len(starts), dtype=bool)
    first[0] = True
    first[1:] = starts[1:] > reach[:-1]
    group_starts = starts[first]
    last = np.flatnonzero(np.append(first[1:], True))
    return group_starts, reach[last]


def _combine(a: RangeSet, b: RangeSet, keep_a: bool, keep_b: bool) -> RangeSet:
    """Where (inside ``a``) == keep_a and (inside ``b``) == keep_b, as a range set; the
    combination must not hold outside both sets (never ``keep_a == keep_b == False``)."""
    points = np.concatenate([a[0], a[1], b[0], b[1]])
    if not len(points):
        return EMPTY
    delta_a = np.concatenate([np.ones(len(a[0])), -np.ones(len(a[1])), np.zeros(len(b[0]) * 2)])
    delta_b = np.concatenate([np.zeros(len(a[0]) * 2), np.ones(len(b[0])), -np.ones(len(b[1]))])
    order = np.argsort(points, kind="stable")
    points, delta_a, delta_b = points[order], delta_a[order], delta_b[order]
    # The state after the last of several endpoints at one time is what holds until the next.
    last_at_time = np.append(points[1:] != points[:-1], True)
    inside_a = np.cumsum(delta_a)[last_at_time] > 0
    inside_b = np.cumsum(delta_b)[last_at_time] > 0
    times = points[last_at_time]
    selected = (inside_a == keep_a) & (inside_b == keep_b)
    selected = selected[:-1]
    return merge(times[:-1][selected], times[1:][selected])


def intersect(a: RangeSet, b: RangeSet) -> RangeSet:
    """Where both sets hold."""
    if not len(a[0]) or not len(b[0]):
        return EMPTY
    return _combine(a, b, True, True)


def subtract(a: RangeSet, b: RangeSet) -> RangeSet:
    """Where ``a`` holds and ``b`` does not."""
    if not len(a[0]) or not len(b[0]):
        return a
    return _combine(a, b, True, False)


def split_by_priority(window: RangeSet, layers: list[RangeSet]) -> list[RangeSet]:
    """``window`` shared out among ``layers``: each instant goes to the first layer that holds
    it; one more set at the end holds what no layer does. The same sets as intersecting and
    subtracting layer by layer, from one sort of every endpoint."""
    points = np.sort(np.concatenate([part for s in (window, *layers) for part in s]), kind="stable")  # sorted runs
    if not len(points):
        return [EMPTY] * (len(layers) + 1)
    times = points[np.concatenate([[True], points[1:] != points[:-1]])]
    lo, hi = times[:-1], times[1:]

    def holds(ranges: RangeSet) -> np.ndarray:  # each [lo, hi) lies wholly in or out of a set
        delta = np.zeros(len(times), dtype=np.int32)
        delta[np.searchsorted(times, ranges[0])] = 1  # a set's endpoints are distinct times
        delta[np.searchsorted(times, ranges[1])] = -1
        return np.cumsum(delta[:-1]) > 0

    free = holds(window)
    out = []
    for layer in layers:
        taken = free & holds(layer)
        free &= ~taken
        out.append(merge(lo[taken], hi[taken]))
    out.append(merge(lo[free], hi[free]))
    return out


def total(ranges: RangeSet) -> float:
    """The covered length."""
    return float(np.sum(ranges[1] - ranges[0]))


def covered_in(ranges: RangeSet, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each window ``[lo[i], hi[i])``, how much of it the set covers."""
    starts, ends = ranges
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if not len(starts):
        return np.zeros(len(lo))
    prefix = np.concatenate([[0.0], np.cumsum(ends - starts)])

    def covered_before(t: np.ndarray) -> np.ndarray:
        # ranges wholly before t, plus the part of the one t falls in
        n = np.searchsorted(starts, t, side="right")
        inside = np.clip(t - starts[np.maximum(n - 1, 0)], 0, None)
        partial = np.where(n > 0, np.minimum(inside, (ends - starts)[np.maximum(n - 1, 0)]), 0.0)
        return prefix[np.maximum(n - 1, 0)] * (n > 0) + partial

    return np.maximum(covered_before(hi) - covered_before(lo), 0.0)
