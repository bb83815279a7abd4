"""What the timeline shows besides its events: the flow arrows of a window (a launch to the
device work it started, forward to backward), the events a search finds, and the summary of
a selected time range. Times in and out are µs since the trace's origin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tbcore.errors import InvalidArgumentError
from tbcore_profile.model import Trace
from tbcore_profile.timeline import KIND_NAMES

MAX_FLOWS = 5000
"""The most arrows one timeline answer lists (the ones that start first)."""
MAX_QUERY = 200
SEARCH_LIMIT = 200
SUMMARY_ROWS = 50


@dataclass(frozen=True)
class FlowPairs:
    """The arrows of a trace: both ends' lane, time (on the trace's clock) and nesting depth
    (of the deepest event on that lane starting right there, else 0), and the category."""

    category: np.ndarray
    start_lane: np.ndarray
    start: np.ndarray
    start_depth: np.ndarray
    end_lane: np.ndarray
    end: np.ndarray
    end_depth: np.ndarray


def flow_pairs(trace: Trace, depth: np.ndarray) -> FlowPairs:
    """Pair each flow's start (``s``) with its end (``f``): same id and category; a flow
    without both ends is left out."""
    flows = trace.flows
    order = np.lexsort((flows.phase, flows.id, flows.category))
    key_id, key_category, phase = flows.id[order], flows.category[order], flows.phase[order]
    starts = np.flatnonzero(phase[:-1] == 0) if len(order) else np.zeros(0, dtype=np.int64)
    ends = starts + 1
    paired = (phase[ends] == 1) & (key_id[ends] == key_id[starts]) & (key_category[ends] == key_category[starts])
    first, second = order[starts[paired]], order[ends[paired]]
    return FlowPairs(
        category=flows.category[first],
        start_lane=flows.lane[first],
        start=flows.time[first],
        start_depth=_depth_at(trace, depth, flows.lane[first], flows.time[first]),
        end_lane=flows.lane[second],
        end=flows.time[second],
        end_depth=_depth_at(trace, depth, flows.lane[second], flows.time[second]),
    )


def _depth_at(trace: Trace, depth: np.ndarray, lanes: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The depth of the deepest event of each lane that starts exactly at each time (0 if none)."""
    events = trace.events
    out = np.zeros(len(lanes), dtype=np.int64)
    if not len(lanes):
        return out
    by_lane = np.argsort(events.lane, kind="stable")  # within a lane, still by start
    lane_sorted = events.lane[by_lane]
    for lane in np.unique(lanes).tolist():
        lo, hi = np.searchsorted(lane_sorted, lane, "left"), np.searchsorted(lane_sorted, lane, "right")
        members = by_lane[lo:hi]
        asked = np.flatnonzero(lanes == lane)
        first = np.searchsorted(events.start[members], times[asked], "left")
        last = np.searchsorted(events.start[members], times[asked], "right")
        found = last > first
        deepest = np.zeros(len(asked), dtype=np.int64)
        for offset in range(int((last - first).max(initial=0))):  # events starting at the same time
            more = found & (first + offset < last)
            deepest[more] = np.maximum(deepest[more], depth[members[first[more] + offset]])
        out[asked] = deepest
    return out


def flows_in_window(trace: Trace, pairs: FlowPairs, lo: float, hi: float) -> dict[str, Any]:
    """The arrows with an end in ``[lo, hi)`` (µs since the origin), as columns: at most
    :data:`MAX_FLOWS`, the first ones; ``category`` indexes ``categories``."""
    origin = trace.time_range[0]
    start, end = pairs.start - origin, pairs.end - origin
    chosen = np.flatnonzero(((start >= lo) & (start < hi)) | ((end >= lo) & (end < hi)) | ((start < lo) & (end >= hi)))
    truncated = len(chosen) > MAX_FLOWS
    chosen = chosen[:MAX_FLOWS]
    names, category = np.unique(pairs.category[chosen], return_inverse=True)
    return {
        "categories": [trace.strings[int(c)] for c in names],
        "truncated": bool(truncated),
        "category": category.astype(np.int32),
        "start_lane": pairs.start_lane[chosen],
        "start": start[chosen],
        "start_depth": pairs.start_depth[chosen],
        "end_lane": pairs.end_lane[chosen],
        "end": end[chosen],
        "end_depth": pairs.end_depth[chosen],
    }


