"""The pure functions behind the routes, without HTTP: percentiles identical to TensorBoard's
compressor, TensorBoard's JSON dialect, malformed points, the demo logdir."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.provider import TensorDatum
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore_histograms import queries
from tbcore_histograms.demo import STEPS, write_demo
from tbcore_histograms.metadata import NORMAL_HISTOGRAM_BPS


def _random_buckets(rng: np.random.Generator, k: int) -> np.ndarray:
    edges = np.sort(rng.normal(0, 3, k + 1))
    counts = rng.integers(0, 5, k).astype(np.float64)
    counts[rng.random(k) < 0.3] = 0  # runs of empty buckets inside
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def test_compression_is_tensorboards_to_the_bit() -> None:
    compressor = pytest.importorskip("tensorboard.plugins.distribution.compressor")
    rng = np.random.default_rng(0)
    cases = [_random_buckets(rng, k) for k in (1, 2, 3, 30, 600) for _ in range(20)]
    cases += [np.zeros((0, 3)), np.array([[2.5, 2.5, 7.0]]), np.array([[0.0, 1.0, 0.0], [1.0, 2.0, 0.0]])]
    for buckets in cases:
        expected = compressor.compress_histogram(buckets.tolist())
        assert queries.compress_histogram(buckets) == [tuple(x) for x in expected]


def test_compression_basis_points() -> None:
    uniform = np.array([[float(i), float(i + 1), 1.0] for i in range(10)])
    got = queries.compress_histogram(uniform)
    assert [bp for bp, _ in got] == list(NORMAL_HISTOGRAM_BPS)
    assert [v for _, v in got] == pytest.approx([bp / 1000 for bp in NORMAL_HISTOGRAM_BPS])


def test_array_rows_encode_like_list_rows() -> None:
    orjson = pytest.importorskip("orjson")
    import json

    points = [
        TensorDatum(1, 10.5, np.array([[0.1, 0.2, 3.0], [0.2, 1e-7, 4.0]], dtype=np.float32)),
        TensorDatum(2, 11.0, np.zeros((0, 3))),
        TensorDatum(3, 12.0, np.array([[1, 2, 3]], dtype=np.int32)),
        TensorDatum(4, 13.0, np.array([[np.nan, 1.0, 1.0]])),
    ]
    fast = orjson.dumps(queries.histogram_rows(points, arrays=True), option=orjson.OPT_SERIALIZE_NUMPY)
    assert json.loads(fast) == json.loads(json.dumps(queries.histogram_rows(points)))


def test_rows_use_tensorboards_strings_and_drop_malformed_points() -> None:
    points = [
        TensorDatum(1, 10.0, np.array([[-np.inf, 0.0, 1.0], [0.0, np.nan, 2.0]])),
        TensorDatum(2, 11.0, np.zeros((0, 3))),
        TensorDatum(3, 12.0, np.array(["not", "numbers", "!"])),
        TensorDatum(4, 13.0, np.ones((2, 2))),
    ]
    assert queries.histogram_rows(points) == [
        [10.0, 1, [["-Infinity", 0.0, 1.0], [0.0, "NaN", 2.0]]],
        [11.0, 2, []],
    ]
    dist = queries.distribution_rows(points[1:])
    assert dist == [[11.0, 2, [[bp, 0.0] for bp in NORMAL_HISTOGRAM_BPS]]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> LogdirDataProvider:
    logdir: Path = tmp_path_factory.mktemp("demo")
    write_demo(logdir)
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def test_demo_has_both_runs_every_step(demo: LogdirDataProvider) -> None:
    index = queries.tags_index(demo)
    assert set(index) == {"histograms_demo/sgd", "histograms_demo/adam"}
    assert set(index["histograms_demo/sgd"]) == {"layer1/weights", "layer1/activations", "layer2/gradients", "sparse"}
    series = queries.single_series(demo, "histograms_demo/sgd", "layer2/gradients", None)
    assert len(series) == STEPS
    assert max(len(r[2]) for r in queries.histogram_rows(series)) > 500
    sparse = queries.histogram_rows(queries.single_series(demo, "histograms_demo/adam", "sparse", None))
    assert sparse[0][2] == [] and sparse[1][2] != []
    assert len(queries.single_series(demo, "histograms_demo/sgd", "sparse", 7)) == 7


def test_multirun_says_how_many_steps_a_sample_stands_for(demo: LogdirDataProvider) -> None:
    every = queries.multirun(demo, None, "sparse", None, queries.histogram_rows)
    assert set(every) == {"histograms_demo/sgd", "histograms_demo/adam"}
    assert all(v["total"] == len(v["rows"]) == STEPS for v in every.values())
    few = queries.multirun(demo, ["histograms_demo/sgd"], "sparse", 3, queries.distribution_rows)
    rows = few["histograms_demo/sgd"]["rows"]
    assert few["histograms_demo/sgd"]["total"] == STEPS
    full = every["histograms_demo/sgd"]["rows"]
    assert [r[1] for r in rows] == [full[0][1], full[(STEPS - 1) // 2][1], full[-1][1]]


def test_errors(demo: LogdirDataProvider) -> None:
    with pytest.raises(InvalidArgumentError):
        queries.single_series(demo, "", "sparse", None)
    with pytest.raises(InvalidArgumentError):
        queries.read_histograms(demo, None, "")
    with pytest.raises(InvalidArgumentError):
        queries.read_histograms(demo, None, "sparse", -1)
    with pytest.raises(NotFoundError):
        queries.single_series(demo, "histograms_demo/sgd", "nope", None)
