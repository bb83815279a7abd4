"""Operator and kernel statistics: the tables of the operator and kernel views."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.optree import NONE, HostTree
from tbcore_profile.tensor_cores import ELIGIBLE_OPERATORS, OperatorTensorCores

GROUPINGS = ("name", "name_shapes")
KERNEL_GROUPINGS = ("name", "name_op")
NO_OPERATOR = "N/A"
"""The operator of kernels launched outside any operator (torch-tb-profiler: ``CallTreeRoot``)."""


def operator_table(trace: Trace, tree: HostTree, group_by: str,
                   tensor_cores: OperatorTensorCores | None = None) -> dict[str, Any]:
    """One row per operator name (``group_by="name"``) or name and input shapes
    (``"name_shapes"``): calls, host self/total time, device self/total time (µs), and
    whether any call has a recorded call stack; with ``tensor_cores``, whether the operator
    is eligible for tensor cores (as its first call in children-first order is, as
    torch-tb-profiler decides) and the share of its self and total device time in
    tensor-core kernels. Rows sorted by device self time when the trace has device work,
    else by host self time, largest first."""
    events, strings = trace.events, trace.strings
    ops = tree.operators
    names = events.name[ops].astype(np.int64)
    shapes = events.shapes[ops].astype(np.int64) if group_by == "name_shapes" else np.full(len(ops), -1, np.int64)
    groups, first, row_of = _groups(np.stack([names, shapes]))
    count = len(first)
    duration = (events.start[ops] + events.dur[ops]) - events.start[ops]
    calls = np.bincount(row_of, minlength=count)
    sums = [np.bincount(row_of, weights=values, minlength=count).tolist()
            for values in (duration, tree.self_host, tree.device_total, tree.self_device)]
    with_stack = np.bincount(row_of, weights=events.stack[ops] >= 0, minlength=count) > 0
    has_device = bool(np.any(np.isin(events.kind, [EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET])))
    columns = _tensor_core_columns(tensor_cores, row_of, count, sums) if tensor_cores is not None else None
    table: list[dict[str, Any]] = []
    for row, (name, shape) in enumerate(groups.T.tolist()):
        entry: dict[str, Any] = {"name": strings[name]}
        if group_by == "name_shapes":
            entry["input_shape"] = strings[shape] if shape >= 0 else "[]"
        entry.update(calls=int(calls[row]), host_self_us=sums[1][row], host_total_us=sums[0][row],
                     device_self_us=sums[3][row], device_total_us=sums[2][row],
                     has_call_stack=bool(with_stack[row]))
        if columns is not None:
            entry.update(tensor_core_eligible=columns[0][row], tensor_core_self_share=columns[1][row],
                         tensor_core_total_share=columns[2][row])
        table.append(entry)
    sort_key = "device_self_us" if has_device else "host_self_us"
    table.sort(key=lambda r: (-r[sort_key], r["name"]))
    return {"group_by": group_by, "has_device": has_device, "sort": sort_key, "rows": table}


def _tensor_core_columns(tensor_cores: OperatorTensorCores, row_of: np.ndarray, count: int,
                         sums: list[list[float]]) -> tuple[list[bool], list[float], list[float]]:
    """Per row: eligibility (of its first call in children-first order) and the tensor-core
    shares of its self and total device time (0 without device time)."""
    by_row = np.lexsort((tensor_cores.order, row_of))  # by row, then children-first order
    chosen = by_row[np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=count))[:-1]])] if count else by_row
    tc_self = np.bincount(row_of, weights=tensor_cores.self_us, minlength=count).tolist()
    tc_total = np.bincount(row_of, weights=tensor_cores.total_us, minlength=count).tolist()
    device_total, device_self = sums[2], sums[3]
    return (
        tensor_cores.eligible[chosen].tolist(),
        [t / d if d > 0 else 0.0 for t, d in zip(tc_self, device_self)],
        [t / d if d > 0 else 0.0 for t, d in zip(tc_total, device_total)],
    )


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct columns of the int64 matrix ``keys`` in order of first appearance: the
    distinct keys (columns), where each first appears, and each column's group number."""
    if not keys.shape[1]:
        return keys, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys[::-1])
    ordered = keys[:, order]
    new = np.concatenate([[True], np.any(ordered[:, 1:] != ordered[:, :-1], axis=0)])
    sorted_group = np.cumsum(new) - 1
    group = np.empty(len(order), dtype=np.int64)
    group[order] = sorted_group
    first = order[new]  # the sort is stable: a group's first member comes first
    by_appearance = np.argsort(first, kind="stable")
    renumber = np.empty_like(by_appearance)
    renumber[by_appearance] = np.arange(len(by_appearance))
    first = first[by_appearance]
    return keys[:, first], first, renumber[group]


