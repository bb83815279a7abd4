"""Content type and pixel size sniffed from encoded images made by a real encoder (Pillow)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tbcore.summary.images import encode_png
from tbcore_media.image_format import OCTET_STREAM, content_type, image_size


def _encode(fmt: str, size: tuple[int, int], mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 60) if mode == "RGB" else 0).save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "options", "mime"),
    [
        ("PNG", {}, "image/png"),
        ("JPEG", {}, "image/jpeg"),
        ("JPEG", {"progressive": True}, "image/jpeg"),
        ("GIF", {}, "image/gif"),
        ("BMP", {}, "image/bmp"),
        ("WEBP", {"lossless": False}, "image/webp"),
        ("WEBP", {"lossless": True}, "image/webp"),
    ],
)
def test_formats_and_sizes(fmt: str, options: dict[str, object], mime: str) -> None:
    data = _encode(fmt, (37, 21), **options)
    assert content_type(data) == mime
    assert image_size(data) == (37, 21)


def test_jpeg_with_exif_segment_before_the_frame() -> None:
    image = Image.new("RGB", (13, 50))
    exif = Image.Exif()
    exif[0x010E] = "a description long enough to make a real APP1 segment"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    assert b"Exif" in out.getvalue()[:100]  # an APP1 segment before the frame header
    assert image_size(out.getvalue()) == (13, 50)


def test_webp_extended_with_alpha() -> None:
    data = _encode("WEBP", (300, 2), mode="RGBA", lossless=False)
    assert content_type(data) == "image/webp"
    assert image_size(data) == (300, 2)


def test_our_own_png_writer() -> None:
    assert image_size(encode_png(np.zeros((5, 8, 3), dtype=np.uint8))) == (8, 5)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<html><script>alert(1)</script></html>",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"\x00\x01\x02",
    ],
)
def test_anything_else_is_an_octet_stream(data: bytes) -> None:
    assert content_type(data) == OCTET_STREAM
    assert image_size(data) is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP"])
def test_truncated_headers_have_no_size(fmt: str) -> None:
    data = _encode(fmt, (20, 10))
    assert image_size(data) == (20, 10)
    for cut in (3, 9):  # shorter than every header
        assert image_size(data[:cut]) is None
