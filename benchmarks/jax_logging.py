#!/usr/bin/env python3
"""What logging every step of a jitted JAX training step costs: ``tbcore_jax`` inside the step
against no logging, and against the usual ways of logging a JAX loss eagerly each step
(tensorboardX, ``flax.metrics.tensorboard``, which both fetch the loss to the host first).

    .venv/bin/python benchmarks/jax_logging.py [--steps 3000] [--repeat 5]

A small MLP (64 -> 256 -> 256 -> 10, batch 128) trains with SGD on the CPU; each variant runs
in a fresh interpreter, compiled and warmed up first, then ``--steps`` steps are timed until the
last step's result and every log is on the host (``effects_barrier``). Reported: best and
median of ``--repeat`` runs, and the overhead of the medians over no logging.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

TRAIN = r"""
import json, sys, tempfile, time
import jax, jax.numpy as jnp, numpy as np

variant, steps = sys.argv[1], int(sys.argv[2])
logdir = tempfile.mkdtemp()
rng = np.random.default_rng(0)
x = jnp.asarray(rng.normal(size=(128, 64)), jnp.float32)
y = jnp.asarray(rng.integers(0, 10, 128))
sizes = [(64, 256), (256, 256), (256, 10)]
params = [(jnp.asarray(rng.normal(size=s) / np.sqrt(s[0]), jnp.float32), jnp.zeros(s[1])) for s in sizes]

def loss_fn(params):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = jax.nn.relu(h)
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), y[:, None], 1))

log = None
if variant.startswith("tbcore"):
    import tbcore_jax
    every = int(variant.split("_every_")[1]) if variant.startswith("tbcore_every_") else 1
    log = tbcore_jax.Logger(logdir, enabled=variant != "tbcore_disabled", every=every)

def train_step(params, step):
    loss, grads = jax.value_and_grad(loss_fn)(params)
    if log is not None:
        log.scalar("loss", loss, step)
    return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), loss

if variant == "tbcore_jit":
    step_fn = log.jit(train_step)
elif variant == "tbcore_jit_every_100":
    step_fn = log.jit(train_step, every=100)
else:
    step_fn = jax.jit(train_step)

eager = None
if variant == "tensorboardx":
    from tensorboardX import SummaryWriter
    w = SummaryWriter(logdir)
    eager = lambda loss, step: w.add_scalar("loss", float(loss), step)
elif variant == "flax_metrics":
    from flax.metrics import tensorboard
    w = tensorboard.SummaryWriter(logdir)
    eager = lambda loss, step: w.scalar("loss", float(loss), step)

for step in range(20):  # compile and warm up
    params, loss = step_fn(params, step)
jax.block_until_ready(params)
jax.effects_barrier()
started, cpu_started = time.perf_counter(), time.process_time()
for step in range(steps):
    params, loss = step_fn(params, step)
    if eager is not None:
        eager(loss, step)
jax.block_until_ready(params)
jax.effects_barrier()
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu_started}))
if log is not None:
    log.close()
"""

VARIANTS = [
    "none", "tbcore", "tbcore_every_100", "tbcore_jit", "tbcore_jit_every_100", "tbcore_disabled", "tensorboardx", "flax_metrics"
]


def run(variant: str, steps: int) -> tuple[float, float] | None:
    """Wall and CPU seconds of ``steps`` steps in a fresh interpreter (None when the variant
    cannot run). CPU time (every thread of the process, the writers' included) is what to
    compare on a busy machine, where wall time mostly says what the other processes did."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", TRAIN, variant, str(steps)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{variant}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), float(result["cpu"])


def main() -> None:
    """Measure (variants interleaved, so they share the machine's state) and print a table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset (\"none\" is always run)")
    a = p.parse_args()
    variants = ["none", *[v for v in a.variants.split(",") if v in VARIANTS and v != "none"]]
    load = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    for _ in range(a.repeat):
        for variant in variants:
            measured = run(variant, a.steps)
            if measured is not None:
                times[variant].append(measured)
    print(f"\nload average {load:.2f} -> {os.getloadavg()[0]:.2f}; {a.steps} steps, best / median of {a.repeat}\n")
    base_wall = statistics.median(w for w, _ in times["none"])
    base_cpu = statistics.median(c for _, c in times["none"])
    print("| logging | wall: best / median | CPU: best / median | per step (CPU, median) | overhead of the medians: wall, CPU |")
    print("|---|---|---|---|---|")
    for variant, values in times.items():
        if not values:
            print(f"| {variant} | could not run | | | |")
            continue
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(
            f"| {variant} | {min(walls):.3f} / {statistics.median(walls):.3f} s | "
            f"{min(cpus):.3f} / {statistics.median(cpus):.3f} s | {statistics.median(cpus) / a.steps * 1e6:.0f} µs | "
            f"{(statistics.median(walls) / base_wall - 1) * 100:+.1f} %, {(statistics.median(cpus) / base_cpu - 1) * 100:+.1f} % |"
        )


if __name__ == "__main__":
    main()
