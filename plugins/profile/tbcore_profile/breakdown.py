"""The step-time breakdown of the overview: where each profiler step's time went.

Every instant of a step is given to one category, the first in this order that is busy
then: ``kernel``, ``memcpy``, ``memset``, ``communication``, ``runtime``, ``data_loading``,
``cpu_exec``, else ``other`` (torch-tb-profiler's priorities, so that the numbers agree;
see ``http_api.md`` for where they differ). With device work, a step runs from the end of
the previous one (or the device work before the first) to the later of its host end and the
end of the device work its runtime calls launched; trailing steps that launched (nearly) no
device work are left out, since the profiler may have missed their kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tbcore_profile import ranges
from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.names import NameFlags, step_number

CATEGORIES = ("kernel", "memcpy", "memset", "communication", "runtime", "data_loading", "cpu_exec")
"""Breakdown categories in priority order; ``other`` is what none of them covers."""


@dataclass(frozen=True)
class Steps:
    """The steps of a trace: names and ``[start, end)`` in µs on the trace's clock."""

    names: list[str]
    start: np.ndarray
    end: np.ndarray
    device_adjusted: bool
    """Whether step bounds were extended to the device work they launched."""


@dataclass(frozen=True)
class Breakdown:
    """Per step (rows) and category (columns: :data:`CATEGORIES` then ``other``), µs."""

    steps: Steps
    costs: np.ndarray
    """float64 ``[steps, len(CATEGORIES) + 1]``."""
    present: dict[str, bool]
    """Which kinds of work the trace holds (``device``, ``communication``)."""

    @property
    def totals(self) -> np.ndarray:
        """Each step's duration."""
        return self.steps.end - self.steps.start


def category_ranges(trace: Trace, flags: NameFlags, links: Links) -> dict[str, ranges.RangeSet]:
    """The time each category is busy, as merged range sets (before priorities apply)."""
    events = trace.events
    kind, name = events.kind, events.name
    start, end = events.start, events.start + events.dur
    host = np.isin(kind, [EventKind.CPU_OP, EventKind.USER_ANNOTATION, EventKind.PYTHON])
    is_step = flags.step[name] & (kind != EventKind.PYTHON)
    loading = host & (flags.data_loading[name] | flags.input_wait[name]) & (kind != EventKind.PYTHON)
    collective = host & flags.collective[name] & ~loading
    collective_ids = np.unique(events.external_id[collective & (events.external_id >= 0)])
    kernel = kind == EventKind.KERNEL
    comm_kernel = kernel & np.isin(events.external_id, collective_ids) & (events.external_id >= 0)
    masks = {
        "kernel": kernel & ~comm_kernel,
        "memcpy": kind == EventKind.MEMCPY,
        "memset": kind == EventKind.MEMSET,
        "communication": collective | comm_kernel,
        "runtime": kind == EventKind.RUNTIME,
        "data_loading": loading & ~is_step,
        "cpu_exec": host & ~is_step & ~loading & ~collective,
    }
    return {key: ranges.merge(start[mask], end[mask]) for key, mask in masks.items()}


def find_steps(trace: Trace, flags: NameFlags, links: Links) -> Steps:
    """The ``ProfilerStep#N`` ranges (one step spanning the host operators when there are
    none), adjusted to device work when the trace has any."""
    events = trace.events
    name, kind = events.name, events.kind
    marks = np.isin(kind, [EventKind.CPU_OP, EventKind.USER_ANNOTATION])
    step_events = np.flatnonzero(marks & flags.step[name])
    if len(step_events):
        numbers = {n: str(step_number(trace.strings[n])) for n in np.unique(name[step_events]).tolist()}
        names = [numbers[n] for n in name[step_events].tolist()]
        start = events.start[step_events].copy()
        end = start + events.dur[step_events]
    else:
        cpu = np.isin(kind, [EventKind.CPU_OP, EventKind.PYTHON])
        if not np.any(cpu):
            return Steps([], np.empty(0), np.empty(0), False)
        names = ["0"]
        start = np.array([events.start[cpu].min()])
        end = np.array([(events.start[cpu] + events.dur[cpu]).max()])
    return _adjust_to_device(trace, links, Steps(names, start, end, False))


def _adjust_to_device(trace: Trace, links: Links, steps: Steps) -> Steps:
    events = trace.events
    count = len(steps.names)
    launched = np.flatnonzero(links.launcher >= 0)
    runtime = links.launcher[launched]
    # a runtime call belongs to the first step that has not ended when it starts, if it lies
    # wholly inside that step (runtime calls are in time order: a walk would find the same)
    r_start = events.start[runtime]
    step_of = np.searchsorted(np.maximum.accumulate(steps.end), r_start, side="right")
    bounded = np.minimum(step_of, count - 1)
    inside = (step_of < count) & (r_start >= steps.start[bounded]) & (
        r_start + events.dur[runtime] <= steps.end[bounded])
    if not np.any(inside):
        return steps
    step_of, matched_at = step_of[inside], launched[inside]  # positions in links.device
    device = links.device[matched_at]
    d_start, d_end = events.start[device], events.start[device] + events.dur[device]
    matched = np.bincount(step_of, minlength=count)
    device_lo, device_hi = np.full(count, math.inf), np.full(count, -math.inf)
    by_step = np.argsort(step_of, kind="stable")
    first = np.flatnonzero(np.concatenate([[True], np.diff(step_of[by_step]) != 0]))
    present = step_of[by_step][first]
    device_lo[present] = np.minimum.reduceat(d_start[by_step], first)
    device_hi[present] = np.maximum.reduceat(d_end[by_step], first)
    previous_end = float(steps.start[0])
    if device_lo[0] != math.inf:  # start after the unmatched device work that ends before
        unmatched = np.ones(len(links.device), dtype=bool)
        unmatched[matched_at] = False
        device_ends = events.start[links.device[unmatched]] + events.dur[links.device[unmatched]]
        before = device_ends[device_ends < device_lo[0]]
        if len(before):
            previous_end = max(previous_end, float(before.max()))
    # each step starts where the previous one ended (or at its own start, if later) and ends
    # at the latest of its own end, its device work's end and its start: a running maximum
    reach = np.maximum(np.maximum(steps.end, device_hi), steps.start)
    new_end = np.maximum.accumulate(np.concatenate([[previous_end], reach]))
    new_start = np.maximum(new_end[:-1], steps.start)
    new_end = new_end[1:]
    keep = count
    if count > 1:
        launching = np.flatnonzero(matched > 0)
        if len(launching):
            last = int(launching[-1])
            keep = last + 1
            if last > 0 and matched[last - 1] * 0.8 > matched[last]:
                keep = last  # the last step launched much less: probably cut short
    return Steps(steps.names[:keep], new_start[:keep], new_end[:keep], True)


def breakdown(trace: Trace, flags: NameFlags, links: Links) -> Breakdown:
    """Each step's time per category, priorities applied."""
    steps = find_steps(trace, flags, links)
    busy = category_ranges(trace, flags, links)
    assigned = ranges.split_by_priority(ranges.merge(steps.start, steps.end), [busy[key] for key in CATEGORIES])
    costs = np.stack([ranges.covered_in(r, steps.start, steps.end) for r in assigned], axis=1) if len(
        steps.names
    ) else np.zeros((0, len(CATEGORIES) + 1))
    device = any(len(busy[k][0]) for k in ("kernel", "memcpy", "memset", "runtime"))
    return Breakdown(steps, costs, {"device": device, "communication": bool(len(busy["communication"][0]))})

