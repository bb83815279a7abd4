"""Writing small event files by hand for the core's own tests (no third-party writer)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tbcore.io.records import frame_record
from tbcore.io.tensors import from_numpy
from tbcore.proto import event_pb2, summary_pb2


def file_version_event(wall_time: float = 1.0) -> bytes:
    """The first record every writer puts in a file."""
    return event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2").SerializeToString()


def scalar_event(tag: str, step: int, value: float, wall_time: float | None = None) -> bytes:
    """A legacy ``simple_value`` scalar event, as torch and tensorboardX write it."""
    event = event_pb2.Event(wall_time=wall_time if wall_time is not None else 1000.0 + step, step=step)
    event.summary.value.add(tag=tag, simple_value=value)
    return event.SerializeToString()


def tensor_event(
    tag: str, step: int, array: object, plugin: str, wall_time: float | None = None
) -> bytes:
    """A TF2-style tensor summary event with plugin metadata."""
    event = event_pb2.Event(wall_time=wall_time if wall_time is not None else 1000.0 + step, step=step)
    value = event.summary.value.add(tag=tag)
    value.tensor.CopyFrom(from_numpy(np.asarray(array)))
    value.metadata.plugin_data.plugin_name = plugin
    return event.SerializeToString()


def image_event(tag: str, step: int, png: bytes) -> bytes:
    """A legacy ``Summary.Image`` event."""
    event = event_pb2.Event(wall_time=1000.0 + step, step=step)
    event.summary.value.add(
        tag=tag, image=summary_pb2.Summary.Image(height=1, width=1, colorspace=3, encoded_image_string=png)
    )
    return event.SerializeToString()


def write_records(path: Path, payloads: list[bytes], mode: str = "ab") -> None:
    """Frame and write ``payloads`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode) as f:
        for payload in payloads:
            f.write(frame_record(payload))


def event_file_name(suffix: str = "") -> str:
    """A file name in TensorBoard's pattern."""
    return f"events.out.tfevents.{int(time.time())}.testhost.1234.0{suffix}"
