#!/usr/bin/env python3
"""Training time with a TensorBoard callback writing every batch: Keras's own callback against
``tbcore_tensorflow.TensorBoard``, on the TensorFlow backend (and ours alone on JAX and PyTorch).

    .venv/bin/python benchmarks/keras_callback.py [--batches 2000] [--repeat 3]

A small dense model trains ``--batches`` batches of 32 with ``update_freq="batch"`` (so every
batch writes ``batch_loss`` and ``batch_accuracy``) and ``write_steps_per_second``. Each run is
a fresh interpreter; the time is that of ``fit`` alone (model built and compiled, one warm-up
batch done). Reported: best and median of ``--repeat`` runs, and the time without any
callback, so the callback's own cost is the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

TRAIN = r"""
import json, os, sys, tempfile, time
import numpy as np
import keras

which, batches = sys.argv[1], int(sys.argv[2])
keras.utils.set_random_seed(0)
x = np.random.rand(batches * 32, 20).astype("float32")
y = (x.sum(1) > 10).astype("float32")
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x[:32], y[:32], batch_size=32, epochs=1, verbose=0)  # warm up: tracing, compiling
logdir = tempfile.mkdtemp()
args = dict(update_freq="batch", write_steps_per_second=True, write_graph=False)
if which == "keras":
    callbacks = [keras.callbacks.TensorBoard(logdir, **args)]
elif which == "tbcore":
    from tbcore_tensorflow import TensorBoard
    callbacks = [TensorBoard(logdir, **args)]
else:
    callbacks = []
started = time.perf_counter()
model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=callbacks)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def run(backend: str, which: str, batches: int) -> float:
    """Seconds of one ``fit`` in a fresh interpreter."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    done = subprocess.run(
        [sys.executable, "-c", TRAIN, which, str(batches)], env=env, capture_output=True, text=True, check=True
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    """Measure and print a table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batches", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--backends", nargs="*", default=["tensorflow", "jax", "torch"])
    a = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {a.batches} batches, best / median of {a.repeat}\n")
    print("| backend | no callback | Keras's callback | tbcore's callback |")
    print("|---|---|---|---|")
    for backend in a.backends:
        kinds = ["none", "keras", "tbcore"] if backend == "tensorflow" else ["none", "tbcore"]
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(a.repeat):
            for kind in kinds:  # interleaved, so that they share the machine's state
                times[kind].append(run(backend, kind, a.batches))
        cell = {k: f"{min(v):.2f} / {statistics.median(v):.2f} s" for k, v in times.items()}
        print(f"| {backend} | {cell['none']} | {cell.get('keras', 'needs TensorFlow')} | {cell['tbcore']} |")


if __name__ == "__main__":
    main()
