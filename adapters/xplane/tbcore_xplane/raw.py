"""What both readers (``xplane.pb`` and XProf's ``trace.json.gz``) hand to the mapping: the
planes of a profile with their lines and events, names resolved and times in µs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RawEvent = tuple[str, float, float, dict[str, Any]]
"""``(name, start, duration, stats)``: start in µs since the profile's time base, duration
in µs, stats by name (``ref_value`` stats resolved to their string)."""


@dataclass
class RawLine:
    """A line of a plane: a host thread, a device stream, a counter line."""

    id: int
    name: str
    events: list[RawEvent] = field(default_factory=list)


@dataclass
class RawPlane:
    """A plane: ``/host:CPU``, ``/device:GPU:0``, ``/host:metadata``, ``Task Environment``..."""

    name: str
    stats: dict[str, Any] = field(default_factory=dict)
    lines: list[RawLine] = field(default_factory=list)


@dataclass
class RawSpace:
    """A whole profile of one host."""

    planes: list[RawPlane]
    hostnames: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    """Events left out while reading (aggregated ones without a time, malformed ones)."""
    time_base_ns: int = 0
    """The time (ns, the profile's own clock) that start times count from."""
