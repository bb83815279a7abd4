"""The trace store: traces found through the provider's run assets, read lazily, cached by
(run, path, size), a trace still being written left alone, a broken one costing itself alone."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tbcore.data import LogdirDataProvider
from tbcore.errors import NotFoundError
from tbcore_kineto.importer import KinetoImporter
from tbcore_profile.demo import kineto_trace
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.importers import ImporterRegistry
from tbcore_profile.model import Trace
from tbcore_profile.store import TraceNotReadyError, TraceStore, TraceUnreadableError


class CountingImporter(KinetoImporter):
    """The Kineto importer, counting (and optionally slowing) its parses."""

    def __init__(self, delay: float = 0.0) -> None:
        self.parsed: list[str] = []
        self.delay = delay

    def parse(self, data: bytes, path: str) -> Trace:
        self.parsed.append(path)
        time.sleep(self.delay)
        return super().parse(data, path)


def _store(logdir: Path, importer: CountingImporter, **kwargs: Any) -> TraceStore:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return TraceStore(provider, ImporterRegistry([importer]), **kwargs)


def test_listing_reading_and_caching(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    document = kineto_trace(steps=2, gpu=False)
    write_run(tmp_path / "a", {"w.2.pt.trace.json": document, "w.10.pt.trace.json": document,
                               "notes.txt": b"x", ".w.3.pt.trace.json.partial": b"{"})
    write_run(tmp_path / "b", {})
    importer = CountingImporter()
    store = _store(tmp_path, importer)
    entries = store.list_traces("a")
    assert [(e.path, e.worker, e.span, e.status) for e in entries] == [
        ("w.2.pt.trace.json", "w", "2", "ready"),
        ("w.10.pt.trace.json", "w", "10", "ready"),  # spans sort as numbers
    ]
    assert store.list_traces("b") == [] and store.list_traces("nope") == []
    assert importer.parsed == []  # listing reads nothing
    entry, first = store.analysis("a", None)  # the last trace by default
    assert entry.path == "w.10.pt.trace.json"
    _, again = store.analysis("a", "w.10.pt.trace.json")
    assert again is first and importer.parsed == ["w.10.pt.trace.json"]
    with pytest.raises(NotFoundError):
        store.analysis("a", "../b/w.2.pt.trace.json")
    with pytest.raises(NotFoundError):
        store.analysis("a", "notes.txt")
    with pytest.raises(NotFoundError):
        store.analysis("b", None)
    assert store.has_traces(["b", "a"]) and not store.has_traces(["b"])


def test_a_trace_whose_size_changes_is_not_read_until_it_settles(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    run = write_run(tmp_path / "a", {})
    text = json.dumps(kineto_trace(steps=2, gpu=False))
    path = run / "w.1.pt.trace.json"
    path.write_text(text[: len(text) // 2])  # a writer that writes in place, half-way
    importer = CountingImporter()
    store = _store(tmp_path, importer)
    assert store.list_traces("a")[0].status == "ready"  # first sight: nothing to compare with
    with pytest.raises(TraceUnreadableError, match="not valid JSON"):
        store.analysis("a", None)  # read, and found incomplete: an error at this size
    assert store.list_traces("a")[0].status == "error"
    path.write_text(text[: 3 * len(text) // 4])
    with pytest.raises(TraceNotReadyError):
        store.analysis("a", None)  # it grew since the last listing
    path.write_text(text)
    with pytest.raises(TraceNotReadyError):
        store.analysis("a", None)  # and again
    assert store.list_traces("a")[0].status == "ready"  # two listings agree
    entry, analysis = store.analysis("a", None)
    assert entry.size == len(text.encode()) and len(analysis.trace.events) > 0
    assert len(importer.parsed) == 2


def test_a_rewritten_trace_is_read_again(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    run = write_run(tmp_path / "a", {"w.1.pt.trace.json": kineto_trace(steps=2, gpu=False)})
    importer = CountingImporter()
    store = _store(tmp_path, importer)
    _, first = store.analysis("a", None)
    (run / "w.1.pt.trace.json").write_text(json.dumps(kineto_trace(steps=3, gpu=False)))
    store.list_traces("a")  # sees the new size: pending once
    store.list_traces("a")
    _, second = store.analysis("a", None)
    assert second is not first and len(second.breakdown.steps.names) == 3


def test_a_broken_importer_costs_that_trace_alone(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    class Exploding(CountingImporter):
        def parse(self, data: bytes, path: str) -> Trace:
            if "bad" in path:
                raise RuntimeError("boom")
            if "odd" in path:
                raise TraceFormatError("odd bytes")
            return super().parse(data, path)

    document = kineto_trace(steps=2, gpu=False)
    write_run(tmp_path / "a", {"bad.1.pt.trace.json": document, "good.1.pt.trace.json": document,
                               "odd.1.pt.trace.json": document})
    store = _store(tmp_path, Exploding())
    with pytest.raises(TraceUnreadableError, match="importer failed: RuntimeError: boom"):
        store.analysis("a", "bad.1.pt.trace.json")
    with pytest.raises(TraceUnreadableError, match="odd bytes"):
        store.analysis("a", "odd.1.pt.trace.json")
    assert store.analysis("a", "good.1.pt.trace.json")[1].trace.events is not None
    assert [e.status for e in store.list_traces("a")] == ["error", "ready", "error"]


def test_concurrent_requests_parse_once(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    write_run(tmp_path / "a", {"w.1.pt.trace.json": kineto_trace(steps=2, gpu=False)})
    importer = CountingImporter(delay=0.3)
    store = _store(tmp_path, importer)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(store.analysis("a", None)[1])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert importer.parsed == ["w.1.pt.trace.json"]


def test_the_cache_keeps_to_its_budget(tmp_path: Path, write_run: Callable[..., Path]) -> None:
    document = kineto_trace(steps=2, gpu=False)
    write_run(tmp_path / "a", {f"w.{i}.pt.trace.json": document for i in range(3)})
    importer = CountingImporter()
    store = _store(tmp_path, importer, max_bytes=1)  # room for the newest trace only
    for i in (0, 1, 2, 2, 0):
        store.analysis("a", f"w.{i}.pt.trace.json")
    assert importer.parsed == ["w.0.pt.trace.json", "w.1.pt.trace.json", "w.2.pt.trace.json", "w.0.pt.trace.json"]
