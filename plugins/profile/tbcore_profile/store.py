"""``TraceStore``: a run's traces found through the provider's run assets, read lazily,
parsed once and cached.

* Listing asks the provider for the run's assets now (so a trace written while the page is
  open appears) and keeps those an importer matches.
* A trace whose size changed since the previous listing is still being written: it is shown
  as ``pending`` and not read until two listings agree. A trace that cannot be parsed is
  ``error`` at that size (and tried again when its size changes).
* Parsed traces are cached by (run, path, size), least recently used first out, within a
  memory budget; one thread parses a trace while others asking for it wait.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import NoReturn

from tbcore.data import DataProvider
from tbcore.errors import NotFoundError, PublicError
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.importers import ImporterRegistry

logger = logging.getLogger(__name__)

DEFAULT_CACHE_BYTES = 2 * 1024**3

Key = tuple[str, str, int]


class TraceNotReadyError(PublicError):
    """The trace is still being written; ask again later."""

    http_status = 409


class TraceUnreadableError(PublicError):
    """The trace file cannot be read by its importer (malformed, truncated, unsupported)."""

    http_status = 422


@dataclass(frozen=True)
class TraceEntry:
    """One trace file of a run, as listed."""

    run: str
    path: str
    """Its run asset path: the id the routes take as ``trace``."""
    size: int
    importer: str
    worker: str
    span: str
    status: str
    """``ready`` (readable, perhaps not read yet), ``pending`` (still being written) or
    ``error`` (unreadable at this size)."""
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        """The entry as the ``runs`` route lists it."""
        return {
            "trace": self.path,
            "size": self.size,
            "importer": self.importer,
            "worker": self.worker,
            "span": self.span,
            "status": self.status,
            "error": self.error,
        }


class TraceStore:
    """The traces of one provider's runs; safe to use from many threads."""

    def __init__(self, provider: DataProvider, importers: ImporterRegistry,
                 max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.provider = provider
        self.importers = importers
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._sizes: dict[tuple[str, str], int] = {}
        self._cache: OrderedDict[Key, TraceAnalysis] = OrderedDict()
        self._errors: dict[Key, str] = {}
        self._loading: dict[Key, threading.Lock] = {}

    def list_traces(self, run: str) -> list[TraceEntry]:
        """The traces of ``run`` now, sorted by worker and span."""
        entries = []
        for asset in self.provider.list_run_assets(run=run):
            importer = self.importers.find(asset.path)
            if importer is None:
                continue
            name = importer.describe(asset.path)
            key = (run, asset.path, asset.size)
            with self._lock:
                previous = self._sizes.get((run, asset.path))
                self._sizes[(run, asset.path)] = asset.size
                error = self._errors.get(key)
                cached = key in self._cache
            if cached:
                status = "ready"
            elif error is not None:
                status = "error"
            elif previous is not None and previous != asset.size:
                status = "pending"
            else:
                status = "ready"
            entries.append(
                TraceEntry(run, asset.path, asset.size, importer.name, name.worker, name.span, status, error)
            )
        entries.sort(key=lambda e: (e.worker, _span_key(e.span), e.path))
        return entries

    def has_traces(self, runs: list[str]) -> bool:
        """Whether any of ``runs`` holds a trace an importer reads."""
        return any(
            self.importers.find(asset.path) is not None
            for run in runs
            for asset in self.provider.list_run_assets(run=run)
        )

    def entry(self, run: str, path: str | None) -> TraceEntry:
        """The listed trace ``path`` of ``run`` (the last one listed when ``path`` is None).
        Raises NotFoundError when there is none."""
        entries = self.list_traces(run)
        if not entries:
            raise NotFoundError(f"run {run!r} has no profiler trace")
        if path is None:
            ready = [e for e in entries if e.status == "ready"]
            return (ready or entries)[-1]
        for entry in entries:
            if entry.path == path:
                return entry
        raise NotFoundError(f"run {run!r} has no trace {path!r}")

    def analysis(self, run: str, path: str | None) -> tuple[TraceEntry, TraceAnalysis]:
        """The parsed trace (read now if it is not cached). Raises NotFoundError,
        TraceNotReadyError or TraceUnreadableError."""
        entry = self.entry(run, path)
        if entry.status == "pending":
            raise TraceNotReadyError(f"trace {entry.path!r} is still being written")
        if entry.status == "error":
            raise TraceUnreadableError(f"cannot read trace {entry.path!r}: {entry.error}")
        key = (run, entry.path, entry.size)
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        try:
            with loading:
                with self._lock:
                    cached = self._cache.get(key)
                    if cached is not None:
                        self._cache.move_to_end(key)
                        return entry, cached
                    error = self._errors.get(key)
                if error is not None:
                    raise TraceUnreadableError(f"cannot read trace {entry.path!r}: {error}")
                return entry, self._read(entry, key)
        finally:
            with self._lock:
                self._loading.pop(key, None)

    def _read(self, entry: TraceEntry, key: Key) -> TraceAnalysis:
        data = self.provider.read_run_asset(run=entry.run, path=entry.path)
        if len(data) != entry.size:  # written to since it was listed
            with self._lock:
                self._sizes[(entry.run, entry.path)] = len(data)
            raise TraceNotReadyError(f"trace {entry.path!r} is still being written")
        importer = self.importers.find(entry.path)
        if importer is None:  # the importer list never changes; defensive
            raise NotFoundError(f"no importer reads {entry.path!r}")
        try:
            trace = importer.parse(data, entry.path)
        except TraceFormatError as e:
            self._failed(entry, key, str(e))
        except Exception as e:
            logger.exception("importer %s failed on %s of run %r", importer.name, entry.path, entry.run)
            self._failed(entry, key, f"the {importer.name} importer failed: {type(e).__name__}: {e}")
        analysis = TraceAnalysis(trace)
        with self._lock:
            self._cache[key] = analysis
            self._evict()
        return analysis

    def _failed(self, entry: TraceEntry, key: Key, message: str) -> NoReturn:
        logger.warning("cannot read trace %s of run %r: %s", entry.path, entry.run, message)
        with self._lock:
            self._errors[key] = message
        raise TraceUnreadableError(f"cannot read trace {entry.path!r}: {message}")

    def _evict(self) -> None:
        total = sum(a.trace.nbytes for a in self._cache.values())
        while len(self._cache) > 1 and total > self.max_bytes:
            _, oldest = self._cache.popitem(last=False)
            total -= oldest.trace.nbytes


def _span_key(span: str) -> tuple[int, str]:
    return (0, f"{int(span):030d}") if span.isdecimal() and span.isascii() else (1, span)
