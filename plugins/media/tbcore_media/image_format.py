"""What an encoded image is, from its first bytes: its content type and its pixel size.

Only the formats browsers show and writers produce are recognised (PNG, JPEG, GIF, WebP,
BMP); anything else, SVG included, is ``application/octet-stream`` so that it is never
rendered as a document.
"""

from __future__ import annotations

import struct

OCTET_STREAM = "application/octet-stream"

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
# JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def content_type(data: bytes) -> str:
    """The MIME type of the encoded image ``data``, or ``application/octet-stream``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return OCTET_STREAM


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` read from the header of ``data``; None when the format is not
    recognised or the header is cut short."""
    try:
        kind = content_type(data)
        if kind == "image/png" and data[12:16] == b"IHDR":
            return _pair(struct.unpack(">II", data[16:24]))
        if kind == "image/gif":
            return _pair(struct.unpack("<HH", data[6:10]))
        if kind == "image/bmp":
            width, height = struct.unpack("<ii", data[18:26])
            return _pair((width, abs(height)))  # negative height: rows stored top-down
        if kind == "image/jpeg":
            return _jpeg_size(data)
        if kind == "image/webp":
            return _webp_size(data)
    except struct.error:
        return None
    return None


def _pair(size: tuple[int, int]) -> tuple[int, int] | None:
    width, height = int(size[0]), int(size[1])
    return (width, height) if width > 0 and height > 0 else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments after SOI until a start-of-frame segment.
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return _pair((width, height))
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: 14-bit sizes after the key-frame start code
        width, height = struct.unpack("<HH", data[26:30])
        return _pair((width & 0x3FFF, height & 0x3FFF))
    if chunk == b"VP8L":  # lossless: 14-bit sizes minus one, packed after the signature byte
        (bits,) = struct.unpack("<I", data[21:25])
        return _pair(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
    if chunk == b"VP8X":  # extended: 24-bit canvas sizes minus one
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _pair((width, height))
    return None
