"""For logs written by the real writers, tbcore serves what TensorBoard's own loader serves.

Each writer of ``tests/writers.py`` (PyTorch, TF2, TF1, Keras, tensorboardX) writes a logdir;
it is loaded by :class:`tbcore.data.LogdirDataProvider` and by TensorBoard's
``EventMultiplexer`` (keeping every point: tensor size guidance 0, orphan purging on) wrapped
in ``MultiplexerDataProvider``. Both sides are reduced to the same plain form (below: the
mapping of TensorBoard's objects to ours) and every difference is collected, so one failing
run reports all of them at once.

TensorBoard is imported without TensorFlow (its ``notf`` stub, see the ``tensorboard_readers``
fixture of the root ``conftest.py``), so TensorFlow stays out of the pytest process; that is how
TensorBoard runs where TensorFlow is not installed.

Known, intended differences (skipped, each only where it applies):

* ``__meta_graph__``: we keep ``Event.meta_graph_def`` as a blob series of plugin ``graphs``;
  TensorBoard's provider does not serve it. Instead of comparing it with nothing, its last
  blob is checked against the accumulator's ``MetaGraph()``.
* Legacy histograms (``HistogramProto``) become float64 ``[k, 3]`` tensors here, float32 in
  TensorBoard: compared with a float32-level tolerance, dtype not compared.
* Restarts (a point at step ``s`` replacing those at steps ``>= s``) are applied by us always,
  by TensorBoard only for ``file_version < 2`` files or a second ``SessionLog.START``; none of
  these writers' logs repeats a step, and the restart fixture is tested on its own
  (``test_restart_rule``), not against TensorBoard.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider, RunTagFilter

pytestmark = pytest.mark.slow

KINDS = ["torch", "tf2", "tf1", "keras", "tensorboardx"]
DATA_CLASSES = ["scalars", "tensors", "blob_sequences"]
ALL_POINTS = 10**9
"""``downsample`` for TensorBoard's provider that returns every point."""

META_GRAPH_TAG = "__meta_graph__"


# --- one plain form for both providers -------------------------------------------------------
#
# TensorBoard                                  tbcore
# list_runs(): [Run(run_name, start_time)]     same
# list_plugins(): frozenset of names           sorted list of names
# list_*(): {run: {tag: *TimeSeries}}          {run: {tag: TimeSeries}}: max_step, max_wall_time,
#                                              plugin_content, description, display_name compared;
#                                              TB's blob max_length <-> max number of blob
#                                              references per point of read_blob_sequences
# read_scalars(): [ScalarDatum] per tag         ScalarColumns (step, wall_time, value columns)
# read_tensors(): [TensorDatum] per tag         [TensorDatum] per tag
# read_blob_sequences(): [BlobSequenceDatum]    same; blob keys differ in form, so the bytes
#   + read_blob(blob_key)                       of every blob are compared instead


@dataclass(frozen=True)
class Listing:
    max_step: int
    max_wall_time: float
    plugin_content: bytes
    description: str
    display_name: str


@dataclass
class Side:
    """One provider reduced to plain data: ``series[(plugin, data_class)][(run, tag)]``."""

    runs: dict[str, float | None]
    plugins: set[str]
    listings: dict[tuple[str, str], dict[tuple[str, str], Listing]]
    max_lengths: dict[tuple[str, str], int]  # blob sequences: (run, tag) -> most blobs/point
    scalars: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]
    tensors: dict[tuple[str, str], list[tuple[int, float, np.ndarray]]]
    blobs: dict[tuple[str, str], list[tuple[int, float, list[bytes]]]]
    plugin_of: dict[tuple[str, str], str]


