"""The graph routes over real HTTP, compared with TensorBoard 2.21's server on graphs written
at test time by torch.utils.tensorboard (add_graph, add_onnx_graph), tbcore_torch, a TF1
FileWriter with run metadata and meta graphs, TF2's trace_export and Keras' callback."""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import pytest
from google.protobuf import text_format

from tbcore.proto import config_pb2, graph_pb2
from tbcore_graph.node_table import step_stats_json

_spec = importlib.util.spec_from_file_location("graph_writers", Path(__file__).with_name("writers.py"))
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

RUN_GRAPHS = ["torch/cnn", "torch/two_heads", "torch/onnx", "tbcore_torch/cnn", "tbcore_torch/two_heads", "tf1"]
KERAS_RUNS = ["keras_sequential/train", "keras_functional/train", "keras_nested/train"]
TRACE_TAGS = ["two_functions", "one_function", "profiled"]
META_ONLY = "tf1_meta_only"
"""TensorBoard 2.21's data provider does not read meta graphs: it lists no such run."""
LIMITS = [{}, {"limit_attr_size": 1024, "large_attrs_key": "_too_large_attrs"}, {"limit_attr_size": 40, "large_attrs_key": "cut"}]


def _info_complete(server: Any) -> bool:
    status, body = server.call("/data/plugin/graphs/info")
    if status != 200:
        return False
    info = json.loads(body)
    return (
        all(info.get(run, {}).get("run_graph") for run in RUN_GRAPHS)
        and all("keras" in info.get(run, {}).get("tags", {}) for run in KERAS_RUNS)
        and set(info.get("tf2_trace", {}).get("tags", {})) == set(TRACE_TAGS)
        and set(info.get("tf1", {}).get("tags", {})) == {"step_10", "step_20"}
    )


@pytest.fixture(scope="module")
def servers(logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    installed.require("torch", "onnx", "tensorflow")
    scripts = [writers.WRITE_WITH_TORCH, writers.WRITE_WITH_TF1, writers.WRITE_WITH_TF2_TRACE, writers.WRITE_WITH_KERAS]
    logdir = logdir_from_scripts("graph_logs", scripts)
    with tensorboard_pair(logdir, tensorboard_flags=[], plugins="graphs", ready=_info_complete) as pair:
        yield pair


def _query(**params: Any) -> str:
    return urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})


def _same(tb: Any, ours: Any, path: str) -> bytes:
    """Both servers answer ``path`` with 200 and the same bytes; returns them."""
    expected, got = tb.call(path), ours.call(path)
    assert expected[0] == 200, (path, expected)
    assert got == expected, (path, got[1][:300], expected[1][:300])
    return got[1]


