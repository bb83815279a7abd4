"""tbcore's JAX adapter: log from inside compiled functions, without TensorFlow.

``tbcore_jax.Logger(logdir)`` has ``scalar``, ``scalars``, ``histogram``, ``image``, ``text``
and ``pytree_histograms``, callable eagerly and inside ``jax.jit``, ``lax.scan`` /
``fori_loop`` bodies, ``jax.pmap`` and ``shard_map``: traced values leave the device through
``jax.debug.callback`` and are written by a background thread through ``tbcore.summary``.
``tbcore_jax.profile(logdir, steps)`` runs ``jax.profiler`` over a few steps, its trace left
where the profile dashboard reads it.
"""

from tbcore_jax.logger import Logger
from tbcore_jax.profiling import profile

__all__ = ["Logger", "profile"]
