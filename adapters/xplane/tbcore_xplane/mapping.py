"""The XPlane profile in the profile dashboard's common model: which plane events are
operators, annotations, steps, runtime calls, kernels and copies (``http_api.md``, section
"XPlane importer", says it in prose).

* **Host planes** (``/host:CPU``; ``/host:CUPTI`` when not merged into it): one lane per line
  (thread). ``$file:line function`` events are Python frames; events with a ``step_num`` stat
  are steps; events with a ``correlation_id`` are CUDA runtime/driver calls;
  ``<name>:<Type>`` events are TensorFlow ops and events with an ``hlo_op`` stat XLA ops (both
  operators); ``MemoryAllocation``/``MemoryDeallocation`` become allocator records; every
  other TraceMe is an annotation.
* **Device planes** (``/device:GPU:N``): one lane per line (stream). Events are kernels
  unless their name or stats make them copies, memsets or CUPTI memory/overhead records;
  ``_counters_`` lines become counters; lines XProf derives (``Steps``, ``XLA Ops``, ...)
  are left out, as they repeat the streams' events.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EVENT_COLUMNS, EventKind, Trace
from tbcore_xplane import details
from tbcore_xplane.launches import Row, link_launches
from tbcore_xplane.raw import RawPlane, RawSpace

HOST_PLANE = "/host:CPU"
MERGED_HOST_PLANES = frozenset({"/host:CUPTI", "/host:python-tracer", "/host:NVTX-CUPTI"})
"""Host planes a profiler may leave unmerged; their lines are threads of ``/host:CPU``."""
METADATA_PLANES = frozenset({"/host:metadata", "Task Environment", "/host:tfstreamz",
                             "/host:__ScopeRangeCallStack__"})
DERIVED_LINES = frozenset({"Steps", "XLA Modules", "XLA Ops", "Async XLA Ops", "Framework Ops",
                           "Framework Name Scope", "TensorFlow Ops", "TensorFlow Name Scope",
                           "Launch Stats", "Source code", "Host Offload Ops", "Sparse Core Steps",
                           "Sparse Core Modules", "Sparse Core Ops"})
COUNTER_LINE = "_counters_"
STEP_NAME = "ProfilerStep#{}"
"""Steps become events of this name: the common model's step marker (see http_api.md)."""
MEMORY_EVENTS = {"MemoryAllocation": 1, "MemoryDeallocation": -1}
CUPTI_MEMORY = ("MemoryAlloc", "MemoryFree", "MemoryResidency")


def build_trace(space: RawSpace) -> Trace:
    """The common-model trace of ``space``."""
    builder = TraceBuilder("xplane")
    rows: list[Row] = []
    named: set[tuple[str, int]] = set()
    steps: set[tuple[int, int, float, float]] = set()
    op_names: dict[str, bool] = {}
    devices: dict[int, dict[str, Any]] = {}
    hostname = space.hostnames[0] if space.hostnames else ""
    metadata: dict[str, Any] = {"planes": [p.name for p in space.planes], "hostnames": space.hostnames}
    for plane in space.planes:
        if plane.name in METADATA_PLANES:
            if plane.stats:
                metadata[plane.name] = _plain(plane.stats)
            continue
        ordinal = details.device_ordinal(plane.name)
        if ordinal is None:
            _host_plane(builder, plane, hostname, rows, named, steps, op_names)
        else:
            properties = details.device_properties(ordinal, plane.name, plane.stats)
            if plane.name.startswith("/device:GPU:"):
                devices[ordinal] = properties
            _device_plane(builder, plane, ordinal, properties, rows)
    link_launches(rows, builder)
    _emit(rows, builder)
    builder.devices = [devices.get(i, {"id": i}) for i in range(max(devices) + 1)] if devices else []
    metadata.update(
        skipped_events=space.skipped, errors=space.errors, warnings=space.warnings,
        time_base_ns=space.time_base_ns, steps=len(steps),
    )
    builder.metadata = metadata
    return builder.build()


def _host_plane(builder: TraceBuilder, plane: RawPlane, hostname: str, rows: list[Row],
                named: set[tuple[str, int]], steps: set[tuple[int, int, float, float]],
                op_names: dict[str, bool]) -> None:
    pid = HOST_PLANE if plane.name in MERGED_HOST_PLANES else plane.name
    builder.name_process(pid, pid)
    if hostname:
        builder.label_process(pid, hostname)
    for line in plane.lines:
        lane = builder.lane(pid, line.id)
        if (pid, line.id) not in named and line.name:
            builder.name_thread(pid, line.id, line.name)
            named.add((pid, line.id))
        for name, start, dur, stats in line.events:
            memory_sign = MEMORY_EVENTS.get(name)
            if memory_sign is not None:
                _memory(builder, stats, start, memory_sign, lane)
                continue
            step = details.step_number(stats) if "step_num" in stats else None
            if name.startswith("$"):
                rows.append(Row(name, EventKind.PYTHON_FUNCTION, "python", lane, start, dur))
            elif step is not None:
                key = (lane, step, start, dur)
                if key not in steps:  # XProf's JSON may list a step's annotation twice
                    steps.add(key)
                    rows.append(Row(STEP_NAME.format(step), EventKind.USER_ANNOTATION, f"step:{name}",
                                    lane, start, dur))
            elif "correlation_id" in stats:
                category = "cuda_driver" if name.startswith("cu") and not name.startswith("cuda") else "cuda_runtime"
                rows.append(Row(name, EventKind.RUNTIME, category, lane, start, dur,
                                {"correlation": details.as_int(stats["correlation_id"]),
                                 "device": details.as_int(stats.get("device_id"))}))
            else:
                tf_op = op_names.get(name)
                if tf_op is None:
                    tf_op = op_names[name] = details.is_tf_op(name)
                if tf_op:
                    rows.append(Row(name, EventKind.CPU_OP, "tf_op", lane, start, dur))
                elif "hlo_op" in stats:
                    rows.append(Row(name, EventKind.CPU_OP, "xla_op", lane, start, dur))
                else:
                    rows.append(Row(name, EventKind.USER_ANNOTATION, "trace_me", lane, start, dur))


