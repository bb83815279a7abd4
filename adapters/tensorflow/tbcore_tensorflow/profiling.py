"""``profile_batch``: the backend's own profiler, its trace left in the run.

* TensorFlow: ``tf.profiler.experimental`` writes ``plugins/profile/<session>/*.xplane.pb``;
  each batch is a ``train`` step (``tf.profiler.experimental.Trace``).
* JAX: ``jax.profiler.start_trace`` writes the same layout; batches are
  ``StepTraceAnnotation`` steps.
* PyTorch: ``torch.profiler`` with ``tbcore_torch.profiler.trace_handler`` writes
  ``*.pt.trace.json`` into the run, one ``ProfilerStep#N`` per batch.

As in Keras, a profiler that fails to start or stop logs an error and training goes on.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import keras

logger = logging.getLogger(__name__)


class Profiler:
    """Profiles the batches between :meth:`start` and :meth:`stop` into ``run_dir``."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.backend = keras.backend.backend()
        self._session: Any = None
        self._step: Any = None
        self._started = False

    def start(self, first_step: int = 0) -> None:
        """Start the backend's profiler; the first batch profiled is ``first_step``."""
        try:
            if self.backend == "tensorflow":
                import tensorflow as tf

                tf.profiler.experimental.start(self.run_dir)
            elif self.backend == "jax":
                import jax

                jax.profiler.start_trace(self.run_dir)
            elif self.backend == "torch":
                self._session = _torch_profile(self.run_dir)
                self._session.step_num = first_step  # ProfilerStep#N numbered as the batches
                self._session.start()
            else:
                raise ValueError(f"profiling is not available on the {self.backend} backend")
            self._started = True
        except Exception as e:  # noqa: BLE001 - profiling must not stop training
            logger.error("Failed to start profiler: %s", e)
            self._started = False

    def begin_step(self, batch: int) -> None:
        """Mark the start of a batch in the profile."""
        if not self._started:
            return
        if self.backend == "tensorflow":
            import tensorflow as tf

            self._step = tf.profiler.experimental.Trace("train", step_num=batch, _r=1)
        elif self.backend == "jax":
            import jax

            self._step = jax.profiler.StepTraceAnnotation("train", step_num=batch)
        else:
            self._step = contextlib.nullcontext()
        self._step.__enter__()

    def end_step(self, last: bool = False) -> None:
        """Mark the end of the batch begun last (``last``: no batch follows in the profile)."""
        if self._step is not None:
            self._step.__exit__(None, None, None)
            self._step = None
        if self._session is not None and not last:
            self._session.step()

    def stop(self) -> None:
        """Stop the profiler; its trace is written into the run."""
        if not self._started:
            return
        self.end_step(last=True)
        try:
            if self.backend == "tensorflow":
                import tensorflow as tf

                tf.profiler.experimental.stop()
            elif self.backend == "jax":
                import jax

                jax.profiler.stop_trace()
            elif self._session is not None:
                self._session.stop()
        except Exception as e:  # noqa: BLE001
            logger.error("Failed to stop profiler: %s", e)
        finally:
            self._started = False


def _torch_profile(run_dir: str) -> Any:
    import torch.profiler

    try:
        from tbcore_torch.profiler import trace_handler
    except ImportError as e:
        raise ImportError(
            "profiling on the PyTorch backend writes its trace with tbcore-torch: "
            "pip install 'tbcore[torch]'"
        ) from e
    # A schedule that always records: with one, torch marks each step (ProfilerStep#N) and
    # writes the trace when the profile stops.
    return torch.profiler.profile(
        schedule=lambda step: torch.profiler.ProfilerAction.RECORD,
        on_trace_ready=trace_handler(run_dir),
        record_shapes=True,
    )
