"""The interface every dashboard reads experiment data through.

The data model is TensorBoard's, so that plugins written against it feel at home:

* an experiment has *runs* (a run is usually one training job's log directory);
* a run has *time series* keyed by *tag*; each series belongs to one *plugin* (the
  ``SummaryMetadata.plugin_data.plugin_name`` it was written with) and has one *data class*:

  - **scalar**: one float per step (loss curves);
  - **tensor**: one small array per step (histograms, text, PR curves);
  - **blob sequence**: a short list of opaque byte strings per step (images, audio, graphs),
    read one by one through :meth:`DataProvider.read_blob`.

Unlike TensorBoard's provider, nothing is dropped unless the caller asks: ``downsample=None``
(or ``0``) returns every point. A positive ``downsample`` returns at most that many points per
series, picked deterministically and always including the latest one.

Methods take keyword arguments only. ``experiment_id`` selects the experiment for providers
that serve several; the logdir provider serves one and ignores it. Errors a user can act on
are raised as :class:`tbcore.errors.NotFoundError` / :class:`tbcore.errors.InvalidArgumentError`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from tbcore.data.downsample import ScalarWindow
from tbcore.errors import NotFoundError


class DataClass(IntEnum):
    """How a time series' values are shaped (``SummaryMetadata.data_class``)."""

    UNKNOWN = 0
    SCALAR = 1
    TENSOR = 2
    BLOB_SEQUENCE = 3


@dataclass(frozen=True, slots=True)
class ExperimentMetadata:
    """What is known about the experiment as a whole."""

    data_location: str
    experiment_name: str = ""
    experiment_description: str = ""
    creation_time: float = 0.0


@dataclass(frozen=True, slots=True)
class Run:
    """One run. ``start_time`` is the wall time of its first event (seconds since epoch)."""

    run_id: str
    run_name: str
    start_time: float | None


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """Metadata of one (run, tag) series, as returned by the ``list_*`` methods."""

    max_step: int
    max_wall_time: float
    plugin_content: bytes
    description: str
    display_name: str
    length: int
    """Number of points currently held (every point written, after restarts are applied)."""
    last_modified: float
    """Monotonic version of the series: grows whenever points are added or replaced."""


ScalarTimeSeries = TimeSeries
TensorTimeSeries = TimeSeries
BlobSequenceTimeSeries = TimeSeries


@dataclass(frozen=True, slots=True)
class ScalarDatum:
    """One scalar point."""

    step: int
    wall_time: float
    value: float


@dataclass(frozen=True, slots=True)
class ScalarColumns:
    """The points of one scalar series as columns (numpy arrays of equal length).

    Iterating yields :class:`ScalarDatum` objects, for code written against TensorBoard's
    row-oriented provider; prefer the columns for anything large.
    """

    step: np.ndarray  # int64
    wall_time: np.ndarray  # float64
    value: np.ndarray  # float32 or float64

    def __len__(self) -> int:
        return int(self.step.shape[0])

    def __iter__(self) -> Iterator[ScalarDatum]:
        for s, w, v in zip(self.step.tolist(), self.wall_time.tolist(), self.value.tolist()):
            yield ScalarDatum(s, w, v)

    def __getitem__(self, index: int) -> ScalarDatum:
        return ScalarDatum(
            int(self.step[index]), float(self.wall_time[index]), float(self.value[index])
        )


@dataclass(frozen=True, slots=True)
class WindowedScalars:
    """Some points of a scalar series (see :meth:`DataProvider.read_scalars_window`) and how
    many points the whole series has."""

    columns: ScalarColumns
    total: int


@dataclass(frozen=True, slots=True)
class TensorDatum:
    """One tensor point; ``numpy`` is the decoded array."""

    step: int
    wall_time: float
    numpy: np.ndarray


@dataclass(frozen=True, slots=True)
class BlobReference:
    """A handle on one blob, read with :meth:`DataProvider.read_blob`."""

    blob_key: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class BlobSequenceDatum:
    """One blob-sequence point: the references of the blobs written at that step."""

    step: int
    wall_time: float
    values: tuple[BlobReference, ...]


