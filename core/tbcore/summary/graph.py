"""Graph events: a ``GraphDef`` and the run metadata that TensorBoard's graph dashboard shows.

A graph is not a summary value: it travels in ``Event.graph_def`` (serialized ``GraphDef``),
and per-step statistics such as devices in ``Event.tagged_run_metadata`` (a serialized
``RunMetadata`` under a tag). Framework adapters build the protos (``tbcore.proto.graph_pb2``,
``tbcore.proto.config_pb2``) or their bytes from another, wire-compatible proto package.
"""

from __future__ import annotations

import time

from google.protobuf.message import Message

from tbcore.proto import config_pb2, event_pb2, step_stats_pb2

CPU_DEVICE = "/device:CPU:0"


def _serialized(value: bytes | Message, what: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, Message):
        return value.SerializeToString()
    raise TypeError(
        f"{what} must be a protobuf message or its serialized bytes, not {type(value).__name__}"
    )


def graph_event(graph_def: bytes | Message, walltime: float | None = None) -> event_pb2.Event:
    """An event holding ``graph_def`` (a ``GraphDef`` or its bytes) at step 0."""
    return event_pb2.Event(
        wall_time=time.time() if walltime is None else walltime,
        graph_def=_serialized(graph_def, "graph_def"),
    )


def run_metadata_event(
    tag: str, run_metadata: bytes | Message, walltime: float | None = None
) -> event_pb2.Event:
    """An event holding ``run_metadata`` (a ``RunMetadata`` or its bytes) under ``tag``."""
    if not tag:
        raise ValueError("run metadata needs a non-empty tag")
    return event_pb2.Event(
        wall_time=time.time() if walltime is None else walltime,
        tagged_run_metadata=event_pb2.TaggedRunMetadata(
            tag=tag, run_metadata=_serialized(run_metadata, "run_metadata")
        ),
    )


def device_run_metadata(device: str = CPU_DEVICE) -> config_pb2.RunMetadata:
    """``RunMetadata`` whose step statistics name one ``device`` and no timings: what
    ``torch.utils.tensorboard`` writes next to a traced graph."""
    return config_pb2.RunMetadata(
        step_stats=step_stats_pb2.StepStats(
            dev_stats=[step_stats_pb2.DeviceStepStats(device=device)]
        )
    )
