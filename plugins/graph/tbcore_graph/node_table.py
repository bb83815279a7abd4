"""Graphs and run metadata as compact JSON for our UI (the ``graph_nodes`` and
``step_stats`` routes): what the browser needs to draw and inspect a graph, without parsing
text protobuf.

Attribute values are rendered as short one-line text here, so that the browser only ever
shows strings; output shapes come from the ``_output_shapes`` attribute TensorFlow and torch
write (and, for a Keras model, from its config).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import text_format

from tbcore.proto import (
    attr_value_pb2,
    config_pb2,
    graph_pb2,
    node_def_pb2,
    tensor_shape_pb2,
    types_pb2,
)

Shape = list[int] | None
"""Dimensions (``-1`` unknown), or None for a tensor of unknown rank."""

OUTPUT_SHAPES_ATTR = "_output_shapes"


def _dtype_name(value: int) -> str:
    try:
        return str(types_pb2.DataType.Name(value))
    except ValueError:
        return str(value)


def shape_of(shape: tensor_shape_pb2.TensorShapeProto) -> Shape:
    """The dimensions of ``shape``; None when its rank is unknown."""
    if shape.unknown_rank:
        return None
    return [int(d.size) for d in shape.dim]


def _shape_text(shape: tensor_shape_pb2.TensorShapeProto) -> str:
    dims = shape_of(shape)
    if dims is None:
        return "<unknown>"
    return "[" + ", ".join("?" if d < 0 else str(d) for d in dims) + "]"


def _bytes_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _list_text(values: attr_value_pb2.AttrValue.ListValue) -> str:
    parts: Iterable[str]
    if values.s:
        parts = (repr(_bytes_text(s)) for s in values.s)
    elif values.i:
        parts = (str(i) for i in values.i)
    elif values.f:
        parts = (repr(f) for f in values.f)
    elif values.b:
        parts = ("true" if b else "false" for b in values.b)
    elif values.type:
        parts = (_dtype_name(t) for t in values.type)
    elif values.shape:
        parts = (_shape_text(s) for s in values.shape)
    elif values.func:
        parts = (f.name for f in values.func)
    elif values.tensor:
        parts = (text_format.MessageToString(t, as_one_line=True) for t in values.tensor)
    else:
        parts = ()
    return "[" + ", ".join(parts) + "]"


def attr_text(value: attr_value_pb2.AttrValue) -> str:
    """One line of text for an attribute value: ``DT_FLOAT``, ``[1, 3, ?]``, ``'SAME'``, ..."""
    kind = value.WhichOneof("value")
    if kind == "s":
        return _bytes_text(value.s)
    if kind == "i":
        return str(value.i)
    if kind == "f":
        return repr(value.f)
    if kind == "b":
        return "true" if value.b else "false"
    if kind == "type":
        return _dtype_name(value.type)
    if kind == "shape":
        return _shape_text(value.shape)
    if kind == "list":
        return _list_text(value.list)
    if kind == "func":
        return value.func.name
    if kind == "placeholder":
        return f"${value.placeholder}"
    if kind is None:
        return ""
    return str(text_format.MessageToString(getattr(value, kind), as_one_line=True))


def node_json(node: node_def_pb2.NodeDef, limit_attr_size: int | None) -> dict[str, Any]:
    """One node: name, op, device, inputs, output shapes, attributes as text (those larger
    than ``limit_attr_size`` bytes serialized listed in ``large_attrs`` instead)."""
    attrs: list[list[str]] = []
    large: list[str] = []
    shapes: list[Shape] = []
    for key in sorted(node.attr):
        value = node.attr[key]
        if key == OUTPUT_SHAPES_ATTR:
            shapes = [shape_of(s) for s in value.list.shape]
            continue
        if limit_attr_size is not None and value.ByteSize() > limit_attr_size:
            large.append(key)
        else:
            attrs.append([key, attr_text(value)])
    entry: dict[str, Any] = {
        "name": node.name,
        "op": node.op,
        "device": node.device,
        "inputs": list(node.input),
        "attrs": attrs,
        "shapes": shapes,
    }
    if large:
        entry["large_attrs"] = large
    return entry


def graph_json(
    graph: graph_pb2.GraphDef,
    limit_attr_size: int | None,
    layer_shapes: dict[str, dict[str, list[Any]]] | None = None,
) -> dict[str, Any]:
    """``{"nodes": [node, ...], "functions": [name, ...]}`` (see :func:`node_json`); with
    ``layer_shapes`` (a Keras model's), each layer also gets its ``input_shapes`` and, when
    it has no ``_output_shapes``, its output ``shapes`` from there."""
    nodes = []
    for node in graph.node:
        entry = node_json(node, limit_attr_size)
        known = (layer_shapes or {}).get(node.name)
        if known:
            entry["input_shapes"] = known.get("input", [])
            if not entry["shapes"]:
                entry["shapes"] = known.get("output", [])
        nodes.append(entry)
    return {"nodes": nodes, "functions": [f.signature.name for f in graph.library.function]}


def _memory_bytes(stats: Any) -> int:
    total = sum(m.total_bytes for m in stats.memory if m.total_bytes > 0)
    if total:
        return int(total)
    # CPU traces often record no allocator summary: count the outputs' allocations.
    return int(sum(
        max(o.tensor_description.allocation_description.requested_bytes, 0) for o in stats.output
    ))


def step_stats_json(run_metadata: config_pb2.RunMetadata) -> dict[str, Any]:
    """``{"devices": [...], "nodes": {node_name: {"device", "compute_us", "memory_bytes",
    "start_us", "shapes"}}}`` from the step statistics: a node run several times (or on
    several devices) sums its times and bytes, keeps its earliest start and its last device."""
    devices: list[str] = []
    nodes: dict[str, dict[str, Any]] = {}
    for device_stats in run_metadata.step_stats.dev_stats:
        devices.append(device_stats.device)
        for stats in device_stats.node_stats:
            entry = nodes.setdefault(
                stats.node_name,
                {"device": "", "compute_us": 0, "memory_bytes": 0, "start_us": None, "shapes": []},
            )
            entry["device"] = device_stats.device
            entry["compute_us"] += max(int(stats.all_end_rel_micros), 0)
            entry["memory_bytes"] += _memory_bytes(stats)
            start = int(stats.all_start_micros)
            if entry["start_us"] is None or start < entry["start_us"]:
                entry["start_us"] = start
            if stats.output and not entry["shapes"]:
                entry["shapes"] = [shape_of(o.tensor_description.shape) for o in stats.output]
    return {"devices": devices, "nodes": nodes}