def _device_plane(builder: TraceBuilder, plane: RawPlane, ordinal: int, properties: dict[str, Any],
                  rows: list[Row]) -> None:
    pid = plane.name
    builder.name_process(pid, pid)
    if isinstance(properties.get("name"), str):
        builder.label_process(pid, properties["name"])
    sm_count = details.as_int(properties.get("numSms"))
    for line in plane.lines:
        if line.name in DERIVED_LINES:
            continue
        lane = builder.lane(pid, line.id, device=True)
        builder.name_thread(pid, line.id, line.name)
        if line.name == COUNTER_LINE:
            for name, start, _, stats in line.events:
                for key, value in stats.items():
                    number = details.as_float(value)
                    if number is not None:
                        builder.counter(name if key == name else f"{name}/{key}", lane, start, number)
            continue
        overhead = line.name == "CUPTI overhead"
        for name, start, dur, stats in line.events:
            extra: dict[str, Any] = {"device": ordinal, "stream": line.id,
                                     "correlation": details.as_int(stats.get("correlation_id"))}
            memcpy = stats.get("memcpy_details")
            memset = stats.get("Memset_details", stats.get("memset_details"))
            if memcpy is not None or name.startswith("Memcpy"):
                kind, category = EventKind.MEMCPY, "gpu_memcpy"
                extra["bytes"] = details.copy_bytes(details.parse_details(memcpy))
            elif memset is not None or name.startswith("Memset"):
                kind, category = EventKind.MEMSET, "gpu_memset"
                extra["bytes"] = details.copy_bytes(details.parse_details(memset))
            elif overhead or name.startswith(CUPTI_MEMORY):
                kind, category = EventKind.OTHER, "cupti_overhead" if overhead else "gpu_memory"
            else:
                kind, category = EventKind.KERNEL, "kernel"
                extra.update(details.kernel_columns(details.parse_details(stats.get("kernel_details")),
                                                    stats.get("theoretical_occupancy_pct"), sm_count))
            rows.append(Row(name, kind, category, lane, start, dur, extra))


def _memory(builder: TraceBuilder, stats: dict[str, Any], time: float, sign: int, lane: int) -> None:
    """A TensorFlow allocator event: ``allocator_name`` (``GPU_0_bfc``, ``mklcpu``) tells the
    device, ``allocation_bytes`` (else ``requested_bytes``) the size, ``bytes_allocated`` and
    ``bytes_reserved`` the allocator's totals after it."""
    allocator = str(stats.get("allocator_name", ""))
    gpu = "gpu" in allocator.lower()
    device_id = -1
    if gpu:
        digits = "".join(c if c.isdigit() else " " for c in allocator).split()
        device_id = int(digits[0]) if digits else 0
    size = details.as_int(stats.get("allocation_bytes", stats.get("requested_bytes"))) or 0
    allocated = details.as_float(stats.get("bytes_allocated"))
    reserved = details.as_float(stats.get("bytes_reserved"))
    builder.memory(time, 1 if gpu else 0, device_id, details.as_int(stats.get("addr")) or -1, sign * size,
                   float("nan") if allocated is None else allocated,
                   float("nan") if reserved is None else reserved, lane)


def _emit(rows: list[Row], builder: TraceBuilder) -> None:
    """Append the rows to the builder's columns (``TraceBuilder.event``'s work, without a call
    per event: the columns not named in a row's ``extra`` get their absent value)."""
    columns, add = builder.columns, builder.strings.add
    fixed = ("name", "kind", "category", "lane", "start", "dur")
    strings = ("shapes", "stack", "grid", "block")
    defaults = {key: (math.nan if np.issubdtype(dtype, np.floating) else -1)
                for key, dtype in EVENT_COLUMNS.items() if key not in fixed}
    for key in fixed:
        column = columns[key]
        if key in ("name", "category"):
            column.extend(add(getattr(row, key)) for row in rows)
        elif key == "kind":
            column.extend(int(row.kind) for row in rows)
        else:
            column.extend(getattr(row, key) for row in rows)
    for key, default in defaults.items():
        column = columns[key]
        if key in strings:
            column.extend(add(v) if (v := row.extra.get(key)) is not None else -1 for row in rows)
        else:
            column.extend(v if (v := row.extra.get(key)) is not None else default for row in rows)


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if isinstance(v, (str, int, float, bool))}
