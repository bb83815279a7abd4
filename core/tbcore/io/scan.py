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
  result and ``consumed`` is the first offset not yet tried as a header (at most 11 bytes
  before the end); the caller passes ``resync=True`` in the next call so the same damage is
  not reported twice. After ``resync=True`` the "skipped N bytes" entry counts from, and is
  reported at, the start of that buffer (even when N is 0).

The result's arrays are read-only numpy views.

Two implementations give identical results: the C extension ``tbcore.io._recordscan`` (built
with the package; releases the GIL, so files scan in parallel) and the pure-Python
``tbcore.io._scan_py``. ``TBCORE_PURE_PYTHON=1`` forces the latter.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from tbcore.io.scan_result import (
    DEFAULT_MAX_RECORD_LENGTH,
    KIND_DOUBLE_TENSOR,
    KIND_FLOAT_TENSOR,
    KIND_OTHER,
    KIND_SIMPLE_VALUE,
    ScanResult,
)

__all__ = [
    "DEFAULT_MAX_RECORD_LENGTH",
    "IMPLEMENTATION",
    "KIND_DOUBLE_TENSOR",
    "KIND_FLOAT_TENSOR",
    "KIND_OTHER",
    "KIND_SIMPLE_VALUE",
    "ScanResult",
    "scan",
]

ScanFunction = Callable[[bytes | bytearray | memoryview, int, bool, int], ScanResult]


def _load() -> tuple[ScanFunction, str]:
    if os.environ.get("TBCORE_PURE_PYTHON") != "1":
        try:
            from tbcore.io import _recordscan  # type: ignore[attr-defined]
        except ImportError:
            pass
        else:
            return _wrap_c(_recordscan.scan), "c"
    from tbcore.io import _scan_py  # imported only when used: it needs crc32c and costs ~50 ms

    return _scan_py.scan, "python"


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
