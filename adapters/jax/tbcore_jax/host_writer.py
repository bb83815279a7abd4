"""The host side of a ``Logger``: values as they leave the device, written in order.

Whoever logs only puts an item on a queue: a host callback a :class:`Record` of copies (the
device waits for the callback), ``Logger.jit`` the arrays its computation returned with their
:class:`~tbcore_jax.packing.Layout` (the step does not wait for them). A thread of its own
wakes every :data:`BATCH_SECONDS` (sooner when :data:`MAX_BATCH` items wait, or someone
flushes), takes everything queued, fetches the arrays (still being computed: it waits for
them, not the step), turns them into summaries (histogram buckets, PNG files) and hands them to
``tbcore.summary.SummaryWriter``, whose own thread writes the file. Steps of ``Logger.jit``
that log only scalars take a fast path (:mod:`tbcore_jax.scalar_steps`): one transfer for many
steps, events encoded straight into the file's queue.

Waking once per batch, not per step, keeps the thread off the cores the training step runs
on; it also runs at a lower scheduling priority where the system allows (Linux), so that the
step's threads go first when both want a core. Batches are short all the same: arrays queued
for long (half a second) outlive the garbage collector's young generations, and the full
collections they then cause stall the step for 0.1-0.2 s every few thousand steps
(``docs/benchmarks.md``, JAX logging).
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tbcore.summary import SummaryWriter
from tbcore_jax.packing import Layout
from tbcore_jax.scalar_steps import ScalarSteps, write_runs

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.05
"""How long the writer's thread lets items gather between batches (``flush`` and ``close`` do
not wait for it)."""

MAX_BATCH = 256
"""Items queued that wake the writer's thread before :data:`BATCH_SECONDS` (bounds the memory
that waiting arrays hold, and how old they get)."""

WRITER_NICENESS = 10
"""How much the writer's thread lowers its own scheduling priority (Linux; 0 keeps it)."""


@dataclass(frozen=True, slots=True)
class Record:
    """What one logging call sent: its kind, tags, values (host copies) and step, the device
    it came from and when. Steps that are not multiples of ``every`` are not written."""

    kind: str
    tags: tuple[str, ...]
    values: tuple[Any, ...]
    step: Any
    device: int = 0
    every: int = 1
    walltime: float | None = None


Packed = tuple[Layout, tuple[Any, ...], tuple[Any, ...], float, int]
"""What a ``Logger.jit`` step sent: its layout, the arrays it returned, the steps taken from
its arguments, when it was called, and the logger's ``every``."""


