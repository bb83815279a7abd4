"""The memory view: allocated and reserved bytes over time, per device, from the allocator
events a trace recorded (``profile_memory=True``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore_profile.model import Trace

DEVICE_TYPES = {0: "CPU", 1: "CUDA"}


def device_label(device_type: int, device_id: int) -> str:
    """``CPU``, ``CUDA:0``: how a device is named in the answers."""
    kind = DEVICE_TYPES.get(device_type, f"device type {device_type}")
    return kind if device_type == 0 or device_id < 0 else f"{kind}:{device_id}"


def memory_curves(trace: Trace, origin: float, points: int | None) -> dict[str, Any]:
    """Per device: the times (µs since ``origin``) and the allocated and reserved bytes after
    each allocator event, the peak of each, and how many events there were. With ``points``,
    each curve keeps at most that many samples: the time range is cut into ``points // 2``
    equal slices and each slice keeps its lowest and highest allocation (peaks survive)."""
    memory = trace.memory
    devices = []
    keys = np.stack([memory.device_type.astype(np.int64), memory.device_id.astype(np.int64)], axis=1)
    for device_type, device_id in np.unique(keys, axis=0).tolist() if len(keys) else []:
        mine = np.flatnonzero((memory.device_type == device_type) & (memory.device_id == device_id))
        allocated = memory.total_allocated[mine]
        reserved = memory.total_reserved[mine]
        chosen = _thin(memory.time[mine], allocated, points) if points else np.arange(len(mine))
        devices.append({
            "device": device_label(device_type, device_id),
            "events": len(mine),
            "peak_allocated": _peak(allocated),
            "peak_reserved": _peak(reserved),
            "time_us": memory.time[mine][chosen] - origin,
            "allocated": _finite(allocated[chosen]),
            "reserved": _finite(reserved[chosen]),
        })
    return {"devices": devices}


def _peak(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if len(finite) else None


def _finite(values: np.ndarray) -> list[float | None]:
    return [v if np.isfinite(v) else None for v in values.tolist()]


def _thin(time: np.ndarray, values: np.ndarray, points: int) -> np.ndarray:
    """Indices of at most ``points`` samples: per time slice, its lowest and highest value."""
    if len(time) <= points:
        return np.arange(len(time))
    slices = max(points // 2, 1)
    lo, hi = float(time[0]), float(time[-1])
    width = (hi - lo) / slices or 1.0
    bucket = np.minimum(((time - lo) / width).astype(np.int64), slices - 1)
    filled = np.where(np.isfinite(values), values, -np.inf)
    order = np.lexsort((filled, bucket))  # by bucket, then value
    first = np.flatnonzero(np.diff(bucket[order], prepend=-1) != 0)
    last = np.append(first[1:] - 1, len(order) - 1)
    return np.unique(np.concatenate([order[first], order[last]]))
