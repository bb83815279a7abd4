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
    nesting are drawn one row further down, like a nested one)."""
    events = trace.events
    depth = np.zeros(len(events), dtype=np.int16)
    ends = (events.start + events.dur).tolist()
    starts = events.start.tolist()
    for lane in np.unique(events.lane).tolist():
        stack: list[float] = []
        for index in np.flatnonzero(events.lane == lane).tolist():
            begin = starts[index]
            while stack and stack[-1] <= begin + NESTING_SLACK_US:
                stack.pop()
            depth[index] = min(len(stack), np.iinfo(np.int16).max)
            stack.append(ends[index])
    depth.flags.writeable = False
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
