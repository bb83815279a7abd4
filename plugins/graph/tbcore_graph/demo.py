"""Demo run for the graph dashboard: a small residual network as a ``GraphDef`` with output
shapes, devices and XLA clusters, and the step statistics of one run of it, written with the
framework-free writer (``tbcore.summary.SummaryWriter.add_graph_def``)."""

from __future__ import annotations

import time
from pathlib import Path

from tbcore.proto import (
    attr_value_pb2,
    config_pb2,
    graph_pb2,
    step_stats_pb2,
    tensor_shape_pb2,
    types_pb2,
)
from tbcore.summary import SummaryWriter

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
GPU = "/job:localhost/replica:0/task:0/device:GPU:0"
BLOCKS = 4
"""Residual blocks ``block_1`` ... ``block_4``: a series the dashboard folds into one node."""


class _GraphBuilder:
    """Appends nodes to a ``GraphDef``; each node's output shape and device are given."""

    def __init__(self) -> None:
        self.graph = graph_pb2.GraphDef()
        self.graph.versions.producer = 1882

    def add(
        self,
        name: str,
        op: str,
        inputs: list[str],
        shape: list[int],
        device: str = GPU,
        xla: str = "",
        **attrs: attr_value_pb2.AttrValue,
    ) -> str:
        node = self.graph.node.add(name=name, op=op, input=inputs, device=device)
        node.attr["T"].type = types_pb2.DT_FLOAT
        dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in shape]
        node.attr["_output_shapes"].list.shape.add(dim=dims)
        if xla:
            node.attr["_XlaCluster"].s = xla.encode()
        for key, value in attrs.items():
            node.attr[key].CopyFrom(value)
        return name


def _conv(g: _GraphBuilder, scope: str, x: str, channels: int, size: int, xla: str = "") -> str:
    weights = g.add(f"{scope}/kernel", "VariableV2", [], [3, 3, channels, channels])
    strides = attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=[1, 1, 1, 1]))
    padding = attr_value_pb2.AttrValue(s=b"SAME")
    conv = g.add(f"{scope}/Conv2D", "Conv2D", [x, weights], [32, size, size, channels], xla=xla,
                 strides=strides, padding=padding)
    scale = g.add(f"{scope}/bn/gamma", "VariableV2", [], [channels])
    bn = g.add(f"{scope}/bn/FusedBatchNorm", "FusedBatchNormV3", [conv, scale], [32, size, size, channels], xla=xla)
    return g.add(f"{scope}/Relu", "Relu", [bn], [32, size, size, channels], xla=xla)


def demo_graph() -> graph_pb2.GraphDef:
    """The demo network: input pipeline on the CPU, a stem, :data:`BLOCKS` residual blocks
    (compiled by XLA), and a dense head with its loss."""
    g = _GraphBuilder()
    data = g.add("input/IteratorGetNext", "IteratorGetNext", [], [32, 32, 32, 3], device=CPU)
    images = g.add("input/cast", "Cast", [data], [32, 32, 32, 3], device=CPU)
    x = _conv(g, "stem", images, 16, 32)
    for i in range(1, BLOCKS + 1):
        xla = f"cluster_{i % 2}"
        y = _conv(g, f"block_{i}/conv_a", x, 16, 32, xla)
        y = _conv(g, f"block_{i}/conv_b", y, 16, 32, xla)
        x = g.add(f"block_{i}/add", "AddV2", [x, y], [32, 32, 32, 16], xla=xla)
    pooled = g.add("head/pool", "Mean", [x], [32, 16])
    kernel = g.add("head/dense/kernel", "VariableV2", [], [16, 10])
    logits = g.add("head/dense/MatMul", "MatMul", [pooled, kernel], [32, 10])
    labels = g.add("input/labels", "IteratorGetNext", [], [32], device=CPU)
    loss = g.add("loss/xent", "SparseSoftmaxCrossEntropyWithLogits", [logits, labels], [32])
    g.add("loss/mean", "Mean", [loss, "^head/dense/kernel"], [], device=CPU)
    return g.graph


def demo_run_metadata(graph: graph_pb2.GraphDef) -> config_pb2.RunMetadata:
    """Step statistics of one step of ``graph``: every node on its device, convolutions
    the slowest."""
    by_device: dict[str, list[step_stats_pb2.NodeExecStats]] = {}
    start = 1_700_000_000_000_000
    for index, node in enumerate(graph.node):
        micros = 900 if node.op == "Conv2D" else 120 if "BatchNorm" in node.op else 15
        stats = step_stats_pb2.NodeExecStats(
            node_name=node.name,
            all_start_micros=start,
            op_start_rel_micros=1,
            op_end_rel_micros=micros - 1,
            all_end_rel_micros=micros,
            memory=[step_stats_pb2.AllocatorMemoryUsed(allocator_name="demo", total_bytes=4096 * (index % 7 + 1))],
        )
        start += micros
        by_device.setdefault(node.device, []).append(stats)
    return config_pb2.RunMetadata(
        step_stats=step_stats_pb2.StepStats(
            dev_stats=[step_stats_pb2.DeviceStepStats(device=d, node_stats=s) for d, s in by_device.items()]
        )
    )


def write_demo(logdir: Path) -> None:
    """``graphs_demo/resnet``: the demo graph and its run metadata under tag ``step_100``."""
    graph = demo_graph()
    with SummaryWriter(logdir / "graphs_demo" / "resnet") as writer:
        writer.add_graph_def(graph, demo_run_metadata(graph), walltime=time.time(), run_metadata_tag="step_100")
