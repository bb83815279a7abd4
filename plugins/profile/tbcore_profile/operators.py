"""Operator and kernel statistics: the tables of the operator and kernel views."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.optree import ROOT, HostTree

GROUPINGS = ("name", "name_shapes")
KERNEL_GROUPINGS = ("name", "name_op")
NO_OPERATOR = "N/A"
"""The operator of kernels launched outside any operator (torch-tb-profiler: ``CallTreeRoot``)."""


def operator_table(trace: Trace, tree: HostTree, group_by: str) -> dict[str, Any]:
    """One row per operator name (``group_by="name"``) or name and input shapes
    (``"name_shapes"``): calls, host self/total time, device self/total time (µs), and
    whether any call has a recorded call stack. Rows sorted by device self time when the
    trace has device work, else by host self time, largest first."""
    events, strings = trace.events, trace.strings
    rows: dict[tuple[int, int], list[float]] = {}
    stacks: dict[tuple[int, int], set[int]] = {}
    duration = ((events.start + events.dur) - events.start).tolist()
    for op in tree.operators:
        key = (int(events.name[op]), int(events.shapes[op]) if group_by == "name_shapes" else -1)
        row = rows.get(key)
        if row is None:
            row = rows[key] = [0, 0.0, 0.0, 0.0, 0.0]
        row[0] += 1
        row[1] += duration[op]
        row[2] += tree.self_host[op]
        row[3] += tree.device_total[op]
        row[4] += tree.self_device[op]
        if events.stack[op] >= 0:
            stacks.setdefault(key, set()).add(int(events.stack[op]))
    has_device = bool(np.any(np.isin(events.kind, [EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET])))
    table: list[dict[str, Any]] = [
        {
            "name": strings[name],
            **({"input_shape": strings[shapes] if shapes >= 0 else "[]"} if group_by == "name_shapes" else {}),
            "calls": int(calls),
            "host_self_us": host_self,
            "host_total_us": host_total,
            "device_self_us": device_self,
            "device_total_us": device_total,
            "has_call_stack": (name, shapes) in stacks,
        }
        for (name, shapes), (calls, host_total, host_self, device_total, device_self) in rows.items()
    ]
    sort_key = "device_self_us" if has_device else "host_self_us"
    table.sort(key=lambda r: (-r[sort_key], r["name"]))
    return {"group_by": group_by, "has_device": has_device, "sort": sort_key, "rows": table}


def kernel_table(trace: Trace, tree: HostTree, links: Links, group_by: str) -> dict[str, Any]:
    """Kernels by name (``group_by="name"``: every kernel of the trace) or by name, launching
    operator and launch configuration (``"name_op"``: the kernels the call tree reaches):
    calls, total, mean, min and max duration (µs), and the duration-weighted mean blocks per
    SM and estimated achieved occupancy (%). Sorted by total time."""
    events, strings = trace.events, trace.strings
    if group_by == "name":
        kernels = links.device[events.kind[links.device] == EventKind.KERNEL].tolist()
    else:
        kernels = sorted(k for k in tree.kernel_operator if events.kind[k] == EventKind.KERNEL)
    duration = ((events.start + events.dur) - events.start).tolist()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for kernel in kernels:
        if group_by == "name":
            key: tuple[Any, ...] = (int(events.name[kernel]),)
        else:
            owner = tree.kernel_operator[kernel]
            key = (
                int(events.name[kernel]),
                NO_OPERATOR if owner == ROOT else strings[int(events.name[owner])],
                trace.text(int(events.grid[kernel])),
                trace.text(int(events.block[kernel])),
                max(int(events.registers[kernel]), 0),
                max(int(events.shared_memory[kernel]), 0),
            )
        groups.setdefault(key, []).append(kernel)
    rows = []
    for key, members in groups.items():
        index = np.asarray(members)
        durations = np.asarray([duration[k] for k in members])
        row: dict[str, Any] = {"name": strings[key[0]]}
        if group_by == "name_op":
            row.update(operator=key[1], grid=key[2], block=key[3], registers_per_thread=key[4], shared_memory=key[5])
        row.update(
            calls=len(members),
            total_us=float(durations.sum()),
            mean_us=float(durations.mean()),
            max_us=float(durations.max()),
            min_us=float(durations.min()),
            blocks_per_sm=_weighted(events.blocks_per_sm[index], durations),
            occupancy=_weighted(events.occupancy[index], durations),
        )
        rows.append(row)
    rows.sort(key=lambda r: (-r["total_us"], r["name"]))
    return {"group_by": group_by, "rows": rows}


def _weighted(values: np.ndarray, weights: np.ndarray) -> float | None:
    """Mean of ``values`` (absent ones counted as 0) weighted by ``weights``; None when no
    kernel has the value."""
    if np.all(np.isnan(values)):
        return None
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    value = float(np.sum(np.nan_to_num(values) * weights) / total)
    return value if math.isfinite(value) else None
