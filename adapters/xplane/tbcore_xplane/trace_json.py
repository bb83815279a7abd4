"""Reading ``<host>.trace.json.gz``: the chrome-trace JSON that JAX's profiler (and XProf's
``trace_viewer`` export) writes beside the ``xplane.pb``, into
:class:`~tbcore_xplane.raw.RawSpace`.

It is the same profile converted by XProf: ``M`` events name processes after the planes
(``/host:CPU``, ``/device:GPU:0``) and threads after the lines, ``X`` events are the plane
events with their stats as ``args`` (values as strings), times in µs. ``C`` counter events
become a ``_counters_`` line of their process.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

from tbcore_profile.importer import TraceFormatError
from tbcore_xplane.raw import LineWriter, RawLine, RawPlane, RawSpace

MAX_INFLATED = 16 * 1024**3
"""A gzipped trace that inflates past this is refused (a corrupt or hostile file)."""
COUNTER_LINE = "_counters_"


def read_trace_json(data: bytes, path: str) -> RawSpace:
    """The profile in ``data`` (gzipped or plain JSON). Raises :class:`TraceFormatError`
    for bytes that are not a whole chrome trace."""
    document = _load(_inflate(data, path), path)
    if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
        raise TraceFormatError(f"{path}: not a chrome trace (no traceEvents list)")
    planes: dict[Any, RawPlane] = {}
    writers: dict[tuple[Any, Any], LineWriter] = {}
    names: dict[Any, dict[str, int]] = {}
    space = RawSpace([])

    def line_of(pid: Any, tid: Any) -> LineWriter:
        writer = writers.get((pid, tid))
        if writer is None:
            plane = planes.get(pid)
            if plane is None:
                plane = planes[pid] = RawPlane(str(pid))
            line = RawLine(_int_id(tid), str(tid))
            plane.lines.append(line)
            writer = writers[(pid, tid)] = LineWriter(plane, names.setdefault(pid, {}), line)
        return writer

    for event in document["traceEvents"]:
        try:
            phase = event.get("ph")
            if phase == "X":
                ts, dur = float(event["ts"]), float(event.get("dur") or 0.0)
                name, args = event.get("name", ""), event.get("args") or {}
                if not (math.isfinite(ts) and math.isfinite(dur)) or not isinstance(name, str) \
                        or not isinstance(args, dict):
                    raise ValueError("malformed complete event")
                line_of(event.get("pid"), event.get("tid")).add(name, ts, dur, dict(args))
            elif phase == "M":
                _metadata(event, planes, line_of)
            elif phase == "C":
                args = event.get("args") or {}
                if not isinstance(args, dict):
                    raise ValueError("malformed counter")
                writer = line_of(event.get("pid"), COUNTER_LINE)
                writer.line.name = COUNTER_LINE
                writer.add(str(event.get("name", "")), float(event["ts"]), 0.0, dict(args))
        except (AttributeError, KeyError, TypeError, ValueError):
            space.skipped += 1
    for writer in writers.values():
        writer.finish()
    space.planes = list(planes.values())
    if not any(len(line) for plane in space.planes for line in plane.lines):
        raise TraceFormatError(f"{path}: the trace holds no event")
    return space


def _metadata(event: dict[str, Any], planes: dict[Any, RawPlane], line_of: Any) -> None:
    args = event.get("args") or {}
    name = args.get("name") if isinstance(args, dict) else None
    if not isinstance(name, str):
        return
    if event.get("name") == "process_name":
        pid = event.get("pid")
        plane = planes.get(pid)
        if plane is None:
            planes[pid] = RawPlane(name)
        else:
            plane.name = name
    elif event.get("name") == "thread_name":
        line_of(event.get("pid"), event.get("tid")).line.name = name


def _int_id(tid: Any) -> int:
    try:
        return int(tid)
    except (TypeError, ValueError):
        return -1


def _inflate(data: bytes, path: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as e:
        raise TraceFormatError(f"{path}: not valid gzip: {e}") from None
    if inflater.unconsumed_tail:
        raise TraceFormatError(f"{path}: inflates to more than {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise TraceFormatError(f"{path}: the gzip stream is truncated (still being written?)")
    return out


def _load(text: bytes, path: str) -> Any:
    try:
        import orjson

        return orjson.loads(text)
    except ImportError:
        pass
    except ValueError:
        pass  # let the standard parser say what is wrong, or accept what orjson refuses
    try:
        return json.loads(text, strict=False)
    except ValueError as e:
        raise TraceFormatError(f"{path}: not valid JSON: {e}") from None
