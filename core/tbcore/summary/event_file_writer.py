"""Appending events to a TensorBoard event file from a background thread.

The caller only enqueues serialized events; a thread per writer frames them as TFRecords and
writes them out when ``max_queue`` records are pending, every ``flush_secs``, on
:meth:`EventFileWriter.flush` and on :meth:`EventFileWriter.close`. Writers still open when the
interpreter exits normally are closed by an ``atexit`` hook, so nothing is lost.

After ``os.fork()`` a child process inherits the writer but not its thread. The child's copy is
disabled: every call on it except ``close()`` raises :class:`ForkedWriterError`, and the parent's
pending records are dropped in the child so that they are never written twice. A child that
wants to log opens a writer of its own.
"""

from __future__ import annotations

import atexit
import errno
import itertools
import logging
import os
import socket
import threading
import time
import weakref
from types import TracebackType
from typing import Any

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

logger = logging.getLogger(__name__)

_file_counter = itertools.count(1)
# Every open writer, for the atexit and at-fork hooks; weak, so the hooks keep nothing alive.
_open_writers: weakref.WeakSet[EventFileWriter] = weakref.WeakSet()
# How often a waiting flush() checks that the writer thread is still alive.
_POLL_SECS = 0.5


class ForkedWriterError(RuntimeError):
    """A writer inherited through ``os.fork()`` was used in the child process."""


def event_file_name(filename_suffix: str = "") -> str:
    """A new event file name in TensorBoard's pattern, unique within this process."""
    return "events.out.tfevents.%010d.%s.%d.%d%s" % (  # noqa: UP031  # TensorBoard's own format
        time.time(),
        socket.gethostname(),
        os.getpid(),
        next(_file_counter),
        filename_suffix,
    )