def _snapshot(
    call: Callable[..., Any], read_kw: dict[str, Any], read_blob: Callable[[str], bytes]
) -> Side:
    """Everything a provider serves. ``call(method, **kw)`` calls a provider method;
    ``read_kw`` is what makes a ``read_*`` call return every point."""
    runs = {r.run_name: r.start_time for r in call("list_runs")}
    plugins = set(call("list_plugins"))
    side = Side(runs, plugins, {}, {}, {}, {}, {}, {})
    for plugin in sorted(plugins):
        for data_class in DATA_CLASSES:
            listed = call(f"list_{data_class}", plugin_name=plugin)
            side.listings[(plugin, data_class)] = {
                (run, tag): Listing(
                    int(ts.max_step),
                    float(ts.max_wall_time),
                    bytes(ts.plugin_content),
                    ts.description,
                    ts.display_name,
                )
                for run, tags in listed.items()
                for tag, ts in tags.items()
            }
            data = call(f"read_{data_class}", plugin_name=plugin, **read_kw)
            for run, tags in data.items():
                for tag, points in tags.items():
                    key = (run, tag)
                    side.plugin_of[key] = plugin
                    if data_class == "scalars":
                        side.scalars[key] = _scalar_columns(points)
                    elif data_class == "tensors":
                        side.tensors[key] = [(d.step, d.wall_time, d.numpy) for d in points]
                    else:
                        side.blobs[key] = [
                            (d.step, d.wall_time, [read_blob(ref.blob_key) for ref in d.values])
                            for d in points
                        ]
                        side.max_lengths[key] = max((len(d.values) for d in points), default=0)
    return side


