"""``TraceBuilder``: how an importer turns rows into a :class:`~tbcore_profile.model.Trace`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore_profile.model import (
    EVENT_COLUMNS,
    Counters,
    EventKind,
    Events,
    Flows,
    Lane,
    MemoryRecords,
    StringTable,
    Trace,
)

_INT_DEFAULTS = {k: -1 for k, t in EVENT_COLUMNS.items() if np.issubdtype(t, np.integer)}
_FLOAT_DEFAULTS = {k: math.nan for k, t in EVENT_COLUMNS.items() if np.issubdtype(t, np.floating)}
_DEFAULTS: dict[str, Any] = {**_INT_DEFAULTS, **_FLOAT_DEFAULTS}


class TraceBuilder:
    """Collects events, counters, memory records and flows row by row (plain Python lists,
    the fastest way to grow them), then makes the columns once in :meth:`build`.

    Importers call :meth:`lane` for each (process, thread) they meet, :meth:`event` for each
    duration event and the other ``add_*`` methods for the rest."""

    def __init__(self, format: str) -> None:
        self.format = format
        self.strings = StringTable()
        self.columns: dict[str, list[Any]] = {key: [] for key in EVENT_COLUMNS}
        self._lanes: dict[tuple[str, str], int] = {}
        self._process_names: dict[str, str] = {}
        self._process_labels: dict[str, str] = {}
        self._thread_names: dict[tuple[str, str], str] = {}
        self._device_pids: set[str] = set()
        self._counters: list[tuple[int, int, float, float]] = []
        self._memory: list[tuple[float, int, int, int, int, float, float, int]] = []
        self._flows: list[tuple[int, int, int, int, float]] = []
        self._chunks: dict[str, list[Any]] = {"events": [], "counters": [], "memory": [], "flows": []}
        self.devices: list[dict[str, Any]] = []
        self.metadata: dict[str, Any] = {}

    def lane(self, pid: Any, tid: Any, device: bool = False) -> int:
        """The index of the lane of ``(pid, tid)`` (any JSON scalars), added if new."""
        key = (str(pid), str(tid))
        index = self._lanes.get(key)
        if index is None:
            index = self._lanes[key] = len(self._lanes)
        if device:
            self._device_pids.add(key[0])
        return index

    def name_process(self, pid: Any, name: str) -> None:
        """The display name of a process (Kineto ``process_name`` metadata)."""
        self._process_names[str(pid)] = name

    def label_process(self, pid: Any, label: str) -> None:
        """A label shown after the process's name (Kineto ``process_labels``: ``CPU``, ``GPU 0``)."""
        self._process_labels[str(pid)] = label

    def name_thread(self, pid: Any, tid: Any, name: str) -> None:
        """The display name of a thread or stream (Kineto ``thread_name`` metadata)."""
        self._thread_names[(str(pid), str(tid))] = name

    def event(self, name: str, kind: EventKind, category: str, lane: int, start: float, dur: float,
              **extra: Any) -> None:
        """Add one duration event; ``extra`` fills other columns of
        :data:`~tbcore_profile.model.EVENT_COLUMNS` (strings for ``shapes``, ``stack``, ``types``,
        ``grid``, ``block``; numbers for the rest). Missing values stay absent (-1 or NaN)."""
        columns = self.columns
        add = self.strings.add
        columns["name"].append(add(name))
        columns["kind"].append(int(kind))
        columns["category"].append(add(category))
        columns["lane"].append(lane)
        columns["start"].append(start)
        columns["dur"].append(dur)
        for key in ("shapes", "stack", "types", "grid", "block"):
            value = extra.pop(key, None)
            columns[key].append(-1 if value is None else add(value))
        for key in ("external_id", "correlation", "device", "stream", "registers", "shared_memory",
                    "blocks_per_sm", "occupancy", "bytes"):
            value = extra.pop(key, None)
            columns[key].append(_DEFAULTS[key] if value is None else value)
        if extra:
            raise TypeError(f"unknown event columns: {sorted(extra)}")

    def counter(self, name: str, lane: int, time: float, value: float) -> None:
        """Add one sample of the counter series ``name``."""
        self._counters.append((self.strings.add(name), lane, time, value))

    def memory(self, time: float, device_type: int, device_id: int, addr: int, nbytes: int,
               total_allocated: float, total_reserved: float, lane: int) -> None:
        """Add one allocator event (``nbytes`` negative for a release)."""
        self._memory.append(
            (time, device_type, device_id, addr, nbytes, total_allocated, total_reserved, lane)
        )

    def flow(self, flow_id: int, category: str, end: bool, lane: int, time: float) -> None:
        """Add one end of an arrow (``end`` false for its start)."""
        self._flows.append((flow_id, self.strings.add(category), 1 if end else 0, lane, time))

    def add_columns(self, table: str, columns: Any) -> None:
        """Add many rows at once as arrays, after those added one by one: ``table`` is
        ``events`` (a dict with every key of :data:`~tbcore_profile.model.EVENT_COLUMNS`),
        ``counters``, ``memory`` or ``flows`` (a tuple in the order of the arguments of
        :meth:`counter`, :meth:`memory`, :meth:`flow`). String columns hold indices into
        :attr:`strings` already, lanes indices returned by :meth:`lane`."""
        self._chunks[table].append(columns)

    def build(self) -> Trace:
        """The trace, with every column made."""
        lanes = [
            Lane(
                pid,
                tid,
                self._process_title(pid),
                self._thread_names.get((pid, tid), tid),
                pid in self._device_pids,
            )
            for (pid, tid), _ in sorted(self._lanes.items(), key=lambda item: item[1])
        ]
        events = Events({
            key: np.concatenate([np.asarray(values, dtype=dtype),
                                 *(np.asarray(chunk[key], dtype=dtype) for chunk in self._chunks["events"])])
            for (key, values), dtype in zip(self.columns.items(), EVENT_COLUMNS.values())
        })
        return Trace(
            format=self.format,
            strings=self.strings,
            events=events,
            lanes=lanes,
            counters=_counters(self._counters, self._chunks["counters"]),
            memory=_memory(self._memory, self._chunks["memory"]),
            flows=_flows(self._flows, self._chunks["flows"]),
            devices=self.devices,
            metadata=self.metadata,
        )


    def _process_title(self, pid: str) -> str:
        name = self._process_names.get(pid, pid)
        label = self._process_labels.get(pid)
        return f"{name} ({label})" if label and label != name else name


