"""The ``GraphDef`` of an ONNX model file, as ``torch.utils.tensorboard`` draws one.

Each graph input and output becomes a ``Variable`` node (attrs ``dtype``: the ONNX element type
number, and ``shape``), and each ONNX node a node named by its first output, with op its ONNX
op type, inputs the ONNX input names, and attr ``parameters``: its attributes as text
(``kernel_shape = [3, 3] = 7``: each attribute's set fields, joined by `` = ``). An output is
thus both a ``Variable`` and the node that computes it, under one name, as in torch's graphs.
"""

from __future__ import annotations

import os
from typing import Any

from tbcore.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_shape_pb2, versions_pb2
from tbcore_torch.graph import PRODUCER_VERSION


def load_onnx_graph(path: str | os.PathLike[str]) -> graph_pb2.GraphDef:
    """The ``GraphDef`` of the ONNX model saved at ``path``.

    Needs the ``onnx`` package (``pip install 'tbcore-torch[onnx]'``); raises ``ImportError`` saying so.
    """
    try:
        import onnx
    except ImportError as e:
        raise ImportError(
            "add_onnx_graph needs the 'onnx' package to read ONNX files: pip install 'tbcore-torch[onnx]'"
        ) from e
    from google.protobuf.message import DecodeError

    try:
        model = onnx.load(os.fspath(path))
    except DecodeError as e:
        raise ValueError(f"{os.fspath(path)!r} is not an ONNX model file: {e}") from e
    return onnx_graph_def(model.graph)


def onnx_graph_def(graph: Any) -> graph_pb2.GraphDef:
    """The ``GraphDef`` of an ``onnx.GraphProto``."""
    nodes = [_variable(value) for value in [*graph.input, *graph.output]]
    for node in graph.node:
        parameters = ", ".join(
            " = ".join(str(field_value) for _, field_value in attribute.ListFields())
            for attribute in node.attribute
        )
        nodes.append(
            node_def_pb2.NodeDef(
                name=node.output[0],
                op=node.op_type,
                input=node.input,
                attr={"parameters": attr_value_pb2.AttrValue(s=parameters.encode("utf-8"))},
            )
        )
    return graph_pb2.GraphDef(
        node=nodes, versions=versions_pb2.VersionDef(producer=PRODUCER_VERSION)
    )


def _variable(value: Any) -> node_def_pb2.NodeDef:
    tensor_type = value.type.tensor_type
    # A symbolic dimension (dim_param) has no dim_value: it is written as 0, as torch does.
    shape = tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d.dim_value) for d in tensor_type.shape.dim]
    )
    return node_def_pb2.NodeDef(
        name=value.name,
        op="Variable",
        attr={
            # The ONNX element type number, kept as torch keeps it: only FLOAT (1) is the
            # same number in TensorFlow's DataType that TensorBoard decodes it with.
            "dtype": attr_value_pb2.AttrValue(type=tensor_type.elem_type),
            "shape": attr_value_pb2.AttrValue(shape=shape),
        },
    )
