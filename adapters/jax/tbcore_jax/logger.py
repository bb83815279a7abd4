"""``Logger``: summaries from eager code and from inside JAX transformations.

A call with concrete values (eager code) sends them to the writer at once. A call with traced
values leaves the device one of two ways:

* in a function compiled by ``Logger.jit``, at its top level (not inside a ``scan`` body or a
  ``cond`` branch), the values become extra outputs of the computation, packed
  (:mod:`tbcore_jax.packing`: all scalars of a step in one float32 vector, the steps in one
  integer vector or read from the call's arguments): no host callback, so JAX keeps
  dispatching the step on its fast path and does not wait for it; the wrapper puts the output
  arrays on the writer's queue, and the writer's thread fetches them later
  (``benchmarks/jax_logging.py`` measures what that costs);
* anywhere else (``jax.jit``, ``scan`` / ``fori_loop`` bodies, ``pmap``, ``shard_map``) one
  ``jax.debug.callback`` is added to the computation, which hands the values to the host when
  the computation runs. Callbacks of one computation run in the order it makes them, and
  computations in the order they were dispatched: values arrive in step order. Under ``pmap``
  / ``shard_map`` every device runs the callback: the device's position on the mapped axes
  goes with it, and only device 0's values are written, unless ``per_device=True`` (each
  device into a ``device_<k>`` run). A computation that holds a host callback at all leaves
  JAX's fast dispatch path, which costs a sub-millisecond step most of its time.

``every=N`` keeps the steps that are multiples of N (a ``lax.cond`` around a callback;
filtered on the host for outputs); ``Logger.jit(fn, every=N)`` also compiles a second version
without any logging for the calls that do not log. ``enabled=False`` (and processes other than
process 0) add nothing to the computation. Steps may be traced values. A ``Logger`` is safe to
call from several threads.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
import types
from collections.abc import Callable, Mapping
from typing import Any

import jax
import numpy as np

from tbcore_jax.host_writer import HostWriter, Record, host_copies
from tbcore_jax.packing import Collector, Layout

Tracer = jax.core.Tracer


class Logger:
    """Logs into the run ``logdir`` (a folder; created when the first value is written).

    ``enabled`` turns every call into a no-op (nothing traced into computations either);
    ``every`` keeps steps that are multiples of it; ``per_device`` writes each device's values
    of mapped computations into its own run ``device_<k>`` instead of device 0's only. In a
    multi-process job only process 0 writes.
    """

    def __init__(self, logdir: str, *, enabled: bool = True, every: int = 1, per_device: bool = False) -> None:
        if every < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}")
        self.logdir = str(logdir)
        self.every = every
        self.per_device = per_device
        self.enabled = enabled and jax.process_index() == 0
        self._host = HostWriter(self.logdir, per_device) if self.enabled else None
        # Per thread: ``silent`` while tracing a version that logs nothing, ``collector``
        # while tracing one whose calls become outputs.
        self._local = threading.local()

    def jit(self, fn: Callable[..., Any], *, every: int = 1, **jit_kwargs: Any) -> Callable[..., Any]:
        """``jax.jit(fn)`` whose logging calls leave the computation as extra outputs.

        The calls this logger gets while ``fn`` is traced, at its top level, are returned by
        the compiled computation with ``fn``'s own result (calls inside ``scan`` bodies or
        ``cond`` branches still use host callbacks), packed: all scalars in one float32
        vector, the steps in one integer vector, except a step that is one of ``fn``'s
        positional arguments (not donated), which the wrapper reads from the call. The
        wrapper puts the arrays on the writer's queue without waiting for them, and does
        nothing else per call. With ``every=N`` only every ``N``-th call
        logs: the others run a second compiled version without any logging. Called while an
        outer function is traced, the wrapper logs through that trace instead.
        """
        if every < 1:
            raise ValueError(f"every must be a positive number of calls, got {every}")

        donated = jit_kwargs.get("donate_argnums", ())
        donated = {donated} if isinstance(donated, int) else set(donated)
        if jit_kwargs.get("donate_argnames"):
            donated = None  # names may stand for any position: read no step back from them

        def readable(position: int) -> bool:
            return donated is not None and position not in donated

        @functools.wraps(fn)
        def collecting(*args: Any, **kwargs: Any) -> tuple[Any, dict[Layout, tuple[Any, ...]]]:
            collector = Collector(current_trace(), args, readable)
            outer = getattr(self._local, "collector", None)
            self._local.collector = collector
            try:
                out = fn(*args, **kwargs)
            finally:
                self._local.collector = outer
            return out, collector.outputs()

        logging_version = jax.jit(collecting, **jit_kwargs)
        # A function object of its own: JAX caches traces by function, and this version must
        # be traced anew, with the logger silent.
        silent_version = jax.jit(functools.wraps(fn)(lambda *args, **kwargs: fn(*args, **kwargs)), **jit_kwargs)
        calls = itertools.count()

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if every == 1 or next(calls) % every == 0:
                out, logged = logging_version(*args, **kwargs)
                if logged:
                    self._send_outputs(logged, args)
                return out
            self._local.silent = True  # only matters while the silent version is traced
            try:
                return silent_version(*args, **kwargs)
            finally:
                self._local.silent = False

        call.logging_version = logging_version  # type: ignore[attr-defined]
        call.silent_version = silent_version  # type: ignore[attr-defined]
        return call

    # --- the summaries ------------------------------------------------------------------

    def scalar(self, tag: str, value: Any, step: Any) -> None:
        """A number (a scalar array) at ``step``."""
        self._log("scalar", (tag,), (value,), step)

    def scalars(self, main_tag: str, values: Mapping[str, Any], step: Any) -> None:
        """Several numbers on one chart, as torch's ``add_scalars``: each in a run
        ``<logdir>/<main_tag>_<key>``, under the tag ``main_tag``."""
        self._log("scalars", (main_tag, *values), tuple(values.values()), step)

    def histogram(self, tag: str, values: Any, step: Any) -> None:
        """The distribution of an array's values."""
        self._log("histogram", (tag,), (values,), step)

    def pytree_histograms(self, prefix: str, tree: Any, step: Any) -> None:
        """A histogram of every array leaf of ``tree`` (parameters, gradients), tagged
        ``prefix/`` and the leaf's key path (``params/Dense_0/kernel``); one callback for all."""
        leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
        tags = tuple(f"{prefix}/{key_path_name(path)}" for path, _ in leaves)
        self._log("histogram", tags, tuple(leaf for _, leaf in leaves), step)

    def image(self, tag: str, image: Any, step: Any, dataformats: str = "HWC") -> None:
        """An image: ``[H, W, C]`` (or ``dataformats``), floats in [0, 1] or uint8."""
        self._log("image", (tag, dataformats), (image,), step)

    def text(self, tag: str, text: str, step: Any) -> None:
        """Markdown text (a Python string: JAX cannot trace strings; the step may be traced)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        self._log("text", (tag, text), (), step)

    # --- flushing ---------------------------------------------------------------------

    def flush(self) -> None:
        """Wait for the callbacks of computations already dispatched, then write everything
        logged so far to the files."""
        if self._host is not None:
            jax.effects_barrier()
            self._host.flush()

    def close(self) -> None:
        """Flush and close the files; later calls log nothing."""
        if self._host is not None:
            jax.effects_barrier()
            self._host.close()
            self._host = None
        self.enabled = False

    def __enter__(self) -> Logger:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: types.TracebackType | None) -> None:
        self.close()

    # --- how values leave the device ------------------------------------------------------

    def _log(self, kind: str, tags: tuple[str, ...], values: tuple[Any, ...], step: Any) -> None:
        if not self.enabled or getattr(self._local, "silent", False):
            return
        if not any(isinstance(x, Tracer) for x in (step, *jax.tree_util.tree_leaves(values))):
            step = int(step)
            if step % self.every == 0:
                self._receive(kind, tags, step, 0, *values)
            return
        collector = getattr(self._local, "collector", None)
        if collector is not None and collector.takes(current_trace()):
            collector.add(kind, tags, step, values)
            return
        axes = mapped_axis_names()
        device = linear_axis_index(axes)

        def send() -> None:
            # Not an ordered effect: those thread a token through every call of the computation,
            # which stops JAX from dispatching the next step before this one ends (5x slower
            # steps here). One computation's callbacks run in program order, computations in
            # the order they were dispatched, so the values still arrive in step order.
            jax.debug.callback(self._callback(kind, tags), step, device, *values)

        if self.every == 1:
            send()
        else:
            jax.lax.cond(jax.numpy.asarray(step) % self.every == 0, send, lambda: None)

    def _callback(self, kind: str, tags: tuple[str, ...]) -> Callable[..., None]:
        def callback(step: Any, device: Any, *values: Any) -> None:
            self._receive(kind, tags, int(step), int(device), *values)

        return callback

    def _send_outputs(self, logged: dict[Layout, tuple[Any, ...]], args: tuple[Any, ...]) -> None:
        """Hand the arrays a ``Logger.jit`` computation returned to the writer's thread (it
        waits for them, not the caller); while an outer function is traced, log them through
        that trace. Kept short: it runs on every logging step."""
        host = self._host
        if host is None:
            return
        ((layout, arrays),) = logged.items()
        step_args = tuple([args[i] for i in layout.step_args]) if layout.step_args else ()
        if any([isinstance(x, Tracer) for x in arrays]) or any([isinstance(x, Tracer) for x in step_args]):
            for kind, tags, step, values in layout.unpack(arrays, step_args, list, lambda a: a):
                self._log(kind, tags, values, step)
        else:
            host.put_packed(layout, arrays, step_args, self.every)

    def _receive(self, kind: str, tags: tuple[str, ...], step: int, device: int, *values: Any) -> None:
        host = self._host
        if host is None or (device != 0 and not self.per_device):
            return
        host.put(Record(kind, tags, host_copies(values), step, device, walltime=time.time()))


def current_trace() -> Any:
    """The trace JAX is recording into on this thread (``None`` where this JAX release does
    not say: then every traced call uses a host callback)."""
    try:
        from jax._src import core

        return core.trace_ctx.trace
    except (ImportError, AttributeError):  # pragma: no cover - depends on the JAX release
        return None


def key_path_name(path: tuple[Any, ...]) -> str:
    """A tree leaf's key path as a ``/``-separated name: ``params/Dense_0/kernel``. A last
    ``.value`` attribute (the array inside a Flax NNX variable) is left out."""
    if path and getattr(path[-1], "name", None) == "value":
        path = path[:-1]
    parts = []
    for key in path:
        for attribute in ("key", "name", "idx"):
            if hasattr(key, attribute):
                parts.append(str(getattr(key, attribute)))
                break
        else:
            parts.append(str(key))
    return "/".join(parts)


def mapped_axis_names() -> tuple[Any, ...]:
    """The names of the axes ``pmap`` / ``shard_map`` map the current trace over (none
    outside them). JAX has no public way to ask; without one, none are assumed and every
    device's copy is written."""
    try:
        from jax._src import core
    except ImportError:  # pragma: no cover - depends on the JAX release
        return ()
    try:
        return tuple(core.get_axis_env().axis_names())
    except AttributeError:  # pragma: no cover
        return tuple(getattr(core, "unsafe_get_axis_names", lambda: ())())


def linear_axis_index(axes: tuple[Any, ...]) -> Any:
    """This device's position over ``axes``, row-major (0 outside mapped computations)."""
    index: Any = np.int32(0)
    for name in axes:
        index = index * jax.lax.axis_size(name) + jax.lax.axis_index(name)
    return index
