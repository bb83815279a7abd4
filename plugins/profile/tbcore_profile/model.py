"""The common trace model every importer produces: columnar numpy arrays and string tables.

A :class:`Trace` is what one trace file (one worker, one profiling span) holds, whatever tool
wrote it. Times are float64 **microseconds** on the trace's own clock (Kineto's unit; XPlane's
picoseconds are converted), durations likewise. Strings (event names, categories, shapes, call
stacks, kernel launch dimensions) are indices into :attr:`Trace.strings`; ``-1`` means absent.
Integer columns use ``-1`` and float columns NaN for "not in the trace".

The analyses (:mod:`tbcore_profile.breakdown`, :mod:`tbcore_profile.operators`, ...) read only
this model, so a new trace format needs only an importer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np


class EventKind(IntEnum):
    """What an event is, independent of the tool's category names."""

    OTHER = 0
    CPU_OP = 1
    """An operator on the host (Kineto ``cpu_op``/``operator``; TF and XLA ops on host threads)."""
    USER_ANNOTATION = 2
    """A ``record_function`` range on the host (``ProfilerStep#N``, data loading, optimizer)."""
    PYTHON_FUNCTION = 3
    """A Python frame (``with_stack=True``)."""
    MODULE = 4
    """An ``nn.Module`` call (a Python frame that carries a module id)."""
    PYTHON = 5
    """Kineto's legacy ``python`` category (an operator-like host range)."""
    RUNTIME = 6
    """A call into the device runtime or driver (``cudaLaunchKernel``, ``cuLaunchKernel``)."""
    KERNEL = 7
    MEMCPY = 8
    MEMSET = 9
    GPU_ANNOTATION = 10
    """A ``record_function`` range projected onto a device stream."""
    SPAN = 11
    """The profiler's own span (``PyTorch Profiler (0)``)."""


DEVICE_KINDS = (EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET, EventKind.GPU_ANNOTATION)
"""Kinds that run on a device stream rather than a host thread."""


class StringTable:
    """Distinct strings, each stored once; columns hold their indices."""

    __slots__ = ("_index", "values")

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str) -> int:
        """The index of ``text``, added if new."""
        index = self._index.get(text)
        if index is None:
            index = self._index[text] = len(self.values)
            self.values.append(text)
        return index

    def find(self, text: str) -> int:
        """The index of ``text``, or -1 when the table does not hold it."""
        return self._index.get(text, -1)

    def __getitem__(self, index: int) -> str:
        return self.values[index]

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Lane:
    """A row of the timeline: a host thread, or a device stream."""

    pid: str
    tid: str
    process: str
    """The process's display name (``python``, ``GPU 0``) as the trace names it, or the pid."""
    thread: str
    """The thread's or stream's display name, or the tid."""
    device: bool
    """Whether the lane is a device stream (kernels, copies) rather than a host thread."""


EVENT_COLUMNS: dict[str, Any] = {
    "name": np.int32,
    "kind": np.int8,
    "category": np.int32,
    "lane": np.int32,
    "start": np.float64,
    "dur": np.float64,
    "external_id": np.int64,
    "correlation": np.int64,
    "shapes": np.int32,
    "stack": np.int32,
    "types": np.int32,
    "device": np.int32,
    "stream": np.int32,
    "grid": np.int32,
    "block": np.int32,
    "registers": np.int32,
    "shared_memory": np.int64,
    "blocks_per_sm": np.float64,
    "occupancy": np.float64,
    "bytes": np.int64,
}
"""Every column of :class:`Events` and its dtype.

``external_id`` links a host operator with the runtime calls it made (Kineto's ``External
id``), ``correlation`` a runtime call with the device work it launched; ``shapes`` is the
operator's input shapes as text (``[[256, 32], []]``), ``stack`` its call stack, ``types`` its
inputs' element types as text (``['float', 'long int']``);
``device``/``stream``, ``grid``/``block`` (text), ``registers`` (per thread),
``shared_memory`` (bytes), ``blocks_per_sm`` and ``occupancy`` (percent) describe device
work; ``bytes`` what a copy or memset moved."""


