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

Each line is mapped with array operations: what an event is follows from its name (decided
once per distinct name) and from a few stats; only allocator and counter events, steps and
the distinct launch details are looked at one by one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EVENT_COLUMNS, EventKind, Trace
from tbcore_xplane import details
from tbcore_xplane.launches import link_launches
from tbcore_xplane.line_stats import LineStats, PlaneStats
from tbcore_xplane.raw import RawLine, RawPlane, RawSpace

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


HOST_STATS = frozenset({"step_num", "_r", "correlation_id", "device_id", "hlo_op", "allocator_name",
                        "allocation_bytes", "requested_bytes", "bytes_allocated", "bytes_reserved", "addr"})
DEVICE_STATS = frozenset({"correlation_id", "memcpy_details", "Memset_details", "memset_details",
                          "kernel_details", "theoretical_occupancy_pct"})
Columns = dict[str, np.ndarray]


def build_trace(space: RawSpace) -> Trace:
    """The common-model trace of ``space``."""
    builder = TraceBuilder("xplane")
    chunks: list[Columns] = []
    steps: set[tuple[int, int, float, float]] = set()
    devices: dict[int, dict[str, Any]] = {}
    hostname = space.hostnames[0] if space.hostnames else ""
    metadata: dict[str, Any] = {"planes": [p.name for p in space.planes], "hostnames": space.hostnames}
    named: set[tuple[str, int]] = set()
    for plane in space.planes:
        if plane.name in METADATA_PLANES:
            if plane.stats:
                metadata[plane.name] = _plain(plane.stats)
            continue
        ordinal = details.device_ordinal(plane.name)
        if ordinal is None:
            _host_plane(builder, plane, hostname, chunks, named, steps)
        else:
            properties = details.device_properties(ordinal, plane.name, plane.stats)
            if plane.name.startswith("/device:GPU:"):
                devices[ordinal] = properties
            _device_plane(builder, plane, ordinal, properties, chunks)
    columns = {key: np.concatenate([c[key] for c in chunks]) if chunks else np.zeros(0, dtype=dtype)
               for key, dtype in EVENT_COLUMNS.items()}
    link_launches(columns, builder)
    builder.add_columns("events", columns)
    builder.devices = [devices.get(i, {"id": i}) for i in range(max(devices) + 1)] if devices else []
    metadata.update(
        skipped_events=space.skipped, errors=space.errors, warnings=space.warnings,
        time_base_ns=space.time_base_ns, steps=len(steps),
    )
    builder.metadata = metadata
    return builder.build()


def _name_table(builder: TraceBuilder, plane: RawPlane) -> np.ndarray:
    """The string index of each of the plane's event names."""
    return np.asarray([builder.strings.add(name) for name in plane.event_names], dtype=np.int32)


def _chunk(table: np.ndarray, line: RawLine, keep: np.ndarray, lane: int) -> Columns:
    """The columns of the events ``keep`` of ``line``, every column absent but name (through
    the plane's :func:`_name_table`), lane and times (the callers fill in the rest)."""
    count = len(keep)
    columns: Columns = {key: np.full(count, math.nan if np.issubdtype(dtype, np.floating) else -1, dtype=dtype)
                        for key, dtype in EVENT_COLUMNS.items()}
    columns["name"] = table[line.name_id[keep]]
    columns["lane"][:] = lane
    columns["start"] = line.start[keep]
    columns["dur"] = line.dur[keep]
    return columns


