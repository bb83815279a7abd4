"""TensorFlow's tensor bundle (a checkpoint ``prefix.index`` and its ``prefix.data-*`` shards),
read without TensorFlow.

The ``.index`` file is a table (:mod:`tbcore_projector.sstable`) whose key ``""`` holds a
``BundleHeaderProto`` (number of shards, endianness) and whose other keys are tensor names
holding a ``BundleEntryProto``: dtype, shape, shard, offset and size of the bytes in
``prefix.data-<shard:05d>-of-<shards:05d>``, and their masked CRC-32C. Numbers are stored in
the bundle's byte order; a string tensor stores the varint lengths of its elements, a
masked CRC-32C of those lengths, then the elements.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tbcore.io.records import masked_crc32c
from tbcore.proto import tensor_shape_pb2
from tbcore_projector.sstable import TableFormatError, read_table, read_varint

HEADER_KEY = b""

DTYPES: dict[int, str] = {
    1: "f4",  # DT_FLOAT
    2: "f8",  # DT_DOUBLE
    3: "i4",  # DT_INT32
    4: "u1",  # DT_UINT8
    5: "i2",  # DT_INT16
    6: "i1",  # DT_INT8
    9: "i8",  # DT_INT64
    10: "?",  # DT_BOOL
    8: "c8",  # DT_COMPLEX64
    14: "u2",  # DT_BFLOAT16: upper half of a float32, widened on reading
    17: "u2",  # DT_UINT16
    18: "c16",  # DT_COMPLEX128
    19: "f2",  # DT_HALF
    22: "u4",  # DT_UINT32
    23: "u8",  # DT_UINT64
}
"""TensorFlow ``DataType`` numbers of the dtypes read here, as numpy type codes."""
DT_STRING = 7
DT_BFLOAT16 = 14


class BundleError(ValueError):
    """A bundle that cannot be read, or a tensor that is not in it."""


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """Where one tensor's bytes are: ``BundleEntryProto``'s fields."""

    dtype: int
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    crc32c: int | None
    slices: tuple[tuple[tuple[int, int], ...], ...]
    """For a tensor saved in parts: each part's ``(start, length)`` per dimension, ``-1``
    for a whole dimension."""


def _fields(data: bytes) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields by number (varints and fixed as ints, others as bytes)."""
    out: dict[int, list[int | bytes]] = {}
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            (value,) = struct.unpack_from("<Q", data, pos)
            pos += 8
        elif wire == 5:
            (value,) = struct.unpack_from("<I", data, pos)
            pos += 4
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value = data[pos : pos + length]
            pos += length
        else:
            raise BundleError(f"unsupported protobuf wire type {wire}")
        out.setdefault(number, []).append(value)
    if pos != len(data):
        raise BundleError("protobuf message runs past its end")
    return out