def _scalar_columns(points: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if hasattr(points, "step"):  # tbcore's ScalarColumns
        return (
            np.asarray(points.step, np.int64),
            np.asarray(points.wall_time, np.float64),
            np.asarray(points.value, np.float64),
        )
    return (  # TensorBoard's list of ScalarDatum
        np.array([d.step for d in points], np.int64),
        np.array([d.wall_time for d in points], np.float64),
        np.array([d.value for d in points], np.float64),
    )


@dataclass
class Loaded:
    kind: str
    logdir: str
    tb: Side
    ours: Side
    multiplexer: Any
    tb_modules: types.SimpleNamespace
    provider: LogdirDataProvider


_CACHE: dict[str, Loaded] = {}


@pytest.fixture(params=KINDS)
def loaded(
    request: pytest.FixtureRequest,
    writer_logdir: Callable[[str], str],
    tensorboard_readers: types.SimpleNamespace,
) -> Loaded:
    kind = request.param
    if kind not in _CACHE:
        _CACHE[kind] = _load(kind, writer_logdir(kind), tensorboard_readers)
    return _CACHE[kind]


def _load(kind: str, logdir: str, tbm: types.SimpleNamespace) -> Loaded:
    multiplexer = tbm.EventMultiplexer(
        size_guidance={tbm.TENSORS: 0}, tensor_size_guidance={}, purge_orphaned_data=True
    )
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    tb = tbm.MultiplexerDataProvider(multiplexer, logdir)
    ctx = tbm.RequestContext()

    def tb_call(method: str, **kw: Any) -> Any:
        return getattr(tb, method)(ctx, experiment_id="", **kw)

    provider = LogdirDataProvider(logdir)
    provider.reload()

    def our_call(method: str, **kw: Any) -> Any:
        return getattr(provider, method)(**kw)

    return Loaded(
        kind,
        logdir,
        tb=_snapshot(tb_call, {"downsample": ALL_POINTS}, lambda k: tb.read_blob(ctx, blob_key=k)),
        ours=_snapshot(our_call, {"downsample": None}, lambda k: provider.read_blob(blob_key=k)),
        multiplexer=multiplexer,
        tb_modules=tbm,
        provider=provider,
    )


# --- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    what: str  # e.g. "listing", "scalars", "blobs"
    plugin: str
    run: str
    tag: str
    detail: str
    tb: Any = None
    ours: Any = None

    def __str__(self) -> str:
        return (
            f"[{self.what}] plugin={self.plugin!r} run={self.run!r} tag={self.tag!r}: "
            f"{self.detail}\n    tensorboard: {self.tb!r}\n    tbcore:      {self.ours!r}"
        )


def _compare(loaded: Loaded) -> list[Diff]:
    tb, ours = loaded.tb, loaded.ours
    our_blobs = dict(ours.blobs)  # less what _check_meta_graphs takes out
    diffs: list[Diff] = []

    def add(what: str, key: tuple[str, str], detail: str, a: Any = None, b: Any = None) -> None:
        plugin = tb.plugin_of.get(key) or ours.plugin_of.get(key) or "?"
        diffs.append(Diff(what, plugin, key[0], key[1], detail, a, b))

    if tb.runs != ours.runs:
        diffs.append(Diff("runs", "", "", "", "runs and start times", tb.runs, ours.runs))
    if tb.plugins != ours.plugins:
        diffs.append(Diff("plugins", "", "", "", "list_plugins", tb.plugins, ours.plugins))

    for plugin, data_class in sorted(set(tb.listings) | set(ours.listings)):
        a = tb.listings.get((plugin, data_class), {})
        b = dict(ours.listings.get((plugin, data_class), {}))
        if plugin == "graphs" and data_class == "blob_sequences":
            _check_meta_graphs(loaded, b, our_blobs, diffs)  # intended: ours only
        for key in sorted(set(a) | set(b)):
            if key not in b or key not in a:
                diffs.append(
                    Diff(
                        "listing",
                        plugin,
                        *key,
                        f"{data_class} series present on one side only",
                        a.get(key),
                        b.get(key),
                    )
                )
                continue
            for field in Listing.__dataclass_fields__:
                x, y = getattr(a[key], field), getattr(b[key], field)
                if x != y:
                    diffs.append(Diff("listing", plugin, *key, field, x, y))
            if data_class == "blob_sequences" and tb.max_lengths.get(key) != ours.max_lengths.get(
                key
            ):
                add(
                    "listing", key, "max_length", tb.max_lengths.get(key), ours.max_lengths.get(key)
                )

    for key in sorted(set(tb.scalars) | set(ours.scalars)):
        if key not in tb.scalars or key not in ours.scalars:
            add("scalars", key, "read on one side only", key in tb.scalars, key in ours.scalars)
            continue
        (s1, w1, v1), (s2, w2, v2) = tb.scalars[key], ours.scalars[key]
        if not np.array_equal(s1, s2):
            add("scalars", key, "steps", s1.tolist(), s2.tolist())
        elif not np.array_equal(w1, w2):
            add("scalars", key, "wall times", w1.tolist(), w2.tolist())
        elif not np.array_equal(v1, v2, equal_nan=True):
            add("scalars", key, "values", v1.tolist(), v2.tolist())

    for key in sorted(set(tb.tensors) | set(ours.tensors)):
        if key not in tb.tensors or key not in ours.tensors:
            add("tensors", key, "read on one side only", key in tb.tensors, key in ours.tensors)
            continue
        p1, p2 = tb.tensors[key], ours.tensors[key]
        if [(s, w) for s, w, _ in p1] != [(s, w) for s, w, _ in p2]:
            add(
                "tensors",
                key,
                "steps/wall times",
                [(s, w) for s, w, _ in p1],
                [(s, w) for s, w, _ in p2],
            )
            continue
        for (step, _, x), (_, _, y) in zip(p1, p2):
            problem = _array_difference(x, y, legacy_histogram=tb.plugin_of[key] == "histograms")
            if problem:
                add("tensors", key, f"step {step}: {problem}", x, y)

    for key in sorted(set(tb.blobs) | set(our_blobs)):
        if key not in tb.blobs or key not in our_blobs:
            add("blobs", key, "read on one side only", key in tb.blobs, key in our_blobs)
            continue
        q1, q2 = tb.blobs[key], our_blobs[key]
        if [(s, w, len(b)) for s, w, b in q1] != [(s, w, len(b)) for s, w, b in q2]:
            add(
                "blobs",
                key,
                "steps/wall times/blob counts",
                [(s, w, len(b)) for s, w, b in q1],
                [(s, w, len(b)) for s, w, b in q2],
            )
            continue
        for (step, _, b1), (_, _, b2) in zip(q1, q2):
            for i, (x, y) in enumerate(zip(b1, b2)):
                if x != y:
                    add("blobs", key, f"step {step} blob {i} bytes differ", len(x), len(y))
    return diffs


def _array_difference(x: np.ndarray, y: np.ndarray, *, legacy_histogram: bool) -> str | None:
    """Why ``y`` (ours) does not match ``x`` (TensorBoard's), or None when it does."""
    if x.shape != y.shape:
        return f"shape {x.shape} != {y.shape}"
    if x.dtype.kind in "fc" or y.dtype.kind in "fc":
        # Intended: legacy histograms are float64 here, float32 in TensorBoard.
        widened = legacy_histogram and x.dtype == np.float32 and y.dtype == np.float64
        if x.dtype != y.dtype and not widened:
            return f"dtype {x.dtype} != {y.dtype}"
        try:
            np.testing.assert_allclose(y, x, rtol=1e-6, atol=0, equal_nan=True)
        except AssertionError as e:
            return f"values differ: {e}"
        return None
    if x.dtype != y.dtype:
        return f"dtype {x.dtype} != {y.dtype}"
    if x.dtype == object:
        same = [bytes(a) == bytes(b) for a, b in zip(x.reshape(-1), y.reshape(-1))]
        return None if all(same) else "strings differ"
    return None if np.array_equal(x, y) else "values differ"


def _check_meta_graphs(
    loaded: Loaded,
    ours: dict[tuple[str, str], Listing],
    our_blobs: dict[tuple[str, str], list[tuple[int, float, list[bytes]]]],
    diffs: list[Diff],
) -> None:
    """Our ``__meta_graph__`` series against the accumulator's meta graph; takes the series
    out of ``ours`` and ``our_blobs`` (copies) so the generic comparison skips it."""
    for run in sorted(loaded.tb.runs):
        accumulator = loaded.multiplexer.GetAccumulator(run)
        has_meta = accumulator.Tags()["meta_graph"]
        listing = ours.pop((run, META_GRAPH_TAG), None)
        if has_meta != (listing is not None):
            diffs.append(
                Diff(
                    "meta_graph",
                    "graphs",
                    run,
                    META_GRAPH_TAG,
                    "present",
                    has_meta,
                    listing is not None,
                )
            )
            continue
        if not has_meta:
            continue
        points = our_blobs.pop((run, META_GRAPH_TAG))
        last = loaded.tb_modules.MetaGraphDef.FromString(points[-1][2][0])
        if last != accumulator.MetaGraph():
            diffs.append(Diff("meta_graph", "graphs", run, META_GRAPH_TAG, "last meta graph"))


# --- the tests -------------------------------------------------------------------------------


def test_provider_matches_tensorboard(loaded: Loaded) -> None:
    """Runs, plugins, listings and every value, blob included, as TensorBoard serves them."""
    diffs = _compare(loaded)
    assert not diffs, f"{len(diffs)} difference(s) for {loaded.kind}:\n" + "\n".join(
        str(d) for d in diffs
    )


def test_fixture_is_rich(loaded: Loaded) -> None:
    """The comparison is only worth something if the logs hold what the writers promise."""
    expected = {
        "torch": {
            "scalars",
            "histograms",
            "images",
            "audio",
            "text",
            "pr_curves",
            "custom_scalars",
            "hparams",
            "graphs",
            "graph_tagged_run_metadata",
            "mesh",
        },
        "tf2": {
            "scalars",
            "histograms",
            "images",
            "audio",
            "text",
            "graphs",
            "graph_run_metadata_graph",
            "custom_plugin",
            "unknown_class_plugin",
        },
        "tf1": {
            "scalars",
            "histograms",
            "images",
            "audio",
            "text",
            "graphs",
            "graph_tagged_run_metadata",
        },
        "keras": {"scalars", "histograms", "graph_keras_model"},
        "tensorboardx": {"scalars", "histograms", "images", "audio", "text", "pr_curves"},
    }[loaded.kind]
    assert expected <= loaded.tb.plugins
    assert loaded.tb.scalars and loaded.tb.tensors
    if loaded.kind == "tf2":  # a default writer, summaries in a tf.function, write_raw_pb
        assert {("gamma", "in_function"), ("gamma", "raw_pb")} <= set(loaded.tb.scalars)
        assert ("gamma", "in_function_histogram") in loaded.tb.tensors
        assert loaded.tb.scalars[("gamma", "raw_pb")][2].tolist() == [0.0, 10.0, 20.0]
    if loaded.kind != "keras":
        assert loaded.tb.blobs


def test_odd_scalar_values_survive(writer_logdir: Callable[[str], str]) -> None:
    """NaN and ±inf written by PyTorch come back as such (not dropped, not zeroed)."""
    provider = LogdirDataProvider(writer_logdir("torch"))
    provider.reload()
    cols = provider.read_scalars(
        plugin_name="scalars", run_tag_filter=RunTagFilter.of(["run_a"], ["odd_values"])
    )["run_a"]["odd_values"]
    assert cols.step.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(
        cols.value.astype(np.float64), [0.5, np.nan, np.inf, -np.inf, 2.0]
    )


def test_restart_rule(writer_logdir: Callable[[str], str], writers: types.ModuleType) -> None:
    """A resumed PyTorch job: steps 0..29 from the first writer, 30..60 from the second."""
    provider = LogdirDataProvider(writer_logdir("restart"))
    provider.reload()
    first = np.arange(writers.RESUME_STEP, dtype=np.float64)
    second = writers.SECOND_OFFSET + np.arange(writers.RESUME_STEP, writers.SECOND_LAST + 1)
    steps = list(range(writers.SECOND_LAST + 1))

    cols = provider.read_scalars(plugin_name="scalars")["job"]["value"]
    assert cols.step.tolist() == steps
    np.testing.assert_array_equal(cols.value.astype(np.float64), np.r_[first, second])
    assert np.all(np.diff(cols.wall_time[writers.RESUME_STEP :]) >= 0)
    assert cols.wall_time[writers.RESUME_STEP] >= cols.wall_time[writers.RESUME_STEP - 1]

    points = provider.read_tensors(plugin_name="histograms")["job"]["hist"]
    assert [p.step for p in points] == steps
    for p, expected in zip(points, np.r_[first, second]):
        # Every sample equals the step value, so each histogram is one bucket at that value.
        buckets = p.numpy.reshape(-1, 3)
        assert buckets[:, 2].sum() == 10
        assert buckets[:, 0].min() == pytest.approx(expected)
        assert buckets[:, 1].max() == pytest.approx(expected)

    listed = provider.list_scalars(plugin_name="scalars")["job"]["value"]
    assert (listed.max_step, listed.length) == (writers.SECOND_LAST, len(steps))


# --- legacy display names and metadata-only hparams values, as TensorBoard converts them ----


def _torch_provider(writer_logdir: Callable[[str], str]) -> LogdirDataProvider:
    provider = LogdirDataProvider(writer_logdir("torch"))
    provider.reload()
    return provider


def test_legacy_values_get_the_tag_as_display_name(writer_logdir: Callable[[str], str]) -> None:
    provider = _torch_provider(writer_logdir)
    assert provider.list_scalars(plugin_name="scalars")["run_a"]["loss"].display_name == "loss"
    assert provider.list_tensors(plugin_name="histograms")["run_a"]["weights"].display_name == (
        "weights"
    )
    images = provider.list_blob_sequences(plugin_name="images")["run_a"]
    assert images["image_chw"].display_name == "image_chw"


def test_hparams_values_without_tensor_are_kept(writer_logdir: Callable[[str], str]) -> None:
    provider = _torch_provider(writer_logdir)
    listed = provider.list_tensors(plugin_name="hparams").get("run_a/hparams", {})
    assert set(listed) == {
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
    }
    points = provider.read_tensors(plugin_name="hparams")["run_a/hparams"]["_hparams_/experiment"]
    assert len(points) == 1
    assert points[0].numpy.dtype == np.float32 and points[0].numpy.shape == (0,)
