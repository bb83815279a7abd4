"""Pure-Python implementation of :func:`tbcore.io.scan.scan`.

The C extension ``tbcore.io._recordscan`` implements exactly the same rules (it copies the
damage messages below verbatim); the tests check that both give identical results, byte for
byte, on real and on damaged input. The rules beyond those in :mod:`tbcore.io.scan`:

Protobuf decoding
    Varints are at most 10 bytes (bits beyond 64 are dropped); a field key must fit in 32 bits
    and have a non-zero field number; wire types 0, 1, 2 and 5 are understood, anything else
    (groups 3/4 included, which no TensorBoard writer emits) makes the message malformed. A
    known field number that arrives with an unexpected wire type is skipped as an unknown
    field, as protobuf does; unknown fields are skipped. Every length is checked against the
    end of its enclosing message.

What makes a record "not a valid Event"
    A malformed field anywhere in the top-level ``Event`` message, and, for a summary event, in
    its ``Summary``, ``Summary.Value``, ``TensorProto`` or ``TensorShapeProto`` messages; also
    a packed ``float_val`` / ``double_val`` whose length is not a multiple of the element size,
    and a ``Value`` longer than 2**31 - 1 bytes (``v_length`` is int32). Sub-messages that are
    not decoded (graph, metadata, histogram, image, ...) are not validated. Such a record
    produces no rows and adds no tags.

Summary or other event
    A summary event has field 5 and none of fields 3, 4, 6, 7, 8, 9 (wire type 2). Repeated
    ``summary`` fields are merged (their values concatenated), repeated ``tensor`` fields of a
    ``Value`` likewise (repeated fields concatenated, scalars last-wins); other singular
    fields are last-wins.

Scalar tensors
    Rank 0 means no ``dim`` entries and ``unknown_rank`` false. A DT_FLOAT (DT_DOUBLE) tensor
    with non-empty ``tensor_content`` is a scalar when that content is exactly 4 (8) bytes;
    with empty content, when it has exactly one ``float_val`` (``double_val``).

Resynchronisation
    After a bad header at offset ``h`` the scanner tries every offset from ``h + 1`` on. When
    it finds a valid header at ``c`` it reports ``skipped {c - h} bytes of damaged data,
    resumed at offset {c}`` at offset ``h``. With ``resync=True`` passed in, the search starts
    at the start of the buffer and no header damage is reported again; the "skipped" entry
    then counts from, and is reported at, the start of the buffer (it is reported even when
    zero bytes were skipped, so that a split scan always tells where it resumed). A header
    found whose payload is not all there yet ends the scan at that header (``consumed`` is its
    offset, ``resync`` false). When the buffer ends during the search, ``consumed`` is
    ``max(p, len(buf) - 11)``, ``p`` being the offset where the search started: the first
    offset not yet tried as a header.

Result
    The arrays are read-only, as the C implementation's (numpy views of bytes) are.

Argument checks
    ``base_offset`` must be at least 0 and ``base_offset + len(buf)`` below 2**63, and
    ``max_record_length`` at least 0; ``ValueError`` otherwise.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import numpy as np
from crc32c import crc32c as _crc32c

from tbcore.io.scan_result import (
    DEFAULT_MAX_RECORD_LENGTH,
    KIND_DOUBLE_TENSOR,
    KIND_FLOAT_TENSOR,
    KIND_OTHER,
    KIND_SIMPLE_VALUE,
    ScanResult,
)

# Damage messages, copied verbatim into _recordscan.c (the tests compare both).
MSG_PAYLOAD_CRC = "payload CRC mismatch in record of {length} bytes, record skipped"
MSG_HEADER_CRC = "length header CRC mismatch, scanning for the next valid record"
MSG_TOO_LONG = (
    "length {length} exceeds the limit of {limit} bytes, scanning for the next valid record"
)
MSG_SKIPPED = "skipped {count} bytes of damaged data, resumed at offset {offset}"
MSG_NOT_EVENT = "record of {length} bytes is not a valid Event, record skipped"

_HEADER = 12  # uint64 length + uint32 masked CRC of the length
_FOOTER = 4  # uint32 masked CRC of the payload
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF
_U64 = 0xFFFFFFFFFFFFFFFF
_INT32_MAX = 0x7FFFFFFF
_INT64_MAX = 0x7FFFFFFFFFFFFFFF

_WIRE_VARINT = 0
_WIRE_FIXED64 = 1
_WIRE_LEN = 2
_WIRE_FIXED32 = 5

_DT_FLOAT = 1
_DT_DOUBLE = 2

_OTHER_EVENT_FIELDS = frozenset((3, 4, 6, 7, 8, 9))
_OTHER_VALUE_FIELDS = frozenset((3, 4, 5, 6))

_Bytes = bytes | memoryview
"""The buffer being parsed: the caller's bytes, or a byte view of another buffer."""

