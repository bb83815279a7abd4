"""Reading ``<host>.xplane.pb``: an ``XSpace`` message (``proto/xplane.proto``) into
:class:`~tbcore_xplane.raw.RawSpace`.

An event's time is its line's ``timestamp_ns`` plus its ``offset_ps``; it is converted to µs
since the earliest line start of the file (integer arithmetic first, so picoseconds survive
the float conversion). Event names come from the plane's ``event_metadata``, stat names from
its ``stat_metadata``; an event has its metadata's stats plus its own (its own win).
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import DecodeError

from tbcore_profile.importer import TraceFormatError
from tbcore_xplane.proto import xplane_pb2
from tbcore_xplane.raw import RawEvent, RawLine, RawPlane, RawSpace


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
    event_names: dict[int, str] = {}
    event_stats: dict[int, dict[str, Any]] = {}
    for key, meta in plane.event_metadata.items():
        event_names[key] = meta.name or meta.display_name
        if meta.stats:
            event_stats[key] = _stats(meta.stats, stat_names)
    for line in plane.lines:
        origin_ps = (line.timestamp_ns - base_ns) * 1000
        events: list[RawEvent] = []
        for event in line.events:
            if event.WhichOneof("data") == "num_occurrences":
                space.skipped += 1  # an aggregate with no time of its own
                continue
            metadata_id = event.metadata_id
            stats = dict(event_stats.get(metadata_id, ()))
            if event.stats:
                stats.update(_stats(event.stats, stat_names))
            events.append((
                event_names.get(metadata_id, ""),
                (origin_ps + event.offset_ps) / 1e6,
                event.duration_ps / 1e6,
                stats,
            ))
        raw.lines.append(RawLine(line.id, line.display_name or line.name, events))
    return raw


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
