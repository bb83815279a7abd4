"""``tbcore demo``: a logdir with data for every installed dashboard."""

from __future__ import annotations

import logging
import math
import tempfile
import time
from pathlib import Path

from tbcore.io.records import frame_record
from tbcore.plugin import Plugin
from tbcore.proto import event_pb2

logger = logging.getLogger(__name__)


def demo_logdir(out: str | None) -> Path:
    """The folder the demo writes into: ``out``, or a new temporary folder."""
    if out:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix="tbcore-demo-"))


def write_demo_data(logdir: str | Path, plugins: list[Plugin]) -> None:
    """Write a few training-like runs, then let every plugin add data for its dashboard.

    A plugin whose ``write_demo_data`` raises is logged and skipped; the demo goes on.
    """
    root = Path(logdir)
    _write_training_runs(root)
    for plugin in plugins:
        try:
            plugin.write_demo_data(root)
        except Exception:  # one plugin's demo must not stop the others
            logger.exception("demo data of dashboard %r failed", plugin.name)


def _write_training_runs(root: Path) -> None:
    """Three runs of a made-up training job: loss and accuracy curves with some noise."""
    start = time.time() - 3600
    for index, (name, rate) in enumerate([("lr_0.1", 0.1), ("lr_0.03", 0.03), ("lr_0.01", 0.01)]):
        run = root / "train" / name
        run.mkdir(parents=True, exist_ok=True)
        records = [
            event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()
        ]
        for step in range(0, 500):
            event = event_pb2.Event(wall_time=start + step * 2.0 + index, step=step)
            noise = 0.05 * math.sin(step * 1.7 + index) + 0.03 * math.sin(step * 0.31)
            loss = 2.3 * math.exp(-rate * step / 20) + 0.1 + noise
            event.summary.value.add(tag="loss/train", simple_value=loss)
            event.summary.value.add(tag="accuracy/train", simple_value=1 - loss / 2.5)
            if step % 10 == 0:
                event.summary.value.add(tag="loss/eval", simple_value=loss * 1.1 + 0.02)
            records.append(event.SerializeToString())
        path = run / f"events.out.tfevents.{int(start)}.tbcore-demo.{index}.0"
        path.write_bytes(b"".join(frame_record(r) for r in records))
