#!/usr/bin/env python3
"""The XPlane importer on large TensorFlow profiles: how long reading an ``xplane.pb`` and
mapping it onto the profile dashboard's model take, per event.

    .venv/bin/python benchmarks/profile_xplane.py                  # both profiles below
    .venv/bin/python benchmarks/profile_xplane.py --gpu-steps 20000 --tf-steps 0

Two profiles, written once into ``--bench-dir``:

* ``gpu``: the demo's handmade TensorFlow GPU profile (``tbcore_xplane.demo.gpu_xspace``:
  steps with TF ops, CUDA driver calls, kernels with launch details, copies, memsets,
  allocator events, counters) with ``--gpu-steps`` steps;
* ``tf``: a real ``tf.profiler`` profile (CPU) of ``--tf-steps`` training steps of a small
  Keras model, ``host_tracer_level=3`` (allocator events included), written by TensorFlow in
  a child process (this process never imports it).

Measured, CPU time of this process (``time.process_time``; the machine is shared, wall times
vary): ``read_xspace`` (protobuf to columns) and ``build_trace`` (the mapping). Numbers are
written down in docs/benchmarks.md ("Profile dashboard"), not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TF_SCRIPT = """
import sys
import tensorflow as tf

steps, folder = int(sys.argv[1]), sys.argv[2]
tf.random.set_seed(0)
model = tf.keras.Sequential([tf.keras.Input((32,)), tf.keras.layers.Dense(64, activation="relu"),
                             tf.keras.layers.Dense(10)])
optimizer = tf.keras.optimizers.SGD(0.1)
x, y = tf.random.normal((64, 32)), tf.random.uniform((64,), 0, 10, tf.int32)

@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return loss

train_step(x, y)
tf.profiler.experimental.start(folder, options=tf.profiler.experimental.ProfilerOptions(host_tracer_level=3))
for step in range(steps):
    with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
        train_step(x, y)
tf.profiler.experimental.stop()
"""


def gpu_profile(folder: Path, steps: int) -> Path:
    """The handmade GPU profile with ``steps`` steps (written once)."""
    from tbcore_xplane.demo import gpu_xspace

    path = folder / f"gpu_{steps}.xplane.pb"
    if not path.exists():
        path.write_bytes(gpu_xspace(steps).SerializeToString())
    return path


def tf_profile(folder: Path, steps: int) -> Path:
    """A real tf.profiler profile of ``steps`` steps (written once, by a child process)."""
    out = folder / f"tf_{steps}"
    found = sorted(out.glob("plugins/profile/*/*.xplane.pb"))
    if not found:
        subprocess.run([sys.executable, "-c", TF_SCRIPT, str(steps), str(out)], check=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        found = sorted(out.glob("plugins/profile/*/*.xplane.pb"))
    return found[-1]


def measure(label: str, path: Path) -> dict[str, float]:
    """Read and map ``path``; CPU seconds and µs per event."""
    from tbcore_xplane.mapping import build_trace
    from tbcore_xplane.xspace import read_xspace

    data = path.read_bytes()
    cpu = time.process_time()
    raw = read_xspace(data, path.name)
    read = time.process_time() - cpu
    events = sum(len(line) for plane in raw.planes for line in plane.lines)
    cpu = time.process_time()
    trace = build_trace(raw)
    mapped = time.process_time() - cpu
    result = {"bytes": len(data), "events": events, "model events": len(trace.events), "read s": read,
              "map s": mapped, "read µs/event": read / events * 1e6, "map µs/event": mapped / events * 1e6}
    print(f"{label}: {len(data) / 1e6:.1f} MB, {events} events -> {len(trace.events)} model events; "
          f"read {read:.3f} s ({result['read µs/event']:.2f} µs/event), "
          f"map {mapped:.3f} s ({result['map µs/event']:.2f} µs/event)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpu-steps", type=int, default=20_000, help="steps of the handmade GPU profile (0: skip)")
    parser.add_argument("--tf-steps", type=int, default=2_000, help="steps of the real TF profile (0: skip)")
    parser.add_argument("--bench-dir", type=Path, default=Path(tempfile.gettempdir()) / "tbcore-xplane-bench")
    args = parser.parse_args()
    args.bench_dir.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()}")
    results = {}
    if args.gpu_steps:
        results["gpu"] = measure("handmade GPU profile", gpu_profile(args.bench_dir, args.gpu_steps))
    if args.tf_steps:
        results["tf"] = measure("tf.profiler CPU profile", tf_profile(args.bench_dir, args.tf_steps))
    print(f"load average after: {os.getloadavg()}")
    (args.bench_dir / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
