"""The values of chosen stats for every event of a line, as arrays: an event's stat is its
own if it carries one, else its name's (the plane's event metadata)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore_xplane.raw import RawLine, RawPlane


class PlaneStats:
    """Per plane, the stats of each event name as arrays, made once per stat asked for."""

    def __init__(self, plane: RawPlane) -> None:
        self.plane = plane
        self._by_name: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def by_name(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(values, present)`` of stat ``key`` per event name (object and bool arrays)."""
        cached = self._by_name.get(key)
        if cached is None:
            stats = self.plane.event_stats
            values = np.empty(len(stats), dtype=object)
            present = np.zeros(len(stats), dtype=bool)
            for index, named in enumerate(stats):
                if key in named:
                    values[index] = named[key]
                    present[index] = True
            cached = self._by_name[key] = (values, present)
        return cached

    def line(self, line: RawLine, keys: frozenset[str]) -> LineStats:
        """The stats ``keys`` of every event of ``line``."""
        return LineStats(self, line, keys)


class LineStats:
    """``values[key]`` (object array, None where absent) and ``present[key]`` (bool array)
    for each of ``keys``, one entry per event of the line."""

    def __init__(self, plane: PlaneStats, line: RawLine, keys: frozenset[str]) -> None:
        self.values: dict[str, np.ndarray] = {}
        self.present: dict[str, np.ndarray] = {}
        for key in keys:
            values, present = plane.by_name(key)
            self.values[key] = values[line.name_id]
            self.present[key] = present[line.name_id]
        for position, own in line.own_stats.items():
            for key in keys.intersection(own):
                self.values[key][position] = own[key]
                self.present[key][position] = True

    def ints(self, key: str, convert: Any) -> np.ndarray:
        """Stat ``key`` as int64 (``convert`` turns a value into an int or None), -1 where
        absent or not a number."""
        out = np.full(len(self.present[key]), -1, dtype=np.int64)
        where = np.flatnonzero(self.present[key])
        values = self.values[key][where].tolist()
        if all(type(v) is int for v in values):  # what xplane.pb holds: no conversion needed
            out[where] = values
        else:
            out[where] = [-1 if (v := convert(value)) is None else v for value in values]
        return out
