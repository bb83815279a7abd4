"""TFRecord framing, the container format of event files.

Each record is ``uint64 length | uint32 masked_crc32c(length) | payload |
uint32 masked_crc32c(payload)``, all little-endian. The CRC is CRC-32C (Castagnoli), masked
so that CRCs of data containing CRCs stay well distributed.
"""

from __future__ import annotations

import struct

import crc32c as _crc32c

_MASK_DELTA = 0xA282EAD8
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")


def masked_crc32c(data: bytes | bytearray | memoryview) -> int:
    """The masked CRC-32C of ``data``, as stored in TFRecord headers and footers."""
    crc = _crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame_record(payload: bytes) -> bytes:
    """``payload`` framed as one TFRecord."""
    length = _LENGTH.pack(len(payload))
    return length + _CRC.pack(masked_crc32c(length)) + payload + _CRC.pack(masked_crc32c(payload))
