"""The MIME type of an image, from its first bytes (as TensorBoard's detector names them)."""

from __future__ import annotations

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
FALLBACK = "application/octet-stream"


def image_mime_type(data: bytes) -> str:
    """``image/png``, ``image/jpeg``, ``image/gif``, ``image/bmp``, or
    ``application/octet-stream`` for anything else."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return FALLBACK