_unpack_q = struct.Struct("<Q").unpack_from
_unpack_i = struct.Struct("<I").unpack_from
_unpack_d = struct.Struct("<d").unpack_from
_unpack_f = struct.Struct("<f").unpack_from


class _Malformed(Exception):
    """Raised (and caught per record) when a message does not decode."""


def _masked_crc(data: memoryview) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


# --- protobuf wire decoding -------------------------------------------------------------------


def _varint(data: _Bytes, i: int, end: int) -> tuple[int, int]:
    """Decode the varint at ``i``; returns ``(value, next index)``."""
    result = 0
    shift = 0
    while shift < 70:
        if i >= end:
            raise _Malformed
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & _U64, i
        shift += 7
    raise _Malformed


def _key(data: _Bytes, i: int, end: int) -> tuple[int, int, int]:
    """Decode a field key; returns ``(field number, wire type, next index)``."""
    byte = data[i]  # callers guarantee i < end
    if byte < 0x80:
        key = byte
        i += 1
    else:
        key, i = _varint(data, i, end)
        if key > _U32:
            raise _Malformed
    if key < 8:
        raise _Malformed  # field number 0
    return key >> 3, key & 7, i


def _length(data: _Bytes, i: int, end: int) -> tuple[int, int]:
    """Decode the length of a length-delimited field; returns ``(length, start of bytes)``."""
    byte = data[i] if i < end else 0x80
    if byte < 0x80:
        length = byte
        i += 1
    else:
        length, i = _varint(data, i, end)
    if length > end - i:
        raise _Malformed
    return length, i


def _skip(data: _Bytes, i: int, end: int, wire: int) -> int:
    """Skip the value of a field of the given wire type; returns the next index."""
    if wire == _WIRE_VARINT:
        return _varint(data, i, end)[1]
    if wire == _WIRE_LEN:
        length, i = _length(data, i, end)
        return i + length
    if wire == _WIRE_FIXED64:
        i += 8
    elif wire == _WIRE_FIXED32:
        i += 4
    else:
        raise _Malformed  # groups (3, 4) and the undefined wire types 6, 7
    if i > end:
        raise _Malformed
    return i


# --- Event, Summary, Value, TensorProto -----------------------------------------------------


def _event_header(data: _Bytes, i: int, end: int) -> tuple[float, int, bool]:
    """First pass over an Event: ``(wall_time, step, is_summary_event)``."""
    wall_time = 0.0
    step = 0
    summary = False
    other = False
    while i < end:
        number, wire, i = _key(data, i, end)
        if number == 1 and wire == _WIRE_FIXED64:
            if end - i < 8:
                raise _Malformed
            wall_time = _unpack_d(data, i)[0]
            i += 8
        elif number == 2 and wire == _WIRE_VARINT:
            step, i = _varint(data, i, end)
            if step > _INT64_MAX:
                step -= 1 << 64
        elif wire == _WIRE_LEN:
            length, i = _length(data, i, end)
            i += length
            if number == 5:
                summary = True
            elif number in _OTHER_EVENT_FIELDS:
                other = True
        else:
            i = _skip(data, i, end, wire)
    return wall_time, step, summary and not other


