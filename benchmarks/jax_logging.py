#!/usr/bin/env python3
"""What logging every step of a jitted JAX training step costs: ``tbcore_jax`` inside the step
against no logging, and against the usual ways of logging a JAX loss eagerly each step
(tensorboardX, ``flax.metrics.tensorboard``, which both fetch the loss to the host first).

    .venv/bin/python benchmarks/jax_logging.py --mode paired [--steps 150] [--rounds 40]
    .venv/bin/python benchmarks/jax_logging.py --mode fresh [--steps 3000] [--repeat 7]

A small MLP (64 -> 256 -> 256 -> 10, batch 128) trains with SGD on the CPU, compiled and warmed
up first; a variant's time runs until the last step's result is on the host and every value it
logged is written (``Logger.flush``, the eager writers' ``flush``).

* ``paired`` (the steadier one on a shared machine): every variant in this process, each with
  its own writer; each round runs every variant for ``--steps`` steps in a shuffled order.
  Reported: the median over rounds of each variant's time divided by the same round's time
  without logging (wall and CPU), with the quartiles of the wall ratio.
* ``fresh``: each variant in a fresh interpreter (as a training script runs), variants
  interleaved; best and median of ``--repeat`` runs, and the overhead of the medians. Only
  here: ``flax_metrics`` (it imports TensorFlow, whose threads would disturb the others).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

VARIANTS = [
    "none", "tbcore", "tbcore_every_100", "tbcore_jit", "tbcore_jit_every_100", "tbcore_disabled", "tensorboardx", "flax_metrics",
]
IN_PROCESS = [v for v in VARIANTS if v != "flax_metrics"]
LABELS = {
    "none": "none (`jax.jit`)",
    "tbcore": "`log.scalar` in a `jax.jit` step (host callback)",
    "tbcore_every_100": "`Logger(every=100)`, `jax.jit` step",
    "tbcore_jit": "**`log.scalar` in a `log.jit` step (packed outputs)**",
    "tbcore_jit_every_100": "`log.jit(train_step, every=100)`",
    "tbcore_disabled": "`Logger(enabled=False)`",
    "tensorboardx": "tensorboardX, eagerly (`float(loss)` each step)",
    "flax_metrics": "`flax.metrics.tensorboard`, eagerly",
}


class Variant:
    """One way of running the training step: ``step(params, step) -> (params, loss)`` and
    ``finish()``, which waits for the values it logged to be written."""

    def __init__(self, name: str, logdir: str) -> None:
        import jax

        self.name = name
        self.log: Any = None
        self.writer: Any = None
        eager: Callable[[Any, int], None] | None = None
        if name.startswith("tbcore"):
            import tbcore_jax

            every = 100 if name == "tbcore_every_100" else 1
            self.log = tbcore_jax.Logger(logdir, enabled=name != "tbcore_disabled", every=every)
        train_step = make_train_step(self.log)
        if name == "tbcore_jit":
            step_fn = self.log.jit(train_step)
        elif name == "tbcore_jit_every_100":
            step_fn = self.log.jit(train_step, every=100)
        else:
            step_fn = jax.jit(train_step)
        if name == "tensorboardx":
            from tensorboardX import SummaryWriter

            self.writer = SummaryWriter(logdir)
            eager = lambda loss, step: self.writer.add_scalar("loss", float(loss), step)  # noqa: E731
        elif name == "flax_metrics":
            from flax.metrics import tensorboard

            self.writer = tensorboard.SummaryWriter(logdir)
            eager = lambda loss, step: self.writer.scalar("loss", float(loss), step)  # noqa: E731
        if eager is None:
            self.step = step_fn
        else:

            def step_and_log(params: Any, step: int) -> Any:
                params, loss = step_fn(params, step)
                eager(loss, step)
                return params, loss

            self.step = step_and_log

    def finish(self) -> None:
        """Wait until everything logged so far is written."""
        if self.log is not None:
            self.log.flush()
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        """Close the writers."""
        if self.log is not None:
            self.log.close()
        if self.writer is not None:
            self.writer.close()


def make_train_step(log: Any) -> Callable[[Any, Any], Any]:
    """The MLP's SGD step, logging its loss through ``log`` when there is one."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(128, 64)), jnp.float32)
    y = jnp.asarray(rng.integers(0, 10, 128))

    def loss_fn(params: Any) -> Any:
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), y[:, None], 1))

    def train_step(params: Any, step: Any) -> Any:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        if log is not None:
            log.scalar("loss", loss, step)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), loss

    return train_step


def initial_params() -> Any:
    """The MLP's parameters (the same in every variant)."""
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(1)
    sizes = [(64, 256), (256, 256), (256, 10)]
    return [(jnp.asarray(rng.normal(size=s) / np.sqrt(s[0]), jnp.float32), jnp.zeros(s[1])) for s in sizes]