class Events:
    """Duration events, one row each, sorted by start time: see :data:`EVENT_COLUMNS`."""

    name: np.ndarray
    kind: np.ndarray
    category: np.ndarray
    lane: np.ndarray
    start: np.ndarray
    dur: np.ndarray
    external_id: np.ndarray
    correlation: np.ndarray
    shapes: np.ndarray
    stack: np.ndarray
    types: np.ndarray
    device: np.ndarray
    stream: np.ndarray
    grid: np.ndarray
    block: np.ndarray
    registers: np.ndarray
    shared_memory: np.ndarray
    blocks_per_sm: np.ndarray
    occupancy: np.ndarray
    bytes: np.ndarray

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        lengths = {len(v) for v in columns.values()}
        if set(columns) != set(EVENT_COLUMNS) or len(lengths) > 1:
            raise ValueError("events need every column of EVENT_COLUMNS, all of one length")
        order = np.argsort(columns["start"], kind="stable")
        for key, dtype in EVENT_COLUMNS.items():
            column = np.asarray(columns[key], dtype=dtype)[order]
            column.flags.writeable = False
            setattr(self, key, column)

    def __len__(self) -> int:
        return len(self.start)

    @property
    def end(self) -> np.ndarray:
        """``start + dur`` (computed on each access; cache it where it is used in a loop)."""
        return self.start + self.dur

    @property
    def nbytes(self) -> int:
        """Memory held by the columns."""
        return sum(getattr(self, key).nbytes for key in EVENT_COLUMNS)


@dataclass(frozen=True)
class Counters:
    """Sampled values (GPU utilization, memory bandwidth): one row per sample and series."""

    name: np.ndarray
    """int32 string indices: the series' names (``GPU 0 Utilization/GPU Utilization``)."""
    lane: np.ndarray
    time: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class MemoryRecords:
    """Allocator events (``profile_memory=True``), sorted by time."""

    time: np.ndarray
    device_type: np.ndarray
    """int8: 0 CPU, 1 CUDA, other values as the trace gives them."""
    device_id: np.ndarray
    addr: np.ndarray
    bytes: np.ndarray
    """int64: positive for an allocation, negative for a release."""
    total_allocated: np.ndarray
    total_reserved: np.ndarray
    lane: np.ndarray


@dataclass(frozen=True)
class Flows:
    """Arrows between events (Kineto ``ac2g`` launch links, ``fwdbwd``): start and end points."""

    id: np.ndarray
    category: np.ndarray
    phase: np.ndarray
    """int8: 0 start (``s``), 1 end (``f``)."""
    lane: np.ndarray
    time: np.ndarray


@dataclass
class Trace:
    """Everything one trace file holds, in columns. Built by an importer with
    :class:`tbcore_profile.builder.TraceBuilder`."""

    format: str
    """The importer that read it (``kineto``, ``xplane``)."""
    strings: StringTable
    events: Events
    lanes: list[Lane]
    counters: Counters
    memory: MemoryRecords
    flows: Flows
    devices: list[dict[str, Any]] = field(default_factory=list)
    """Device properties as the trace gives them (Kineto ``deviceProperties``)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Other top-level facts (schema version, distributed info, base time)."""

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the trace (columns and strings)."""
        arrays = [*vars(self.counters).values(), *vars(self.memory).values(), *vars(self.flows).values()]
        strings = sum(len(s) + 50 for s in self.strings.values)
        return self.events.nbytes + sum(a.nbytes for a in arrays) + strings

    @property
    def time_range(self) -> tuple[float, float]:
        """``(first start, last end)`` over the events; ``(0, 0)`` for an empty trace."""
        if not len(self.events):
            return (0.0, 0.0)
        return float(self.events.start[0]), float(np.max(self.events.end))

    def text(self, index: int) -> str | None:
        """The string at ``index`` of a string column, None for -1."""
        return None if index < 0 else self.strings[int(index)]
