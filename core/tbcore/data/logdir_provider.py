"""The default data provider: a logdir (local or remote) loaded into memory and kept current.

A run is a directory holding at least one file whose name contains ``tfevents``. Every file
of every run is tracked and read incrementally, so two writers appending to one run at once
lose nothing. Scalars are kept as numpy columns, every point of them; tensors as small
arrays; blobs (images, audio, graphs) only as locations in the files, read on demand.

Reloading happens in a background thread (:meth:`start`) every ``reload_interval`` seconds,
or on demand (:meth:`reload`). Files are read, scanned, grouped by tag and applied to their
runs on a small thread pool (the C scanner and grouping release the GIL). A run's new data
is applied as one batch under the run's lock, so readers never see half of it; only when a
run has more than :data:`BATCH_BYTES` of new data (the first load of a huge run) is it
applied in several batches of that size. Files are read into memory a chunk at a time and
never kept open or mapped: once a chunk is applied only its scalars (as columns) and the
locations of its blobs remain.

Deletions: when a logdir is listed successfully and a run no longer holds any event file,
the run is removed (as TensorBoard's Rust loader does). When one of a run's event files is
gone, the run is rebuilt from the files that remain, off to the side, and swapped in whole,
so the data of deleted files goes away and readers never see a half-built run (TensorBoard's
two loaders keep such data until the run itself goes). A logdir that cannot be listed (a
transient S3 failure) keeps all its runs as they are.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from tbcore.data.blob_keys import BlobKeys
from tbcore.data.downsample import ScalarWindow, sample_indices
from tbcore.data.logdir_spec import LogdirEntry, parse_logdir_spec
from tbcore.data.provider import (
    BlobReference,
    BlobSequenceDatum,
    DataClass,
    DataProvider,
    ExperimentMetadata,
    Run,
    RunAsset,
    RunTagFilter,
    ScalarColumns,
    TensorDatum,
    TimeSeries,
    WindowedScalars,
)
from tbcore.data.run_data import RunData, Series, read_blob_bytes
from tbcore.data.series import PointSeries, ScalarSeries
from tbcore.data.tag_groups import TagGroups, group_by_tag
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.io.event_file import Chunk, EventFileReader
from tbcore.io.filesystem import FileInfo, FileSystem, WalkErrors, filesystem_for
from tbcore.io.scan import DEFAULT_MAX_RECORD_LENGTH

logger = logging.getLogger(__name__)

BATCH_BYTES = 16 << 20
"""Most new bytes of one run read before they are applied (bounds memory on first load)."""
TASK_BYTES = 4 << 20
"""Runs with less new data than this are loaded several at a time, by one task."""
TASK_RUNS = 64
"""Most runs one task loads."""

ChangeListener = Callable[["ReloadReport"], None]


@dataclass
class ReloadReport:
    """What one reload found: new runs, removed runs, and the tags that changed in each run.

    A rebuilt run (one of its files was deleted) lists in ``changed`` every tag it had before
    or has now.
    """

    new_runs: list[str] = field(default_factory=list)
    changed: dict[str, set[str]] = field(default_factory=dict)
    removed_runs: list[str] = field(default_factory=list)
    bytes_read: int = 0
    seconds: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.new_runs or self.changed or self.removed_runs)

    def to_json(self) -> dict[str, Any]:
        """The JSON form sent to pages (``/data/live``, ``POST /data/reload?wait=1``)."""
        return {
            "new_runs": self.new_runs,
            "changed": {run: sorted(tags) for run, tags in self.changed.items()},
            "removed_runs": self.removed_runs,
        }


@dataclass
class _Source:
    entry: LogdirEntry
    fs: FileSystem


@dataclass
class _Listing:
    """The event files found by one reload, by run, and which sources could be listed."""

    files: dict[str, list[FileInfo]] = field(default_factory=dict)
    run_source: dict[str, int] = field(default_factory=dict)
    listed: set[int] = field(default_factory=set)
    unreadable: dict[str, str] = field(default_factory=dict)


_Work = list[tuple[RunData, list[tuple[EventFileReader, int]]]]


class LogdirDataProvider(DataProvider):
    """Serves the runs found under one or more logdirs (see :func:`parse_logdir_spec`)."""

    def __init__(
        self,
        logdir: str,
        *,
        reload_interval: float = 5.0,
        storage_options: dict[str, Any] | None = None,
        workers: int | None = None,
        max_record_length: int = DEFAULT_MAX_RECORD_LENGTH,
    ) -> None:
        self.logdir = logdir
        self.reload_interval = reload_interval
        self.max_record_length = max_record_length
        self._sources = [
            _Source(e, filesystem_for(e.path, storage_options)) for e in parse_logdir_spec(logdir)
        ]
        self._runs: dict[str, RunData] = {}
        self._run_fs: dict[str, FileSystem] = {}
        self._run_dir: dict[str, str] = {}
        self._run_source: dict[str, int] = {}
        self._nested_dirs: dict[str, list[str]] | None = None
        """For each run, the folders of the runs below it; rebuilt after runs come or go."""
        self._workers = workers or min(4, os.cpu_count() or 1)
        self._reload_lock = threading.Lock()
        self._listeners: list[ChangeListener] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.loaded = threading.Event()
        """Set once the first reload has finished."""
        self.bytes_loaded = 0
        """Bytes of event files read so far (for progress reports)."""
        self.unreadable: dict[str, str] = {}
        """What the last reload could not read or would not follow, path -> reason (for
        ``tbcore inspect``)."""
        self._blob_keys = BlobKeys()

    # --- loading ---------------------------------------------------------------------

    def reload(self) -> ReloadReport:
        """Read everything written since the last reload; returns what changed."""
        with self._reload_lock:
            started = time.perf_counter()
            report = ReloadReport()
            listing = self._list_sources()
            self._remove_vanished(listing, report)
            with ThreadPoolExecutor(self._workers, thread_name_prefix="tbcore-load") as pool:
                for name, replaced in self._runs_to_rebuild(listing):
                    self._rebuild(pool, name, listing.files[name], report, replaced)
                self._load(pool, self._discover(listing, report), report)
            self.unreadable = listing.unreadable
            report.seconds = time.perf_counter() - started
            self.loaded.set()
        if report:
            for listener in list(self._listeners):
                try:
                    listener(report)
                except Exception:  # a listener must not stop reloading
                    logger.exception("reload listener failed")
        return report

    def _list_sources(self) -> _Listing:
        """List the event files of every source, grouped by run name."""
        listing = _Listing()
        for index, source in enumerate(self._sources):
            root = source.entry.path
            errors: WalkErrors = []
            try:
                files = sorted(
                    (
                        f
                        for f in source.fs.walk(root, errors)
                        if "tfevents" in _basename(f.path) and not self._stop.is_set()
                    ),
                    key=lambda f: f.path,
                )
            except OSError as e:
                logger.warning("cannot list logdir %s: %s", root, e)
                listing.unreadable[root] = f"cannot list: {e}"
                continue
            if self._stop.is_set():
                break  # shutting down: a partial listing must not remove runs
            listing.listed.add(index)
            for path, reason in errors:
                if path not in self.unreadable:
                    logger.warning("%s: %s", path, reason)
                listing.unreadable[path] = reason
            for info in files:
                name = source.entry.run_name(source.fs.relpath(_dirname(info.path), root))
                if listing.run_source.setdefault(name, index) == index:
                    listing.files.setdefault(name, []).append(info)
        return listing

    def _remove_vanished(self, listing: _Listing, report: ReloadReport) -> None:
        """Drop the runs that a successful listing of their source no longer finds."""
        for name in sorted(self._runs):
            if name not in listing.files and self._run_source.get(name) in listing.listed:
                del self._runs[name]
                self._run_fs.pop(name, None)
                self._run_dir.pop(name, None)
                self._nested_dirs = None
                self._run_source.pop(name, None)
                report.removed_runs.append(name)

    def _runs_to_rebuild(self, listing: _Listing) -> list[tuple[str, set[str]]]:
        """Runs to read again from scratch, with the paths of their replaced files: runs that
        lost one of the event files they were read from, or whose file at some path is now
        another file (see :meth:`EventFileReader.replaced_by`)."""
        rebuild = []
        for name, files in sorted(listing.files.items()):
            run = self._runs.get(name)
            if run is None or self._run_source.get(name) != listing.run_source[name]:
                continue
            present = {f.path for f in files}
            lost = any(path not in present for path in run.readers)
            replaced = {
                f.path for f in files if f.path in run.readers and run.readers[f.path].replaced_by(f)
            }
            if lost or replaced:
                rebuild.append((name, replaced))
        return rebuild

    def _rebuild(
        self,
        pool: ThreadPoolExecutor,
        name: str,
        files: list[FileInfo],
        report: ReloadReport,
        replaced: set[str],
    ) -> None:
        """Read a run again from the files it has now, then swap it in whole."""
        old = self._runs[name]
        fs = self._run_fs[name]
        gone = sorted(set(old.readers) - {f.path for f in files})
        changes = [f"lost {', '.join(gone)}"] if gone else []
        changes += [f"{path} was replaced by another file" for path in sorted(replaced)]
        logger.info("run %r: %s; reading it again", name, "; ".join(changes))
        # The old file list is kept so that the indices in blob keys still name the same files;
        # the keys of a replaced file stop resolving with its old reader's generation.
        fresh = RunData(name, files=list(old.files))
        work: list[tuple[EventFileReader, int]] = []
        for info in files:
            reader = EventFileReader(fs, info.path, max_record_length=self.max_record_length)
            before = old.readers.get(info.path)
            if before is not None and info.path not in replaced:
                reader.generation = before.generation
            reader.listed(info)
            fresh.readers[info.path] = reader
            fresh.file_index(info.path)
            if info.size:
                work.append((reader, info.size))
        scratch = ReloadReport()
        self._load(pool, [(fresh, work)] if work else [], scratch)
        report.bytes_read += scratch.bytes_read
        _continue_versions(old, fresh)
        self._runs[name] = fresh
        report.changed.setdefault(name, set()).update(old.series, fresh.series)

    def _discover(self, listing: _Listing, report: ReloadReport) -> _Work:
        """Add new runs and files; find which files grew."""
        grown: dict[str, list[tuple[EventFileReader, int]]] = {}
        for name, files in sorted(listing.files.items()):
            source = self._sources[listing.run_source[name]]
            run = self._runs.get(name)
            if run is None:
                run = self._runs[name] = RunData(name)
                self._run_fs[name] = source.fs
                self._run_dir[name] = _dirname(files[0].path)
                self._nested_dirs = None
                self._run_source[name] = listing.run_source[name]
                report.new_runs.append(name)
            elif self._run_source[name] != listing.run_source[name]:
                continue  # the same name under another logdir whose listing failed this time
            for info in files:
                reader = run.readers.get(info.path)
                if reader is None:
                    reader = EventFileReader(
                        source.fs, info.path, max_record_length=self.max_record_length
                    )
                    run.readers[info.path] = reader
                    run.file_index(info.path)
                reader.listed(info)
                if info.size > reader.offset and info.size != reader.size_seen:
                    grown.setdefault(name, []).append((reader, info.size))
        return [(self._runs[name], files) for name, files in sorted(grown.items())]

    def _load(self, pool: ThreadPoolExecutor, work: _Work, report: ReloadReport) -> None:
        """Read, scan and apply the new data of every run of ``work`` on the pool.

        A task loads several small runs at once (thousands of tiny runs would otherwise cost
        a task each) and applies what it read itself, under each run's lock: numpy's sorts
        and copies release the GIL, so two workers keep two cores busy. A run with more than
        :data:`BATCH_BYTES` of new data goes back into the queue after each batch, which
        bounds the memory a first load of a huge run takes.
        """
        queue = list(reversed(work))
        pending: set[Future[list[_Loaded]]] = set()
        while queue or pending:
            if self._stop.is_set():
                queue.clear()  # shutting down: finish what runs, start nothing new
            while queue and len(pending) < self._workers + 1:
                pending.add(pool.submit(_load_runs, _take_task(queue)))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                for run, files, changed, size, more in future.result():
                    report.bytes_read += size
                    self.bytes_loaded += size
                    if changed:
                        report.changed.setdefault(run.name, set()).update(changed)
                    if more:
                        queue.append((run, files))

    def start(self) -> None:
        """Start reloading in the background: once now, then every ``reload_interval`` s."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._reload_forever, name="tbcore-reload", daemon=True)
        self._thread.start()

    def request_reload(self) -> None:
        """Ask the background thread to reload now instead of at the next interval."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the background thread (waits for a reload in progress)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _reload_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.reload()
            except Exception:  # keep serving what we have
                logger.exception("reload of %s failed", self.logdir)
            if self.reload_interval <= 0:
                self._wake.wait()
            else:
                self._wake.wait(self.reload_interval)
            self._wake.clear()

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener(report)`` after each reload that changed something.

        Returns a function that removes the listener.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- reading ---------------------------------------------------------------------

    def runs(self) -> list[RunData]:
        """The loaded runs, sorted by name (for tools such as ``tbcore inspect``)."""
        # A copy first: a reload may remove a run between listing the names and reading one.
        runs = dict(self._runs)
        return [runs[name] for name in sorted(runs)]

    def point_count(self) -> int:
        """Points held in every series of every run (for progress reports)."""
        total = 0
        for run in self.runs():
            with run.lock:
                total += sum(len(series.points) for series in run.series.values())
        return total

    def experiment_metadata(self, *, experiment_id: str = "") -> ExperimentMetadata:
        """The logdir spec as data location; creation time = earliest run start."""
        starts = [r.start_time for r in self.runs() if r.start_time is not None]
        return ExperimentMetadata(
            data_location=self.logdir, creation_time=min(starts) if starts else 0.0
        )

    def list_plugins(self, *, experiment_id: str = "") -> list[str]:
        """Every plugin name that has a series in some run."""
        names: set[str] = set()
        for run in self.runs():
            with run.lock:
                names.update(s.info.plugin_name for s in run.series.values())
        names.discard("")
        return sorted(names)

    def list_runs(self, *, experiment_id: str = "") -> list[Run]:
        """Runs sorted by name; a run appears once its first event file is found."""
        return [Run(r.name, r.name, r.start_time) for r in self.runs()]

    def _select(
        self, plugin_name: str, data_class: DataClass, run_tag_filter: RunTagFilter | None
    ) -> Iterator[tuple[RunData, str, Series]]:
        flt = run_tag_filter or RunTagFilter()
        for run in self.runs():
            if not flt.accepts_run(run.name):
                continue
            for tag, series in list(run.series.items()):
                if (
                    series.info.plugin_name == plugin_name
                    and series.info.data_class == data_class
                    and flt.accepts_tag(tag)
                ):
                    yield run, tag, series

    def _list(
        self, plugin_name: str, data_class: DataClass, run_tag_filter: RunTagFilter | None
    ) -> dict[str, dict[str, TimeSeries]]:
        out: dict[str, dict[str, TimeSeries]] = {}
        for run, tag, series in self._select(plugin_name, data_class, run_tag_filter):
            with run.lock:
                points = series.points
                if not len(points):
                    continue
                info = series.info
                out.setdefault(run.name, {})[tag] = TimeSeries(
                    max_step=points.max_step(),
                    max_wall_time=points.max_wall_time(),
                    plugin_content=info.plugin_content,
                    description=info.description,
                    display_name=info.display_name,
                    length=len(points),
                    last_modified=float(series.version),
                )
        return out

    def list_scalars(
        self, *, plugin_name: str, experiment_id: str = "", run_tag_filter: RunTagFilter | None = None
    ) -> dict[str, dict[str, TimeSeries]]:
        """Scalar series of ``plugin_name``."""
        return self._list(plugin_name, DataClass.SCALAR, run_tag_filter)

    def list_tensors(
        self, *, plugin_name: str, experiment_id: str = "", run_tag_filter: RunTagFilter | None = None
    ) -> dict[str, dict[str, TimeSeries]]:
        """Tensor series of ``plugin_name``."""
        return self._list(plugin_name, DataClass.TENSOR, run_tag_filter)

    def list_blob_sequences(
        self, *, plugin_name: str, experiment_id: str = "", run_tag_filter: RunTagFilter | None = None
    ) -> dict[str, dict[str, TimeSeries]]:
        """Blob-sequence series of ``plugin_name``."""
        return self._list(plugin_name, DataClass.BLOB_SEQUENCE, run_tag_filter)

    def read_scalars(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, ScalarColumns]]:
        """Every point of each scalar series (or ``downsample`` of them, latest included)."""
        _check_downsample(downsample)
        out: dict[str, dict[str, ScalarColumns]] = {}
        for run, tag, series in self._select(plugin_name, DataClass.SCALAR, run_tag_filter):
            points = series.points
            assert isinstance(points, ScalarSeries)
            with run.lock:
                if downsample:
                    step, wall, value = points.take(sample_indices(len(points), downsample))
                else:
                    step, wall, value = points.columns()
            out.setdefault(run.name, {})[tag] = ScalarColumns(step, wall, value)
        return out

    def read_scalars_window(
        self,
        *,
        plugin_name: str,
        window: ScalarWindow,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, WindowedScalars]]:
        """The points needed to draw ``window`` of each scalar series, picked under the run's
        lock from the stored columns themselves: only the picked points are copied."""
        out: dict[str, dict[str, WindowedScalars]] = {}
        for run, tag, series in self._select(plugin_name, DataClass.SCALAR, run_tag_filter):
            points = series.points
            assert isinstance(points, ScalarSeries)
            with run.lock:
                idx = window.indices(*points.views())
                step, wall, value = points.take(idx)
                total = len(points)
            out.setdefault(run.name, {})[tag] = WindowedScalars(ScalarColumns(step, wall, value), total)
        return out

    def read_tensors(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, list[TensorDatum]]]:
        """Every point of each tensor series (or ``downsample`` of them, latest included)."""
        _check_downsample(downsample)
        out: dict[str, dict[str, list[TensorDatum]]] = {}
        for run, tag, series in self._select(plugin_name, DataClass.TENSOR, run_tag_filter):
            points = series.points
            assert isinstance(points, PointSeries)
            with run.lock:
                rows = points.snapshot(sample_indices(len(points), downsample))
            out.setdefault(run.name, {})[tag] = [TensorDatum(s, w, v) for s, w, v in rows]
        return out

    def read_blob_sequences(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, list[BlobSequenceDatum]]]:
        """Blob references of every point (or ``downsample`` of them, latest included)."""
        _check_downsample(downsample)
        out: dict[str, dict[str, list[BlobSequenceDatum]]] = {}
        for run, tag, series in self._select(plugin_name, DataClass.BLOB_SEQUENCE, run_tag_filter):
            points = series.points
            assert isinstance(points, PointSeries)
            with run.lock:
                rows = points.snapshot(sample_indices(len(points), downsample))
                generations = run.file_generations()
            part = self._blob_keys.series_part(run.name, tag)
            key = self._blob_keys.key
            out.setdefault(run.name, {})[tag] = [
                BlobSequenceDatum(
                    s,
                    w,
                    tuple(BlobReference(key(part, loc, generations[loc.file_index])) for loc in locs),
                )
                for s, w, locs in rows
            ]
        return out

    def list_run_assets(self, *, run: str, experiment_id: str = "") -> list[RunAsset]:
        """The files under the run's folder besides event files, listed now (a walk of that
        folder: profiler traces appear as they are written), without the folders of other
        runs below it."""
        where = self._asset_folder(run)
        if where is None:
            return []
        folder, fs, nested_dirs = where
        nested = [fs.relpath(d, folder) + "/" for d in nested_dirs]
        assets = []
        try:
            for info in fs.walk(folder):
                relative = fs.relpath(info.path, folder)
                if "tfevents" not in _basename(info.path) and not relative.startswith(tuple(nested)):
                    assets.append(RunAsset(relative, info.size))
        except OSError as e:
            logger.warning("cannot list the files of run %r: %s", run, e)
        return sorted(assets, key=lambda a: a.path)

    def _asset_folder(self, run: str) -> tuple[str, FileSystem, list[str]] | None:
        """The folder of ``run``'s assets, its storage and the run folders below it to leave
        out. Run ``.`` is the logdir's root even when no event file lies there (TensorBoard's
        projector reads a config and checkpoint saved beside the runs), if the logdir is one."""
        folder, fs = self._run_dir.get(run), self._run_fs.get(run)
        if folder is not None and fs is not None:
            return folder, fs, self._nested_run_dirs().get(run, [])
        if run == "." and len(self._sources) == 1 and self._sources[0].entry.name is None:
            source = self._sources[0]
            return source.entry.path, source.fs, list(self._run_dir.values())
        return None

    def _nested_run_dirs(self) -> dict[str, list[str]]:
        """For each run, the folders of the other runs below its folder on the same storage
        (each run's ancestors are looked up: linear in the number of runs, not quadratic)."""
        nested = self._nested_dirs
        if nested is None:
            dirs = list(self._run_dir.items())
            owner = {(id(self._run_fs.get(name)), d): name for name, d in dirs}
            nested = {}
            for name, d in dirs:
                fs_id, child = id(self._run_fs.get(name)), d
                while (parent := _dirname(child)) != child:
                    above = owner.get((fs_id, parent))
                    if above is not None and above != name:
                        nested.setdefault(above, []).append(d)
                    child = parent
            self._nested_dirs = nested
        return nested

    def read_run_asset(self, *, run: str, path: str, experiment_id: str = "") -> bytes:
        """The bytes of one of :meth:`list_run_assets`, read now."""
        where = self._asset_folder(run)
        if where is None or path not in {a.path for a in self.list_run_assets(run=run)}:
            raise NotFoundError(f"no asset {path!r} in run {run!r}")
        folder, fs, _ = where
        try:
            return fs.read(fs.join(folder, *path.split("/")), 0)
        except OSError as e:  # gone since it was listed
            raise NotFoundError(f"asset {path!r} of run {run!r} is gone: {type(e).__name__}") from e

    def read_blob(self, *, blob_key: str) -> bytes:
        """The bytes of one blob, read from its event file now."""
        run_name, tag, location, generation = self._blob_keys.parse(blob_key)
        run = self._runs.get(run_name)
        if run is None:
            raise NotFoundError(f"no run named {run_name!r}")
        with run.lock:
            series = run.series.get(tag)
            if series is None or location.file_index >= len(run.files):
                raise NotFoundError("blob key refers to data that is not loaded")
            path = run.files[location.file_index]
            reader = run.readers.get(path)
            info = series.info
        fs = self._run_fs.get(run_name)
        if fs is None or reader is None:  # removed, or its file deleted since
            raise NotFoundError("blob key refers to data that is no longer loaded")
        if reader.generation != generation:
            raise NotFoundError("the event file of this blob was replaced since")
        if location.inline is not None:
            return location.inline
        try:
            data = fs.read(path, location.offset, location.offset + location.length)
        except OSError as e:  # deleted or rewritten since it was loaded (a re-run experiment)
            raise NotFoundError(f"the event file of this blob is gone: {type(e).__name__}") from e
        try:
            return read_blob_bytes(data, location, info)
        except Exception as e:  # the file changed under us, or a bad key
            raise NotFoundError(f"blob not found: {e}") from e


_Loaded = tuple[RunData, list[tuple[EventFileReader, int]], set[str], int, bool]
"""What a task did to one run: the run, its files, the tags that changed, the bytes read,
and whether more remains to read."""


def _take_task(queue: _Work) -> _Work:
    """The next task's runs, from the end of ``queue``: one run, or several whose new data
    adds up to less than :data:`TASK_BYTES`."""
    task = [queue.pop()]
    size = _pending_bytes(task[0][1])
    while queue and len(task) < TASK_RUNS and size + _pending_bytes(queue[-1][1]) < TASK_BYTES:
        task.append(queue.pop())
        size += _pending_bytes(task[-1][1])
    return task


def _pending_bytes(files: list[tuple[EventFileReader, int]]) -> int:
    return sum(max(0, size - reader.offset) for reader, size in files)


def _load_runs(task: _Work) -> list[_Loaded]:
    """Load the new data of each run of ``task`` (worker thread)."""
    loaded = []
    for run, files in task:
        batch, more = _read_batch(files)
        size = sum(len(chunk.data) for _, chunk, _ in batch)
        changed = run.apply(batch)
        del batch
        loaded.append((run, files, changed, size, more))
    return loaded


def _read_batch(
    files: list[tuple[EventFileReader, int]],
) -> tuple[list[tuple[str, Chunk, TagGroups]], bool]:
    """Read, scan and group new data of one run's files, up to :data:`BATCH_BYTES`."""
    batch: list[tuple[str, Chunk, TagGroups]] = []
    total = 0
    for reader, size in files:
        try:
            for chunk in reader.read_new(size):
                batch.append((reader.path, chunk, group_by_tag(chunk.result)))
                total += len(chunk.data)
                if total >= BATCH_BYTES:
                    return batch, True
            reader.read_error = None
        except OSError as e:  # deleted meanwhile, or a storage hiccup: retry at the next reload
            if reader.read_error is None:
                logger.warning("cannot read %s at offset %d: %s", reader.path, reader.offset, e)
            reader.read_error = str(e)
            reader.size_seen = reader.offset
    return batch, False


def _continue_versions(old: RunData, fresh: RunData) -> None:
    """Number a rebuilt run's versions on from the old run's, so they only ever grow."""
    fresh.version = old.version + 1
    for tag, series in fresh.series.items():
        before = old.series.get(tag)
        if before is not None:
            series.points.version += before.version + 1


def _check_downsample(downsample: int | None) -> None:
    if downsample is not None and downsample < 0:
        raise InvalidArgumentError(f"downsample must be None, 0 or positive, got {downsample}")


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]


def _dirname(path: str) -> str:
    head = path.rstrip("/")
    cut = max(head.rfind("/"), head.rfind(os.sep))
    return head[:cut] if cut > 0 else head[:1]