def timed(variant: Variant, params: Any, steps: int, first: int = 0) -> tuple[Any, float, float]:
    """Run ``steps`` steps; the new parameters, wall and CPU seconds (every thread of the
    process: the writers' included)."""
    import jax

    started, cpu_started = time.perf_counter(), time.process_time()
    for step in range(first, first + steps):
        params, _ = variant.step(params, step)
    jax.block_until_ready(params)
    variant.finish()
    return params, time.perf_counter() - started, time.process_time() - cpu_started


def child(name: str, steps: int) -> None:
    """``fresh`` mode's interpreter: warm up, time ``steps`` steps, print them as JSON."""
    variant = Variant(name, tempfile.mkdtemp())
    params, _, _ = timed(variant, initial_params(), 20)  # compile and warm up
    _, wall, cpu = timed(variant, params, steps, first=20)
    print(json.dumps({"seconds": wall, "cpu": cpu}))
    variant.close()


def fresh(variants: list[str], steps: int, repeat: int) -> None:
    """Each variant in a fresh interpreter, interleaved; a table of bests and medians."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    times: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    load = os.getloadavg()[0]
    for _ in range(repeat):
        for name in variants:
            done = subprocess.run(
                [sys.executable, __file__, "--child", name, "--steps", str(steps)], env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                print(f"{name}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            times[name].append((float(result["seconds"]), float(result["cpu"])))
    print(f"\nfresh interpreters; load average {load:.2f} -> {os.getloadavg()[0]:.2f}; {steps} steps, best / median of {repeat}\n")
    base_wall = statistics.median(w for w, _ in times["none"])
    base_cpu = statistics.median(c for _, c in times["none"])
    print("| logging the loss every step | wall: best / median | CPU: best / median | overhead of the medians: wall, CPU |")
    print("|---|---|---|---|")
    for name, values in times.items():
        if not values:
            print(f"| {LABELS[name]} | could not run | | |")
            continue
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(
            f"| {LABELS[name]} | {min(walls):.3f} / {statistics.median(walls):.3f} s | {min(cpus):.3f} / {statistics.median(cpus):.3f} s | "
            f"{(statistics.median(walls) / base_wall - 1) * 100:+.1f} %, {(statistics.median(cpus) / base_cpu - 1) * 100:+.1f} % |"
        )


def paired(names: list[str], steps: int, rounds: int) -> None:
    """Every variant in this process, rounds of shuffled short runs; a table of the medians
    of the per-round ratios to no logging."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    variants = {name: Variant(name, tempfile.mkdtemp()) for name in names}
    params = {name: timed(variant, initial_params(), 20)[0] for name, variant in variants.items()}
    ratios: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    per_step: dict[str, list[float]] = {name: [] for name in names}
    load = os.getloadavg()[0]
    for round_ in range(rounds):
        order = random.sample(names, len(names))
        got = {}
        for name in order:
            params[name], wall, cpu = timed(variants[name], params[name], steps, first=20 + round_ * steps)
            got[name] = (wall, cpu)
        for name in names:
            ratios[name].append((got[name][0] / got["none"][0], got[name][1] / got["none"][1]))
            per_step[name].append(got[name][0] / steps)
    for variant in variants.values():
        variant.close()
    print(f"\none process; load average {load:.2f} -> {os.getloadavg()[0]:.2f}; {rounds} rounds x {steps} steps, shuffled\n")
    print("| logging the loss every step | wall per step (median) | overhead, median of per-round ratios: wall (quartiles), CPU |")
    print("|---|---|---|")
    for name in names:
        walls = sorted(w for w, _ in ratios[name])
        q1, q3 = walls[len(walls) // 4], walls[(3 * len(walls)) // 4]
        cpu = statistics.median(c for _, c in ratios[name])
        print(
            f"| {LABELS[name]} | {statistics.median(per_step[name]) * 1e6:.0f} µs | "
            f"{(statistics.median(walls) - 1) * 100:+.1f} % ({(q1 - 1) * 100:+.1f} … {(q3 - 1) * 100:+.1f}), {(cpu - 1) * 100:+.1f} % |"
        )


def main() -> None:
    """Parse the arguments and measure."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["paired", "fresh"], default="paired")
    p.add_argument("--steps", type=int, help="steps per run (paired: 150, fresh: 3000)")
    p.add_argument("--rounds", type=int, default=40, help="paired: rounds")
    p.add_argument("--repeat", type=int, default=7, help="fresh: runs of each variant")
    p.add_argument("--variants", default=",".join(VARIANTS), help='comma-separated subset ("none" is always run)')
    p.add_argument("--child", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child, a.steps)
        return
    allowed = IN_PROCESS if a.mode == "paired" else VARIANTS
    names = ["none", *[v for v in a.variants.split(",") if v in allowed and v != "none"]]
    if a.mode == "paired":
        paired(names, a.steps or 150, a.rounds)
    else:
        fresh(names, a.steps or 3000, a.repeat)


if __name__ == "__main__":
    main()