def _summary_values(data: _Bytes, i: int, end: int, rows: list[tuple]) -> None:
    """Append one row per ``Summary.Value`` of every ``summary`` field of the Event."""
    while i < end:
        number, wire, i = _key(data, i, end)
        if number == 5 and wire == _WIRE_LEN:
            length, i = _length(data, i, end)
            _summary(data, i, i + length, rows)
            i += length
        else:
            i = _skip(data, i, end, wire)


def _summary(data: _Bytes, i: int, end: int, rows: list[tuple]) -> None:
    while i < end:
        number, wire, i = _key(data, i, end)
        if number == 1 and wire == _WIRE_LEN:
            length, i = _length(data, i, end)
            if length > _INT32_MAX:
                raise _Malformed
            rows.append(_value(data, i, i + length))
            i += length
        else:
            i = _skip(data, i, end, wire)


def _value(data: _Bytes, start: int, end: int) -> tuple:
    """Decode one ``Summary.Value``: ``(tag, kind, value, offset, length, meta offset, meta
    length)`` with offsets relative to the buffer."""
    tag = node_name = (0, 0)
    meta = (-1, 0)
    simple: float | None = None
    tensor: _Tensor | None = None
    other = False
    i = start
    while i < end:
        number, wire, i = _key(data, i, end)
        if wire == _WIRE_LEN:
            length, i = _length(data, i, end)
            if number == 1:
                tag = (i, length)
            elif number == 7:
                node_name = (i, length)
            elif number == 9:
                meta = (i, length)
            elif number == 8:
                if tensor is None:
                    tensor = _Tensor()
                tensor.merge(data, i, i + length)
            elif number in _OTHER_VALUE_FIELDS:
                other = True
            i += length
        elif number == 2 and wire == _WIRE_FIXED32:
            if end - i < 4:
                raise _Malformed
            simple = _unpack_f(data, i)[0]
            i += 4
        else:
            i = _skip(data, i, end, wire)
    kind, value = KIND_OTHER, 0.0
    if simple is not None:
        if tensor is None and not other:
            kind, value = KIND_SIMPLE_VALUE, simple
    elif tensor is not None and not other:
        kind, value = tensor.scalar(data)
    name = tag if tag[1] else node_name
    return (name, kind, value, start, end - start, meta[0], meta[1])


class _Tensor:
    """What decides whether a ``TensorProto`` is a float/double scalar, merged over all the
    ``tensor`` fields of a Value."""

    __slots__ = (
        "dtype",
        "dims",
        "unknown_rank",
        "content",
        "float_count",
        "float_last",
        "double_count",
        "double_last",
    )

    def __init__(self) -> None:
        self.dtype = 0
        self.dims = 0
        self.unknown_rank = False
        self.content = (0, 0)
        self.float_count = 0
        self.float_last = 0.0
        self.double_count = 0
        self.double_last = 0.0

    def merge(self, data: _Bytes, i: int, end: int) -> None:
        """Decode one serialized TensorProto into this state."""
        while i < end:
            number, wire, i = _key(data, i, end)
            if number == 1 and wire == _WIRE_VARINT:
                dtype, i = _varint(data, i, end)
                self.dtype = dtype & _U32  # enums are int32 on the wire
            elif number == 5 and wire == _WIRE_FIXED32:
                if end - i < 4:
                    raise _Malformed
                self.float_count += 1
                self.float_last = _unpack_f(data, i)[0]
                i += 4
            elif number == 6 and wire == _WIRE_FIXED64:
                if end - i < 8:
                    raise _Malformed
                self.double_count += 1
                self.double_last = _unpack_d(data, i)[0]
                i += 8
            elif wire == _WIRE_LEN:
                length, i = _length(data, i, end)
                if number == 2:
                    self._merge_shape(data, i, i + length)
                elif number == 4:
                    self.content = (i, length)
                elif number == 5:
                    self._packed_floats(data, i, length)
                elif number == 6:
                    self._packed_doubles(data, i, length)
                i += length
            else:
                i = _skip(data, i, end, wire)

    def _packed_floats(self, data: _Bytes, i: int, length: int) -> None:
        if length % 4:
            raise _Malformed
        if length:
            self.float_count += length // 4
            self.float_last = _unpack_f(data, i + length - 4)[0]

    def _packed_doubles(self, data: _Bytes, i: int, length: int) -> None:
        if length % 8:
            raise _Malformed
        if length:
            self.double_count += length // 8
            self.double_last = _unpack_d(data, i + length - 8)[0]

    def _merge_shape(self, data: _Bytes, i: int, end: int) -> None:
        while i < end:
            number, wire, i = _key(data, i, end)
            if number == 2 and wire == _WIRE_LEN:
                length, i = _length(data, i, end)
                self.dims += 1
                i += length
            elif number == 3 and wire == _WIRE_VARINT:
                flag, i = _varint(data, i, end)
                self.unknown_rank = flag != 0
            else:
                i = _skip(data, i, end, wire)

    def scalar(self, data: _Bytes) -> tuple[int, float]:
        """``(kind, value)``: a scalar tensor kind and its value, or KIND_OTHER."""
        if self.dims or self.unknown_rank:
            return KIND_OTHER, 0.0
        start, length = self.content
        if self.dtype == _DT_FLOAT:
            if length == 4:
                return KIND_FLOAT_TENSOR, _unpack_f(data, start)[0]
            if length == 0 and self.float_count == 1:
                return KIND_FLOAT_TENSOR, self.float_last
        elif self.dtype == _DT_DOUBLE:
            if length == 8:
                return KIND_DOUBLE_TENSOR, _unpack_d(data, start)[0]
            if length == 0 and self.double_count == 1:
                return KIND_DOUBLE_TENSOR, self.double_last
        return KIND_OTHER, 0.0


