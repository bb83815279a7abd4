"""Who launched what, in the common model's terms.

XPlane links a CUDA runtime/driver call with the device work it launched by the
``correlation_id`` both carry, as Kineto does. It has no counterpart of Kineto's ``External
id`` (runtime call -> host operator): TensorFlow launches a kernel from inside the op's
TraceMe on the same thread, so the operator of a launch is the innermost operator event that
encloses it on its thread. This module gives each such operator and its launches one
synthetic external id, and adds a flow arrow (``ac2g``, as Kineto names them) from each
launch to the device work of its correlation id.
"""

from __future__ import annotations

import numpy as np

from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EventKind
from tbcore_profile.nesting import DROPPED, ROOT, nest

DEVICE_WORK = (EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET)


def link_launches(columns: dict[str, np.ndarray], builder: TraceBuilder) -> None:
    """Set ``external_id`` (in ``columns``, the events as the model's columns) on operators
    and the runtime calls they enclose, and add the launch flows. Ids are numbered thread by
    thread (threads in order of their first operator or call) in the order the calls are
    made."""
    kind, lanes = columns["kind"], columns["lane"]
    members = np.flatnonzero((kind == EventKind.CPU_OP) | (kind == EventKind.RUNTIME))
    lane_of = lanes[members]
    first_seen = np.unique(lane_of, return_index=True)[1]
    next_id = 1
    for lane in lane_of[np.sort(first_seen)].tolist():
        mine = members[lane_of == lane]
        is_call = kind[mine] == EventKind.RUNTIME
        # operators before runtime calls at the same start, outer before inner
        order = np.lexsort((-columns["dur"][mine], is_call, columns["start"][mine]))
        mine, is_call = mine[order], is_call[order]
        ops, calls = mine[~is_call], mine[is_call]
        owner = _owners(columns["start"], columns["start"] + columns["dur"], ops, calls, mine, is_call)
        launched = owner >= 0
        used, first = np.unique(owner[launched], return_index=True)
        ids = np.empty(len(used), dtype=np.int64)
        ids[np.argsort(first, kind="stable")] = np.arange(next_id, next_id + len(used))
        next_id += len(used)
        columns["external_id"][ops[used]] = ids
        columns["external_id"][calls[launched]] = ids[np.searchsorted(used, owner[launched])]
    _flows(columns, builder)


def _owners(start: np.ndarray, end: np.ndarray, ops: np.ndarray, calls: np.ndarray, order: np.ndarray,
            is_call: np.ndarray) -> np.ndarray:
    """For each call (event index, in ``calls``): the position in ``ops`` of the innermost
    operator still running when it starts that outlasts it, or -1. ``ops`` and ``calls`` are
    sorted by start, operators before calls at the same start, outer ones first."""
    op_begin, op_end = start[ops], end[ops]
    parent = nest(op_begin, op_end)
    if np.any(parent == DROPPED):  # operators overlap without nesting: walk this thread
        return _walk(start, end, order, is_call)
    call_begin, call_end = start[calls], end[calls]
    candidate = np.searchsorted(op_begin, call_begin, side="right") - 1  # the last one started
    while True:  # climb to the enclosing operators until one is running and outlasts the call
        climbing = candidate >= 0
        climbing[climbing] = (op_end[candidate[climbing]] <= call_begin[climbing]) | (
            op_end[candidate[climbing]] < call_end[climbing])
        if not np.any(climbing):
            return np.where(candidate >= 0, candidate, -1)
        candidate[climbing] = parent[candidate[climbing]]
        candidate[candidate == ROOT] = -1


def _walk(start: np.ndarray, end: np.ndarray, order: np.ndarray, is_call: np.ndarray) -> np.ndarray:
    """:func:`_owners` event by event, for a thread whose operators do not nest."""
    stack: list[tuple[int, float]] = []
    owners: list[int] = []
    op_position = 0
    for index, call in zip(order.tolist(), is_call.tolist()):
        begin = float(start[index])
        while stack and stack[-1][1] <= begin:
            stack.pop()
        if not call:
            stack.append((op_position, float(end[index])))
            op_position += 1
            continue
        finish = float(end[index])
        owners.append(next((op for op, op_end in reversed(stack) if op_end >= finish), -1))
    return np.asarray(owners, dtype=np.int64)


def _flows(columns: dict[str, np.ndarray], builder: TraceBuilder) -> None:
    """A flow from the first runtime call of each correlation id to every piece of device
    work with that id (pairs of flow ends, in the order of the device work)."""
    kind, correlation = columns["kind"], columns["correlation"]
    calls = np.flatnonzero((kind == EventKind.RUNTIME) & (correlation >= 0))
    ids, first = np.unique(correlation[calls], return_index=True)
    launches = calls[first]
    work = np.flatnonzero(np.isin(kind, [int(k) for k in DEVICE_WORK]) & (correlation >= 0))
    slot = np.minimum(np.searchsorted(ids, correlation[work]), max(len(ids) - 1, 0))
    matched = (ids[slot] == correlation[work]) if len(ids) else np.zeros(len(work), dtype=bool)
    work, launch = work[matched], launches[slot[matched]]
    if not len(work):
        return
    builder.add_columns("flows", (
        _pairs(correlation[work], correlation[work]),
        np.full(2 * len(work), builder.strings.add("ac2g"), dtype=np.int32),
        np.tile(np.asarray([0, 1], dtype=np.int8), len(work)),
        _pairs(columns["lane"][launch], columns["lane"][work]),
        _pairs(columns["start"][launch], columns["start"][work]),
    ))


def _pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``first[0], second[0], first[1], second[1], ...``"""
    return np.stack([first, second], axis=1).reshape(2 * len(first))