class EventFileWriter:
    """Writes serialized ``Event`` protos to a new event file under ``logdir``.

    ``add_event`` and ``add_record`` never wait for the disk. A write error (a full disk, a
    vanished directory) is raised by the next call to ``add_*``, ``flush`` or ``close``.
    ``owner`` names the object the user writes through (``SummaryWriter('runs/a')``) in the
    error a closed writer raises; by default the writer names itself.
    """

    def __init__(
        self,
        logdir: str,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
        owner: str | None = None,
    ) -> None:
        os.makedirs(logdir, exist_ok=True)
        self._logdir = str(logdir)
        self._path = os.path.join(self._logdir, event_file_name(filename_suffix))
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = float(flush_secs)
        self._owner = owner
        # Unbuffered: records are batched in memory by us, so a forked child holds no buffer
        # that it could write a second time.
        self._file = open(self._path, "xb", buffering=0)  # closed by the thread
        self._cond = threading.Condition()
        self._pending: list[bytes] = []
        self._flush_requested = 0
        self._flush_done = 0
        self._stopping = False
        self._error: Exception | None = None
        # None while usable; otherwise the exception every call raises.
        self._unusable: Exception | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"tbcore-event-writer:{self._path}", daemon=True
        )
        first = event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
        self._pending.append(first.SerializeToString())
        self._thread.start()
        _open_writers.add(self)

    def __repr__(self) -> str:
        return f"EventFileWriter({self._path!r})"

    @property
    def path(self) -> str:
        """Path of the event file being written."""
        return self._path

    def get_logdir(self) -> str:
        """The directory the event file is in."""
        return self._logdir

    def add_event(self, event: Any, step: int | None = None, walltime: float | None = None) -> None:
        """Queue ``event`` (an ``Event`` proto, ours or TensorBoard's) for writing, as torch's
        ``FileWriter.add_event`` does: ``step`` and ``walltime`` are set on it when given, and
        an event without a wall time gets the current time."""
        if walltime is not None:
            event.wall_time = walltime
        elif not event.wall_time:
            event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.add_record(event.SerializeToString())

    def add_summary(
        self, summary: Any, global_step: int | None = None, walltime: float | None = None
    ) -> None:
        """Queue a ``Summary`` proto (ours or TensorBoard's) in an ``Event`` at ``global_step``,
        as torch's ``FileWriter.add_summary`` does."""
        event = event_pb2.Event()
        event.summary.ParseFromString(summary.SerializeToString())
        self.add_event(event, global_step, walltime)

    def add_record(self, payload: bytes) -> None:
        """Queue one already serialized ``Event``."""
        if self._unusable is not None or self._error is not None:
            self._raise_unusable()
        with self._cond:
            if self._stopping:
                raise self._closed_error()
            self._pending.append(payload)
            if len(self._pending) >= self._max_queue:
                self._cond.notify()

    def check_usable(self) -> None:
        """Raise what the next ``add_*`` would raise: the writer is closed, inherited
        through fork, or failed to write."""
        if self._unusable is not None or self._error is not None:
            self._raise_unusable()

    def flush(self) -> None:
        """Write every queued event to the file, and wait until that is done."""
        if self._unusable is not None:
            self._raise_unusable()
        with self._cond:
            self._flush_requested += 1
            target = self._flush_requested
            self._cond.notify()
            while self._flush_done < target and self._thread.is_alive():
                self._cond.wait(_POLL_SECS)
        self._raise_error()

    def close(self) -> None:
        """Flush and close the file. Closing again does nothing."""
        if isinstance(self._unusable, ForkedWriterError) or self._stopping:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join()
        self._unusable = self._closed_error()
        _open_writers.discard(self)
        self._raise_error()

    def __enter__(self) -> EventFileWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- internals -------------------------------------------------------------------

    def _closed_error(self) -> ValueError:
        return ValueError(f"{self._owner or repr(self)} is closed")

    def _raise_unusable(self) -> None:
        if isinstance(self._unusable, ForkedWriterError):
            raise self._unusable
        self._raise_error()
        assert self._unusable is not None
        raise self._unusable

    def _raise_error(self) -> None:
        if self._error is not None:
            err = self._error
            if not isinstance(err, OSError):
                raise RuntimeError(f"the writer thread of {self._path} failed: {err!r}") from err
            message = f"could not write event file {self._path}: {err.strerror or err}"
            if err.errno is None:
                raise OSError(message) from err
            raise OSError(err.errno, message) from err

    def _run(self) -> None:
        try:
            self._write_until_stopped()
        except Exception as e:  # noqa: BLE001  # kept for the caller's next call to raise
            logger.error("writer thread of %s failed: %r", self._path, e)
            self._error = e
            with self._cond:
                self._cond.notify_all()
            self._file.close()

    def _write_until_stopped(self) -> None:
        deadline = time.monotonic() + self._flush_secs
        while True:
            with self._cond:
                while (
                    len(self._pending) < self._max_queue
                    and self._flush_requested == self._flush_done
                    and not self._stopping
                ):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                batch, self._pending = self._pending, []
                flush_target = self._flush_requested
                stopping = self._stopping
            self._write(batch)
            deadline = time.monotonic() + self._flush_secs
            with self._cond:
                self._flush_done = flush_target
                self._cond.notify_all()
            if stopping:
                self._file.close()
                return

    def _write(self, batch: list[bytes]) -> None:
        if not batch or self._error is not None:
            return
        data = memoryview(b"".join([frame_record(p) for p in batch]))
        try:
            while data:
                written = self._file.write(data)
                if not written:  # a regular file never does this; do not spin on it
                    raise OSError(errno.EIO, "the file accepted no bytes")
                data = data[written:]
        except OSError as e:
            logger.error("could not write event file %s: %s", self._path, e)
            self._error = e

    def _after_fork_in_child(self) -> None:
        self._cond = threading.Condition()
        self._pending = []
        self._unusable = ForkedWriterError(
            f"{self!r} was opened before os.fork(); open a new writer in the child process"
        )
        try:
            self._file.close()  # the child's own descriptor; the parent's file stays open
        except OSError:
            pass


def _close_all_at_exit() -> None:
    for writer in list(_open_writers):
        try:
            writer.close()
        except (OSError, RuntimeError) as e:
            logger.error("closing %r at exit failed: %s", writer, e)


def _disable_in_child() -> None:
    for writer in list(_open_writers):
        writer._after_fork_in_child()
    _open_writers.clear()


atexit.register(_close_all_at_exit)
os.register_at_fork(after_in_child=_disable_in_child)