# --- the scan -------------------------------------------------------------------------------


# dtypes of the v_* and o_* columns, in the order of the row tuples.
_VALUE_DTYPES = (
    np.int32,  # v_record
    np.int32,  # v_tag
    np.uint8,  # v_kind
    np.int64,  # v_step
    np.float64,  # v_wall_time
    np.float64,  # v_value
    np.int64,  # v_offset
    np.int32,  # v_length
    np.int64,  # v_meta_offset
    np.int32,  # v_meta_length
)
_OTHER_DTYPES = (np.int32, np.int64, np.int64)  # o_record, o_offset, o_length


def _columns(rows: list[tuple], dtypes: tuple[type[np.generic], ...]) -> list[np.ndarray]:
    """Row tuples to read-only column arrays (read-only like the C implementation's)."""
    columns: Iterable[tuple] = zip(*rows, strict=True) if rows else [()] * len(dtypes)
    arrays = []
    for column, dtype in zip(columns, dtypes, strict=True):
        array = np.array(column, dtype)
        array.flags.writeable = False
        arrays.append(array)
    return arrays


class _Output:
    """Rows and damage found so far."""

    def __init__(self, data: _Bytes, base: int) -> None:
        self.data = data
        self.base = base
        self.tags: list[bytes] = []
        self.tag_index: dict[bytes, int] = {}
        self.values: list[tuple] = []
        self.others: list[tuple[int, int, int]] = []
        self.damage: list[tuple[int, str]] = []
        self.records = 0

    def add_values(self, rows: list[tuple], step: int, wall_time: float) -> None:
        data, base, tags, tag_index = self.data, self.base, self.tags, self.tag_index
        append = self.values.append
        record = self.records
        for (tag_start, tag_length), kind, value, start, length, meta_start, meta_length in rows:
            tag = bytes(data[tag_start : tag_start + tag_length])
            index = tag_index.get(tag)
            if index is None:
                index = tag_index[tag] = len(tags)
                tags.append(tag)
            meta_offset = base + meta_start if meta_start >= 0 else -1
            append(
                (record, index, kind, step, wall_time, value)
                + (base + start, length, meta_offset, meta_length)
            )
        self.records += 1

    def add_other(self, start: int, length: int) -> None:
        self.others.append((self.records, self.base + start, length))
        self.records += 1

    def add_damage(self, offset: int, message: str) -> None:
        self.damage.append((self.base + offset, message))

    def result(self, consumed: int, resync: bool) -> ScanResult:
        v = _columns(self.values, _VALUE_DTYPES)
        o = _columns(self.others, _OTHER_DTYPES)
        return ScanResult(
            consumed=consumed,
            resync=resync,
            tags=self.tags,
            v_record=v[0],
            v_tag=v[1],
            v_kind=v[2],
            v_step=v[3],
            v_wall_time=v[4],
            v_value=v[5],
            v_offset=v[6],
            v_length=v[7],
            v_meta_offset=v[8],
            v_meta_length=v[9],
            o_record=o[0],
            o_offset=o[1],
            o_length=o[2],
            damage=self.damage,
            records=self.records,
        )


