"""The summaries ``tf.summary`` writes (TF2's tensor forms), made with numpy.

Each function returns the ``Summary.Value`` TensorFlow would write for the same call, as
TensorBoard reads it: the same plugin, the same tensor (values, dtype, shape); histogram
buckets and image pixels are computed the way TensorFlow computes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore.io.tensors import from_numpy
from tbcore.proto import summary_pb2
from tbcore.summary.images import encode_png

HISTOGRAM_BUCKETS = 30
"""``tf.summary.histogram``'s default bucket count."""
IMAGE_MAX_OUTPUTS = 3
"""``tf.summary.image``'s default ``max_outputs``."""
KERAS_MODEL_PLUGIN = "graph_keras_model"
"""The plugin of Keras's model config summary (the graph dashboard's conceptual graph)."""


def _value(tag: str, tensor: np.ndarray, plugin: str, content: bytes = b"") -> summary_pb2.Summary.Value:
    value = summary_pb2.Summary.Value(tag=tag, tensor=from_numpy(tensor))
    value.metadata.plugin_data.plugin_name = plugin
    value.metadata.plugin_data.content = content
    return value


def scalar_value(tag: str, value: Any) -> summary_pb2.Summary.Value:
    """``tf.summary.scalar(tag, value)``: a float32 scalar tensor."""
    return _value(tag, np.asarray(value, dtype=np.float32).reshape(()), "scalars")


def histogram_buckets(data: Any, bucket_count: int = HISTOGRAM_BUCKETS) -> np.ndarray:
    """``[k, 3]`` float64 rows ``(left, right, count)``, as ``tf.summary.histogram`` buckets
    ``data``: ``bucket_count`` equal-width buckets from its min to its max (the last one
    closed), every bucket at the single value when all values are equal, zeros when empty."""
    values = np.asarray(data, dtype=np.float64).reshape(-1)
    if bucket_count <= 0 or values.size == 0:
        return np.zeros((max(bucket_count, 0), 3), dtype=np.float64)
    low, high = values.min(), values.max()
    if high == low:
        counts = np.zeros(bucket_count)
        counts[-1] = values.size
        edges = np.full(bucket_count, high)
        return np.stack([edges, edges, counts], axis=1)
    width = (high - low) / bucket_count
    indices = np.minimum(np.floor((values - low) / width).astype(np.int32), bucket_count - 1)
    counts = np.bincount(indices, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    edges[-1] = high
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram_value(tag: str, data: Any, bucket_count: int = HISTOGRAM_BUCKETS) -> summary_pb2.Summary.Value:
    """``tf.summary.histogram(tag, data)``."""
    return _value(tag, histogram_buckets(data, bucket_count), "histograms")


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Pixels as ``tf.image.convert_image_dtype(images, tf.uint8, saturate=True)`` makes them:
    floats are scaled by 255.5, then clipped to [0, 255] and truncated."""
    if images.dtype == np.uint8:
        return images
    if np.issubdtype(images.dtype, np.floating):
        scaled = images.astype(np.float64) * 255.5
        return np.clip(scaled, 0, 255).astype(np.uint8)
    return np.clip(images, 0, 255).astype(np.uint8)


def image_value(tag: str, images: Any, max_outputs: int = IMAGE_MAX_OUTPUTS) -> summary_pb2.Summary.Value:
    """``tf.summary.image(tag, images)``: ``images`` is ``[k, h, w, c]``; the width and height
    as strings, then up to ``max_outputs`` PNG files."""
    pixels = to_uint8(np.asarray(images))
    if pixels.ndim != 4 or pixels.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"images must be [k, h, w, c] with c in 1..4, got shape {pixels.shape}")
    blobs = [str(pixels.shape[2]).encode(), str(pixels.shape[1]).encode()]
    blobs += [encode_png(image) for image in pixels[:max_outputs]]
    return _value(tag, np.array(blobs, dtype=object), "images")


def keras_model_value(tag: str, model_json: str) -> summary_pb2.Summary.Value:
    """Keras's ``keras_model_summary``: the model's JSON config, for the conceptual graph."""
    return _value(tag, np.array(model_json.encode("utf-8"), dtype=object), KERAS_MODEL_PLUGIN, b"1")
