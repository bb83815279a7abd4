"""The timeline: the events of a time window that are wide enough to see, and per-pixel
summaries of the rest, so that a client draws any zoom level of any trace from a bounded
answer.

Times in and out are µs since the trace's origin (its first event). Each event carries its
nesting depth on its lane (0 for the outermost), computed once per trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tbcore_profile.model import EventKind, Trace
from tbcore_profile.nesting import parents_by_depth

MAX_WIDTH = 8192
"""The most pixels a request may ask for."""
DEFAULT_LIMIT = 20_000
NESTING_SLACK_US = 5e-4
"""An event that starts less than this before the previous one ends follows it rather than
nests in it: Kineto's times are whole nanoseconds, their float sums are not."""
"""The most events one answer lists; beyond, the shortest go into the summaries."""


@dataclass(frozen=True)
class Window:
    """A validated timeline request."""

    start: float
    end: float
    width: int
    min_duration: float
    limit: int


def nesting_depth(trace: Trace) -> np.ndarray:
    """For every event, how many events of its lane enclose it (events that overlap without
    nesting are drawn one row further down, like a nested one).

    The rule is a stack walk over each lane in start order: an event pops the events that
    ended before it starts and sits on those left. Lanes whose events nest properly (the usual
    case) are computed with array operations; a lane where the walk would meet an event that
    outlives the one it starts in is walked event by event."""
    events = trace.events
    depth = np.zeros(len(events), dtype=np.int64)
    ends = events.start + events.dur
    order = np.argsort(events.lane, kind="stable")
    bounds = np.flatnonzero(np.diff(events.lane[order])) + 1
    for members in np.split(order, bounds) if len(order) else []:
        begin, end = events.start[members], ends[members]
        array_depth = _open_before(begin, end)
        if array_depth is not None and _walk_agrees(array_depth, begin, end):
            depth[members] = array_depth
        else:
            depth[members] = _walk(begin.tolist(), end.tolist())
    depth = np.minimum(depth, np.iinfo(np.int16).max).astype(np.int16)
    depth.flags.writeable = False
    return depth


_MAX_TIES = 64
"""Beyond this many events starting within the slack of one another, a lane is walked."""


def _open_before(begin: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """For each event (sorted by start), how many earlier ones are still running when it
    starts: its depth when the lane nests properly. None when too many events tie."""
    threshold = begin + NESTING_SLACK_US
    count = len(begin)
    index = np.arange(count)
    ended = np.searchsorted(np.sort(end), threshold, side="right")  # all events ended by then
    # ... less the event itself and later ones (they start within the slack) that ended by then
    last = np.searchsorted(begin, threshold, side="right")
    ties = int((last - index).max()) if count else 0
    if ties > _MAX_TIES:
        return None
    later_ended = np.zeros(count, dtype=np.int64)
    for offset in range(ties):
        other = np.minimum(index + offset, count - 1)
        later_ended += (index + offset < last) & (end[other] <= threshold)
    return index - (ended - later_ended)


def _walk_agrees(depth: np.ndarray, begin: np.ndarray, end: np.ndarray) -> bool:
    """Whether the stack walk gives ``depth``: each event at depth d > 0 starts while the last
    earlier event at depth d - 1 runs and ends no later than it (so the stack only ever holds
    events that end in order, and popping the ended ones leaves exactly those still running)."""
    return parents_by_depth(depth, begin + NESTING_SLACK_US, end) is not None


def _walk(starts: list[float], ends: list[float]) -> list[int]:
    """The stack walk, event by event."""
    depth = []
    stack: list[float] = []
    for begin, end in zip(starts, ends):
        while stack and stack[-1] <= begin + NESTING_SLACK_US:
            stack.pop()
        depth.append(len(stack))
        stack.append(end)
    return depth


def timeline(trace: Trace, depth: np.ndarray, window: Window) -> dict[str, Any]:
    """The events of ``window`` at least one pixel (and ``min_duration``) long, as columns;
    and for each lane and pixel, how many shorter events it holds and how long they run.

    Events are sorted by start; ``truncated`` says the ``limit`` was reached (the shortest
    events were moved into the summaries)."""
    events = trace.events
    origin = trace.time_range[0]
    lo, hi = window.start + origin, window.end + origin
    pixel = (hi - lo) / window.width
    start, end = events.start, events.start + events.dur
    visible = (start < hi) & (end > lo) | ((start >= lo) & (start < hi))
    index = np.flatnonzero(visible)
    threshold = max(pixel, window.min_duration)
    wide = events.dur[index] >= threshold
    shown, hidden = index[wide], index[~wide]
    truncated = len(shown) > window.limit
    if truncated:
        keep = np.argsort(-events.dur[shown], kind="stable")[: window.limit]
        hidden = np.concatenate([hidden, np.setdiff1d(shown, shown[keep])])
        shown = np.sort(shown[keep])
    names, name_index = np.unique(events.name[shown], return_inverse=True)
    return {
        "start": window.start,
        "end": window.end,
        "width": window.width,
        "threshold_us": threshold,
        "truncated": bool(truncated),
        "total": int(len(index)),
        "names": [trace.strings[int(n)] for n in names],
        "events": {
            "lane": events.lane[shown],
            "depth": depth[shown],
            "start": events.start[shown] - origin,
            "dur": events.dur[shown],
            "name": name_index.astype(np.int32),
            "kind": events.kind[shown],
        },
        "summaries": _summaries(trace, depth, hidden, lo, pixel, window.width),
    }


def _summaries(trace: Trace, depth: np.ndarray, hidden: np.ndarray, lo: float, pixel: float,
               width: int) -> dict[str, Any]:
    """Per (lane, depth row, pixel): how many hidden events start there and the sum of their
    durations (clipped to the window), in µs."""
    events = trace.events
    if not len(hidden):
        return {"lane": [], "depth": [], "pixel": [], "count": [], "busy_us": []}
    begin = np.maximum(events.start[hidden], lo)
    column = np.clip(((begin - lo) / pixel).astype(np.int64), 0, width - 1)
    finish = np.minimum(events.start[hidden] + events.dur[hidden], lo + pixel * width)
    busy = np.clip(finish - begin, 0, None)
    rows = depth[hidden].astype(np.int64)
    key = (events.lane[hidden].astype(np.int64) * 65536 + rows) * width + column
    unique, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    busy_sum = np.bincount(inverse, weights=busy, minlength=len(unique))
    return {
        "lane": unique // (65536 * width),
        "depth": (unique // width) % 65536,
        "pixel": unique % width,
        "count": counts,
        "busy_us": busy_sum,
    }


def lanes_json(trace: Trace) -> list[dict[str, Any]]:
    """The lanes, as the timeline's answers refer to them by index."""
    events = trace.events
    counts = np.bincount(events.lane, minlength=len(trace.lanes)) if len(events) else np.zeros(len(trace.lanes))
    return [
        {"id": i, "process": lane.process, "thread": lane.thread, "device": lane.device, "events": int(counts[i])}
        for i, lane in enumerate(trace.lanes)
    ]


KIND_NAMES = {int(k): k.name.lower() for k in EventKind}
"""``kind`` numbers of the timeline's events -> names."""
