"""``KinetoImporter``: which run assets are torch.profiler traces, and how they are named."""

from __future__ import annotations

import re

from tbcore_profile.importer import TraceImporter, TraceName
from tbcore_profile.model import Trace

TRACE_FILE = re.compile(r"^(?P<worker>.*?)(?:\.(?P<span>\d+))?\.pt\.trace\.json(?:\.gz)?$")
"""``<worker>[.<span>].pt.trace.json[.gz]``: the names ``tensorboard_trace_handler`` (and
``tbcore_torch.profiler.trace_handler``) give traces; the span is a timestamp."""


class KinetoImporter(TraceImporter):
    """Chrome-trace JSON written by ``torch.profiler`` (Kineto), plain or gzipped."""

    name = "kineto"

    def matches(self, path: str) -> bool:
        """``*.pt.trace.json`` and ``*.pt.trace.json.gz`` files that are not hidden (writers
        write hidden partial files first)."""
        base = path.rsplit("/", 1)[-1]
        return not base.startswith(".") and TRACE_FILE.match(base) is not None

    def describe(self, path: str) -> TraceName:
        """Worker and span from the file name (``worker0.1700000000123.pt.trace.json``: worker
        ``worker0``, span ``1700000000123``); a folder inside the run prefixes the worker."""
        folder, _, base = path.rpartition("/")
        match = TRACE_FILE.match(base)
        worker = match.group("worker") if match else base
        span = (match.group("span") if match else None) or ""
        return TraceName(f"{folder}/{worker}" if folder else worker, span)

    def parse(self, data: bytes, path: str) -> Trace:
        """The trace in ``data`` (gzip detected from its first bytes)."""
        from tbcore_kineto.chrome_trace import parse_chrome_trace

        return parse_chrome_trace(data, path)