def _int(fields: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    value = fields.get(number, [default])[-1]
    assert isinstance(value, int)
    return value


def parse_entry(data: bytes) -> BundleEntry:
    """A ``BundleEntryProto`` (dtype 1, shape 2, shard_id 3, offset 4, size 5, crc32c 6,
    slices 7)."""
    fields = _fields(data)
    shape_proto = tensor_shape_pb2.TensorShapeProto()
    shape_bytes = fields.get(2, [b""])[-1]
    assert isinstance(shape_bytes, bytes)
    shape_proto.ParseFromString(shape_bytes)
    crc = fields.get(6, [None])[-1]
    return BundleEntry(
        dtype=_int(fields, 1),
        shape=tuple(d.size for d in shape_proto.dim),
        shard_id=_int(fields, 3),
        offset=_int(fields, 4),
        size=_int(fields, 5),
        crc32c=crc if isinstance(crc, int) else None,
        slices=tuple(_slice(s) for s in fields.get(7, []) if isinstance(s, bytes)),
    )


def _slice(data: bytes) -> tuple[tuple[int, int], ...]:
    """A ``TensorSliceProto``: ``extent`` (1) of ``start`` (1) and optional ``length`` (2)."""
    extents = []
    for extent in _fields(data).get(1, []):
        assert isinstance(extent, bytes)
        fields = _fields(extent)
        extents.append((_signed(_int(fields, 1)), _signed(_int(fields, 2, -1))))
    return tuple(extents)


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def data_file_suffix(shard: int, num_shards: int) -> str:
    """``.data-00000-of-00002``: what follows the prefix in a shard's file name."""
    return f".data-{shard:05d}-of-{num_shards:05d}"


class TensorBundle:
    """The tensors of one checkpoint. ``index`` is the ``.index`` file's bytes;
    ``read_shard(suffix)`` returns the bytes of ``prefix + suffix`` (raising ``KeyError`` or
    ``OSError`` when it cannot)."""

    def __init__(self, index: bytes, read_shard: Callable[[str], bytes]) -> None:
        self._read_shard = read_shard
        self._shards: dict[int, bytes] = {}
        self.entries: dict[str, BundleEntry] = {}
        self._slice_keys: list[tuple[bytes, BundleEntry]] = []
        self.num_shards, self.big_endian = 1, False
        try:
            for key, value in read_table(index):
                if key == HEADER_KEY:
                    header = _fields(value)
                    self.num_shards = _int(header, 1, 1)
                    self.big_endian = _int(header, 2) == 1
                elif key.startswith(b"\x00"):  # a part of a tensor saved in slices
                    self._slice_keys.append((key, parse_entry(value)))
                else:
                    self.entries[key.decode("utf-8", "replace")] = parse_entry(value)
        except (TableFormatError, struct.error) as e:
            raise BundleError(f"unreadable checkpoint index: {e}") from e

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every tensor's shape, by name (TensorFlow's ``get_variable_to_shape_map``)."""
        return {name: entry.shape for name, entry in self.entries.items()}

    def has_tensor(self, name: str) -> bool:
        """Whether the bundle holds a tensor named ``name``."""
        return name in self.entries

    def _shard(self, shard: int) -> bytes:
        if shard not in self._shards:
            try:
                self._shards[shard] = self._read_shard(data_file_suffix(shard, self.num_shards))
            except (KeyError, OSError) as e:
                raise BundleError(f"data shard {shard} of {self.num_shards} is missing") from e
        return self._shards[shard]

    def tensor(self, name: str) -> np.ndarray:
        """The tensor ``name`` as a numpy array (bfloat16 widened to float32; strings as an
        object array of bytes)."""
        entry = self.entries.get(name)
        if entry is None:
            raise BundleError(f"no tensor {name!r} in the checkpoint")
        if entry.slices:
            return self._assemble(name, entry)
        return self._read(name, entry)

    def _read(self, name: str, entry: BundleEntry) -> np.ndarray:
        data = self._shard(entry.shard_id)[entry.offset : entry.offset + entry.size]
        if len(data) != entry.size:
            raise BundleError(f"tensor {name!r} runs past the end of its data shard")
        if entry.dtype == DT_STRING:
            return self._strings(name, entry, data)
        if entry.crc32c is not None and masked_crc32c(data) != entry.crc32c:
            raise BundleError(f"tensor {name!r} fails its CRC check")
        code = DTYPES.get(entry.dtype)
        if code is None:
            raise BundleError(f"tensor {name!r} has an unsupported dtype ({entry.dtype})")
        dtype = np.dtype(code).newbyteorder(">" if self.big_endian else "<")
        values = np.frombuffer(data, dtype=dtype)
        if entry.dtype == DT_BFLOAT16:
            values = (values.astype(np.uint32) << 16).view(np.float32)
        count = int(np.prod(entry.shape, dtype=np.int64))
        if values.size != count:
            raise BundleError(f"tensor {name!r}: {values.size} values for shape {entry.shape}")
        return values.reshape(entry.shape)

    def _slice_entries(self, name: str) -> list[BundleEntry]:
        """The entries of the parts of ``name``, in key order. A part's key is TensorFlow's
        order-preserving encoding of (0, name, its extents), so key order is the order of
        the parts sorted by their extents."""
        escaped = re.sub(
            rb"[\x00\xff]", lambda m: m.group() + bytes([255 - m.group()[0]]), name.encode()
        )
        prefix = b"\x00" + escaped + b"\x00\x01"
        return [entry for key, entry in self._slice_keys if key.startswith(prefix)]

    def _assemble(self, name: str, entry: BundleEntry) -> np.ndarray:
        parts = self._slice_entries(name)
        slices = sorted(entry.slices)
        if len(parts) != len(slices):
            raise BundleError(f"tensor {name!r}: {len(parts)} parts for {len(slices)} slices")
        out: np.ndarray | None = None
        for extents, part in zip(slices, parts):
            values = self._read(name, part)
            if out is None:
                out = np.zeros(entry.shape, dtype=values.dtype)
            index = tuple(
                slice(None) if length < 0 else slice(start, start + length)
                for start, length in extents
            )
            out[index] = values
        assert out is not None
        return out

    def _strings(self, name: str, entry: BundleEntry, data: bytes) -> np.ndarray:
        count = int(np.prod(entry.shape, dtype=np.int64))
        lengths, pos = [], 0
        for _ in range(count):
            length, pos = read_varint(data, pos)
            lengths.append(length)
        pos += 4  # masked CRC-32C of the lengths
        out = np.empty(count, dtype=object)
        for i, length in enumerate(lengths):
            out[i] = bytes(data[pos : pos + length])
            pos += length
        if pos != len(data):
            raise BundleError(f"string tensor {name!r} does not fill its bytes")
        return out.reshape(entry.shape)