def _host_plane(builder: TraceBuilder, plane: RawPlane, hostname: str, chunks: list[Columns],
                named: set[tuple[str, int]], steps: set[tuple[int, int, float, float]]) -> None:
    pid = HOST_PLANE if plane.name in MERGED_HOST_PLANES else plane.name
    builder.name_process(pid, pid)
    if hostname:
        builder.label_process(pid, hostname)
    names = plane.event_names
    memory_sign = np.asarray([MEMORY_EVENTS.get(n, 0) for n in names], dtype=np.int8)
    python = np.asarray([n.startswith("$") for n in names], dtype=bool)
    tf_op = np.asarray([details.is_tf_op(n) for n in names], dtype=bool)
    driver = np.asarray([n.startswith("cu") and not n.startswith("cuda") for n in names], dtype=bool)
    add = builder.strings.add
    categories = {key: add(key) for key in ("python", "cuda_driver", "cuda_runtime", "tf_op", "xla_op", "trace_me")}
    plane_stats, table = PlaneStats(plane), _name_table(builder, plane)
    for line in plane.lines:
        lane = builder.lane(pid, line.id)
        if (pid, line.id) not in named and line.name:
            builder.name_thread(pid, line.id, line.name)
            named.add((pid, line.id))
        ids = line.name_id
        stats = plane_stats.line(line, HOST_STATS)
        memory = memory_sign[ids] != 0
        _memory(builder, stats, np.flatnonzero(memory), memory_sign[ids].astype(np.int64), line.start, lane)
        is_python = ~memory & python[ids]
        step = np.full(len(ids), -1, dtype=np.int64)
        keep = ~memory
        for position in np.flatnonzero(~memory & ~is_python & stats.present["step_num"]).tolist():
            number = details.step_number({"step_num": stats.values["step_num"][position],
                                          **({"_r": stats.values["_r"][position]} if stats.present["_r"][position] else {})})
            if number is None:
                continue
            key = (lane, number, float(line.start[position]), float(line.dur[position]))
            if key in steps:  # XProf's JSON may list a step's annotation twice
                keep[position] = False
            else:
                steps.add(key)
                step[position] = number
        is_step = step >= 0
        rest = ~memory & ~is_python & ~is_step
        runtime = rest & stats.present["correlation_id"]
        rest &= ~runtime
        tf = rest & tf_op[ids]
        xla = rest & ~tf & stats.present["hlo_op"]
        kind = np.full(len(ids), int(EventKind.USER_ANNOTATION), dtype=np.int8)
        category = np.full(len(ids), categories["trace_me"], dtype=np.int32)
        kind[is_python], category[is_python] = int(EventKind.PYTHON_FUNCTION), categories["python"]
        kind[runtime] = int(EventKind.RUNTIME)
        category[runtime] = np.where(driver[ids[runtime]], categories["cuda_driver"], categories["cuda_runtime"])
        kind[tf | xla] = int(EventKind.CPU_OP)
        category[tf], category[xla] = categories["tf_op"], categories["xla_op"]
        correlation = np.where(runtime, stats.ints("correlation_id", details.as_int), -1)
        device = np.where(runtime, stats.ints("device_id", details.as_int), -1)
        kept = np.flatnonzero(keep)
        columns = _chunk(table, line, kept, lane)
        columns["kind"], columns["category"] = kind[kept], category[kept]
        columns["correlation"], columns["device"] = correlation[kept], device[kept].astype(np.int32)
        for position in np.flatnonzero(is_step[kept]).tolist():
            event = int(kept[position])
            columns["name"][position] = add(STEP_NAME.format(int(step[event])))
            columns["category"][position] = add(f"step:{names[int(ids[event])]}")
        chunks.append(columns)


def _device_plane(builder: TraceBuilder, plane: RawPlane, ordinal: int, properties: dict[str, Any],
                  chunks: list[Columns]) -> None:
    pid = plane.name
    builder.name_process(pid, pid)
    if isinstance(properties.get("name"), str):
        builder.label_process(pid, properties["name"])
    sm_count = details.as_int(properties.get("numSms"))
    names = plane.event_names
    copy_name = np.asarray([n.startswith("Memcpy") for n in names], dtype=bool)
    set_name = np.asarray([n.startswith("Memset") for n in names], dtype=bool)
    cupti_memory = np.asarray([n.startswith(CUPTI_MEMORY) for n in names], dtype=bool)
    add = builder.strings.add
    plane_stats, table = PlaneStats(plane), _name_table(builder, plane)
    for line in plane.lines:
        if line.name in DERIVED_LINES:
            continue
        lane = builder.lane(pid, line.id, device=True)
        builder.name_thread(pid, line.id, line.name)
        if line.name == COUNTER_LINE:
            _counters(builder, plane, line, lane)
            continue
        ids = line.name_id
        stats = plane_stats.line(line, DEVICE_STATS)
        memcpy = stats.present["memcpy_details"] | copy_name[ids]
        memset_details = np.where(stats.present["Memset_details"], stats.values["Memset_details"],
                                  stats.values["memset_details"])
        memset = ~memcpy & (stats.present["Memset_details"] | stats.present["memset_details"] | set_name[ids])
        other = ~memcpy & ~memset & (np.ones(len(ids), dtype=bool) if line.name == "CUPTI overhead" else cupti_memory[ids])
        kernel = ~memcpy & ~memset & ~other
        kind = np.full(len(ids), int(EventKind.KERNEL), dtype=np.int8)
        category = np.full(len(ids), add("kernel"), dtype=np.int32)
        kind[memcpy], category[memcpy] = int(EventKind.MEMCPY), add("gpu_memcpy")
        kind[memset], category[memset] = int(EventKind.MEMSET), add("gpu_memset")
        kind[other] = int(EventKind.OTHER)
        category[other] = add("cupti_overhead" if line.name == "CUPTI overhead" else "gpu_memory")
        columns = _chunk(table, line, np.arange(len(ids)), lane)
        columns["kind"], columns["category"] = kind, category
        columns["device"][:], columns["stream"][:] = ordinal, line.id
        columns["correlation"] = stats.ints("correlation_id", details.as_int)
        for mask, texts in ((memcpy, stats.values["memcpy_details"]), (memset, memset_details)):
            where = np.flatnonzero(mask)
            moved = [details.copy_bytes(details.parse_details(text)) for text in texts[where].tolist()]
            columns["bytes"][where] = [-1 if b is None else b for b in moved]
        _kernel_columns(builder, columns, np.flatnonzero(kernel), stats.values["kernel_details"],
                        stats.values["theoretical_occupancy_pct"], sm_count)
        chunks.append(columns)