def search(trace: Trace, depth: np.ndarray, query: str | None, limit: int | None) -> dict[str, Any]:
    """The events whose name contains ``query`` (case-insensitive, plain text), the first
    ``limit`` of them by start: ``{"query", "total", "truncated", "names", "events": {"lane",
    "depth", "start", "dur", "name"}}``."""
    if not query or len(query) > MAX_QUERY:
        raise InvalidArgumentError(f"q must be 1 to {MAX_QUERY} characters")
    most = SEARCH_LIMIT if limit is None else limit
    if not 1 <= most <= 10_000:
        raise InvalidArgumentError(f"limit must be between 1 and 10000, got {most}")
    needle = query.casefold()
    matching = np.fromiter((needle in v.casefold() for v in trace.strings.values), bool, len(trace.strings))
    events = trace.events
    found = np.flatnonzero(matching[events.name])
    shown = found[:most]
    names, name_index = np.unique(events.name[shown], return_inverse=True)
    return {
        "query": query,
        "total": int(len(found)),
        "truncated": bool(len(found) > most),
        "names": [trace.strings[int(n)] for n in names],
        "events": {
            "lane": events.lane[shown],
            "depth": depth[shown],
            "start": events.start[shown] - trace.time_range[0],
            "dur": events.dur[shown],
            "name": name_index.astype(np.int32),
        },
    }


def selection_summary(trace: Trace, start: float | None, end: float | None,
                      lanes: list[int] | None) -> dict[str, Any]:
    """What a selected range ``[start, end)`` (µs since the origin; of the lanes ``lanes``, or
    all) holds, per event name: how many events overlap it and their time inside it, the
    :data:`SUMMARY_ROWS` largest: ``{"start", "end", "events", "rows": [{"name",
    "kind", "count", "total_us", "mean_us"}]}``; ``total_us`` counts only the part inside the
    range, ``mean_us`` is the events' own mean duration."""
    if start is None or end is None or not end > start:
        raise InvalidArgumentError("start and end must be given, end after start")
    if not (abs(start) <= 1e15 and abs(end) <= 1e15):
        raise InvalidArgumentError("start and end must be finite numbers of µs")
    events = trace.events
    origin = trace.time_range[0]
    lo, hi = start + origin, end + origin
    inside = (events.start < hi) & (events.start + events.dur > lo) | ((events.start >= lo) & (events.start < hi))
    if lanes is not None:
        if any(not 0 <= lane < len(trace.lanes) for lane in lanes):
            raise InvalidArgumentError(f"lanes must be between 0 and {len(trace.lanes) - 1}")
        inside &= np.isin(events.lane, lanes)
    chosen = np.flatnonzero(inside)
    clipped = np.minimum(events.start[chosen] + events.dur[chosen], hi) - np.maximum(events.start[chosen], lo)
    names, group = np.unique(events.name[chosen], return_inverse=True)
    count = np.bincount(group, minlength=len(names))
    total = np.bincount(group, weights=np.maximum(clipped, 0.0), minlength=len(names))
    whole = np.bincount(group, weights=events.dur[chosen], minlength=len(names))
    kind = np.zeros(len(names), dtype=np.int64)
    kind[group] = events.kind[chosen]
    order = np.lexsort((-count, -total))[:SUMMARY_ROWS]
    return {
        "start": start,
        "end": end,
        "events": int(len(chosen)),
        "rows": [{"name": trace.strings[int(names[i])], "kind": KIND_NAMES.get(int(kind[i]), "other"),
                  "count": int(count[i]), "total_us": float(total[i]), "mean_us": float(whole[i] / count[i])}
                 for i in order.tolist()],
    }
