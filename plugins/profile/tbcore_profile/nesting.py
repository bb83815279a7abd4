"""Who nests in whom on one thread: the parent of each range under the stack walk that
torch-tb-profiler builds its call trees with, computed with array operations.

The walk visits the ranges sorted by start, longest first at equal starts: it pops the ranges
that ended by the new one's start (``start >= end``); the range on top is the parent; a range
that outlives that parent is dropped (neither pushed nor given a parent). When no range is
dropped, the walk's stack always holds exactly the earlier ranges still running, so a range's
depth is how many of those there are and its parent is the last earlier range one level up:
both are found with sorting and ``searchsorted``. A lane where that check fails is walked.
"""

from __future__ import annotations

import numpy as np

ROOT = -1
"""Parent of a top-level range."""
DROPPED = -2
"""Parent of a range the walk drops (it overlaps its would-be parent's end)."""


def nest(begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For ranges sorted by ``(begin, -end)``: each one's parent as a position in that order,
    :data:`ROOT` or :data:`DROPPED`, exactly as the stack walk (:func:`walk`) gives them."""
    parents = _nest_by_depth(begin, end)
    if parents is None:
        return np.asarray(walk(begin.tolist(), end.tolist()), dtype=np.int64)
    return parents


def _nest_by_depth(begin: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    count = len(begin)
    if count == 0:
        return np.full(0, ROOT, dtype=np.int64)
    if not (np.all(end >= begin) and np.all(np.isfinite(end))):
        return None
    index = np.arange(count)
    ended = np.searchsorted(np.sort(end), begin, side="right")  # ranges over by each start
    # ... of which the range itself and later ones: zero-length ranges at that same start
    # (sorted last among the ranges that start there)
    group_end = np.searchsorted(begin, begin, side="right")
    zero = np.concatenate([[0], np.cumsum(end <= begin)])
    ended_before = ended - (zero[group_end] - zero[index])
    return parents_by_depth(index - ended_before, begin, end)


def parents_by_depth(depth: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """For ranges in walk order with their ``depth``: each one's parent (the last earlier range
    one level up; :data:`ROOT` at depth 0), or None when the stack walk would not give these
    depths: a parent that no longer runs at its child's ``begin`` or ends before its child (the
    walk would pop another range or drop the child)."""
    parents = np.full(len(depth), ROOT, dtype=np.int64)
    positions = np.arange(len(depth))
    for level in range(1, int(depth.max(initial=0)) + 1):
        above = positions[depth == level - 1]
        here = positions[depth == level]
        which = np.searchsorted(above, here) - 1
        if np.any(which < 0):
            return None
        parent = above[which]
        if np.any(end[parent] <= begin[here]) or np.any(end[here] > end[parent]):
            return None
        parents[here] = parent
    return parents


def walk(begin: list[float], end: list[float]) -> list[int]:
    """The stack walk itself, range by range (the reference :func:`nest` reproduces)."""
    parents: list[int] = []
    stack: list[int] = []
    for position, (start, stop) in enumerate(zip(begin, end)):
        while stack and start >= end[stack[-1]]:
            stack.pop()
        if stack and stop > end[stack[-1]]:
            parents.append(DROPPED)
            continue
        parents.append(stack[-1] if stack else ROOT)
        stack.append(position)
    return parents
