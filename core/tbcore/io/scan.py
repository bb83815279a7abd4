"""Scan a buffer of TFRecord-framed ``Event`` records into columnar arrays.

This is the ingestion hot path. One call takes the bytes of an event file from some offset
on and returns everything the data layer needs from them, without building a Python object
per record:

* every ``Summary.Value`` of every summary event becomes one row of the ``v_*`` columns;
  scalar values (``simple_value`` and rank-0 DT_FLOAT / DT_DOUBLE tensors) are decoded on
  the spot, anything else is located (offset and length of the ``Value`` message, and of its
  ``SummaryMetadata``) so the caller can parse just that value with protobuf;
* every other event (file version, graph, session log, run metadata, meta graph) becomes one
  row of the ``o_*`` columns (offset and length of its payload), for protobuf parsing;
* framing problems become ``damage`` entries and never stop the scan.

Framing: ``uint64 length | uint32 masked_crc32c(length) | payload | uint32
masked_crc32c(payload)``, little-endian. Rules:

* A record that is not complete in the buffer (fewer than 12 header bytes, or payload and
  footer not all there) is left alone: ``consumed`` stops at its first byte and the caller
  calls again once the file has grown. A record is never half-read.
* A payload whose CRC is wrong is skipped (one ``damage`` entry) and the scan goes on after it.
* A payload that is not a valid ``Event`` message is skipped likewise.
* A header whose CRC is wrong, or whose length exceeds ``max_record_length``, cannot be
  trusted: the scanner reports it and then looks at every following byte offset for a valid
  header (CRC right, length within the limit) whose payload CRC is also right (or whose payload
  is not complete yet, in which case it stops there and waits). When it finds one it reports
  how many bytes it skipped and goes on. If the buffer ends first, ``resync`` is true in the
  result and ``consumed`` is the last offset a header could still start at; the caller passes
  ``resync=True`` in the next call so the same damage is not reported twice.

Two implementations give identical results: the C extension ``tbcore.io._recordscan`` (built
with the package; releases the GIL, so files scan in parallel) and the pure-Python
``tbcore.io._scan_py``. ``TBCORE_PURE_PYTHON=1`` forces the latter.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

DEFAULT_MAX_RECORD_LENGTH = 1 << 30
"""Longest payload accepted as genuine; a longer length field is treated as damage."""

# Values of the ``v_kind`` column.
KIND_SIMPLE_VALUE = 0
"""``Summary.Value.simple_value`` (a float32), decoded into ``v_value``."""
KIND_FLOAT_TENSOR = 1
"""A rank-0 DT_FLOAT ``tensor``, decoded into ``v_value``."""
KIND_DOUBLE_TENSOR = 2
"""A rank-0 DT_DOUBLE ``tensor``, decoded into ``v_value``."""
KIND_OTHER = 3
"""Anything else: the caller parses the ``Value`` at ``v_offset``/``v_length``."""


@dataclass
class ScanResult:
    """What one scan of a buffer found. Offsets are absolute file offsets
    (``base_offset`` + position in the buffer).

    Columns are numpy arrays of equal length within each group.
    """

    consumed: int
    """Bytes of the buffer fully handled; the next scan starts at ``base_offset + consumed``."""
    resync: bool
    """True when the scan ended while looking for a valid header after damage."""
    tags: list[bytes]
    """Tag table of this scan; ``v_tag`` indexes it. ``Value.tag``, or ``node_name`` when the
    tag is empty (old summaries)."""
    v_record: np.ndarray  # int32: index of the record within this scan (orders v_* and o_*)
    v_tag: np.ndarray  # int32
    v_kind: np.ndarray  # uint8, one of KIND_*
    v_step: np.ndarray  # int64, Event.step
    v_wall_time: np.ndarray  # float64, Event.wall_time
    v_value: np.ndarray  # float64, the decoded scalar (0.0 for KIND_OTHER)
    v_offset: np.ndarray  # int64, offset of the Value message bytes
    v_length: np.ndarray  # int32, length of the Value message bytes
    v_meta_offset: np.ndarray  # int64, offset of its SummaryMetadata bytes, -1 if none
    v_meta_length: np.ndarray  # int32, length of the SummaryMetadata bytes (0 if none)
    o_record: np.ndarray  # int32: index of the record within this scan
    o_offset: np.ndarray  # int64, offset of the Event payload
    o_length: np.ndarray  # int64, length of the Event payload
    damage: list[tuple[int, str]] = field(default_factory=list)
    """``(offset, message)`` for every problem met, in file order."""
    records: int = 0
    """Number of valid records scanned (summary and other events)."""


ScanFunction = Callable[[bytes | bytearray | memoryview, int, bool, int], ScanResult]


def _load() -> tuple[ScanFunction, str]:
    from tbcore.io import _scan_py

    if os.environ.get("TBCORE_PURE_PYTHON") == "1":
        return _scan_py.scan, "python"
    try:
        from tbcore.io import _recordscan  # type: ignore[attr-defined]
    except ImportError:
        return _scan_py.scan, "python"
    return _wrap_c(_recordscan.scan), "c"


def _wrap_c(c_scan: Callable[..., tuple]) -> ScanFunction:
    def scan(
        buf: bytes | bytearray | memoryview,
        base_offset: int = 0,
        resync: bool = False,
        max_record_length: int = DEFAULT_MAX_RECORD_LENGTH,
    ) -> ScanResult:
        (consumed, still_resync, tags, cols, damage, records) = c_scan(
            buf, base_offset, resync, max_record_length
        )
        (vr, vt, vk, vs, vw, vv, vo, vl, vmo, vml, orr, oo, ol) = cols
        return ScanResult(
            consumed=consumed,
            resync=bool(still_resync),
            tags=tags,
            v_record=np.frombuffer(vr, np.int32),
            v_tag=np.frombuffer(vt, np.int32),
            v_kind=np.frombuffer(vk, np.uint8),
            v_step=np.frombuffer(vs, np.int64),
            v_wall_time=np.frombuffer(vw, np.float64),
            v_value=np.frombuffer(vv, np.float64),
            v_offset=np.frombuffer(vo, np.int64),
            v_length=np.frombuffer(vl, np.int32),
            v_meta_offset=np.frombuffer(vmo, np.int64),
            v_meta_length=np.frombuffer(vml, np.int32),
            o_record=np.frombuffer(orr, np.int32),
            o_offset=np.frombuffer(oo, np.int64),
            o_length=np.frombuffer(ol, np.int64),
            damage=damage,
            records=records,
        )

    return scan


scan, IMPLEMENTATION = _load()
"""``scan(buf, base_offset=0, resync=False, max_record_length=DEFAULT_MAX_RECORD_LENGTH)``.

``IMPLEMENTATION`` is ``"c"`` or ``"python"``."""
