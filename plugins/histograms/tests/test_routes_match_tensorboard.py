"""The histograms and distributions routes over real HTTP, compared with TensorBoard's server
on files written by torch.utils.tensorboard, tf.summary and Keras' TensorBoard callback."""

from __future__ import annotations

import importlib.util
import json
import math
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import pytest

_spec = importlib.util.spec_from_file_location("histogram_writers", Path(__file__).with_name("writers.py"))
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

# run: steps written. Keras writes weight histograms once per epoch (histogram_freq=1) into
# its "train" run; its "validation" run holds scalars only, so no route lists it.
RUNS = {"torch_a": 40, "torch_b": 40, "tf_run": 30, "keras/train": 3}
LAST_TAG = {
    "torch_a": "raw_inf",
    "torch_b": "raw_inf",
    "tf_run": "tf/constant",
    "keras/train": "sequential/out/bias/histogram",
}
KERAS_TAGS = {f"sequential/{layer}/{weight}/histogram" for layer in ("hidden", "out") for weight in ("kernel", "bias")}
# Runs whose histograms are legacy HistogramProto values: TensorBoard converts them to
# float32 on ingestion, we keep float64, so their numbers agree only to float32 precision.
LEGACY_RUNS = {"torch_a", "torch_b"}
FLOAT32_RTOL = 1e-6
# Percentiles interpolate between float32-rounded edges, so near zero they differ by more
# than a relative tolerance allows: compare those absolutely (the data are O(10) wide).
FLOAT32_ATOL = 1e-5


def _loaded(server: Any) -> bool:
    """Every run is read to its end (its last tag has every step)."""
    status, body = server.call("/data/plugin/histograms/tags")
    if status != 200 or set(json.loads(body)) != set(RUNS):
        return False
    for run, steps in RUNS.items():
        status, body = server.call(f"/data/plugin/histograms/histograms?{_query(run, LAST_TAG[run])}")
        if status != 200 or len(json.loads(body)) != steps:
            return False
    return True


def _query(run: str, tag: str, **extra: Any) -> str:
    return urllib.parse.urlencode({"run": run, "tag": tag, **extra})


@pytest.fixture(scope="module")
def servers(
    logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any
) -> Iterator[tuple[Any, Any]]:
    installed.require("torch", "tensorflow")
    scripts = [writers.WRITE_WITH_TORCH, writers.WRITE_WITH_TF, writers.WRITE_WITH_KERAS]
    logdir = logdir_from_scripts("histogram_logs", scripts)
    # The sample counts only size TensorBoard's reservoirs: its routes still cap a series at
    # 51 histograms and 501 distributions, which is why the fixtures have fewer steps.
    with tensorboard_pair(
        logdir,
        tensorboard_flags=["--samples_per_plugin", "histograms=100000,distributions=100000"],
        plugins="histograms,distributions",
        ready=_loaded,
    ) as pair:
        yield pair


def _close(ours: Any, theirs: Any, rel: float, abs_: float) -> bool:
    """Equal structures; numbers equal within ``rel``/``abs_`` (0: exactly), strings exactly."""
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(
            _close(a, b, rel, abs_) for a, b in zip(ours, theirs)
        )
    if isinstance(theirs, (int, float)) and isinstance(ours, (int, float)):
        return ours == theirs or math.isclose(ours, theirs, rel_tol=rel, abs_tol=abs_)
    return bool(ours == theirs)


@pytest.mark.parametrize("plugin", ["histograms", "distributions"])
def test_tags_match(servers: tuple[Any, Any], plugin: str) -> None:
    tb, ours = servers
    expected = tb.json(f"/data/plugin/{plugin}/tags")
    assert ours.json(f"/data/plugin/{plugin}/tags") == expected
    assert set(expected["tf_run"]) == {"tf/normal", "tf/buckets100", "tf/empty", "tf/constant"}
    assert expected["tf_run"]["tf/constant"]["description"] == "<p>all equal</p>"
    assert set(expected["keras/train"]) == KERAS_TAGS


@pytest.mark.parametrize("plugin", ["histograms", "distributions"])
def test_every_series_matches_step_for_step(servers: tuple[Any, Any], plugin: str) -> None:
    tb, ours = servers
    index = tb.json(f"/data/plugin/{plugin}/tags")
    compared = 0
    for run, tags in index.items():
        for tag in tags:
            path = f"/data/plugin/{plugin}/{plugin}?{_query(run, tag)}"
            expected, got = tb.json(path), ours.json(path)
            assert len(got) == len(expected) == RUNS[run], (run, tag)
            legacy = run in LEGACY_RUNS
            rel = FLOAT32_RTOL if legacy else 0.0
            abs_ = FLOAT32_ATOL if legacy and plugin == "distributions" else 0.0
            for want, have in zip(expected, got):
                assert have[:2] == want[:2], (run, tag)  # wall time and step, exactly
                assert _close(have[2], want[2], rel, abs_), (run, tag, have, want)
            compared += len(expected)
    assert compared == 40 * 7 * 2 + 30 * 4 + 3 * len(KERAS_TAGS)


