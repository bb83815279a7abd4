"""Images with bounding boxes drawn on them, as torch's ``add_image_with_boxes`` draws them.

Boxes are ``[x_min, y_min, x_max, y_max]`` in pixels, drawn in red, two pixels wide, each
with its label (if any) on a red band above the box's bottom edge, in Pillow's default font.
Drawing needs Pillow (an optional dependency).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tbcore.proto import summary_pb2
from tbcore.summary._optional import require
from tbcore.summary.images import (
    BATCH_LAYOUTS,
    IMAGE_LAYOUTS,
    encode_png,
    grid_hwc,
    to_hwc,
    to_uint8,
)

logger = logging.getLogger(__name__)

_BOX_COLOR = "Red"
_TEXT_COLOR = "black"
_LINE_WIDTH = 2


def boxes_image_value(
    tag: str,
    img: Any,
    boxes: Any,
    rescale: float = 1,
    dataformats: str = "CHW",
    labels: Sequence[str] | str | None = None,
) -> summary_pb2.Summary.Value:
    """The image summary of ``img`` (layout ``dataformats``; uint8 or floats in [0, 1]) with
    ``boxes`` (``[N, 4]``) drawn on it, then resized by ``rescale``."""
    image_module = require("PIL.Image", "Pillow", "add_image_with_boxes")
    array = np.asarray(img)
    if dataformats.upper() in BATCH_LAYOUTS:
        hwc = grid_hwc(array, dataformats)
    elif dataformats.upper() in IMAGE_LAYOUTS:
        hwc = to_hwc(array, dataformats)
    else:
        layouts = ", ".join((*IMAGE_LAYOUTS, *BATCH_LAYOUTS))
        raise ValueError(f"dataformats={dataformats!r} is not one of {layouts}")
    pixels = to_uint8(hwc)
    if pixels.shape[-1] == 1:  # boxes are red: draw on an RGB copy of a grey image
        pixels = np.repeat(pixels, 3, axis=-1)
    box_array = np.asarray(boxes, dtype=np.float64)
    if box_array.ndim != 2 or box_array.shape[1] != 4:
        raise ValueError(
            f"add_image_with_boxes({tag!r}): boxes of shape {box_array.shape} must have the "
            "shape (N, 4), one [x_min, y_min, x_max, y_max] per box"
        )
    label_list = _labels(tag, labels, len(box_array))
    image = image_module.fromarray(np.ascontiguousarray(pixels))
    for i, box in enumerate(box_array):
        _draw_box(image, box, None if label_list is None else label_list[i])
    height, width = pixels.shape[:2]
    size = (int(width * rescale), int(height * rescale))
    if size[0] < 1 or size[1] < 1:
        raise ValueError(f"rescale={rescale} leaves no pixels of a {width}x{height} image")
    image = image.resize(size, image_module.Resampling.LANCZOS)
    drawn = np.asarray(image)
    summary_image = summary_pb2.Summary.Image(
        height=size[1],
        width=size[0],
        colorspace=drawn.shape[-1] if drawn.ndim == 3 else 1,
        encoded_image_string=encode_png(drawn),
    )
    return summary_pb2.Summary.Value(tag=tag, image=summary_image)


def _labels(tag: str, labels: Sequence[str] | str | None, count: int) -> list[str] | None:
    if labels is None:
        return None
    label_list = [labels] if isinstance(labels, str) else [str(label) for label in labels]
    if len(label_list) != count:
        # torch drops such labels silently; say so, and still draw the boxes.
        logger.warning(
            "add_image_with_boxes(%r): %d labels for %d boxes; drawing the boxes without labels",
            tag,
            len(label_list),
            count,
        )
        return None
    return label_list


def _draw_box(image: Any, box: np.ndarray, label: str | None) -> None:
    draw_module = require("PIL.ImageDraw", "Pillow", "add_image_with_boxes")
    font_module = require("PIL.ImageFont", "Pillow", "add_image_with_boxes")
    left, top, right, bottom = (float(v) for v in box)
    draw = draw_module.Draw(image)
    outline = [(left, top), (left, bottom), (right, bottom), (right, top), (left, top)]
    draw.line(outline, width=_LINE_WIDTH, fill=_BOX_COLOR)
    if not label:
        return
    font = font_module.load_default()
    x0, y0, x1, y1 = font.getbbox(label)
    text_width, text_height = x1 - x0, y1 - y0
    margin = math.ceil(0.05 * text_height)
    band = [(left, bottom - text_height - 2 * margin), (left + text_width, bottom)]
    draw.rectangle(band, fill=_BOX_COLOR)
    draw.text((left + margin, bottom - text_height - margin), label, fill=_TEXT_COLOR, font=font)
