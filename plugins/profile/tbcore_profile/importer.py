"""``TraceImporter``: what an importer package gives the profile dashboard."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

from tbcore_profile.model import Trace


class TraceFormatError(ValueError):
    """The bytes are not a trace this importer can read (malformed, truncated, another
    format). The message names what is wrong and, where it can, where."""


@dataclass(frozen=True)
class TraceName:
    """How a trace file is shown: the worker (process, host) that wrote it and its profiling
    span (one of several traces one worker wrote), as far as the file's path tells."""

    worker: str
    span: str
    """A sortable label of the span within the worker (a timestamp, a session folder); ``""``
    when the path has none."""


class TraceImporter(abc.ABC):
    """Reads one trace format into the common model.

    Declared by ``tbcore_profile_register_importers``; one instance serves every request, from
    several threads at once, so :meth:`parse` must keep no state between calls.
    """

    name: ClassVar[str]
    """Short identifier of the format (``kineto``, ``xplane``), ``[a-z0-9_-]+``."""

    @abc.abstractmethod
    def matches(self, path: str) -> bool:
        """Whether the run asset ``path`` (relative to its run, ``/`` separators, as
        ``DataProvider.list_run_assets`` gives it) is a trace this importer reads. Decided
        from the path alone: it is called for every file of every run."""

    @abc.abstractmethod
    def describe(self, path: str) -> TraceName:
        """The worker and span a matching ``path`` holds, from its name."""

    @abc.abstractmethod
    def parse(self, data: bytes, path: str) -> Trace:
        """The trace in the bytes of the asset ``path`` (compressed as the file is).

        Raises :class:`TraceFormatError` for bytes it cannot read. Runs in a worker thread;
        may take seconds on a large trace.
        """
