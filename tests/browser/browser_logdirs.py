"""Small logdirs for the browser tests, written directly as event files (fast, no framework)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

XSS_RUN = "<img src=x onerror=alert(1)>"
"""A run name that is also HTML: it must show as literal text, never run."""

NONFINITE_TAG = "weird/nonfinite"


def write_run(
    logdir: Path,
    run: str,
    scalars: dict[str, Iterable[tuple[int, float]]],
    start: float,
    suffix: str = "0",
) -> Path:
    """Write one event file with the given ``{tag: [(step, value)]}`` into ``logdir/run``."""
    folder = logdir / run
    folder.mkdir(parents=True, exist_ok=True)
    records = [event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()]
    points = sorted((step, tag, value) for tag, values in scalars.items() for step, value in values)
    for step, tag, value in points:
        event = event_pb2.Event(wall_time=start + step, step=step)
        event.summary.value.add(tag=tag, simple_value=value)
        records.append(event.SerializeToString())
    path = folder / f"events.out.tfevents.{int(start)}.browsertest.{suffix}"
    path.write_bytes(b"".join(frame_record(r) for r in records))
    return path


def write_small_logdir(logdir: Path) -> list[str]:
    """Five runs (one named like HTML, one with NaN/±inf values, one on other steps).

    Returns the run names in the order the server lists them (by start time).
    """
    runs = ["train/lr_0.1", "train/lr_0.01", "eval/lr_0.1", "eval/lr_0.01", XSS_RUN]
    for i, run in enumerate(runs):
        rate = 0.1 if "0.1" in run else 0.01
        steps = range(0, 60, 3) if run.startswith("eval") else range(50)
        loss = [(s, 2.0 * math.exp(-rate * s) + 0.05 * i) for s in steps]
        scalars = {"loss/train": loss, "accuracy/train": [(s, 1 - v / 3) for s, v in loss]}
        if run == "train/lr_0.1":
            scalars[NONFINITE_TAG] = [
                (0, 1.0),
                (1, float("nan")),
                (2, 2.0),
                (3, float("inf")),
                (4, 3.0),
                (5, float("-inf")),
                (6, 4.0),
            ]
        write_run(logdir, run, scalars, start=1_000_000.0 + 100 * i)
    return runs


def write_many_runs(logdir: Path, count: int) -> list[str]:
    """``count`` runs of one point each, named ``run_00000``..."""
    names = [f"run_{i:05d}" for i in range(count)]
    for i, name in enumerate(names):
        write_run(logdir, name, {"loss": [(0, float(i))]}, start=2_000_000.0 + i)
    return names
