"""``trace_handler``: ``torch.profiler`` traces written into a run directory.

Use it as ``torch.profiler.tensorboard_trace_handler`` is used::

    from tbcore_torch import SummaryWriter
    from tbcore_torch.profiler import trace_handler

    writer = SummaryWriter("runs/exp1")
    with torch.profiler.profile(
        schedule=torch.profiler.schedule(wait=1, warmup=1, active=2),
        on_trace_ready=trace_handler(writer.get_logdir()),
    ) as prof:
        for batch in data:
            train_step(batch)
            prof.step()

Each time a profiling cycle ends, one Chrome-trace JSON file is written directly into
``dir_name`` (created if missing): ``<worker_name>.<time_ns>.pt.trace.json`` (``.gz`` added with
``use_gzip``), the names torch's handler writes (nanoseconds, as torch uses, so that two cycles
of one worker never share a name). That is where TensorBoard's profiler plugin for torch
(``torch-tb-profiler``) reads them, and where tbcore's profile dashboard will (planned: the data
provider does not discover traces yet). Passing the run directory of the ``SummaryWriter`` puts
the traces in the same run as its scalars; event files and traces do not disturb each other. A
trace is written under a
hidden temporary name and renamed when complete, so a live dashboard never reads half of one.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import time
from collections.abc import Callable
from typing import Any

TRACE_SUFFIX = ".pt.trace.json"


def trace_handler(
    dir_name: str | os.PathLike[str],
    worker_name: str | None = None,
    use_gzip: bool = False,
    use_python_export: bool = False,
) -> Callable[[Any], None]:
    """A ``torch.profiler.profile(on_trace_ready=...)`` callback that writes each trace to
    ``dir_name/<worker_name>.<time_ns>.pt.trace.json[.gz]``.

    ``worker_name`` tells apart the processes of a distributed job; by default it is
    ``<hostname>_<pid>``. It must be a plain file-name part (no path separator, not starting
    with ``.``, which would make hidden files), so that every trace lands in ``dir_name``
    itself and is seen. ``use_python_export`` is passed on to ``export_chrome_trace``.
    """
    directory = os.fspath(dir_name)
    if worker_name is not None and (
        not worker_name or "/" in worker_name or os.sep in worker_name or worker_name[0] == "."
    ):
        raise ValueError(
            "worker_name must be a non-empty name without path separators that does not start "
            f"with '.' (a hidden file), got {worker_name!r}"
        )

    def write_trace(prof: Any) -> None:
        """Export the profiler's last cycle into a new trace file."""
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as e:
            raise RuntimeError(f"cannot create the trace directory {directory!r}: {e}") from e
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns()}{TRACE_SUFFIX}" + (".gz" if use_gzip else "")
        _export(prof, os.path.join(directory, name), use_gzip, use_python_export)

    return write_trace


def _export(prof: Any, path: str, use_gzip: bool, use_python_export: bool) -> None:
    """Write the trace under a hidden name that discovery skips, then rename it to ``path``."""
    folder, name = os.path.split(path)
    partial = os.path.join(folder, f".{name}.partial")
    plain = f"{partial}.json" if use_gzip else partial  # torch's own export, never gzipped
    try:
        prof.export_chrome_trace(plain, use_python_export=use_python_export)
        if use_gzip:
            with open(plain, "rb") as source, gzip.open(partial, "wb") as packed:
                shutil.copyfileobj(source, packed)
        os.replace(partial, path)
    finally:
        for leftover in {plain, partial}:
            if os.path.exists(leftover):
                os.remove(leftover)
