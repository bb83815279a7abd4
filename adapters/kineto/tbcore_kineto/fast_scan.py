"""The C scanner's answer (``tbcore_kineto._kinetoscan``) made into a trace builder.

The scanner reads a whole Kineto document into columns without a Python object per event, or
answers None when the document holds anything it does not reproduce exactly (then the caller
uses the pure-Python reader of :mod:`tbcore_kineto.chrome_trace`; both give identical traces,
which the tests check). ``TBCORE_PURE_PYTHON=1`` turns the scanner off.

What it returns: the string entries in the order the Python reader adds them (a JSON string
token with its quotes, decoded here, or text it composed), the pid/tid entries and the lanes
as pairs of them (in order of first use, with whether device work ran there), the columns of
the events, flows, memory and counter records as raw arrays, the offsets of the ``M`` events
(read here one by one), and the offsets of the top-level members other than ``traceEvents``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from tbcore_profile.builder import TraceBuilder
from tbcore_profile.model import EVENT_COLUMNS

try:
    if os.environ.get("TBCORE_PURE_PYTHON") == "1":
        raise ImportError("pure Python asked for")
    from tbcore_kineto import _kinetoscan  # type: ignore[attr-defined]
except ImportError:
    _kinetoscan = None

IMPLEMENTATION = "c" if _kinetoscan is not None else "python"
"""Which reader parses Kineto traces: ``c`` (the scanner, with the Python reader for what it
declines) or ``python``."""

_FLOW_TYPES = (np.int64, np.int32, np.int8, np.int32, np.float64)
_MEMORY_TYPES = (np.float64, np.int8, np.int32, np.int64, np.int64, np.float64, np.float64, np.int32)
_COUNTER_TYPES = (np.int32, np.int32, np.float64, np.float64)


def _loads() -> Callable[[bytes], Any]:
    try:
        import orjson
    except ImportError:
        return lambda text: json.loads(text, strict=False)

    def loads(text: bytes) -> Any:
        try:
            return orjson.loads(text)
        except ValueError:  # what orjson refuses the Python reader reads with json
            return json.loads(text, strict=False)

    return loads


def _decode(entry: bytes) -> str:
    if entry[:1] != b'"':
        return entry.decode("utf-8")
    if b"\\" not in entry:
        return entry[1:-1].decode("utf-8")
    return str(json.loads(entry))


def scan(text: bytes) -> tuple[TraceBuilder, dict[str, Any]] | None:
    """A builder holding every event of the Kineto document ``text`` and the document's
    top-level members other than ``traceEvents``; None when the scanner is not built or
    declines the document."""
    if _kinetoscan is None:
        return None
    result = _kinetoscan.scan(text)
    if result is None:
        return None
    entries, parts, lane_pairs, lane_device, events, flows, memory, counters, meta, top = result
    builder = TraceBuilder("kineto")
    remap = np.array([builder.strings.add(_decode(e)) for e in entries] + [-1], dtype=np.int32)
    part_text = [_decode(p) for p in parts]
    pairs = np.frombuffer(lane_pairs, dtype=np.int32).reshape(-1, 2).tolist()
    lane_remap = np.array(
        [builder.lane(part_text[pid], part_text[tid], bool(device))
         for (pid, tid), device in zip(pairs, lane_device)] + [-1],
        dtype=np.int32,
    )
    strings = remap.__getitem__  # -1 (absent) picks the -1 at the end
    columns = {key: np.frombuffer(raw, dtype=dtype) for (key, dtype), raw in zip(EVENT_COLUMNS.items(), events)}
    for key in ("name", "category", "shapes", "stack", "types", "grid", "block"):
        columns[key] = strings(columns[key])
    columns["lane"] = lane_remap[columns["lane"]]
    builder.add_columns("events", columns)
    flow = [np.frombuffer(raw, dtype=dtype) for raw, dtype in zip(flows, _FLOW_TYPES)]
    builder.add_columns("flows", (flow[0], strings(flow[1]), flow[2], lane_remap[flow[3]], flow[4]))
    mem = [np.frombuffer(raw, dtype=dtype) for raw, dtype in zip(memory, _MEMORY_TYPES)]
    builder.add_columns("memory", (*mem[:7], lane_remap[mem[7]]))
    ctr = [np.frombuffer(raw, dtype=dtype) for raw, dtype in zip(counters, _COUNTER_TYPES)]
    builder.add_columns("counters", (strings(ctr[0]), lane_remap[ctr[1]], ctr[2], ctr[3]))
    loads = _loads()
    view = memoryview(text)
    from tbcore_kineto.chrome_trace import _add_metadata  # the same rules as the Python reader

    offsets = np.frombuffer(meta, dtype=np.int64).reshape(-1, 2).tolist()
    for start, length in offsets:
        _add_metadata(builder, loads(bytes(view[start:start + length])))
    document: dict[str, Any] = {}
    for key_start, key_length, start, length in np.frombuffer(top, dtype=np.int64).reshape(-1, 4).tolist():
        key = _decode(bytes(view[key_start:key_start + key_length]))
        document[key] = loads(bytes(view[start:start + length]))
    return builder, document
