"""LevelDB's table format (an SSTable), as TensorFlow writes a checkpoint's ``.index`` file.

A table is a run of blocks and a fixed 48-byte footer. The footer holds the handles
(offset, size as varints) of the meta-index and index blocks and ends with a magic number.
The index block maps a key past the end of each data block to that block's handle. Every
block ends with its restart array (``uint32`` offsets, then their count) and is followed by a
trailer: one byte of compression type and the masked CRC-32C of block and type byte. An
entry stores how many bytes of the previous key it shares, the rest of its key and its value.

TensorFlow writes its bundles without compression; a compressed block is refused.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from tbcore.io.records import masked_crc32c

FOOTER_SIZE = 48
TABLE_MAGIC = 0xDB4775248B80FB57
BLOCK_TRAILER_SIZE = 5
NO_COMPRESSION = 0


class TableFormatError(ValueError):
    """The bytes are not a readable table; the message says where and why."""


def read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise TableFormatError("varint runs past the end of its block")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise TableFormatError("varint longer than 64 bits")


def _block(data: bytes, handle: bytes, what: str) -> memoryview:
    """The contents of the block ``handle`` points at, its trailer checked."""
    offset, pos = read_varint(handle, 0)
    size, _ = read_varint(handle, pos)
    end = offset + size
    if end + BLOCK_TRAILER_SIZE > len(data):
        raise TableFormatError(f"{what} block at {offset} runs past the end of the table")
    kind = data[end]
    if kind != NO_COMPRESSION:
        raise TableFormatError(f"{what} block at {offset} is compressed (type {kind})")
    (stored,) = struct.unpack_from("<I", data, end + 1)
    if masked_crc32c(memoryview(data)[offset : end + 1]) != stored:
        raise TableFormatError(f"{what} block at {offset} fails its CRC check")
    return memoryview(data)[offset:end]


def _entries(block: memoryview, what: str) -> Iterator[tuple[bytes, bytes]]:
    """The (key, value) pairs of one block, in order."""
    if len(block) < 4:
        raise TableFormatError(f"{what} block is shorter than its restart count")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * restarts
    if limit < 0:
        raise TableFormatError(f"{what} block claims {restarts} restarts")
    key, pos = b"", 0
    while pos < limit:
        shared, pos = read_varint(block, pos)
        unshared, pos = read_varint(block, pos)
        length, pos = read_varint(block, pos)
        if shared > len(key) or pos + unshared + length > limit:
            raise TableFormatError(f"{what} block has a malformed entry at {pos}")
        key = key[:shared] + bytes(block[pos : pos + unshared])
        pos += unshared
        yield key, bytes(block[pos : pos + length])
        pos += length


def read_table(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Every (key, value) of the table in ``data``, in key order."""
    if len(data) < FOOTER_SIZE:
        raise TableFormatError(f"{len(data)} bytes: shorter than a table footer")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, FOOTER_SIZE - 8)
    if magic != TABLE_MAGIC:
        raise TableFormatError("not a table: the footer's magic number is wrong")
    _, pos = read_varint(footer, 0)  # meta-index handle: offset
    _, pos = read_varint(footer, pos)  # and size; the meta-index is not needed
    index = _block(data, footer[pos:], "index")
    for _, handle in _entries(index, "index"):
        yield from _entries(_block(data, handle, "data"), "data")
