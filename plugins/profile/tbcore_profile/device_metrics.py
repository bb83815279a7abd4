"""GPU utilization, estimated SM efficiency and achieved occupancy over the profiled steps,
per device, as torch-tb-profiler defines them."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore_profile import ranges
from tbcore_profile.model import EventKind, Trace


def device_metrics(trace: Trace, window: tuple[float, float]) -> list[dict[str, Any]]:
    """For each device that ran kernels, over ``window`` (first step start, last step end):

    * ``utilization``: the fraction of the window in which at least one kernel ran;
    * ``sm_efficiency``: the time-weighted mean of min(1, sum of the running kernels' blocks
      per SM) over the window (None without that kernel detail);
    * ``occupancy``: the mean of the kernels' estimated achieved occupancy (%) weighted by
      their time inside the window (None without that detail).
    """
    events = trace.events
    lo, hi = window
    span = hi - lo
    kernels = np.flatnonzero((events.kind == EventKind.KERNEL) & (events.device >= 0))
    out = []
    for device in np.unique(events.device[kernels]).tolist():
        mine = kernels[events.device[kernels] == device]
        start, end = events.start[mine], events.start[mine] + events.dur[mine]
        busy = ranges.covered_in(ranges.merge(start, end), np.array([lo]), np.array([hi]))[0] if span > 0 else 0.0
        info = trace.devices[device] if 0 <= device < len(trace.devices) else {}
        out.append({
            "device": int(device),
            "name": info.get("name") if isinstance(info, dict) else None,
            "kernels": len(mine),
            "utilization": busy / span if span > 0 else None,
            "sm_efficiency": _sm_efficiency(start, end, events.blocks_per_sm[mine], lo, hi),
            "occupancy": _occupancy(start, end, events.occupancy[mine], lo, hi),
        })
    return out


def _sm_efficiency(start: np.ndarray, end: np.ndarray, blocks: np.ndarray, lo: float, hi: float) -> float | None:
    valid = blocks > 0
    if not np.any(valid) or hi <= lo:
        return None
    start, end, blocks = start[valid], end[valid], blocks[valid]
    times = np.concatenate([start, end])
    kinds = np.concatenate([np.zeros(len(start)), np.ones(len(end))])  # starts first at a tie
    deltas = np.concatenate([blocks, -blocks])
    order = np.lexsort((kinds, times))
    times, level = times[order], np.cumsum(deltas[order])
    seg_lo, seg_hi, value = times[:-1], times[1:], np.minimum(level[:-1], 1.0)
    keep = (seg_hi > seg_lo) & (level[:-1] > 0)
    clipped = np.clip(np.minimum(seg_hi, hi) - np.maximum(seg_lo, lo), 0, None)
    weighted = float(np.sum((value * clipped)[keep]))
    return weighted / (hi - lo) if np.any(keep & (clipped > 0)) else None


def _occupancy(start: np.ndarray, end: np.ndarray, occupancy: np.ndarray, lo: float, hi: float) -> float | None:
    valid = occupancy >= 0
    inside = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0, None)
    weight = np.where(valid, inside, 0.0)
    total = float(weight.sum())
    return float(np.sum(np.nan_to_num(occupancy) * weight) / total) if total > 0 else None
