"""Grouping a scan's values by tag: the C and the numpy implementations agree, and groups
hold each tag's rows in file order."""

from __future__ import annotations

import numpy as np
import pytest

from tbcore.data import tag_groups
from tbcore.io import _scan_py
from tbcore.io.scan import KIND_DOUBLE_TENSOR, KIND_OTHER, ScanResult

try:
    from tbcore.io import _recordscan  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the build
    _recordscan = None


def _result(tags: np.ndarray, kinds: np.ndarray, ntags: int) -> ScanResult:
    n = tags.shape[0]
    rng = np.random.default_rng(n)
    empty32, empty64 = np.zeros(0, np.int32), np.zeros(0, np.int64)
    return ScanResult(
        consumed=0,
        resync=False,
        tags=[f"t{i}".encode() for i in range(ntags)],
        v_record=np.arange(n, dtype=np.int32),
        v_tag=tags.astype(np.int32),
        v_kind=kinds.astype(np.uint8),
        v_step=rng.integers(-(2**40), 2**40, n),
        v_wall_time=rng.random(n) * 1e9,
        v_value=rng.standard_normal(n).astype(np.float32).astype(np.float64),
        v_offset=np.zeros(n, np.int64),
        v_length=np.zeros(n, np.int32),
        v_meta_offset=np.zeros(n, np.int64),
        v_meta_length=np.zeros(n, np.int32),
        o_record=empty32,
        o_offset=empty64,
        o_length=empty64,
    )


CASES = [
    (np.zeros(0, int), np.zeros(0, int), 0),
    (np.array([0]), np.array([0]), 1),
    (np.array([2, 0, 2, 1, 0, 2]), np.zeros(6, int), 4),  # tag 3 has no rows
    (np.random.default_rng(1).integers(0, 300, 5000), np.zeros(5000, int), 300),
    (np.array([1, 0, 1, 0]), np.array([0, KIND_OTHER, 1, 0]), 2),
    (np.array([1, 0, 1, 0]), np.array([0, 1, KIND_DOUBLE_TENSOR, 0]), 2),
]


@pytest.mark.parametrize(("tags", "kinds", "ntags"), CASES)
def test_groups_hold_each_tags_rows_in_file_order(tags, kinds, ntags) -> None:
    res = _result(tags, kinds, ntags)
    groups = tag_groups._group_numpy(res)
    assert groups.tag_ids == sorted(set(tags.tolist()))
    for g, tag in enumerate(groups.tag_ids):
        rows = groups.order[groups.bounds[g] : groups.bounds[g + 1]]
        assert rows.tolist() == np.flatnonzero(tags == tag).tolist()
        assert groups.step[groups.bounds[g] : groups.bounds[g + 1]].tolist() == res.v_step[rows].tolist()
    assert groups.has_other == bool((kinds == KIND_OTHER).any())
    assert groups.has_double == bool((kinds == KIND_DOUBLE_TENSOR).any())
    assert groups.value.dtype == (np.float64 if groups.has_double else np.float32)


@pytest.mark.skipif(_recordscan is None, reason="C extension not built")
@pytest.mark.parametrize(("tags", "kinds", "ntags"), CASES)
def test_c_and_numpy_groupings_agree(tags, kinds, ntags) -> None:
    res = _result(tags, kinds, ntags)
    a, b = tag_groups._group_c(res), tag_groups._group_numpy(res)
    assert (a.tag_ids, a.bounds, a.has_other, a.has_double) == (
        b.tag_ids, b.bounds, b.has_other, b.has_double
    )
    for name in ("order", "step", "wall_time", "value", "kind"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    assert a.step.flags.writeable and a.value.flags.writeable


@pytest.mark.skipif(_recordscan is None, reason="C extension not built")
def test_c_grouping_refuses_bad_columns() -> None:
    res = _result(np.array([0, 5]), np.zeros(2, int), 2)  # tag id 5 of 2 tags
    with pytest.raises(ValueError, match="out of range"):
        tag_groups._group_c(res)
    with pytest.raises(ValueError, match="lengths"):
        _recordscan.group_by_tag(res.v_tag, 2, res.v_kind[:1], res.v_step, res.v_wall_time, res.v_value)


def test_groups_of_a_real_scan() -> None:
    from tbcore.io.records import frame_record
    from tbcore.proto import event_pb2

    payloads = []
    for step in range(3):
        for tag in ("b", "a"):
            event = event_pb2.Event(step=step, wall_time=1.5 + step)
            event.summary.value.add(tag=tag, simple_value=step * 10.0)
            payloads.append(event.SerializeToString())
    res = _scan_py.scan(b"".join(frame_record(p) for p in payloads))
    groups = tag_groups.group_by_tag(res)
    names = [res.tags[i] for i in groups.tag_ids]
    assert sorted(names) == [b"a", b"b"]
    for g in range(2):
        span = slice(groups.bounds[g], groups.bounds[g + 1])
        assert groups.step[span].tolist() == [0, 1, 2]
        assert groups.value[span].tolist() == [0.0, 10.0, 20.0]
