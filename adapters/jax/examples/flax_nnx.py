"""A Flax NNX training loop with optax, logged with tbcore_jax from inside the jitted step.

    python flax_nnx.py runs/nnx [--steps 200]

Loss every step, parameter and gradient histograms every 20 steps (``every`` on a second
logger: the other steps skip the callback), and a profile of steps 50 to 52.
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import tbcore_jax


class MLP(nnx.Module):
    """A two-layer perceptron."""

    def __init__(self, rngs: nnx.Rngs) -> None:
        self.hidden = nnx.Linear(8, 32, rngs=rngs)
        self.out = nnx.Linear(32, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(nnx.relu(self.hidden(x)))


def train(logdir: str, steps: int = 200, profile_steps: range = range(50, 53)) -> None:
    """Fit a noisy linear target; log into the run ``logdir``."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype(np.float32)
    y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(256, 1))).astype(np.float32)
    model = MLP(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    with tbcore_jax.Logger(logdir) as log, tbcore_jax.Logger(logdir, every=20) as sparse:

        @nnx.jit
        def train_step(model: MLP, optimizer: nnx.Optimizer, step: jax.Array) -> jax.Array:
            def loss_fn(model: MLP) -> jax.Array:
                return jnp.mean((model(x) - y) ** 2)

            loss, grads = nnx.value_and_grad(loss_fn)(model)
            optimizer.update(model, grads)
            log.scalar("loss", loss, step)
            sparse.pytree_histograms("params", nnx.state(model, nnx.Param), step)
            sparse.pytree_histograms("grads", grads, step)
            return loss

        with tbcore_jax.profile(logdir, steps=profile_steps) as profiler:
            for step in range(steps):
                with profiler.step(step):
                    train_step(model, optimizer, jnp.asarray(step))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("logdir")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    train(args.logdir, args.steps)
