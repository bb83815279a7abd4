"""Meshes and point clouds for TensorBoard's mesh dashboard, as torch writes them.

One call gives up to three tensor summaries in one event, tagged ``<tag>_VERTEX``,
``<tag>_FACE`` and ``<tag>_COLOR``; each carries ``MeshPluginData`` naming the mesh, its own
part, the bit mask of the parts present, its shape and the three.js configuration as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from tbcore.proto import plugin_mesh_pb2, summary_pb2, tensor_pb2, types_pb2

PLUGIN_NAME = "mesh"
_ContentType = plugin_mesh_pb2.MeshPluginData.ContentType


def mesh_values(
    tag: str,
    vertices: Any,
    colors: Any = None,
    faces: Any = None,
    config_dict: Mapping[str, Any] | None = None,
) -> list[summary_pb2.Summary.Value]:
    """The summary values of one mesh: ``vertices`` (``[B, N, 3]`` coordinates), optional
    ``faces`` (``[B, F, 3]`` vertex indices) and ``colors`` (``[B, N, 3]``, 0 to 255)."""
    parts = [
        (name, np.asarray(array), content_type)
        for name, array, content_type in (
            ("vertices", vertices, plugin_mesh_pb2.MeshPluginData.VERTEX),
            ("faces", faces, plugin_mesh_pb2.MeshPluginData.FACE),
            ("colors", colors, plugin_mesh_pb2.MeshPluginData.COLOR),
        )
        if array is not None
    ]
    for name, array, _ in parts:
        if array.ndim != 3 or array.shape[-1] != 3:
            raise ValueError(
                f"add_mesh({tag!r}): {name} of shape {array.shape} must have the shape "
                "(B, N, 3): a batch of B meshes of N points (or faces), 3 values each"
            )
        if array.dtype.kind not in "biuf":
            raise ValueError(f"add_mesh({tag!r}): {name} must be numbers, got {array.dtype}")
    components = 0
    for _, _, content_type in parts:
        components |= 1 << content_type
    json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    return [
        _part_value(tag, array, content_type, components, json_config)
        for _, array, content_type in parts
    ]


def _part_value(
    tag: str, array: np.ndarray, content_type: int, components: int, json_config: str
) -> summary_pb2.Summary.Value:
    data = plugin_mesh_pb2.MeshPluginData(
        version=0,
        name=tag,
        content_type=content_type,  # type: ignore[arg-type]
        components=components,
        shape=list(array.shape),
        json_config=json_config,
    )
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=data.SerializeToString()
        )
    )
    # Every part is float32, colours and face indices included, as TensorBoard's reader expects.
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_FLOAT,
        tensor_content=np.ascontiguousarray(array, dtype="<f4").tobytes(),
    )
    for size in array.shape:
        tensor.tensor_shape.dim.add(size=size)
    name = _ContentType.Name(content_type)  # type: ignore[arg-type]
    return summary_pb2.Summary.Value(tag=f"{tag}_{name}", tensor=tensor, metadata=metadata)