class HostWriter:
    """Writes :class:`Record` and :data:`Packed` items into the run ``logdir`` (and
    ``device_<k>`` sub-runs for per-device records), from a thread of its own, in the order
    they were put."""

    def __init__(
        self, logdir: str, per_device: bool = False, *, batch_seconds: float = BATCH_SECONDS, niceness: int = WRITER_NICENESS
    ) -> None:
        self.logdir = logdir
        self.per_device = per_device
        self.batch_seconds = batch_seconds
        self.niceness = niceness
        self._writers: dict[int, SummaryWriter] = {}
        self._queue: queue.SimpleQueue[Record | Packed | threading.Event | None] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._scalar_steps = ScalarSteps()
        self._thread = threading.Thread(target=self._run, name="tbcore-jax-writer", daemon=True)
        self._thread.start()

    def put(self, record: Record) -> None:
        """Queue a record."""
        self._queue.put(record)
        if self._queue.qsize() >= MAX_BATCH and not self._wake.is_set():
            self._wake.set()

    def put_packed(self, layout: Layout, arrays: tuple[Any, ...], step_args: tuple[Any, ...], every: int) -> None:
        """Queue the arrays a ``Logger.jit`` computation returned (the caller keeps no
        reference to them): a tuple on a queue, all the step pays."""
        self._queue.put((layout, arrays, step_args, time.time(), every))
        if self._queue.qsize() >= MAX_BATCH and not self._wake.is_set():
            self._wake.set()

    def drain(self) -> None:
        """Wait until every item put so far is handed to the event-file writers."""
        done = threading.Event()
        self._queue.put(done)
        self._wake.set()
        while not done.wait(1.0):
            if not self._thread.is_alive():
                return

    def flush(self) -> None:
        """Write everything put so far to the files."""
        self.drain()
        for writer in list(self._writers.values()):
            writer.flush()

    def close(self) -> None:
        """Write everything and close the files."""
        self._queue.put(None)
        self._wake.set()
        self._thread.join()
        for writer in self._writers.values():
            writer.close()

    def _writer(self, device: int) -> SummaryWriter:
        key = device if self.per_device else 0
        if key not in self._writers:
            folder = os.path.join(self.logdir, f"device_{device}") if self.per_device else self.logdir
            # The file's thread writes what gathered once a second (and on flush / close), not
            # every ten events.
            self._writers[key] = SummaryWriter(folder, max_queue=1 << 20, flush_secs=1.0)
        return self._writers[key]

    def _run(self) -> None:
        lower_priority(self.niceness)
        while True:
            self._wake.wait(self.batch_seconds)
            self._wake.clear()  # before taking the items: a later put's wake-up is kept
            items = []
            while True:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            packed: list[Packed] = []  # consecutive steps of Logger.jit: written together
            for item in items:
                if type(item) is tuple:
                    packed.append(item)
                    continue
                if packed:
                    write_runs(packed, self._scalar_steps, self._add_scalar_events, self._write_packed)
                    packed = []
                if item is None:  # close() put it after everything else
                    return
                if isinstance(item, threading.Event):
                    item.set()
                elif isinstance(item, Record):
                    self._write(item.kind, item.tags, item.values, item.step, item.device, item.every, item.walltime)
            if packed:
                write_runs(packed, self._scalar_steps, self._add_scalar_events, self._write_packed)

    def _add_scalar_events(self, payloads: list[bytes]) -> None:
        if not payloads:  # every step left out by ``every``: no file yet
            return
        file_writer = self._writer(0).file_writer
        assert file_writer is not None  # the files close after this thread ends
        for payload in payloads:
            file_writer.add_record(payload)

    def _write_packed(self, item: Packed) -> None:
        layout, arrays, step_args, walltime, every = item
        try:
            calls = layout.unpack(arrays, step_args, vector_elements, host_value)
        except Exception:  # a deleted buffer, say: costs this step only
            logger.exception("cannot fetch the values logged by a step from the device")
            return
        for kind, tags, step, values in calls:
            self._write(kind, tags, values, step, 0, every, walltime)

    def _write(
        self, kind: str, tags: tuple[str, ...], values: tuple[Any, ...], step: Any, device: int, every: int, walltime: float | None
    ) -> None:
        try:
            step = int(step)
            if step % every:
                return
            writer = self._writer(device)
            if kind == "scalar":
                for tag, value in zip(tags, values):
                    writer.add_scalar(tag, value if type(value) is float else float(value), step, walltime)
            elif kind == "scalars":
                main_tag, *keys = tags
                writer.add_scalars(main_tag, {key: float(v) for key, v in zip(keys, values)}, step, walltime)
            elif kind == "histogram":
                for tag, value in zip(tags, values):
                    writer.add_histogram(tag, np.asarray(value), step, walltime=walltime)
            elif kind == "image":
                (tag, dataformats), (image,) = tags, values
                writer.add_image(tag, np.asarray(image), step, walltime, dataformats=dataformats)
            elif kind == "text":
                tag, text = tags
                writer.add_text(tag, text, step, walltime)
            else:  # pragma: no cover - the Logger only makes the kinds above
                raise ValueError(f"unknown record kind {kind!r}")
        except Exception:  # a value that cannot be written must not stop the others
            logger.exception("cannot write %s %s at step %s", kind, tags, step)


def host_value(value: Any) -> Any:
    """An output or argument on the host: a Python int as it is, an array read (``np.asarray``
    reads a CPU array in place; ``jax.device_get`` costs several times more per array)."""
    return value if type(value) is int else np.asarray(value)


def vector_elements(vector: Any) -> list[Any]:
    """A packed vector's elements as Python numbers."""
    return np.asarray(vector).tolist()  # type: ignore[no-any-return]


def host_copies(values: Sequence[Any]) -> tuple[np.ndarray, ...]:
    """Copies of what a callback received: its arrays may be views of device buffers that
    are reused once it returns."""
    return tuple(np.array(v, copy=True) for v in values)


def lower_priority(niceness: int) -> None:
    """Lower the calling thread's scheduling priority by ``niceness`` (Linux: a thread's
    niceness is its own, and threads it starts inherit it); elsewhere nothing."""
    if not niceness or not sys.platform.startswith("linux"):
        return  # elsewhere PRIO_PROCESS takes a process id, not a thread's
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
    except OSError:  # not permitted here: run at the normal priority
        pass