def test_info_matches(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    expected, got = tb.json("/data/plugin/graphs/info"), ours.json("/data/plugin/graphs/info")
    assert META_ONLY not in expected
    assert got.pop(META_ONLY) == {"run": META_ONLY, "tags": {}, "run_graph": True}
    assert got == expected
    assert expected["torch/cnn"]["tags"] == {
        "step1": {"tag": "step1", "conceptual_graph": False, "op_graph": False, "profile": True}
    }
    assert expected["keras_nested/train"]["tags"]["keras"]["conceptual_graph"] is True
    assert expected["tf2_trace"]["tags"]["profiled"]["profile"] is True
    assert expected["tf2_trace"]["tags"]["one_function"]["op_graph"] is True


@pytest.mark.parametrize("limits", LIMITS, ids=["whole", "ui-limit", "small-limit"])
@pytest.mark.parametrize("run", RUN_GRAPHS)
def test_run_graphs_match(servers: tuple[Any, Any], run: str, limits: dict[str, Any]) -> None:
    tb, ours = servers
    body = _same(tb, ours, f"/data/plugin/graphs/graph?{_query(run=run, **limits)}")
    graph = text_format.Parse(body.decode(), graph_pb2.GraphDef())
    assert len(graph.node) > 5
    if run == "tf1" and limits:
        (const,) = [n for n in graph.node if n.name == "layer2/big_const"]
        assert "value" not in const.attr
        assert list(const.attr[limits["large_attrs_key"]].list.s) == [b"value"]


@pytest.mark.parametrize("limits", LIMITS, ids=["whole", "ui-limit", "small-limit"])
@pytest.mark.parametrize("tag", TRACE_TAGS)
def test_trace_op_graphs_match(servers: tuple[Any, Any], tag: str, limits: dict[str, Any]) -> None:
    tb, ours = servers
    body = _same(tb, ours, f"/data/plugin/graphs/graph?{_query(run='tf2_trace', tag=tag, **limits)}")
    names = [n.name for n in text_format.Parse(body.decode(), graph_pb2.GraphDef()).node]
    if tag == "two_functions":  # several function graphs: each under graph_<i>
        assert {name.split("/")[0] for name in names} == {f"graph_{i}" for i in range(1, 7)}
    elif tag == "profiled":  # eager TF2 records no function graphs with the profiler on
        assert names == []


@pytest.mark.parametrize("limits", LIMITS[:2], ids=["whole", "ui-limit"])
@pytest.mark.parametrize("run", KERAS_RUNS)
def test_keras_conceptual_graphs_match(servers: tuple[Any, Any], run: str, limits: dict[str, Any]) -> None:
    tb, ours = servers
    body = _same(tb, ours, f"/data/plugin/graphs/graph?{_query(run=run, tag='keras', conceptual='true', **limits)}")
    graph = text_format.Parse(body.decode(), graph_pb2.GraphDef())
    nodes = {n.name: n for n in graph.node}
    if run == "keras_functional/train":
        assert list(nodes["func/merge"].input) == ["func/branch_a", "func/branch_b"]
        assert nodes["func/head"].attr["keras_class"].s == b"Dense"
    if run == "keras_nested/train":
        assert list(nodes["nested/block/inner_dense"].input) == ["nested/block/input_layer_1"]
        assert list(nodes["nested/final"].input) == ["nested/subnet/sub_dense"]


@pytest.mark.parametrize(("run", "tag"), [("torch/cnn", "step1"), ("tbcore_torch/two_heads", "step1"),
                                          ("tf1", "step_10"), ("tf1", "step_20"), ("tf2_trace", "profiled")])
def test_run_metadata_matches(servers: tuple[Any, Any], run: str, tag: str) -> None:
    tb, ours = servers
    body = _same(tb, ours, f"/data/plugin/graphs/run_metadata?{_query(run=run, tag=tag)}")
    parsed = text_format.Parse(body.decode(), config_pb2.RunMetadata())
    stats = ours.json(f"/data/plugin/graphs/step_stats?{_query(run=run, tag=tag)}")
    assert stats == {"run": run, "tag": tag, **step_stats_json(parsed)}
    if run == "tf1":
        assert stats["nodes"]["layer1/MatMul"]["compute_us"] > 0
        assert stats["nodes"]["layer1/MatMul"]["shapes"] == [[3, 8]]


def _content_type(server: Any, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/data/plugin/graphs/{path}", timeout=60) as r:
        return str(r.headers["content-type"])


@pytest.mark.parametrize("path", ["graph?run=tf1", "run_metadata?run=tf1&tag=step_10"])
def test_content_type_is_tensorboards(servers: tuple[Any, Any], path: str) -> None:
    tb, ours = servers
    assert _content_type(ours, path) == _content_type(tb, path) == "text/x-protobuf; charset=utf-8"


def test_meta_graph_only_run_serves_the_graph_inside(servers: tuple[Any, Any], tensorboard_readers: Any) -> None:
    """TensorBoard's event accumulator falls back to a meta graph's graph_def; its 2.21 data
    provider (and so its graph route) does not: 404 there, the graph here."""
    tb, ours = servers
    path = f"/data/plugin/graphs/graph?run={META_ONLY}"
    assert tb.call(path)[0] == 404
    status, body = ours.call(path)
    assert status == 200
    logdir = Path(ours.process.args[ours.process.args.index("--logdir") + 1])
    accumulator = tensorboard_readers.EventAccumulator(str(logdir / META_ONLY))
    accumulator.Reload()
    assert body.decode() == str(accumulator.Graph())
    assert b'name: "layer1/MatMul"' in body


@pytest.mark.parametrize(
    "path",
    [
        "graph",
        "graph?tag=x",
        "graph?run=nope",
        "graph?run=",
        "graph?run=tf1&tag=nope",
        "graph?run=tf1&tag=",
        "graph?run=tf1&limit_attr_size=x",
        "graph?run=tf2_trace&tag=keras&conceptual=true",
        "run_metadata?run=tf1",
        "run_metadata?tag=step_10",
        "run_metadata?run=tf1&tag=nope",
        "run_metadata?run=tf2_trace&tag=one_function",
    ],
)
def test_error_statuses_match(servers: tuple[Any, Any], path: str) -> None:
    tb, ours = servers
    expected, got = tb.call(f"/data/plugin/graphs/{path}")[0], ours.call(f"/data/plugin/graphs/{path}")[0]
    assert expected in (400, 404)
    assert got == expected, path


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ("run=tf1&limit_attr_size=0&large_attrs_key=k", 400, "limit_attr_size"),
        ("run=tf1&limit_attr_size=-5&large_attrs_key=k", 400, "limit_attr_size"),
        ("run=tf1&limit_attr_size=10", 400, "large_attrs_key"),
        ("run=keras_functional/train&conceptual=true", 404, "keras_functional/train"),
    ],
)
def test_errors_where_tensorboard_fails(servers: tuple[Any, Any], query: str, status: int, named: str) -> None:
    """TensorBoard answers 500 here (its handler reads ``ValueError.message``, or filters
    on a tag of None); we answer 400 for a bad parameter, 404 for a graph that is not there."""
    tb, ours = servers
    assert tb.call(f"/data/plugin/graphs/graph?{query}")[0] == 500
    got, body = ours.call(f"/data/plugin/graphs/graph?{query}")
    assert got == status
    assert named in json.loads(body)["error"]


