"""``RunWriter``: the event files of one run and its sub-runs, under ``SummaryWriter``.

It owns what every kind of summary shares: where the run is, the background writers of the
run and of the sub-runs some kinds write into (``add_scalars``, ``add_hparams``), the restart
marker of ``purge_step``, flushing and closing. ``SummaryWriter`` adds the ``add_*`` methods.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from tbcore.proto import event_pb2, summary_pb2
from tbcore.summary.event_file_writer import EventFileWriter
from tbcore.summary.scalars import STEP_MAX, STEP_MIN, step_out_of_range

_W = TypeVar("_W", bound="RunWriter")


class RunWriter:
    """The event file of the run ``log_dir`` (default ``runs/<time>_<host><comment>``),
    and of the sub-runs created under it on demand."""

    def __init__(
        self,
        log_dir: str | os.PathLike[str] | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
    ) -> None:
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self._log_dir = os.fspath(log_dir)
        # torch's public attributes, for code written against torch's writer.
        self.log_dir = self._log_dir
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.purge_step: int | None = None  # torch's is None once the restart marker is written
        self._options = {
            "max_queue": max_queue,
            "flush_secs": flush_secs,
            "filename_suffix": filename_suffix,
            "owner": f"{type(self).__name__}({self._log_dir!r})",
        }
        self._writer = EventFileWriter(self._log_dir, **self._options)  # type: ignore[arg-type]
        self._sub_writers: dict[str, EventFileWriter] = {}
        self._sub_writers_lock = threading.Lock()
        self._closed = False
        if purge_step is not None:
            start = event_pb2.Event(
                wall_time=time.time(),
                step=int(purge_step),
                session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START),
            )
            # TensorBoard takes the first START of a run for the initial start and purges only
            # on later ones, and the writer that logged the earlier steps rarely wrote one.
            # A second START at the same step is a no-op where the first one already purged.
            self._writer.add_event(start)
            self._writer.add_event(start)

    def get_logdir(self) -> str:
        """The directory of this writer's run."""
        return self._log_dir

    @property
    def file_writer(self) -> EventFileWriter | None:
        """The writer of this run's event file (``None`` once closed, as in torch)."""
        return None if self._closed else self._writer

    @property
    def all_writers(self) -> dict[str, EventFileWriter] | None:
        """The writers of this run and of its sub-runs, by directory (``None`` once closed,
        as in torch)."""
        if self._closed:
            return None
        return {w.get_logdir(): w for w in [self._writer, *self._sub_writers.values()]}

    def _get_file_writer(self) -> EventFileWriter:
        """The writer of this run's event file (torch's private accessor, which some
        libraries call)."""
        return self._writer

    def flush(self) -> None:
        """Write everything queued so far, in every run of this writer; after ``close()``,
        nothing (as in torch)."""
        if self._closed:
            return
        for writer in [self._writer, *self._sub_writers.values()]:
            writer.flush()

    def close(self) -> None:
        """Flush and close every file. Closing again does nothing."""
        self._closed = True
        errors = []
        for writer in [self._writer, *self._sub_writers.values()]:
            try:
                writer.close()
            except OSError as e:
                errors.append(e)
        if errors:
            raise errors[0]

    def __enter__(self: _W) -> _W:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _add(
        self, values: list[summary_pb2.Summary.Value], step: int | None, walltime: float | None
    ) -> None:
        self._writer.add_event(make_event(values, step, walltime))

    def _sub_writer(self, run_dir: str) -> EventFileWriter:
        writer = self._sub_writers.get(run_dir)
        if writer is None:
            with self._sub_writers_lock:
                writer = self._sub_writers.get(run_dir)
                if writer is None:
                    self._writer.check_usable()  # a closed writer creates no new files
                    writer = EventFileWriter(run_dir, **self._options)  # type: ignore[arg-type]
                    self._sub_writers[run_dir] = writer
        return writer


def plugin_metadata(plugin_name: str, content: bytes = b"") -> summary_pb2.SummaryMetadata:
    """``SummaryMetadata`` naming the dashboard (``plugin_name``) that reads a summary."""
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name, content=content)
    )


def make_event(
    values: list[summary_pb2.Summary.Value], step: int | None, walltime: float | None
) -> event_pb2.Event:
    """An ``Event`` holding ``values`` at ``step`` (none if ``None``), at ``walltime`` or now."""
    event = event_pb2.Event(
        wall_time=time.time() if walltime is None else walltime,
        summary=summary_pb2.Summary(value=values),
    )
    if step is not None:
        step = int(step)
        if not STEP_MIN <= step <= STEP_MAX:
            raise step_out_of_range(step)
        event.step = step
    return event