@dataclass(frozen=True, slots=True)
class RunAsset:
    """A file of a run besides its event files (a profiler trace, a projector config and its
    tensors), listed by :meth:`DataProvider.list_run_assets`."""

    path: str
    """Where it is, relative to the run's folder, with ``/`` separators: its id."""
    size: int
    """Its size in bytes when listed."""


@dataclass(frozen=True, slots=True)
class RunTagFilter:
    """Restricts a query to some runs and/or tags; ``None`` means all."""

    runs: frozenset[str] | None = None
    tags: frozenset[str] | None = None

    @classmethod
    def of(cls, runs: Iterable[str] | None = None, tags: Iterable[str] | None = None) -> RunTagFilter:
        """Build a filter from any iterables of names."""
        return cls(
            frozenset(runs) if runs is not None else None,
            frozenset(tags) if tags is not None else None,
        )

    def accepts_run(self, run: str) -> bool:
        """Whether ``run`` passes the filter."""
        return self.runs is None or run in self.runs

    def accepts_tag(self, tag: str) -> bool:
        """Whether ``tag`` passes the filter."""
        return self.tags is None or tag in self.tags


class DataProvider(abc.ABC):
    """Read access to the runs, time series and blobs of an experiment.

    Implementations must be safe to call from many threads at once and must never expose a
    half-applied update: every read sees the data as it was between two reloads.
    """

    @abc.abstractmethod
    def experiment_metadata(self, *, experiment_id: str = "") -> ExperimentMetadata:
        """Describe the experiment: its data location, name, description, creation time.

        ``experiment_id`` selects the experiment for a provider that serves several ("" for
        the only one). Returns an :class:`ExperimentMetadata`.
        """

    @abc.abstractmethod
    def list_plugins(self, *, experiment_id: str = "") -> list[str]:
        """Names of the plugins that have at least one time series in the experiment.

        Returns the ``SummaryMetadata.plugin_data.plugin_name`` values, sorted, without "".
        """

    @abc.abstractmethod
    def list_runs(self, *, experiment_id: str = "") -> list[Run]:
        """Every run, sorted by name.

        Returns :class:`Run` objects; a run is listed as soon as its first event file is
        found, before it holds any series (``start_time`` is then ``None``).
        """

    @abc.abstractmethod
    def list_scalars(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, TimeSeries]]:
        """``{run: {tag: TimeSeries}}`` for the scalar series of ``plugin_name``.

        Only series that pass ``run_tag_filter`` (``None``: every run and tag) and hold at
        least one point are listed; an unknown plugin, run or tag is absent, not an error.
        """

    @abc.abstractmethod
    def read_scalars(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, ScalarColumns]]:
        """``{run: {tag: ScalarColumns}}`` for the scalar series of ``plugin_name``.

        ``downsample``: ``None`` or ``0`` returns every point; ``N > 0`` at most ``N`` points,
        evenly spaced, always including the latest. ``run_tag_filter`` as in
        :meth:`list_scalars`; unknown plugins, runs and tags are absent, not errors. The
        columns are copies the caller may keep and modify. Raises
        :class:`tbcore.errors.InvalidArgumentError` when ``downsample`` is negative.
        """

    def read_scalars_window(
        self,
        *,
        plugin_name: str,
        window: ScalarWindow,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, WindowedScalars]]:
        """``{run: {tag: WindowedScalars}}``: the points of each scalar series needed to draw
        ``window`` (each slice's first, last, lowest and highest point, every non-finite one,
        and the nearest point beyond each edge), and the series' full length.

        This default reads every point and thins them; a provider that can thin where the data
        lives (without copying whole series) should override it.
        """
        data = self.read_scalars(
            plugin_name=plugin_name, experiment_id=experiment_id, run_tag_filter=run_tag_filter
        )
        out: dict[str, dict[str, WindowedScalars]] = {}
        for run, tags in data.items():
            for tag, cols in tags.items():
                idx = window.indices(cols.step, cols.wall_time, cols.value)
                thinned = ScalarColumns(cols.step[idx], cols.wall_time[idx], cols.value[idx])
                out.setdefault(run, {})[tag] = WindowedScalars(thinned, len(cols))
        return out

    def read_last_scalars(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, ScalarDatum]]:
        """``{run: {tag: ScalarDatum}}`` with the latest point of each scalar series.

        Series are selected as by :meth:`read_scalars` (``plugin_name``, ``run_tag_filter``);
        an empty series is left out.
        """
        data = self.read_scalars(
            plugin_name=plugin_name,
            experiment_id=experiment_id,
            downsample=1,
            run_tag_filter=run_tag_filter,
        )
        return {
            run: {tag: cols[len(cols) - 1] for tag, cols in tags.items() if len(cols)}
            for run, tags in data.items()
        }

    @abc.abstractmethod
    def list_tensors(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, TimeSeries]]:
        """``{run: {tag: TimeSeries}}`` for the tensor series of ``plugin_name``.

        Filtering and absent names as in :meth:`list_scalars`.
        """

    @abc.abstractmethod
    def read_tensors(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, list[TensorDatum]]]:
        """``{run: {tag: [TensorDatum]}}`` for the tensor series of ``plugin_name``, oldest
        point first.

        ``downsample``, ``run_tag_filter`` and absent names as in :meth:`read_scalars`. The
        arrays (``TensorDatum.numpy``) may be shared with the provider and other readers:
        treat them as read-only. Raises :class:`tbcore.errors.InvalidArgumentError` when
        ``downsample`` is negative.
        """

    @abc.abstractmethod
    def list_blob_sequences(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, TimeSeries]]:
        """``{run: {tag: TimeSeries}}`` for the blob-sequence series of ``plugin_name``.

        Filtering and absent names as in :meth:`list_scalars`.
        """

    @abc.abstractmethod
    def read_blob_sequences(
        self,
        *,
        plugin_name: str,
        experiment_id: str = "",
        downsample: int | None = None,
        run_tag_filter: RunTagFilter | None = None,
    ) -> dict[str, dict[str, list[BlobSequenceDatum]]]:
        """``{run: {tag: [BlobSequenceDatum]}}`` for the blob-sequence series of
        ``plugin_name``, oldest point first.

        Each point holds :class:`BlobReference` objects, not bytes: read a blob with
        :meth:`read_blob`. ``downsample``, ``run_tag_filter`` and absent names as in
        :meth:`read_scalars`. Raises :class:`tbcore.errors.InvalidArgumentError` when
        ``downsample`` is negative.
        """

    @abc.abstractmethod
    def read_blob(self, *, blob_key: str) -> bytes:
        """The bytes of one blob, named by a ``blob_key`` that :meth:`read_blob_sequences`
        returned (keys are opaque: never build or parse one).

        Raises :class:`tbcore.errors.NotFoundError` for a key this provider did not issue
        (malformed or forged) and for one whose run, series or file is gone.
        """

    def list_run_assets(self, *, run: str, experiment_id: str = "") -> list[RunAsset]:
        """The files of ``run`` besides its event files, sorted by path: what a dashboard
        that reads other files (profiler traces, embeddings) finds there. Folders of other
        runs inside this run's folder are not included. Run ``"."`` is the logdir's own folder
        even when it holds no event file (where TensorFlow's projector tutorial saves its
        checkpoint). ``[]`` for an unknown run, and from providers that have no files (this
        default).
        """
        return []

    def read_run_asset(self, *, run: str, path: str, experiment_id: str = "") -> bytes:
        """The bytes of the asset ``path`` (as :meth:`list_run_assets` gives it) of ``run``.

        Raises :class:`tbcore.errors.NotFoundError` when ``run`` has no such asset now (no
        other file can be read through it).
        """
        raise NotFoundError(f"no asset {path!r} in run {run!r}")

