"""The host side of a ``Logger``: values as they leave the device, written in order.

A host callback runs while the device waits for it, so it only copies the values and puts
them on a queue. A thread of its own turns them into summaries (histogram buckets, PNG
files) and hands them to ``tbcore.summary.SummaryWriter``, whose own thread writes the file.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tbcore.summary import SummaryWriter

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    """What one logging call sent: its kind, tags, values and step. Values are host copies,
    or arrays a computation returned (still being computed: the writer's thread waits for
    them); the step likewise. Steps that are not multiples of ``every`` are not written."""

    kind: str
    tags: tuple[str, ...]
    values: tuple[Any, ...]
    step: Any
    device: int = 0
    every: int = 1


class HostWriter:
    """Writes :class:`Record` objects into the run ``logdir`` (and ``device_<k>`` sub-runs
    for per-device records), from a thread of its own, in the order they were put."""

    def __init__(self, logdir: str, per_device: bool = False) -> None:
        self.logdir = logdir
        self.per_device = per_device
        self._writers: dict[int, SummaryWriter] = {}
        self._queue: queue.SimpleQueue[Record | None] = queue.SimpleQueue()
        self._done = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="tbcore-jax-writer", daemon=True)
        self._thread.start()

    def put(self, record: Record) -> None:
        """Queue a record (the caller keeps no reference to its arrays)."""
        with self._done:
            self._pending += 1
        self._queue.put(record)

    def drain(self) -> None:
        """Wait until every record put so far is handed to the event-file writers."""
        with self._done:
            self._done.wait_for(lambda: self._pending == 0)

    def flush(self) -> None:
        """Write everything put so far to the files."""
        self.drain()
        for writer in list(self._writers.values()):
            writer.flush()

    def close(self) -> None:
        """Write everything and close the files."""
        self.drain()
        self._queue.put(None)
        self._thread.join()
        for writer in self._writers.values():
            writer.close()

    def _writer(self, device: int) -> SummaryWriter:
        key = device if self.per_device else 0
        if key not in self._writers:
            folder = os.path.join(self.logdir, f"device_{device}") if self.per_device else self.logdir
            self._writers[key] = SummaryWriter(folder)
        return self._writers[key]

    def _run(self) -> None:
        while (record := self._queue.get()) is not None:
            try:
                self._write(record)
            except Exception:  # a value that cannot be written must not stop the others
                logger.exception("cannot write %s %s at step %d", record.kind, record.tags, record.step)
            finally:
                with self._done:
                    self._pending -= 1
                    self._done.notify_all()

    def _write(self, record: Record) -> None:
        step = int(record.step)
        if step % record.every:
            return
        writer = self._writer(record.device)
        if record.kind == "scalar":
            for tag, value in zip(record.tags, record.values):
                writer.add_scalar(tag, float(value), step)
        elif record.kind == "scalars":
            main_tag, *tags = record.tags
            writer.add_scalars(main_tag, {t: float(v) for t, v in zip(tags, record.values)}, step)
        elif record.kind == "histogram":
            for tag, value in zip(record.tags, record.values):
                writer.add_histogram(tag, np.asarray(value), step)
        elif record.kind == "image":
            (tag, dataformats), (image,) = record.tags, record.values
            writer.add_image(tag, np.asarray(image), step, dataformats=dataformats)
        elif record.kind == "text":
            tag, text = record.tags
            writer.add_text(tag, text, step)
        else:  # pragma: no cover - the Logger only makes the kinds above
            raise ValueError(f"unknown record kind {record.kind!r}")


def host_copies(values: Sequence[Any]) -> tuple[np.ndarray, ...]:
    """Copies of what a callback received: its arrays may be views of device buffers that
    are reused once it returns."""
    return tuple(np.array(v, copy=True) for v in values)