def kernel_table(trace: Trace, tree: HostTree, links: Links, group_by: str) -> dict[str, Any]:
    """Kernels by name (``group_by="name"``: every kernel of the trace) or by name, launching
    operator and launch configuration (``"name_op"``: the kernels the call tree reaches):
    calls, total, mean, min and max duration (µs), and the duration-weighted mean blocks per
    SM and estimated achieved occupancy (%). Sorted by total time."""
    events, strings = trace.events, trace.strings
    is_kernel = events.kind[links.device] == EventKind.KERNEL
    if group_by == "name":
        kernels = links.device[is_kernel]
        keys = events.name[kernels].astype(np.int64)[None, :]
    else:
        reached = is_kernel & (tree.device_node != NONE)
        kernels, owner = links.device[reached], tree.device_node[reached]
        owner_name = np.where(owner >= 0, events.name[np.maximum(owner, 0)], -1).astype(np.int64)
        keys = np.stack([events.name[kernels], owner_name, events.grid[kernels], events.block[kernels],
                         np.maximum(events.registers[kernels], 0), np.maximum(events.shared_memory[kernels], 0)
                         ]).astype(np.int64)
    groups, _, row_of = _groups(keys)
    count = groups.shape[1]
    duration = (events.start[kernels] + events.dur[kernels]) - events.start[kernels]
    calls = np.bincount(row_of, minlength=count)
    total = np.bincount(row_of, weights=duration, minlength=count)
    ordered = duration[np.lexsort((duration, row_of))]  # by row, shortest first
    bounds = np.concatenate([[0], np.cumsum(calls)]).astype(np.int64)
    low, high = ordered[bounds[:-1]], ordered[bounds[1:] - 1]
    blocks = _weighted(events.blocks_per_sm[kernels], duration, row_of, count)
    occupancy = _weighted(events.occupancy[kernels], duration, row_of, count)
    rows = []
    for row, key in enumerate(groups.T.tolist()):
        entry: dict[str, Any] = {"name": strings[key[0]]}
        if group_by == "name_op":
            operator = NO_OPERATOR if key[1] < 0 else strings[key[1]]
            entry.update(operator=operator, grid=trace.text(key[2]), block=trace.text(key[3]),
                         registers_per_thread=key[4], shared_memory=key[5],
                         operator_tensor_core_eligible=operator in ELIGIBLE_OPERATORS)
        entry.update(calls=int(calls[row]), total_us=float(total[row]), mean_us=float(total[row] / calls[row]),
                     max_us=float(high[row]), min_us=float(low[row]), blocks_per_sm=blocks[row],
                     occupancy=occupancy[row])
        rows.append(entry)
    rows.sort(key=lambda r: (-r["total_us"], r["name"]))
    return {"group_by": group_by, "rows": rows}


def _weighted(values: np.ndarray, weights: np.ndarray, group: np.ndarray, count: int) -> list[float | None]:
    """Per group: the mean of ``values`` (absent ones counted as 0) weighted by ``weights``;
    None when no member has the value."""
    present = np.bincount(group, weights=~np.isnan(values), minlength=count) > 0
    total = np.bincount(group, weights=weights, minlength=count)
    weighted = np.bincount(group, weights=np.nan_to_num(values) * weights, minlength=count)
    out: list[float | None] = []
    for has, whole, part in zip(present.tolist(), total.tolist(), weighted.tolist()):
        value = part / whole if whole > 0 else 0.0
        out.append(value if has and math.isfinite(value) else None)
    return out
