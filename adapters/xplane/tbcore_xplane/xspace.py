"""Reading ``<host>.xplane.pb``: an ``XSpace`` message (``proto/xplane.proto``) into
:class:`~tbcore_xplane.raw.RawSpace`.

An event's time is its line's ``timestamp_ns`` plus its ``offset_ps``; it is converted to µs
since the earliest line start of the file (integer arithmetic first, so picoseconds survive
the float conversion). Event names come from the plane's ``event_metadata``, stat names from
its ``stat_metadata``; an event has its metadata's stats plus its own (its own win).

Each line's events are read into columns in one pass over the messages; only the events that
carry stats of their own are looked at further.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from tbcore_profile.importer import TraceFormatError
from tbcore_xplane.proto import xplane_pb2
from tbcore_xplane.raw import RawLine, RawPlane, RawSpace


def read_xspace(data: bytes, path: str) -> RawSpace:
    """The profile in ``data``. Raises :class:`TraceFormatError` when the bytes are not an
    ``XSpace`` (or a truncated one) or hold no plane."""
    try:
        space = xplane_pb2.XSpace.FromString(data)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise TraceFormatError(f"{path}: not an XSpace protobuf (truncated or another format): {e}") from None
    if not space.planes:
        raise TraceFormatError(f"{path}: the XSpace holds no plane (empty, or still being written)")
    starts = [line.timestamp_ns for plane in space.planes for line in plane.lines if line.events]
    base = min(starts, default=0)
    out = RawSpace([], list(space.hostnames), list(space.errors), list(space.warnings), time_base_ns=base)
    for plane in space.planes:
        out.planes.append(_plane(plane, base, out))
    return out


def _plane(plane: Any, base_ns: int, space: RawSpace) -> RawPlane:
    stat_names = {key: meta.name for key, meta in plane.stat_metadata.items()}
    raw = RawPlane(plane.name, _stats(plane.stats, stat_names))
    ids = sorted(plane.event_metadata)
    for key in ids:
        meta = plane.event_metadata[key]
        raw.event_names.append(meta.name or meta.display_name)
        raw.event_stats.append(_stats(meta.stats, stat_names) if meta.stats else {})
    raw.event_names.append("")  # events whose metadata is missing
    raw.event_stats.append({})
    known = np.asarray(ids, dtype=np.int64)
    for line in plane.lines:
        raw.lines.append(_line(line, base_ns, known, stat_names, space))
    return raw


def _line(line: Any, base_ns: int, known: np.ndarray, stat_names: dict[int, str], space: RawSpace) -> RawLine:
    events = line.events
    columns = np.array(
        [(e.metadata_id, e.offset_ps, e.duration_ps, e.num_occurrences, len(e.stats)) for e in events],
        dtype=np.int64,
    ).reshape(-1, 5)
    metadata, offset, duration, occurrences, stat_count = columns.T
    timed = occurrences == 0  # an aggregate (num_occurrences) has no time of its own
    space.skipped += int(np.count_nonzero(~timed))
    slot = np.minimum(np.searchsorted(known, metadata), max(len(known) - 1, 0))
    found = (known[slot] == metadata) if len(known) else np.zeros(len(metadata), dtype=bool)
    name_id = np.where(found, slot, len(known))
    origin_ps = (line.timestamp_ns - base_ns) * 1000
    kept = np.flatnonzero(timed)
    own: dict[int, dict[str, Any]] = {}
    for position, index in enumerate(kept.tolist()):
        if stat_count[index]:
            own[position] = _stats(events[index].stats, stat_names)
    return RawLine(
        line.id,
        line.display_name or line.name,
        name_id[kept],
        (origin_ps + offset[kept]) / 1e6,
        duration[kept] / 1e6,
        own,
    )


def _stats(stats: Any, names: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stat in stats:
        kind = stat.WhichOneof("value")
        if kind == "ref_value":
            value: Any = names.get(stat.ref_value, "")
        elif kind is None or kind == "bytes_value":
            continue  # serialized protos (profile options, HLO) are of no use here
        else:
            value = getattr(stat, kind)
        out[names.get(stat.metadata_id, str(stat.metadata_id))] = value
    return out
