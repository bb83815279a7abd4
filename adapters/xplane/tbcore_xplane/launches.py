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

from dataclasses import dataclass, field
from typing import Any

from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EventKind

DEVICE_WORK = (EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET)


@dataclass(slots=True)
class Row:
    """One event on its way into the builder (see ``TraceBuilder.event``)."""

    name: str
    kind: EventKind
    category: str
    lane: int
    start: float
    dur: float
    extra: dict[str, Any] = field(default_factory=dict)


def link_launches(rows: list[Row], builder: TraceBuilder) -> None:
    """Set ``external_id`` on operators and the runtime calls they enclose, and add the
    launch flows."""
    by_lane: dict[int, list[Row]] = {}
    for row in rows:
        if row.kind in (EventKind.CPU_OP, EventKind.RUNTIME):
            by_lane.setdefault(row.lane, []).append(row)
    next_id = 1
    for members in by_lane.values():
        # operators before runtime calls at the same start, outer before inner
        members.sort(key=lambda r: (r.start, r.kind == EventKind.RUNTIME, -r.dur))
        stack: list[Row] = []
        for row in members:
            while stack and stack[-1].start + stack[-1].dur <= row.start:
                stack.pop()
            if row.kind == EventKind.CPU_OP:
                stack.append(row)
                continue
            owner = next((op for op in reversed(stack) if op.start + op.dur >= row.start + row.dur), None)
            if owner is None:
                continue
            if owner.extra.get("external_id") is None:
                owner.extra["external_id"] = next_id
                next_id += 1
            row.extra["external_id"] = owner.extra["external_id"]
    _flows(rows, builder)


def _flows(rows: list[Row], builder: TraceBuilder) -> None:
    launches: dict[int, Row] = {}
    for row in rows:
        correlation = row.extra.get("correlation")
        if row.kind == EventKind.RUNTIME and correlation is not None:
            launches.setdefault(correlation, row)
    for row in rows:
        correlation = row.extra.get("correlation")
        if row.kind in DEVICE_WORK and correlation is not None and correlation in launches:
            launch = launches[correlation]
            builder.flow(correlation, "ac2g", False, launch.lane, launch.start)
            builder.flow(correlation, "ac2g", True, row.lane, row.start)
