"""A Flax Linen training loop with optax (train state in a pytree, ``lax.scan`` over batches
inside the jitted epoch), logged with tbcore_jax.

    python flax_linen.py runs/linen [--epochs 20]

The loss of every batch is logged from inside the scan (traced step), parameter and gradient
histograms once per epoch.
"""

from __future__ import annotations

import argparse
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

import tbcore_jax

BATCHES = 8
BATCH = 32


class MLP(nn.Module):
    """A two-layer perceptron."""

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return nn.Dense(1)(nn.relu(nn.Dense(32)(x)))


def train(logdir: str, epochs: int = 20) -> None:
    """Fit a noisy linear target; log into the run ``logdir``."""
    rng = np.random.default_rng(0)
    x_host = rng.normal(size=(BATCHES, BATCH, 8)).astype(np.float32)
    y_host = x_host @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(BATCHES, BATCH, 1))
    x, y = jnp.asarray(x_host), jnp.asarray(y_host, dtype=jnp.float32)
    model = MLP()
    params = model.init(jax.random.key(0), x[0])
    tx = optax.adam(1e-2)
    with tbcore_jax.Logger(logdir) as log:

        @jax.jit
        def epoch(params: Any, opt_state: Any, epoch: jax.Array) -> tuple[Any, Any]:
            def batch(carry: tuple[Any, Any, Any], i: jax.Array) -> tuple[tuple[Any, Any, Any], None]:
                params, opt_state, _ = carry
                loss, grads = jax.value_and_grad(lambda p: jnp.mean((model.apply(p, x[i]) - y[i]) ** 2))(params)
                updates, opt_state = tx.update(grads, opt_state)
                log.scalar("batch_loss", loss, epoch * BATCHES + i)
                return (optax.apply_updates(params, updates), opt_state, grads), None

            zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
            (params, opt_state, grads), _ = jax.lax.scan(batch, (params, opt_state, zeros), jnp.arange(BATCHES))
            log.pytree_histograms("params", params["params"], epoch)
            log.pytree_histograms("grads", grads["params"], epoch)
            return params, opt_state

        opt_state = tx.init(params)
        for e in range(epochs):
            params, opt_state = epoch(params, opt_state, jnp.asarray(e))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("logdir")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    train(args.logdir, args.epochs)
