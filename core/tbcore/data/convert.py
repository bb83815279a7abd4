"""Turning summary values of any vintage into the three data classes.

Old writers used dedicated ``Summary.Value`` fields (``simple_value``, ``histo``, ``image``,
``audio``); TF2 writes a tensor plus ``SummaryMetadata`` naming the plugin. As TensorBoard
does on ingestion, legacy values become their TF2 tensor form, and the data class of a series
is decided by the first value seen for its (run, tag):

* ``simple_value`` -> plugin ``scalars``, scalar;
* ``histo`` -> plugin ``histograms``, tensor ``[k, 3]`` of (left, right, count), empty
  end buckets dropped and the outer edges replaced by min and max;
* ``image`` -> plugin ``images``, blobs ``[width, height, encoded]``;
* ``audio`` -> plugin ``audio``, blobs ``[encoded]`` (labels projected out);
* a tensor -> the data class its metadata names, or the one its plugin is known to use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tbcore.data.provider import DataClass
from tbcore.io.tensors import to_numpy
from tbcore.proto import plugin_audio_pb2, plugin_image_pb2, summary_pb2

# Data class of the series of each known plugin, when the metadata does not say.
PLUGIN_DATA_CLASSES: dict[str, DataClass] = {
    "scalars": DataClass.SCALAR,
    "histograms": DataClass.TENSOR,
    "images": DataClass.BLOB_SEQUENCE,
    "audio": DataClass.BLOB_SEQUENCE,
    "text": DataClass.TENSOR,
    "hparams": DataClass.TENSOR,
    "pr_curves": DataClass.TENSOR,
    "mesh": DataClass.TENSOR,
    "custom_scalars": DataClass.TENSOR,
    "graphs": DataClass.BLOB_SEQUENCE,
    "graph_run_metadata": DataClass.BLOB_SEQUENCE,
    "graph_run_metadata_graph": DataClass.BLOB_SEQUENCE,
    "graph_keras_model": DataClass.BLOB_SEQUENCE,
    "graph_tagged_run_metadata": DataClass.BLOB_SEQUENCE,
}

RUN_GRAPH_TAG = "__run_graph__"
"""Tag of the series holding ``Event.graph_def`` (plugin ``graphs``), as in TensorBoard."""
META_GRAPH_TAG = "__meta_graph__"
"""Tag of the series holding ``Event.meta_graph_def`` (plugin ``graphs``)."""
TAGGED_RUN_METADATA_PLUGIN = "graph_tagged_run_metadata"
"""Plugin of the series holding ``Event.tagged_run_metadata``, tagged by its own tag."""

@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What a series is, fixed by the first value seen for its (run, tag)."""

    plugin_name: str
    data_class: DataClass
    plugin_content: bytes = b""
    display_name: str = ""
    description: str = ""


def info_from_metadata(
    metadata: summary_pb2.SummaryMetadata, legacy_plugin: str = "", tag: str = ""
) -> SeriesInfo:
    """The series info that ``metadata`` describes.

    ``legacy_plugin`` names the plugin of a legacy value (``simple_value`` and friends), which
    carries at most a display name and description in its metadata; its display name
    defaults to its ``tag``, as in TensorBoard's migration.
    """
    plugin = legacy_plugin or metadata.plugin_data.plugin_name
    data_class = DataClass(metadata.data_class) if not legacy_plugin else DataClass.UNKNOWN
    if data_class == DataClass.UNKNOWN:
        data_class = PLUGIN_DATA_CLASSES.get(plugin, DataClass.UNKNOWN)
    content = b"" if legacy_plugin else metadata.plugin_data.content
    if legacy_plugin == "images":
        content = plugin_image_pb2.ImagePluginData(converted_to_tensor=True).SerializeToString()
    elif legacy_plugin == "audio":
        content = plugin_audio_pb2.AudioPluginData(
            encoding=plugin_audio_pb2.AudioPluginData.WAV, converted_to_tensor=True
        ).SerializeToString()
    return SeriesInfo(
        plugin_name=plugin,
        data_class=data_class,
        plugin_content=content,
        display_name=metadata.display_name or (tag if legacy_plugin else ""),
        description=metadata.summary_description,
    )


LEGACY_PLUGINS = {"simple_value": "scalars", "histo": "histograms", "image": "images", "audio": "audio"}


def info_for_value(value: summary_pb2.Summary.Value) -> SeriesInfo:
    """Series info for a series whose first value is ``value``."""
    which = value.WhichOneof("value")
    legacy = LEGACY_PLUGINS.get(which or "", "")
    return info_from_metadata(value.metadata, legacy, value.tag or value.node_name)


def tensor_for_series(value: summary_pb2.Summary.Value, info: SeriesInfo) -> np.ndarray | None:
    """The value's tensor for a tensor-class series; hparams values, which may carry only
    metadata, get an empty float32 vector (TensorBoard's null tensor).

    The array is read-only: readers get the stored array itself, so none may change it."""
    data = tensor_of(value)
    if data is None and info.plugin_name == "hparams":
        data = np.zeros((0,), dtype=np.float32)
    if data is not None:
        data.flags.writeable = False
    return data


def tensor_of(value: summary_pb2.Summary.Value) -> np.ndarray | None:
    """The value's data in TF2 tensor form, or None when it holds no data we understand."""
    which = value.WhichOneof("value")
    if which == "tensor":
        return to_numpy(value.tensor)
    if which == "simple_value":
        return np.asarray(value.simple_value, dtype=np.float32)
    if which == "histo":
        return legacy_histogram(value.histo)
    if which == "image":
        img = value.image
        return _strings([str(img.width).encode(), str(img.height).encode(), img.encoded_image_string])
    if which == "audio":
        return _strings([value.audio.encoded_audio_string])
    return None


def scalar_of(value: summary_pb2.Summary.Value) -> float | None:
    """The single number a scalar-class value holds, or None when it is not one number."""
    data = tensor_of(value)
    if data is None or data.size != 1 or data.dtype == object:
        return None
    return float(data.reshape(()))


def blobs_of(value: summary_pb2.Summary.Value, info: SeriesInfo) -> list[bytes]:
    """The blobs of a blob-sequence value, in order (as TensorBoard's migration shapes them)."""
    data = tensor_of(value)
    if data is None:
        return []
    if data.dtype != object:
        raise ValueError(f"blob sequence value of dtype {data.dtype}, expected strings")
    if info.plugin_name == "audio" and data.ndim > 1:
        # Keep clips, drop their labels; a step may hold no clip at all ([0, 2]).
        data = data.reshape(data.shape[0], -1)[:, 0] if data.size else data.reshape(0)
    return [bytes(b) for b in data.reshape(-1).tolist()]


def legacy_histogram(histo: summary_pb2.HistogramProto) -> np.ndarray:
    """A ``HistogramProto`` as a ``[k, 3]`` float64 array of (left, right, count) rows.

    Empty buckets at both ends are dropped, and the outermost edges (often ±DBL_MAX) become
    the recorded min and max, as in TensorBoard's migration.
    """
    counts = np.asarray(histo.bucket, dtype=np.float64)
    nonzero = np.flatnonzero(counts > 0)
    if nonzero.size == 0:
        return np.zeros((0, 3), dtype=np.float64)
    start, end = int(nonzero[0]), int(nonzero[-1])
    limits = np.asarray(histo.bucket_limit, dtype=np.float64)
    inner = limits[start:end]
    lefts = np.concatenate([[histo.min], inner])
    rights = np.concatenate([inner, [histo.max]])
    return np.stack([lefts, rights, counts[start : end + 1]], axis=1)


def _strings(items: list[bytes]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
