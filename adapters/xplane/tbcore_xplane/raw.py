"""What both readers (``xplane.pb`` and XProf's ``trace.json.gz``) hand to the mapping: the
planes of a profile with their lines, each line's events as columns (names resolved through
the plane's table, times in µs), stats by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RawLine:
    """A line of a plane (a host thread, a device stream, a counter line) and its events:
    ``name_id`` (an index into its plane's :attr:`RawPlane.event_names`), ``start`` (µs
    since the profile's time base) and ``dur`` (µs), one entry per event in file order;
    ``own_stats``: the stats an event carries itself (beyond its name's), by position."""

    id: int
    name: str
    name_id: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dur: np.ndarray = field(default_factory=lambda: np.zeros(0))
    own_stats: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.name_id)


@dataclass
class RawPlane:
    """A plane: ``/host:CPU``, ``/device:GPU:0``, ``/host:metadata``, ``Task Environment``...
    ``event_names`` and ``event_stats`` are its event metadata: each event name and the
    stats every event of that name has (``ref_value`` stats resolved to their string)."""

    name: str
    stats: dict[str, Any] = field(default_factory=dict)
    lines: list[RawLine] = field(default_factory=list)
    event_names: list[str] = field(default_factory=list)
    event_stats: list[dict[str, Any]] = field(default_factory=list)

    def stats_of(self, line: RawLine, position: int) -> dict[str, Any]:
        """Every stat of one event: its name's, overridden by its own."""
        merged = dict(self.event_stats[int(line.name_id[position])])
        merged.update(line.own_stats.get(position, {}))
        return merged


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


class LineWriter:
    """Builds a :class:`RawLine` event by event (for readers that meet events one at a time),
    naming events through its plane's table."""

    def __init__(self, plane: RawPlane, names: dict[str, int], line: RawLine) -> None:
        self.plane, self.names, self.line = plane, names, line
        self.name_id: list[int] = []
        self.start: list[float] = []
        self.dur: list[float] = []

    def add(self, name: str, start: float, dur: float, stats: dict[str, Any]) -> None:
        """One event; ``stats`` become its own stats."""
        index = self.names.get(name)
        if index is None:
            index = self.names[name] = len(self.plane.event_names)
            self.plane.event_names.append(name)
            self.plane.event_stats.append({})
        if stats:
            self.line.own_stats[len(self.name_id)] = stats
        self.name_id.append(index)
        self.start.append(start)
        self.dur.append(dur)

    def finish(self) -> None:
        """Store the columns in the line."""
        self.line.name_id = np.asarray(self.name_id, dtype=np.int64)
        self.line.start = np.asarray(self.start, dtype=np.float64)
        self.line.dur = np.asarray(self.dur, dtype=np.float64)
