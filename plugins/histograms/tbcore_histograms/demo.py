"""Demo runs for the histograms and distributions dashboards (legacy ``HistogramProto``
events, written with the core's record framing)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2, summary_pb2

STEPS = 60


def write_demo(logdir: Path) -> None:
    """``histograms_demo/{sgd,adam}``: a drifting normal that narrows, a bimodal mixture,
    600-bucket gradients, and a tag that is empty at some steps."""
    start = time.time() - 1800
    rng = np.random.default_rng(7)
    for run, speed in (("sgd", 1.0), ("adam", 2.0)):
        records = [event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()]
        for i in range(STEPS):
            step = i * 10
            t = i / STEPS
            weights = rng.normal(loc=speed * t, scale=1.5 - t, size=2000)
            mix = np.concatenate([rng.normal(-2 + t, 0.4, 1000), rng.normal(2 - t * speed, 0.6, 1000)])
            grads = rng.standard_cauchy(5000).clip(-50, 50) * (1 - t) / speed
            sparse = rng.normal(0, 1, 50) if i % 3 else np.empty(0)
            event = event_pb2.Event(wall_time=start + step, step=step)
            for tag, values, bins in (
                ("layer1/weights", weights, 30),
                ("layer1/activations", mix, 60),
                ("layer2/gradients", grads, 600),
                ("sparse", sparse, 10),
            ):
                event.summary.value.add(tag=tag, histo=_histogram(values, bins))
            records.append(event.SerializeToString())
        folder = logdir / "histograms_demo" / run
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"events.out.tfevents.{int(start)}.tbcore-demo.1.0"
        path.write_bytes(b"".join(frame_record(r) for r in records))


def _histogram(values: np.ndarray, bins: int) -> summary_pb2.HistogramProto:
    if not values.size:
        return summary_pb2.HistogramProto()
    counts, edges = np.histogram(values, bins=bins)
    return summary_pb2.HistogramProto(
        min=float(values.min()),
        max=float(values.max()),
        num=float(values.size),
        sum=float(values.sum()),
        sum_squares=float((values**2).sum()),
        bucket_limit=edges[1:].tolist(),
        bucket=counts.astype(np.float64).tolist(),
    )
