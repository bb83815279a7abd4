"""Images: layout conversion, grids and a small PNG encoder (numpy and zlib only)."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from tbcore.proto import summary_pb2

IMAGE_LAYOUTS = ("CHW", "HWC", "HW")
BATCH_LAYOUTS = ("NCHW", "NHWC")
# PNG colour types by channel count: grey, grey+alpha, RGB, RGBA.
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}
_GRID_COLUMNS = 8  # as torch.utils.tensorboard lays out add_images


def encode_png(pixels: np.ndarray) -> bytes:
    """A PNG of ``pixels``, a uint8 array of shape ``[H, W]`` or ``[H, W, C]`` (C in 1..4)."""
    if pixels.dtype != np.uint8:
        raise ValueError(f"PNG pixels must be uint8, got {pixels.dtype}")
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    if channels not in _PNG_COLOR_TYPES:
        raise ValueError(f"PNG images have 1 to 4 channels, got {channels}")
    # Each scanline starts with its filter type; 0 is "none" and zlib does the rest.
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def to_hwc(image: np.ndarray, dataformats: str, grey_alpha: bool = False) -> np.ndarray:
    """One image in layout ``dataformats`` (CHW, HWC or HW) as an ``[H, W, C]`` array of 1,
    3 or 4 channels, or 2 (grey and alpha, as torch's ``add_image`` writes) with
    ``grey_alpha``."""
    layout = dataformats.upper()
    if layout not in IMAGE_LAYOUTS:
        raise ValueError(f"dataformats={dataformats!r} is not one of {', '.join(IMAGE_LAYOUTS)}")
    if image.ndim != len(layout):
        raise ValueError(
            f"image of shape {image.shape} does not match dataformats={dataformats!r}; an image "
            f"has one of the layouts {', '.join(IMAGE_LAYOUTS)} (or use add_images for "
            f"{', '.join(BATCH_LAYOUTS)})"
        )
    if layout == "HW":
        return image[:, :, None]
    hwc = image.transpose([layout.index(c) for c in "HWC"])
    return _check_channels(hwc, image.shape, (1, 2, 3, 4) if grey_alpha else (1, 3, 4))


def images_hwc(images: np.ndarray, dataformats: str) -> np.ndarray:
    """What ``add_images`` draws, as ``[H, W, C]``: a batch in layout NCHW or NHWC tiled by
    :func:`grid_hwc`, or, as torch also takes, one image in layout CHW, HWC or HW (as
    :func:`to_hwc` with ``grey_alpha``, which is what torch's ``add_image`` writes too)."""
    layout = dataformats.upper()
    if layout in IMAGE_LAYOUTS:
        return to_hwc(images, dataformats, grey_alpha=True)
    if layout not in BATCH_LAYOUTS:
        layouts = ", ".join((*BATCH_LAYOUTS, *IMAGE_LAYOUTS))
        raise ValueError(f"dataformats={dataformats!r} is not one of {layouts}")
    return grid_hwc(images, dataformats)


def grid_hwc(images: np.ndarray, dataformats: str) -> np.ndarray:
    """A batch in layout NCHW or NHWC tiled into one ``[H, W, C]`` image, 8 per row."""
    layout = dataformats.upper()
    if layout not in BATCH_LAYOUTS:
        raise ValueError(f"dataformats={dataformats!r} is not one of {', '.join(BATCH_LAYOUTS)}")
    if images.ndim != 4:
        raise ValueError(
            f"images of shape {images.shape} do not match dataformats={dataformats!r}; a batch "
            f"has one of the layouts {', '.join(BATCH_LAYOUTS)} (one image: dataformats "
            f"{', '.join(IMAGE_LAYOUTS)})"
        )
    batch = images.transpose([layout.index(c) for c in "NHWC"])
    _check_channels(batch, images.shape)
    count, height, width, channels = batch.shape
    if count == 0:
        raise ValueError("add_images got an empty batch")
    cols = min(count, _GRID_COLUMNS)
    rows = -(-count // cols)
    canvas = np.zeros((rows * height, cols * width, channels), dtype=batch.dtype)
    for i in range(count):
        y, x = divmod(i, cols)
        canvas[y * height : (y + 1) * height, x * width : (x + 1) * width] = batch[i]
    return canvas


def _check_channels(
    hwc: np.ndarray, shape: tuple[int, ...], allowed: tuple[int, ...] = (1, 3, 4)
) -> np.ndarray:
    if hwc.shape[-1] not in allowed:
        names = {1: "1 (grey)", 2: "2 (grey, alpha)", 3: "3 (RGB)", 4: "4 (RGBA)"}
        expected = ", ".join(names[n] for n in allowed[:-1]) + f" or {names[allowed[-1]]}"
        raise ValueError(
            f"image of shape {shape} has {hwc.shape[-1]} channels; expected {expected} "
            "— is dataformats right?"
        )
    return hwc


def to_uint8(hwc: np.ndarray) -> np.ndarray:
    """Pixels as uint8: uint8 input is kept, anything else is taken to be in [0, 1].

    Like torch.utils.tensorboard, floats are scaled by 255, clipped and truncated.
    """
    if hwc.dtype == np.uint8:
        return hwc
    scaled = (hwc.astype(np.float32) * 255.0).clip(0, 255)
    return scaled.astype(np.uint8)


def image_value(tag: str, hwc: np.ndarray) -> summary_pb2.Summary.Value:
    """A legacy ``Summary.Value`` holding ``hwc`` (any numeric dtype) as a PNG."""
    pixels = to_uint8(hwc)
    height, width, channels = pixels.shape
    image = summary_pb2.Summary.Image(
        height=height, width=width, colorspace=channels, encoded_image_string=encode_png(pixels)
    )
    return summary_pb2.Summary.Value(tag=tag, image=image)
