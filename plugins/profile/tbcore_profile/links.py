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

    def launched_by(self) -> dict[int, list[int]]:
        """Runtime event index -> the device events it launched, in time order."""
        out: dict[int, list[int]] = {}
        for device, runtime in zip(self.device.tolist(), self.launcher.tolist()):
            if runtime >= 0:
                out.setdefault(runtime, []).append(device)
        return out


def link_device_work(trace: Trace) -> Links:
    """Match each device event with the runtime call of the same correlation id: the latest
    one that started before it, else the first one after (as torch-tb-profiler pairs them)."""
    events = trace.events
    runtimes = np.flatnonzero(events.kind == EventKind.RUNTIME)
    device = np.flatnonzero(np.isin(events.kind, [int(k) for k in DEVICE_WORK]))
    launcher = np.full(len(device), -1, dtype=np.int64)
    by_correlation: dict[int, list[int]] = {}
    for index, correlation in zip(runtimes.tolist(), events.correlation[runtimes].tolist()):
        if correlation >= 0:
            by_correlation.setdefault(correlation, []).append(index)
    starts = events.start
    for i, (index, correlation) in enumerate(zip(device.tolist(), events.correlation[device].tolist())):
        candidates = by_correlation.get(correlation)
        if not candidates:
            continue
        chosen = candidates[0]
        for candidate in candidates:
            if starts[candidate] <= starts[index]:
                chosen = candidate
        launcher[i] = chosen
    return Links(runtimes, device, launcher)