def _columns(rows: list[tuple[Any, ...]], chunks: list[Any], dtypes: list[Any]) -> list[np.ndarray]:
    """The rows' columns followed by those of each chunk."""
    columns = [np.empty(0, dtype=d) for d in dtypes] if not rows else [
        np.asarray(column, dtype=d) for column, d in zip(zip(*rows), dtypes)
    ]
    if not chunks:
        return columns
    return [np.concatenate([c, *(np.asarray(chunk[i], dtype=d) for chunk in chunks)])
            for i, (c, d) in enumerate(zip(columns, dtypes))]


def _by_time(columns: list[np.ndarray], time: int) -> list[np.ndarray]:
    """The columns reordered by the ``time`` column (stable: ties keep their order)."""
    order = np.argsort(columns[time], kind="stable")
    return [c[order] for c in columns]


def _counters(rows: list[tuple[int, int, float, float]], chunks: list[Any]) -> Counters:
    name, lane, time, value = _by_time(_columns(rows, chunks, [np.int32, np.int32, np.float64, np.float64]), 2)
    return Counters(name, lane, time, value)


def _memory(rows: list[tuple[float, int, int, int, int, float, float, int]], chunks: list[Any]) -> MemoryRecords:
    time, device_type, device_id, addr, nbytes, allocated, reserved, lane = _by_time(_columns(
        rows, chunks,
        [np.float64, np.int8, np.int32, np.int64, np.int64, np.float64, np.float64, np.int32],
    ), 0)
    return MemoryRecords(time, device_type, device_id, addr, nbytes, allocated, reserved, lane)


def _flows(rows: list[tuple[int, int, int, int, float]], chunks: list[Any]) -> Flows:
    flow_id, category, phase, lane, time = _columns(
        rows, chunks, [np.int64, np.int32, np.int8, np.int32, np.float64]
    )
    return Flows(flow_id, category, phase, lane, time)
