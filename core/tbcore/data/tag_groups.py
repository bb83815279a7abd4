"""A scanned chunk's summary values, grouped by tag: the vectorized half of applying a chunk.

Grouping runs in the loading worker threads (the C scanner's ``group_by_tag`` releases the
GIL; the numpy version used without it sorts and gathers), so applying a chunk to its run
only slices the groups instead of sorting, gathering and checking per tag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tbcore.io.scan import IMPLEMENTATION, KIND_DOUBLE_TENSOR, KIND_OTHER, ScanResult


@dataclass(frozen=True, slots=True)
class TagGroups:
    """The ``v_*`` rows of one scan, grouped by tag id, file order kept within each tag.

    Group ``g`` holds the rows ``order[bounds[g]:bounds[g + 1]]`` of tag ``tag_ids[g]``;
    ``step``, ``wall_time``, ``value`` and ``kind`` are the scan's columns in that order.
    ``step`` is int32 unless some step of the chunk needs int64 (4 bytes a point less, kept by
    the series that adopt these columns), ``value`` float32 unless some value of the chunk is
    a double tensor.
    """

    tag_ids: list[int]
    bounds: list[int]
    order: np.ndarray
    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray
    kind: np.ndarray
    has_other: bool
    """Whether some row is ``KIND_OTHER`` (a value to parse with protobuf)."""
    has_double: bool
    """Whether some row is a double tensor (so ``value`` is float64)."""


def group_by_tag(res: ScanResult) -> TagGroups:
    """Group the summary values of ``res`` by tag id (ascending)."""
    if IMPLEMENTATION == "c":
        return _group_c(res)
    return _group_numpy(res)


def _group_c(res: ScanResult) -> TagGroups:
    from tbcore.io import _recordscan  # type: ignore[attr-defined]

    order, counts, kind, step, wall, value, has_other, has_double, wide_steps = (
        _recordscan.group_by_tag(
            res.v_tag, len(res.tags), res.v_kind, res.v_step, res.v_wall_time, res.v_value
        )
    )
    n_per_tag = np.frombuffer(counts, np.int64)
    tag_ids = np.flatnonzero(n_per_tag)
    bounds = [0, *np.cumsum(n_per_tag[tag_ids]).tolist()]
    # Writable views of the bytearrays: series adopt these columns as their own.
    return TagGroups(
        tag_ids=tag_ids.tolist(),
        bounds=bounds,
        order=np.frombuffer(order, np.int32),
        step=np.frombuffer(step, np.int64 if wide_steps else np.int32),
        wall_time=np.frombuffer(wall, np.float64),
        value=np.frombuffer(value, np.float64 if has_double else np.float32),
        kind=np.frombuffer(kind, np.uint8),
        has_other=has_other,
        has_double=has_double,
    )


def _group_numpy(res: ScanResult) -> TagGroups:
    tag_ids = res.v_tag
    n = tag_ids.shape[0]
    # A stable radix sort on the narrowest type that holds every tag id.
    dtype = np.uint16 if len(res.tags) <= 0xFFFF else np.int32
    order = np.argsort(tag_ids.astype(dtype), kind="stable").astype(np.int32)
    sorted_ids = tag_ids[order]
    cuts = (np.flatnonzero(sorted_ids[1:] != sorted_ids[:-1]) + 1).tolist()
    bounds = [0, *cuts, n] if n else [0]
    kind = res.v_kind[order]
    has_other = bool(np.any(kind == KIND_OTHER))
    has_double = bool(np.any(kind == KIND_DOUBLE_TENSOR))
    value = res.v_value[order]
    if not has_double:
        value = value.astype(np.float32)
    return TagGroups(
        tag_ids=sorted_ids[bounds[:-1]].tolist(),
        bounds=bounds,
        order=order,
        step=_narrow(res.v_step[order]),
        wall_time=res.v_wall_time[order],
        value=value,
        kind=kind,
        has_other=has_other,
        has_double=has_double,
    )


_INT32 = np.iinfo(np.int32)


def _narrow(steps: np.ndarray) -> np.ndarray:
    """``steps`` as int32 when every one fits."""
    if steps.shape[0] and (steps.min() < _INT32.min or steps.max() > _INT32.max):
        return steps
    return steps.astype(np.int32)
