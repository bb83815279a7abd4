"""Videos as animated GIFs in a legacy image summary (TensorBoard's images dashboard plays them).

A batch of clips ``[N, T, C, H, W]`` is tiled into one clip the way torch does it: the batch
is padded with black clips to a power of two and laid out in a grid of ``2 ** ((log2 N) // 2)``
rows. GIFs are encoded with Pillow (an optional dependency, as moviepy is for torch).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from tbcore.proto import summary_pb2
from tbcore.summary._optional import require
from tbcore.summary.images import to_uint8

VIDEO_LAYOUT = "(N, T, C, H, W)"


def tile_clips(clips: np.ndarray) -> np.ndarray:
    """A batch ``[N, T, C, H, W]`` as one clip ``[T, H', W', C]`` with the clips in a grid."""
    if clips.ndim != 5:
        raise ValueError(
            f"video of shape {clips.shape} must have the layout {VIDEO_LAYOUT}: a batch of N "
            "clips of T frames, C channels (1, 3 or 4), H by W pixels"
        )
    count, frames, channels, height, width = clips.shape
    if channels not in (1, 3, 4):
        raise ValueError(
            f"video of shape {clips.shape} has {channels} channels; expected 1 (grey), 3 (RGB) "
            f"or 4 (RGBA) in the layout {VIDEO_LAYOUT}"
        )
    if count == 0 or frames == 0:
        raise ValueError(f"video of shape {clips.shape} has no frames")
    padded_count = 1 << (count - 1).bit_length()
    if padded_count != count:
        padding = np.zeros((padded_count - count, *clips.shape[1:]), dtype=clips.dtype)
        clips = np.concatenate([clips, padding])
    rows = 2 ** ((count.bit_length() - 1) // 2)
    cols = padded_count // rows
    grid = clips.reshape(rows, cols, frames, channels, height, width)
    return grid.transpose(2, 0, 4, 1, 5, 3).reshape(frames, rows * height, cols * width, channels)


def encode_gif(frames: np.ndarray, fps: float) -> bytes:
    """An animated, looping GIF of uint8 ``frames`` ``[T, H, W, C]`` at ``fps`` frames a second.

    Alpha is dropped (GIF has only one transparent colour). Frames with more than 256
    colours are quantized by Pillow.
    """
    image_module = require("PIL.Image", "Pillow", "add_video")
    if fps <= 0:
        raise ValueError(f"add_video needs fps > 0, got {fps}")
    if frames.shape[-1] == 1:
        images = [image_module.fromarray(np.ascontiguousarray(f[:, :, 0])) for f in frames]
    else:
        images = [image_module.fromarray(np.ascontiguousarray(f[:, :, :3])) for f in frames]
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / fps),  # milliseconds; GIF stores hundredths of a second
        loop=0,
    )
    return out.getvalue()


def video_value(tag: str, clips: Any, fps: float) -> summary_pb2.Summary.Value:
    """The image summary of ``clips`` ``[N, T, C, H, W]`` (uint8, or floats in [0, 1])."""
    frames = to_uint8(tile_clips(np.asarray(clips)))
    _, height, width, channels = frames.shape
    image = summary_pb2.Summary.Image(
        height=height,
        width=width,
        colorspace=channels,
        encoded_image_string=encode_gif(frames, fps),
    )
    return summary_pb2.Summary.Value(tag=tag, image=image)
