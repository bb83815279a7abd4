"""Who launched what: device work -> the runtime call that launched it (same ``correlation``),
runtime call -> the host operator it was made from (same ``External id``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tbcore_profile.model import EventKind, Trace

DEVICE_WORK = (EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET)


@dataclass(frozen=True)
class Links:
    """Event indices: ``runtimes`` (every runtime call, in time order), ``device`` (every
    kernel, copy and memset), and for each of those ``launcher``: the index of its runtime
    call, or -1 when the trace has none with its correlation id."""

    runtimes: np.ndarray
    device: np.ndarray
    launcher: np.ndarray


def link_device_work(trace: Trace) -> Links:
    """Match each device event with the runtime call of the same correlation id: the latest
    one that started before it (or at the same time), else the first one after (as
    torch-tb-profiler pairs them)."""
    events = trace.events
    runtimes = np.flatnonzero(events.kind == EventKind.RUNTIME)
    device = np.flatnonzero(np.isin(events.kind, [int(k) for k in DEVICE_WORK]))
    launcher = np.full(len(device), -1, dtype=np.int64)
    runtimes_with_id = runtimes[events.correlation[runtimes] >= 0]
    if not len(runtimes_with_id) or not len(device):
        return Links(runtimes, device, launcher)
    # runtime calls and device work in one order: by correlation id, then time, calls first
    # at equal times (events are in time order already, so ties keep it)
    members = np.concatenate([runtimes_with_id, device])
    is_call = np.concatenate([np.ones(len(runtimes_with_id), bool), np.zeros(len(device), bool)])
    correlation = events.correlation[members]
    order = np.lexsort((~is_call, events.start[members], correlation))
    members, is_call, correlation = members[order], is_call[order], correlation[order]
    position = np.arange(len(members))
    last_call = np.maximum.accumulate(np.where(is_call, position, -1))
    group_first = np.searchsorted(correlation, correlation, side="left")
    # the first call of the group, for work that started before every call of its id
    first_call = np.searchsorted(correlation[is_call], correlation, side="left")
    calls = members[is_call]
    call_correlation = correlation[is_call]
    work = ~is_call
    chosen = np.full(len(members), -1, dtype=np.int64)
    before = work & (last_call >= group_first)
    chosen[before] = members[last_call[before]]
    after = work & ~before & (first_call < len(calls))
    after[after] = call_correlation[first_call[after]] == correlation[after]
    chosen[after] = calls[first_call[after]]
    slot = np.searchsorted(device, members[work])
    launcher[slot] = chosen[work]
    return Links(runtimes, device, launcher)