def _record(out: _Output, data: _Bytes, start: int, length: int) -> bool:
    """Decode the Event payload at ``start`` into ``out``; False if it is not a valid Event."""
    end = start + length
    try:
        wall_time, step, is_summary = _event_header(data, start, end)
        if is_summary:
            rows: list[tuple] = []
            _summary_values(data, start, end, rows)
    except _Malformed:
        return False
    if is_summary:
        out.add_values(rows, step, wall_time)
    else:
        out.add_other(start, length)
    return True


def _find_header(data: memoryview, i: int, limit: int) -> int:
    """First offset from ``i`` with a trustworthy header (see the module docstring), or -1."""
    n = len(data)
    for c in range(i, n - _HEADER + 1):
        if _masked_crc(data[c : c + 8]) != _unpack_i(data, c + 8)[0]:
            continue
        length = _unpack_q(data, c)[0]
        if length > limit:
            continue
        payload = c + _HEADER
        if n - payload < length + _FOOTER:
            return c  # not all there yet: wait for it
        if _masked_crc(data[payload : payload + length]) == _unpack_i(data, payload + length)[0]:
            return c
    return -1


def scan(
    buf: bytes | bytearray | memoryview,
    base_offset: int = 0,
    resync: bool = False,
    max_record_length: int = DEFAULT_MAX_RECORD_LENGTH,
) -> ScanResult:
    """Scan ``buf`` (the bytes of an event file from ``base_offset`` on); see the module
    docstrings of this module and of :mod:`tbcore.io.scan`."""
    view = memoryview(buf).cast("B")
    data: _Bytes = buf if type(buf) is bytes else view  # indexing bytes is faster
    n = len(view)
    if base_offset < 0 or base_offset + n > _INT64_MAX:
        raise ValueError(f"base_offset {base_offset} out of range")
    if max_record_length < 0:
        raise ValueError(f"max_record_length {max_record_length} is negative")
    out = _Output(data, base_offset)
    pos = 0
    searching = bool(resync)
    skip_start = 0
    while True:
        if searching:
            found = _find_header(view, pos, max_record_length)
            if found < 0:
                return out.result(max(pos, n - _HEADER + 1), True)
            out.add_damage(
                skip_start,
                MSG_SKIPPED.format(count=found - skip_start, offset=base_offset + found),
            )
            pos = found
            searching = False
        if n - pos < _HEADER:
            break
        length = _unpack_q(data, pos)[0]
        if _masked_crc(view[pos : pos + 8]) != _unpack_i(data, pos + 8)[0]:
            out.add_damage(pos, MSG_HEADER_CRC)
        elif length > max_record_length:
            out.add_damage(pos, MSG_TOO_LONG.format(length=length, limit=max_record_length))
        else:
            payload = pos + _HEADER
            if n - payload < length + _FOOTER:
                break  # incomplete: wait for the rest
            footer = payload + length
            if _masked_crc(view[payload:footer]) != _unpack_i(data, footer)[0]:
                out.add_damage(pos, MSG_PAYLOAD_CRC.format(length=length))
            elif not _record(out, data, payload, length):
                out.add_damage(pos, MSG_NOT_EVENT.format(length=length))
            pos = footer + _FOOTER
            continue
        searching = True
        skip_start = pos
        pos += 1
    return out.result(pos, False)
