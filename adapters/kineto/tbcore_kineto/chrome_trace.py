"""Kineto's chrome-trace JSON into the profile dashboard's trace model.

Kineto writes one JSON object: ``traceEvents`` (complete ``X`` events with a category, instant
``i`` events such as ``[memory]``, flow ``s``/``f`` events, ``M`` metadata naming processes and
threads, ``C`` counters) and top-level facts (``deviceProperties``, ``distributedInfo``,
``schemaVersion``, ``baseTimeNanoseconds``). Times are microseconds with three decimals.

The categories are Kineto's ``ActivityType`` names, lower-cased here: ``cpu_op``,
``user_annotation``, ``gpu_user_annotation``, ``python_function``, ``cuda_runtime``,
``cuda_driver``, ``kernel``, ``gpu_memcpy``, ``gpu_memset``, ``Trace``; older releases wrote
``Operator``, ``Runtime``, ``Kernel``, ``Memcpy``, ``Memset``, ``python``, all read as well.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import re
import zlib
from typing import Any

from tbcore_kineto import fast_scan
from tbcore_profile.builder import TraceBuilder
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.model import EventKind, Trace

logger = logging.getLogger(__name__)

CATEGORY_KINDS: dict[str, EventKind] = {
    "cpu_op": EventKind.CPU_OP,
    "operator": EventKind.CPU_OP,
    "user_annotation": EventKind.USER_ANNOTATION,
    "gpu_user_annotation": EventKind.GPU_ANNOTATION,
    "python_function": EventKind.PYTHON_FUNCTION,
    "python": EventKind.PYTHON,
    "cuda_runtime": EventKind.RUNTIME,
    "cuda_driver": EventKind.RUNTIME,
    "runtime": EventKind.RUNTIME,
    "privateuse1_runtime": EventKind.RUNTIME,
    "privateuse1_driver": EventKind.RUNTIME,
    "xpu_runtime": EventKind.RUNTIME,
    "mtia_runtime": EventKind.RUNTIME,
    "kernel": EventKind.KERNEL,
    "concurrent_kernel": EventKind.KERNEL,
    "gpu_memcpy": EventKind.MEMCPY,
    "memcpy": EventKind.MEMCPY,
    "gpu_memset": EventKind.MEMSET,
    "memset": EventKind.MEMSET,
    "trace": EventKind.SPAN,
}
"""Kineto category (lower case) -> kind; any other category is ``OTHER``."""

_HOST_OPS = (EventKind.CPU_OP, EventKind.USER_ANNOTATION, EventKind.PYTHON)
_DEVICE = (EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET, EventKind.GPU_ANNOTATION)
_UNQUOTED_NA = re.compile(rb'(?<!")N/A(?!")')
_MAX_INFLATED = 16 * 1024**3
"""A gzipped trace that inflates past this is refused (a corrupt or hostile file)."""


def parse_chrome_trace(data: bytes, path: str) -> Trace:
    """The trace in ``data``: Kineto JSON, gzipped or not.

    Raises :class:`TraceFormatError` when it is not JSON, not an object with a
    ``traceEvents`` list, or not whole (a truncated file). Events that are malformed
    (missing or non-numeric times, wrong types) are skipped and counted in
    ``trace.metadata["skipped_events"]``.
    """
    text = _inflate(data, path)
    scanned = fast_scan.scan(text)
    if scanned is not None:  # the C scanner read it all (no event skipped)
        builder, document = scanned
        skipped = 0
    else:
        document = _load_json(text, path)
        if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
            raise TraceFormatError(f"{path}: not a chrome trace (no traceEvents list)")
        builder = TraceBuilder("kineto")
        skipped = _add_events(builder, document["traceEvents"])
    devices = document.get("deviceProperties")
    builder.devices = [d for d in devices if isinstance(d, dict)] if isinstance(devices, list) else []
    builder.metadata = {
        key: value
        for key, value in document.items()
        if key not in ("traceEvents", "deviceProperties") and isinstance(value, (str, int, float, bool, dict, list))
    }
    builder.metadata["skipped_events"] = skipped
    if skipped:
        logger.warning("%s: skipped %d malformed trace events", path, skipped)
    return builder.build()


def _inflate(data: bytes, path: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, _MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise TraceFormatError(f"{path}: inflates to more than {_MAX_INFLATED} bytes")
        if not inflater.eof:
            raise TraceFormatError(f"{path}: the gzip stream is truncated (still being written?)")
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError) as e:
        raise TraceFormatError(f"{path}: not valid gzip: {e}") from None


def _load_json(text: bytes, path: str) -> Any:
    try:
        import orjson

        return orjson.loads(text)
    except ImportError:
        pass
    except ValueError:
        pass  # control characters or Kineto's unquoted N/A: the slower, lenient path below
    try:
        return json.loads(text, strict=False)
    except ValueError as first:
        try:  # some Kineto releases wrote N/A unquoted
            return json.loads(_UNQUOTED_NA.sub(b'"N/A"', text), strict=False)
        except ValueError:
            raise TraceFormatError(f"{path}: not valid JSON: {first}") from None


def _add_events(builder: TraceBuilder, events: list[Any]) -> int:
    """Add every event; the number of malformed ones skipped."""
    skipped = 0
    columns = builder.columns
    add = builder.strings.add
    lane_of = builder.lane
    kinds = CATEGORY_KINDS
    name_col, kind_col, cat_col, lane_col = columns["name"], columns["kind"], columns["category"], columns["lane"]
    start_col, dur_col = columns["start"], columns["dur"]
    ext_col, corr_col, shapes_col, stack_col, types_col = (
        columns["external_id"], columns["correlation"], columns["shapes"], columns["stack"], columns["types"]
    )
    device_cols = [columns[k] for k in ("device", "stream", "grid", "block", "registers",
                                        "shared_memory", "blocks_per_sm", "occupancy", "bytes")]
    host_kinds, device_kinds = _HOST_OPS, _DEVICE
    for event in events:
        try:
            if not isinstance(event, dict):
                raise TypeError("not an object")
            phase = event.get("ph")
            if phase == "X":
                name = event.get("name", "")
                category = event.get("cat", "")
                ts = float(event["ts"])
                dur = float(event.get("dur") or 0.0)
                if not (math.isfinite(ts) and math.isfinite(dur)):
                    raise ValueError("non-finite time")
                args = event.get("args") or {}
                if not isinstance(name, str) or not isinstance(category, str) or not isinstance(args, dict):
                    raise TypeError("wrong types")
                kind = kinds.get(category.lower(), EventKind.OTHER)
                if kind == EventKind.PYTHON_FUNCTION and args.get("Python module id") is not None:
                    kind = EventKind.MODULE
                external = args.get("External id", args.get("external id"))
                correlation = args.get("correlation")
                row_external = -1 if external is None else int(external)
                row_correlation = -1 if correlation is None else int(correlation)
                if kind in host_kinds:
                    dims = args.get("Input Dims")
                    shapes = add(str(args.get("Input dims", []) if dims is None else dims))
                    stack = args.get("Call stack")
                    row_stack = -1 if stack is None else add(str(stack))
                    types = args.get("Input type")
                    row_types = -1 if types is None else add(str(types))
                else:
                    shapes = row_stack = row_types = -1
                device_row = _device_values(args, add) if kind in device_kinds else _NO_DEVICE
                lane = lane_of(event.get("pid", ""), event.get("tid", ""), kind in device_kinds)
            elif phase == "i" or phase == "I":
                if event.get("name") == "[memory]":
                    _add_memory(builder, event)
                continue
            elif phase == "M":
                _add_metadata(builder, event)
                continue
            elif phase == "C":
                _add_counter(builder, event)
                continue
            elif phase in ("s", "f", "t"):
                builder.flow(int(event["id"]), str(event.get("cat", "")), phase != "s",
                             lane_of(event.get("pid", ""), event.get("tid", "")), float(event["ts"]))
                continue
            else:
                continue
        except (KeyError, TypeError, ValueError, OverflowError):
            skipped += 1
            continue
        name_col.append(add(name))
        kind_col.append(kind)
        cat_col.append(add(category))
        lane_col.append(lane)
        start_col.append(ts)
        dur_col.append(dur)
        ext_col.append(row_external)
        corr_col.append(row_correlation)
        shapes_col.append(shapes)
        stack_col.append(row_stack)
        types_col.append(row_types)
        for column, value in zip(device_cols, device_row):
            column.append(value)
    return skipped


_NO_DEVICE = (-1, -1, -1, -1, -1, -1, math.nan, math.nan, -1)


def _device_values(args: dict[str, Any], add: Any) -> tuple[Any, ...]:
    """device, stream, grid, block, registers, shared memory, blocks per SM, occupancy, bytes."""
    grid, block = args.get("grid"), args.get("block")
    return (
        _int(args.get("device")),
        _int(args.get("stream")),
        -1 if grid is None else add(str(grid)),
        -1 if block is None else add(str(block)),
        _int(args.get("registers per thread")),
        _int(args.get("shared memory")),
        _float(args.get("blocks per SM")),
        _float(args.get("est. achieved occupancy %")),
        _int(args.get("bytes")),
    )


def _int(value: Any) -> int:
    return -1 if value is None or isinstance(value, str) else int(value)


def _float(value: Any) -> float:
    return math.nan if value is None or isinstance(value, str) else float(value)


def _add_memory(builder: TraceBuilder, event: dict[str, Any]) -> None:
    args = event.get("args") or {}
    builder.memory(
        float(event["ts"]),
        _int(args.get("Device Type")),
        _int(args.get("Device Id")),
        _int(args.get("Addr")),
        int(args.get("Bytes", 0)),
        _float(args.get("Total Allocated")),
        _float(args.get("Total Reserved")),
        builder.lane(event.get("pid", ""), event.get("tid", "")),
    )


def _add_metadata(builder: TraceBuilder, event: dict[str, Any]) -> None:
    args = event.get("args") or {}
    name = event.get("name")
    if name == "process_name" and isinstance(args.get("name"), str):
        builder.name_process(event.get("pid", ""), args["name"])
    elif name == "process_labels" and isinstance(args.get("labels"), str):
        builder.label_process(event.get("pid", ""), args["labels"])
    elif name == "thread_name" and isinstance(args.get("name"), str):
        builder.name_thread(event.get("pid", ""), event.get("tid", ""), args["name"])


def _add_counter(builder: TraceBuilder, event: dict[str, Any]) -> None:
    name = str(event.get("name", ""))
    lane = builder.lane(event.get("pid", ""), event.get("tid", ""))
    ts = float(event["ts"])
    for key, value in (event.get("args") or {}).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            builder.counter(f"{name}/{key}", lane, ts, float(value))
