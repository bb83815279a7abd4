"""``profile``: ``jax.profiler`` over a few steps of a training loop, the trace left in the run.

``jax.profiler.start_trace(logdir)`` writes ``plugins/profile/<session>/<host>.xplane.pb`` (and
a ``.trace.json.gz``) under ``logdir``: the run's assets, where the profile dashboard reads them.
Each step is a ``StepTraceAnnotation`` named ``train``, so the dashboard can cut the trace into
steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import jax


class profile:
    """Profile the steps ``steps`` (a range or the step numbers; ``range(10, 13)`` is
    typical: past compilation) of a loop into the run ``logdir``.

    ::

        with tbcore_jax.profile("runs/exp1", steps=range(10, 13)) as profiler:
            for step in range(100):
                with profiler.step(step):
                    state = train_step(state, batch)

    Steps outside ``steps`` run unprofiled; the trace is written when the last one ends (or
    when the ``with`` block ends, whichever comes first).
    """

    def __init__(self, logdir: str, steps: Iterable[int]) -> None:
        self.logdir = str(logdir)
        self.steps = sorted(set(steps))
        if not self.steps:
            raise ValueError("steps must name at least one step to profile")
        self._running = False
        self._done = False

    def __enter__(self) -> profile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop()

    @contextlib.contextmanager
    def step(self, step: int) -> Iterator[None]:
        """Run one step of the loop; profiled when ``step`` is one of ``steps``."""
        if self._done or step not in self.steps:
            yield
            return
        if not self._running:
            jax.profiler.start_trace(self.logdir)
            self._running = True
        with jax.profiler.StepTraceAnnotation("train", step_num=step):
            yield
            jax.effects_barrier()  # the step's device work belongs inside its annotation
        if step >= self.steps[-1]:
            self._stop()

    def _stop(self) -> None:
        if self._running:
            jax.profiler.stop_trace()
            self._running = False
        self._done = True