@pytest.mark.parametrize(
    ("run", "tag"), [("tf_run", "tf/normal"), *(("keras/train", tag) for tag in sorted(KERAS_TAGS))]
)
def test_tensorflow_histograms_are_exact(servers: tuple[Any, Any], run: str, tag: str) -> None:
    """TF2 tensor histograms (tf.summary, Keras) need no conversion: equal to the last bit."""
    tb, ours = servers
    for plugin in ("histograms", "distributions"):
        path = f"/data/plugin/{plugin}/{plugin}?{_query(run, tag)}"
        assert ours.json(path) == tb.json(path)


def test_keras_weight_histograms_cover_each_epoch(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    kernel = ours.json(f"/data/plugin/histograms/histograms?{_query('keras/train', 'sequential/hidden/kernel/histogram')}")
    assert [row[1] for row in kernel] == [0, 1, 2]
    for _, _, buckets in kernel:
        assert len(buckets) == 30  # tf.summary.histogram's default bucket count
        assert sum(b[2] for b in buckets) == 4 * 8  # every weight of the 4x8 kernel
    bias = ours.json(f"/data/plugin/histograms/histograms?{_query('keras/train', 'sequential/hidden/bias/histogram')}")
    assert [sum(b[2] for b in buckets) for _, _, buckets in bias] == [8, 8, 8]


def test_shapes_of_edge_cases(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    hist = ours.json(f"/data/plugin/histograms/histograms?{_query('torch_a', 'grads/600')}")
    assert len(hist[0][2]) == 600
    assert ours.json(f"/data/plugin/histograms/histograms?{_query('torch_a', 'raw_empty')}")[0][2] == []
    dist = ours.json(f"/data/plugin/distributions/distributions?{_query('torch_a', 'raw_empty')}")
    assert dist[0][2] == [[bp, 0.0] for bp in (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)]
    raw = ours.json(f"/data/plugin/histograms/histograms?{_query('torch_a', 'raw')}")
    assert raw[5][1] == 5
    assert raw[5][2] == [[-1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 2.0, 0.0], [2.0, 3.0, 3.0]]
    inf = ours.json(f"/data/plugin/histograms/histograms?{_query('torch_b', 'raw_inf')}")
    assert inf[0][2] == [["-Infinity", 0.0, 1.0], [0.0, "Infinity", 2.0]]


def test_no_silent_downsampling_and_samples(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    many = ours.json(f"/data/plugin/histograms/histograms?{_query('torch_a', 'constant')}")
    assert [row[1] for row in many] == list(range(40))
    few = ours.json(f"/data/plugin/histograms/histograms?{_query('torch_a', 'constant', samples=5)}")
    assert len(few) == 5 and few[-1][1] == 39


def test_multirun_routes_match_single_run_routes(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    for plugin in ("histograms", "distributions"):
        query = urllib.parse.urlencode({"tag": "weights/default", "run": ["torch_a", "torch_b", "tf_run"]}, doseq=True)
        both = ours.json(f"/data/plugin/{plugin}/{plugin}_multirun?{query}")
        assert set(both) == {"torch_a", "torch_b"}
        for run in both:
            single = ours.json(f"/data/plugin/{plugin}/{plugin}?{_query(run, 'weights/default')}")
            assert both[run] == {"total": 40, "rows": single}
        every = ours.json(f"/data/plugin/{plugin}/{plugin}_multirun?tag=tf%2Fempty")
        assert set(every) == {"tf_run"} and every["tf_run"]["total"] == 30


def test_multirun_samples_are_evenly_spread_with_first_and_last(servers: tuple[Any, Any]) -> None:
    """What the UI asks for: ``samples`` steps of each run, evenly spread (the first and the
    newest included), the same ones on every request, and how many steps there are in all."""
    _, ours = servers
    query = urllib.parse.urlencode({"tag": "weights/default", "run": ["torch_a", "torch_b"], "samples": 5}, doseq=True)
    for plugin in ("histograms", "distributions"):
        sampled = ours.json(f"/data/plugin/{plugin}/{plugin}_multirun?{query}")
        full = ours.json(f"/data/plugin/{plugin}/{plugin}?{_query('torch_a', 'weights/default')}")
        for run in ("torch_a", "torch_b"):
            assert sampled[run]["total"] == 40
            assert [row[1] for row in sampled[run]["rows"]] == [0, 9, 19, 29, 39]
        assert sampled["torch_a"]["rows"] == [full[i] for i in (0, 9, 19, 29, 39)]
        assert ours.json(f"/data/plugin/{plugin}/{plugin}_multirun?{query}") == sampled


def test_errors(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    for plugin in ("histograms", "distributions"):
        assert ours.call(f"/data/plugin/{plugin}/{plugin}?run=torch_a")[0] == 400
        assert ours.call(f"/data/plugin/{plugin}/{plugin}?tag=raw")[0] == 400
        assert ours.call(f"/data/plugin/{plugin}/{plugin}?run=torch_a&tag=nope")[0] == 404
        assert ours.call(f"/data/plugin/{plugin}/{plugin}?run=torch_a&tag=raw&samples=x")[0] == 400
        assert ours.call(f"/data/plugin/{plugin}/{plugin}_multirun?run=torch_a")[0] == 400