def _kernel_columns(builder: TraceBuilder, columns: Columns, kernels: np.ndarray, kernel_details: np.ndarray,
                    occupancy: np.ndarray, sm_count: int | None) -> None:
    """Launch details of ``kernels``, worked out once per distinct ``kernel_details`` text and
    occupancy stat."""
    groups: dict[tuple[Any, Any], int] = {}
    group = np.asarray([groups.setdefault(key, len(groups)) for key in
                        zip(kernel_details[kernels].tolist(), occupancy[kernels].tolist())], dtype=np.int64)
    order = np.argsort(group, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(group, minlength=len(groups)))])
    for (text, occupancy_stat), number in groups.items():
        values = details.kernel_columns(details.parse_details(text), occupancy_stat, sm_count)
        members = kernels[order[bounds[number]:bounds[number + 1]]]
        for key, value in values.items():
            columns[key][members] = builder.strings.add(value) if key in ("grid", "block") else value


def _counters(builder: TraceBuilder, plane: RawPlane, line: RawLine, lane: int) -> None:
    for position in range(len(line)):
        name = plane.event_names[int(line.name_id[position])]
        start = float(line.start[position])
        for key, value in plane.stats_of(line, position).items():
            number = details.as_float(value)
            if number is not None:
                builder.counter(name if key == name else f"{name}/{key}", lane, start, number)


def _memory(builder: TraceBuilder, stats: LineStats, where: np.ndarray, sign: np.ndarray, time: np.ndarray,
            lane: int) -> None:
    """TensorFlow allocator events (``where`` in the line): ``allocator_name`` (``GPU_0_bfc``,
    ``mklcpu``) tells the device, ``allocation_bytes`` (else ``requested_bytes``) the size,
    ``bytes_allocated`` and ``bytes_reserved`` the allocator's totals after each."""
    if not len(where):
        return
    values, present = stats.values, stats.present
    devices = {name: _allocator_device(name) for name in set(map(str, values["allocator_name"][where].tolist()))}
    allocator = [devices[str(name)] for name in values["allocator_name"][where].tolist()]
    size_stat = np.where(present["allocation_bytes"], values["allocation_bytes"], values["requested_bytes"])[where]

    def column(items: Any, convert: Any, absent: Any) -> list[Any]:
        return [absent if (v := convert(item)) is None else v for item in items]

    builder.add_columns("memory", (
        time[where],
        np.asarray([1 if gpu else 0 for gpu, _ in allocator], dtype=np.int8),
        np.asarray([device for _, device in allocator], dtype=np.int32),
        np.asarray(column(values["addr"][where].tolist(), lambda v: details.as_int(v) or None, -1), dtype=np.int64),
        sign[where] * np.asarray(column(size_stat.tolist(), details.as_int, 0), dtype=np.int64),
        np.asarray(column(values["bytes_allocated"][where].tolist(), details.as_float, math.nan), dtype=np.float64),
        np.asarray(column(values["bytes_reserved"][where].tolist(), details.as_float, math.nan), dtype=np.float64),
        np.full(len(where), lane, dtype=np.int32),
    ))


def _allocator_device(allocator: str) -> tuple[bool, int]:
    """Whether an allocator (``GPU_0_bfc``) is a GPU's, and which (-1 for the host's)."""
    if "gpu" not in allocator.lower():
        return False, -1
    digits = "".join(c if c.isdigit() else " " for c in allocator).split()
    return True, int(digits[0]) if digits else 0


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if isinstance(v, (str, int, float, bool))}
