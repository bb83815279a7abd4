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
    loading = host & flags.data_loading[name] & (kind != EventKind.PYTHON)
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
        names = [str(step_number(trace.strings[int(n)])) for n in name[step_events]]
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
    starts, ends = steps.start.tolist(), steps.end.tolist()
    count = len(starts)
    device_lo, device_hi = [math.inf] * count, [-math.inf] * count
    matched = [0] * count
    launched = links.launched_by()
    matched_devices: set[int] = set()
    runtime_order = sorted(links.runtimes.tolist(), key=lambda r: events.start[r])
    step = 0
    for runtime in runtime_order:
        r_start = float(events.start[runtime])
        r_end = r_start + float(events.dur[runtime])
        while step < count and r_start >= ends[step]:
            step += 1  # runtime calls after a step's end belong to a later step
        if step >= count:
            break
        if r_start < starts[step] or r_end > ends[step]:
            continue  # before this step, or straddling its end
        for device in launched.get(runtime, ()):
            d_start = float(events.start[device])
            device_lo[step] = min(device_lo[step], d_start)
            device_hi[step] = max(device_hi[step], d_start + float(events.dur[device]))
            matched_devices.add(device)
            matched[step] += 1
    if not matched_devices:
        return steps
    previous_end = starts[0]
    if device_lo[0] != math.inf:
        unmatched = np.setdiff1d(links.device, np.fromiter(matched_devices, np.int64))
        device_ends = events.start[unmatched] + events.dur[unmatched]
        before = device_ends[device_ends < device_lo[0]]
        if len(before):
            previous_end = max(previous_end, float(before.max()))
    new_start, new_end = [], []
    for i in range(count):
        step_start = max(previous_end, starts[i])
        step_end = ends[i]
        if device_lo[i] == math.inf:
            step_end = max(step_end, step_start)
        else:
            step_end = max(step_end, device_hi[i])
            step_end = max(step_end, step_start)
        new_start.append(step_start)
        new_end.append(step_end)
        previous_end = step_end
    keep = count
    if count > 1:
        last = max((i for i in range(count) if matched[i] > 0), default=-1)
        if last >= 0:
            keep = last + 1
            if last > 0 and matched[last - 1] * 0.8 > matched[last]:
                keep = last  # the last step launched much less: probably cut short
    return Steps(steps.names[:keep], np.array(new_start[:keep]), np.array(new_end[:keep]), True)


def breakdown(trace: Trace, flags: NameFlags, links: Links) -> Breakdown:
    """Each step's time per category, priorities applied."""
    steps = find_steps(trace, flags, links)
    busy = category_ranges(trace, flags, links)
    free = ranges.merge(steps.start, steps.end)
    assigned = []
    for key in CATEGORIES:
        taken = ranges.intersect(free, busy[key])
        assigned.append(taken)
        free = ranges.subtract(free, taken)
    assigned.append(free)
    costs = np.stack([ranges.covered_in(r, steps.start, steps.end) for r in assigned], axis=1) if len(
        steps.names
    ) else np.zeros((0, len(CATEGORIES) + 1))
    device = any(len(busy[k][0]) for k in ("kernel", "memcpy", "memset", "runtime"))
    return Breakdown(steps, costs, {"device": device, "communication": bool(len(busy["communication"][0]))})