@pytest.mark.parametrize("run", RUN_GRAPHS + [META_ONLY])
def test_graph_nodes_hold_the_nodes_of_the_graph(servers: tuple[Any, Any], run: str) -> None:
    _, ours = servers
    graph = text_format.Parse(ours.call(f"/data/plugin/graphs/graph?run={run}")[1].decode(), graph_pb2.GraphDef())
    nodes = ours.json(f"/data/plugin/graphs/graph_nodes?run={run}")["nodes"]
    assert [n["name"] for n in nodes] == [n.name for n in graph.node]
    assert [n["inputs"] for n in nodes] == [list(n.input) for n in graph.node]
    assert [n["device"] for n in nodes] == [n.device for n in graph.node]
    if run == "tbcore_torch/cnn":
        by_name = {n["name"]: n for n in nodes}
        assert by_name["input/x"]["shapes"] == [[1, 3, 8, 8]]
    if run == "tf1":
        (const,) = [n for n in nodes if n["name"] == "layer2/big_const"]
        assert const["large_attrs"] == ["value"]
        assert ["dtype", "DT_FLOAT"] in const["attrs"]


def test_keras_graph_nodes_carry_shapes(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    answer = ours.json("/data/plugin/graphs/graph_nodes?run=keras_functional/train&tag=keras&conceptual=true")
    nodes = {n["name"]: n for n in answer["nodes"]}
    assert nodes["func/merge"]["input_shapes"] == [[None, 8], [None, 8]]
    assert nodes["func/branch_a"]["shapes"] == [[None, 8]]
    assert nodes["func/merge"]["shapes"] == [[None, 16]]
    assert ["keras_class", "Concatenate"] in nodes["func/merge"]["attrs"]
