"""The host side of a ``Logger``: values as they leave the device, written in order.

A host callback runs while the device waits for it, so it only copies the values and puts
them on a queue; ``Logger.jit`` puts the arrays its computation returned. A thread of its own
takes what has gathered every :data:`BATCH_SECONDS`, fetches the arrays of the whole batch
from the device at once, turns them into summaries (histogram buckets, PNG files) and hands
them to ``tbcore.summary.SummaryWriter``, whose own thread writes the file. Waking once per
batch instead of once per step keeps it off the cores the training step runs on: woken for
every step of a millisecond step, it cost the step a fifth of its time.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import jax
import numpy as np

from tbcore.summary import SummaryWriter

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.05
"""How long the writer's thread lets records gather between batches (``flush`` and ``close``
do not wait for it)."""


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
        self._hurry = threading.Event()  # set while someone waits for the queue to empty
        self._thread = threading.Thread(target=self._run, name="tbcore-jax-writer", daemon=True)
        self._thread.start()

    def put(self, record: Record) -> None:
        """Queue a record (the caller keeps no reference to its arrays)."""
        with self._done:
            self._pending += 1
        self._queue.put(record)

    def drain(self) -> None:
        """Wait until every record put so far is handed to the event-file writers."""
        self._hurry.set()
        try:
            with self._done:
                self._done.wait_for(lambda: self._pending == 0)
        finally:
            self._hurry.clear()

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
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            records = [r for r in batch if r is not None]
            try:
                for record in on_host(records):
                    try:
                        self._write(record)
                    except Exception:  # a value that cannot be written must not stop the others
                        logger.exception("cannot write %s %s at step %s", record.kind, record.tags, record.step)
            finally:
                with self._done:
                    self._pending -= len(records)
                    self._done.notify_all()
            if len(records) < len(batch):  # close() put None after everything else
                return
            self._hurry.wait(BATCH_SECONDS)

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


def on_host(records: list[Record]) -> list[Record]:
    """The records with their steps and values fetched from the device, all in one transfer
    (one record at a time where that fails: a bad record costs only itself)."""
    try:
        fetched = jax.device_get([(r.step, r.values) for r in records])
        return [replace(r, step=step, values=tuple(values)) for r, (step, values) in zip(records, fetched)]
    except Exception:  # noqa: BLE001 - a bad record (a deleted buffer, say) must not cost the batch
        kept = []
        for r in records:
            try:
                step, values = jax.device_get((r.step, r.values))
                kept.append(replace(r, step=step, values=tuple(values)))
            except Exception:  # logged; the others are written
                logger.exception("cannot fetch %s %s from the device", r.kind, r.tags)
        return kept


def host_copies(values: Sequence[Any]) -> tuple[np.ndarray, ...]:
    """Copies of what a callback received: its arrays may be views of device buffers that
    are reused once it returns."""
    return tuple(np.array(v, copy=True) for v in values)
