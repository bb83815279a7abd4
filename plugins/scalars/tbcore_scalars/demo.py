"""Demo runs for the scalars dashboard (written with the core's record framing)."""

from __future__ import annotations

import math
import time
from pathlib import Path

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2


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
