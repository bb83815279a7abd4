"""Demo runs for the scalars dashboard (written with the core's record framing)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from tbcore.io.records import frame_record
from tbcore.io.tensors import from_numpy
from tbcore.proto import event_pb2, plugin_custom_scalar_pb2, plugin_pr_curve_pb2
from tbcore_scalars.metadata import (
    CUSTOM_SCALARS_CONFIG_TAG,
    CUSTOM_SCALARS_PLUGIN_NAME,
    PR_CURVES_PLUGIN_NAME,
)


def write_demo(logdir: Path) -> None:
    """``scalars_demo/{waves,restarted}``: a spike, NaN and ±inf points, and a restart."""
    start = time.time() - 1800
    waves = [_version(start)]
    for step in range(2000):
        value = math.sin(step / 50) + 0.2 * math.sin(step / 7)
        if step == 1234:
            value = 25.0  # a spike that must survive any zoom level
        special = {500: float("nan"), 900: float("inf"), 1500: float("-inf")}.get(step)
        waves.append(_scalar(start + step, step, "waves/sine", value if special is None else special))
        waves.append(_scalar(start + step, step, "waves/cosine", math.cos(step / 80)))
    _write(logdir / "scalars_demo" / "waves", waves, start)
    restarted = [_version(start)]
    for step in range(300):
        restarted.append(_scalar(start + step, step, "loss", 1 / (1 + step / 30)))
    for step in range(200, 400):  # resumed from the step-200 checkpoint
        restarted.append(_scalar(start + 400 + step, step, "loss", 0.9 / (1 + step / 30)))
    _write(logdir / "scalars_demo" / "restarted", restarted, start)


def _version(wall: float) -> bytes:
    return event_pb2.Event(wall_time=wall, file_version="brain.Event:2").SerializeToString()


def _scalar(wall: float, step: int, tag: str, value: float) -> bytes:
    event = event_pb2.Event(wall_time=wall, step=step)
    event.summary.value.add(tag=tag, simple_value=value)
    return event.SerializeToString()


def _write(folder: Path, records: list[bytes], start: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"events.out.tfevents.{int(start)}.tbcore-demo.1.0"
    path.write_bytes(b"".join(frame_record(r) for r in records))


def write_custom_scalars_demo(logdir: Path) -> None:
    """A layout over the demo's training runs: losses together, and a margin chart."""
    start = time.time() - 1800
    layout = plugin_custom_scalar_pb2.Layout()
    losses = layout.category.add(title="Training")
    losses.chart.add(title="All losses").multiline.tag.extend([r"loss/.*"])
    margin = losses.chart.add(title="Sine with its bounds").margin
    margin.series.add(value="band/mid", lower="band/low", upper="band/high")
    records = [_version(start), _tensor(start, 0, CUSTOM_SCALARS_CONFIG_TAG, np.array([layout.SerializeToString()], dtype=object), CUSTOM_SCALARS_PLUGIN_NAME)]
    for step in range(300):
        mid = math.sin(step / 30)
        for tag, value in (("band/mid", mid), ("band/low", mid - 0.3), ("band/high", mid + 0.3)):
            records.append(_scalar(start + step, step, tag, value))
    _write(logdir / "scalars_demo" / "layout", records, start)


def write_pr_curves_demo(logdir: Path) -> None:
    """A classifier getting better over 5 steps: its PR curve at 51 thresholds."""
    start = time.time() - 1800
    rng = np.random.default_rng(0)
    labels = rng.random(2000) < 0.4
    records = [_version(start)]
    thresholds = np.linspace(0, 1, 51)
    for step in range(5):
        noise = 0.6 - 0.1 * step
        scores = np.clip(labels * 0.5 + 0.25 + rng.normal(0, noise / 2, labels.shape), 0, 1)
        predicted = scores[None, :] >= thresholds[:, None]
        tp = (predicted & labels).sum(axis=1).astype(np.float32)
        fp = (predicted & ~labels).sum(axis=1).astype(np.float32)
        fn = labels.sum() - tp
        tn = (~labels).sum() - fp
        precision = tp / np.maximum(tp + fp, 1)
        recall = tp / np.maximum(tp + fn, 1)
        data = np.stack([tp, fp, tn, fn, precision, recall]).astype(np.float32)
        content = plugin_pr_curve_pb2.PrCurvePluginData(num_thresholds=51).SerializeToString()
        records.append(_tensor(start + step * 60, step, "classifier/pr", data, PR_CURVES_PLUGIN_NAME, content))
    _write(logdir / "scalars_demo" / "classifier", records, start)


def _tensor(wall: float, step: int, tag: str, data: np.ndarray, plugin: str, content: bytes = b"") -> bytes:
    event = event_pb2.Event(wall_time=wall, step=step)
    value = event.summary.value.add(tag=tag)
    value.tensor.CopyFrom(from_numpy(data))
    value.metadata.plugin_data.plugin_name = plugin
    value.metadata.plugin_data.content = content
    return event.SerializeToString()
