"""Writes a JAX profile with the real ``jax.profiler`` (CPU), run as a script by the tests
(``python jax_profile.py LOGDIR``) so that JAX never enters the pytest process.

``LOGDIR/jax``: a loss curve (so the folder is a run) and, from ``jax.profiler.trace``,
``plugins/profile/<session>/<host>.xplane.pb`` and ``<host>.trace.json.gz`` of four jitted
training steps, each in ``jax.profiler.StepTraceAnnotation('train', step_num=i)``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp

from tbcore.summary import SummaryWriter


@jax.jit
def train_step(w: jax.Array, x: jax.Array) -> jax.Array:
    def loss(w: jax.Array) -> jax.Array:
        return jnp.mean(jnp.tanh(x @ w) ** 2)

    return w - 0.1 * jax.grad(loss)(w)


def main(logdir: Path) -> None:
    run = logdir / "jax"
    with SummaryWriter(run) as writer:
        for step in range(4):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
    w, x = jnp.ones((32, 16)), jnp.ones((64, 32))
    w = train_step(w, x).block_until_ready()  # compiled before profiling
    with jax.profiler.trace(str(run)):
        for step in range(4):
            with jax.profiler.StepTraceAnnotation("train", step_num=step):
                w = train_step(w, x).block_until_ready()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
