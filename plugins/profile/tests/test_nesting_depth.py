"""Nesting depths computed with array operations equal the event-by-event stack walk: on
random lanes with nested, crossing, tied and zero-length events."""

from __future__ import annotations

import numpy as np
import pytest

from tbcore_profile import timeline
from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EventKind, Trace


def _random_trace(seed: int, crossing: float, ties: bool) -> Trace:
    rng = np.random.default_rng(seed)
    builder = TraceBuilder("test")
    lanes = [builder.lane(1, t) for t in range(3)]
    for lane in lanes:
        time = 0.0
        stack: list[float] = []
        for _ in range(int(rng.integers(1, 400))):
            while stack and (stack[-1] <= time or rng.random() < 0.3):
                time = max(time, stack.pop()) if rng.random() < 0.5 else time
            room = (stack[-1] - time) if stack else 100.0
            dur = float(rng.choice([0.0, rng.random() * room, room]))
            if rng.random() < crossing:
                dur += float(rng.random() * 10)  # outlives the event it starts in
            builder.event("e", EventKind.CPU_OP, "cpu_op", lane, round(time, 3), round(dur, 3))
            stack.append(time + dur)
            if not ties or rng.random() < 0.5:
                time += float(rng.random() * 2)
    return builder.build()


@pytest.mark.parametrize("seed", range(40))
def test_array_depths_equal_the_walk(seed: int) -> None:
    trace = _random_trace(seed, crossing=0.0 if seed % 2 else 0.05, ties=seed % 3 == 0)
    events = trace.events
    expected = np.zeros(len(events), dtype=np.int16)
    for lane in np.unique(events.lane):
        members = np.flatnonzero(events.lane == lane)
        ends = events.start[members] + events.dur[members]
        expected[members] = timeline._walk(events.start[members].tolist(), ends.tolist())
    assert np.array_equal(timeline.nesting_depth(trace), expected)


def test_nested_lanes_take_the_array_path() -> None:
    # a step holding two operators, the second holding a launch that holds a zero-length mark
    begin = np.array([0.0, 1.0, 5.0, 6.0, 6.0, 20.0])
    end = np.array([10.0, 4.0, 9.0, 7.0, 6.0, 21.0])
    depth = timeline._open_before(begin, end)
    assert depth is not None and depth.tolist() == [0, 1, 1, 2, 3, 0]
    assert timeline._walk_agrees(depth, begin, end)
    assert depth.tolist() == timeline._walk(begin.tolist(), end.tolist())
    crossing = end.copy()
    crossing[3] = 9.5  # outlives the operator it starts in
    crossed = timeline._open_before(begin, crossing)
    assert crossed is not None and not timeline._walk_agrees(crossed, begin, crossing)
