"""Everything loaded for one run, and how scanned chunks are applied to it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np

from tbcore.data.convert import (
    META_GRAPH_TAG,
    RUN_GRAPH_TAG,
    TAGGED_RUN_METADATA_PLUGIN,
    SeriesInfo,
    blobs_of,
    info_for_value,
    info_from_metadata,
    scalar_of,
    tensor_for_series,
)
from tbcore.data.provider import DataClass
from tbcore.data.series import PointSeries, ScalarSeries
from tbcore.data.tag_groups import TagGroups
from tbcore.io.event_file import Chunk, EventFileReader
from tbcore.io.scan import KIND_DOUBLE_TENSOR, KIND_OTHER, KIND_SIMPLE_VALUE, ScanResult
from tbcore.proto import event_pb2, summary_pb2

logger = logging.getLogger(__name__)

INLINE_BLOB_BYTES = 32
"""Blobs up to this size are kept in memory with their location (and carried in their keys)."""


@dataclass(frozen=True, slots=True)
class BlobLocation:
    """Where a blob lives: a ``Summary.Value`` (or a whole ``Event``) inside a file.

    ``file_index`` indexes the run's list of files; ``index`` is the blob's position among the
    blobs of that value. A small blob (an image's width or height) is kept in ``inline``, so
    reading it reads no file.
    """

    file_index: int
    offset: int
    length: int
    index: int
    whole_event: bool = False
    inline: bytes | None = None


@dataclass
class Series:
    """One (run, tag) time series: what it is, and its points."""

    info: SeriesInfo
    points: ScalarSeries | PointSeries

    @property
    def version(self) -> int:
        """Grows whenever the series changes."""
        return self.points.version


@dataclass
class RunData:
    """The files, series and damage of one run.

    All mutation happens in :meth:`apply` under :attr:`lock`; readers take the lock to copy
    what they need, so they see the run either before or after a whole batch.
    """

    name: str
    readers: dict[str, EventFileReader] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)
    start_time: float | None = None
    version: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    skipped_values: int = 0

    def file_generations(self) -> list[int]:
        """The generation of the reader of each file of :attr:`files` (-1 for a file deleted
        since), for blob keys."""
        return [r.generation if (r := self.readers.get(path)) else -1 for path in self.files]

    def file_index(self, path: str) -> int:
        """Stable index of ``path`` in this run's file list (blob keys refer to it)."""
        try:
            return self.files.index(path)
        except ValueError:
            self.files.append(path)
            return len(self.files) - 1

    def apply(self, batch: list[tuple[str, Chunk, TagGroups]]) -> set[str]:
        """Apply scanned chunks (``(path, chunk, groups)`` in file order, ``groups`` being
        :func:`group_by_tag` of the chunk); returns the changed tags."""
        changed: set[str] = set()
        with self.lock:
            for path, chunk, groups in batch:
                _ChunkApplier(self, self.file_index(path), chunk, groups, changed).apply()
            if changed:
                self.version += 1
        return changed


class _ChunkApplier:
    """Applies one chunk to a run (called with the run's lock held)."""

    def __init__(
        self, run: RunData, file_index: int, chunk: Chunk, groups: TagGroups, changed: set[str]
    ) -> None:
        self.run = run
        self.file_index = file_index
        self.chunk = chunk
        self.res = chunk.result
        self.groups = groups
        self.changed = changed

    def apply(self) -> None:
        res = self.res
        first_wall = _first_wall_time(res, self.chunk)
        if first_wall is not None and (
            self.run.start_time is None or first_wall < self.run.start_time
        ):
            self.run.start_time = first_wall
        groups = self.groups
        bounds = groups.bounds
        for g, tag_id in enumerate(groups.tag_ids):
            self._apply_tag(res.tags[tag_id].decode("utf-8", "replace"), bounds[g], bounds[g + 1])
        for i in range(res.o_record.shape[0]):
            self._apply_event(int(res.o_offset[i]), int(res.o_length[i]))

    # --- summary values -------------------------------------------------------------

    def _apply_tag(self, tag: str, start: int, end: int) -> None:
        """Apply the rows ``start:end`` of the grouped values, all of ``tag``."""
        groups = self.groups
        series = self.run.series.get(tag)
        if series is None:
            series = self._new_series(tag, int(groups.order[start]))
            if series is None:
                return
        points = series.points
        if not isinstance(points, ScalarSeries):
            assert isinstance(points, PointSeries)
            for i in groups.order[start:end].tolist():
                self._append_point(series, tag, i)
            self.changed.add(tag)
            return
        step = groups.step[start:end]
        wall = groups.wall_time[start:end]
        value = groups.value[start:end]
        kind = groups.kind[start:end]
        if groups.has_double and not bool(np.any(kind == KIND_DOUBLE_TENSOR)):
            value = value.astype(np.float32)
        if groups.has_other and bool(np.any(kind == KIND_OTHER)):
            step, wall, value = self._parse_other_scalars(tag, start, end, step, wall, value)
        points.extend(step, wall, value)
        self.changed.add(tag)

    def _parse_other_scalars(
        self, tag: str, start: int, end: int, step: np.ndarray, wall: np.ndarray, value: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fill in the values the scanner could not decode (parsed with protobuf); rows that
        hold no single number are skipped."""
        value = value.copy()
        keep = np.ones(end - start, dtype=bool)
        others = np.flatnonzero(self.groups.kind[start:end] == KIND_OTHER).tolist()
        order = self.groups.order
        for j in others:
            number = self._scalar_at(int(order[start + j]), tag)
            if number is None:
                keep[j] = False
            else:
                value[j] = number
        if not keep.all():
            return step[keep], wall[keep], value[keep]
        return step, wall, value

    def _new_series(self, tag: str, i: int) -> Series | None:
        """The series of ``tag``, made from its first row ``i``; None when that row cannot be
        parsed."""
        res = self.res
        kind = int(res.v_kind[i])
        if kind == KIND_SIMPLE_VALUE and res.v_meta_length[i] == 0:
            info = SeriesInfo("scalars", DataClass.SCALAR, display_name=tag)
        elif kind == KIND_OTHER or kind == KIND_SIMPLE_VALUE:
            value = self._value_at(i, tag)
            if value is None:
                return None
            info = info_for_value(value)
        else:
            metadata = summary_pb2.SummaryMetadata()
            if res.v_meta_length[i]:
                metadata.ParseFromString(
                    self.chunk.payload(int(res.v_meta_offset[i]), int(res.v_meta_length[i]))
                )
            info = info_from_metadata(metadata)
        points: ScalarSeries | PointSeries = (
            ScalarSeries() if info.data_class == DataClass.SCALAR else PointSeries()
        )
        series = Series(info, points)
        self.run.series[tag] = series
        return series

    def _value_at(self, i: int, tag: str) -> summary_pb2.Summary.Value | None:
        res = self.res
        value = summary_pb2.Summary.Value()
        try:
            value.ParseFromString(self.chunk.payload(int(res.v_offset[i]), int(res.v_length[i])))
        except Exception:  # noqa: BLE001 - protobuf raises DecodeError and others
            self._skip(tag, int(res.v_offset[i]), "value is not a valid Summary.Value")
            return None
        return value

    def _scalar_at(self, i: int, tag: str) -> float | None:
        value = self._value_at(i, tag)
        if value is None:
            return None
        try:
            number = scalar_of(value)
        except ValueError as e:
            number = None
            reason = str(e)
        else:
            reason = "scalar series value does not hold exactly one number"
        if number is None:
            self._skip(tag, int(self.res.v_offset[i]), reason)
        return number

    def _append_point(self, series: Series, tag: str, i: int) -> None:
        res = self.res
        value = self._value_at(i, tag)
        if value is None:
            return
        step, wall = int(res.v_step[i]), float(res.v_wall_time[i])
        offset, length = int(res.v_offset[i]), int(res.v_length[i])
        assert isinstance(series.points, PointSeries)
        try:
            if series.info.data_class == DataClass.BLOB_SEQUENCE:
                refs = tuple(
                    BlobLocation(
                        self.file_index, offset, length, k, inline=blob if len(blob) <= INLINE_BLOB_BYTES else None
                    )
                    for k, blob in enumerate(blobs_of(value, series.info))
                )
                series.points.append(step, wall, refs)
            else:
                data = tensor_for_series(value, series.info)
                if data is None:
                    self._skip(tag, offset, "value holds no tensor data")
                    return
                series.points.append(step, wall, data)
        except ValueError as e:
            self._skip(tag, offset, str(e))

    def _skip(self, tag: str, offset: int, reason: str) -> None:
        self.run.skipped_values += 1
        logger.warning(
            "run %r, tag %r: value at offset %d of %s skipped: %s",
            self.run.name,
            tag,
            offset,
            self.run.files[self.file_index],
            reason,
        )

    # --- other events ---------------------------------------------------------------

    def _apply_event(self, offset: int, length: int) -> None:
        event = event_pb2.Event()
        try:
            event.ParseFromString(self.chunk.payload(offset, length))
        except Exception:  # noqa: BLE001
            self._skip("", offset, "record is not a valid Event")
            return
        what = event.WhichOneof("what")
        if what == "graph_def":
            self._append_event_blob(RUN_GRAPH_TAG, "graphs", event, offset, length)
        elif what == "meta_graph_def":
            self._append_event_blob(META_GRAPH_TAG, "graphs", event, offset, length)
        elif what == "tagged_run_metadata":
            self._append_event_blob(
                event.tagged_run_metadata.tag, TAGGED_RUN_METADATA_PLUGIN, event, offset, length
            )
        elif what == "summary":
            # An event with a summary and other fields at once: rare, but not to be lost.
            for value in event.summary.value:
                self._append_parsed_value(value, event.step, event.wall_time, offset, length)

    def _append_event_blob(
        self, tag: str, plugin: str, event: event_pb2.Event, offset: int, length: int
    ) -> None:
        series = self.run.series.get(tag)
        if series is None:
            series = Series(SeriesInfo(plugin, DataClass.BLOB_SEQUENCE), PointSeries())
            self.run.series[tag] = series
        assert isinstance(series.points, PointSeries)
        ref = BlobLocation(self.file_index, offset, length, 0, whole_event=True)
        series.points.append(int(event.step), float(event.wall_time), (ref,))
        self.changed.add(tag)

    def _append_parsed_value(
        self, value: summary_pb2.Summary.Value, step: int, wall: float, offset: int, length: int
    ) -> None:
        tag = value.tag or value.node_name
        series = self.run.series.get(tag)
        if series is None:
            info = info_for_value(value)
            points: ScalarSeries | PointSeries = (
                ScalarSeries() if info.data_class == DataClass.SCALAR else PointSeries()
            )
            series = self.run.series[tag] = Series(info, points)
        if isinstance(series.points, ScalarSeries):
            number = scalar_of(value)
            if number is not None:
                series.points.extend(
                    np.array([step], np.int64), np.array([wall]), np.array([number])
                )
        elif series.info.data_class != DataClass.BLOB_SEQUENCE:
            data = tensor_for_series(value, series.info)
            if data is not None:
                series.points.append(step, wall, data)
        else:
            self._skip(tag, offset, "blob value inside a mixed event is not supported")
            return
        self.changed.add(tag)


def _first_wall_time(res: ScanResult, chunk: Chunk) -> float | None:
    """Wall time of the first record of the chunk, if any."""
    candidates = []
    if res.v_record.shape[0]:
        candidates.append((int(res.v_record[0]), float(res.v_wall_time[0])))
    if res.o_record.shape[0]:
        event = event_pb2.Event()
        try:
            event.ParseFromString(chunk.payload(int(res.o_offset[0]), int(res.o_length[0])))
            candidates.append((int(res.o_record[0]), float(event.wall_time)))
        except Exception:  # noqa: BLE001
            pass
    if not candidates:
        return None
    return min(candidates)[1]


def read_blob_bytes(data: bytes, location: BlobLocation, info: SeriesInfo) -> bytes:
    """Extract the blob at ``location`` from ``data`` (the bytes at its offset and length)."""
    if location.whole_event:
        event = event_pb2.Event.FromString(data)
        what = event.WhichOneof("what")
        if what == "graph_def":
            return bytes(event.graph_def)
        if what == "meta_graph_def":
            return bytes(event.meta_graph_def)
        if what == "tagged_run_metadata":
            return bytes(event.tagged_run_metadata.run_metadata)
        raise ValueError("event holds no blob")
    value = summary_pb2.Summary.Value.FromString(data)
    return blobs_of(value, info)[location.index]
