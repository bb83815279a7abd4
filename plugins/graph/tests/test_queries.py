"""The pure functions behind the graph routes, on logdirs written by the framework-free
writer (no framework, no server): info, graphs, meta graphs, run metadata, attribute cuts,
merging function graphs, the Keras conceptual graph and the JSON for our UI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.proto import (
    config_pb2,
    event_pb2,
    graph_pb2,
    meta_graph_pb2,
    node_def_pb2,
    step_stats_pb2,
    summary_pb2,
)
from tbcore.summary import EventFileWriter
from tbcore_graph import metadata, queries
from tbcore_graph.demo import demo_graph, demo_run_metadata, write_demo
from tbcore_graph.graph_defs import cut_large_attrs, merge_function_graphs
from tbcore_graph.keras_graph import keras_model_to_graph_def, layer_shapes
from tbcore_graph.node_table import attr_text, graph_json, step_stats_json


def _provider(logdir: Path) -> LogdirDataProvider:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def _graph(*names: str) -> graph_pb2.GraphDef:
    graph = graph_pb2.GraphDef()
    graph.versions.producer = 7
    for i, name in enumerate(names):
        graph.node.add(name=name, op="Op", input=[names[i - 1]] if i else [])
    return graph


def _write_summary(writer: EventFileWriter, tag: str, plugin: str, data: bytes, content: bytes = b"1") -> None:
    value = summary_pb2.Summary.Value(tag=tag)
    value.metadata.plugin_data.plugin_name = plugin
    value.metadata.plugin_data.content = content
    value.tensor.dtype = 7  # DT_STRING
    value.tensor.tensor_shape.dim.add(size=1)
    value.tensor.string_val.append(data)
    writer.add_event(event_pb2.Event(wall_time=1.0, step=0, summary=summary_pb2.Summary(value=[value])))


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    write_demo(tmp_path)
    writer = EventFileWriter(str(tmp_path / "trace"))
    two = config_pb2.RunMetadata()
    two.function_graphs.add().pre_optimization_graph.CopyFrom(_graph("a", "b"))
    two.function_graphs.add().pre_optimization_graph.CopyFrom(_graph("a", "c"))
    _write_summary(writer, "two", metadata.RUN_METADATA_WITH_GRAPH, two.SerializeToString())
    _write_summary(writer, "future", metadata.RUN_METADATA_WITH_GRAPH, two.SerializeToString(), b"2")
    profiled = config_pb2.RunMetadata(step_stats=step_stats_pb2.StepStats(dev_stats=[
        step_stats_pb2.DeviceStepStats(device="/cpu:0", node_stats=[
            step_stats_pb2.NodeExecStats(node_name="a", all_end_rel_micros=5, all_start_micros=10),
            step_stats_pb2.NodeExecStats(node_name="a", all_end_rel_micros=7, all_start_micros=4),
        ])]))
    _write_summary(writer, "profiled", metadata.RUN_METADATA, profiled.SerializeToString())
    model = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 3], "dtype": "float32"}},
        {"class_name": "Dense", "config": {"name": "d", "dtype": {"config": {"name": "float16"}}},
         "build_config": {"input_shape": [None, 3]}},
    ]}}
    _write_summary(writer, "keras", metadata.KERAS_MODEL, json.dumps(model).encode())
    writer.close()
    meta = meta_graph_pb2.MetaGraphDef(graph_def=_graph("m1", "m2"))
    meta_writer = EventFileWriter(str(tmp_path / "meta"))
    meta_writer.add_event(event_pb2.Event(wall_time=1.0, meta_graph_def=meta.SerializeToString()))
    meta_writer.close()
    return tmp_path


def test_info(logdir: Path) -> None:
    info = queries.graph_info(_provider(logdir))
    assert info["graphs_demo/resnet"] == {
        "run": "graphs_demo/resnet",
        "run_graph": True,
        "tags": {"step_100": {"tag": "step_100", "conceptual_graph": False, "op_graph": False, "profile": True}},
    }
    tags = info["trace"]["tags"]
    assert set(tags) == {"two", "profiled", "keras"}  # "future": an unknown version, skipped
    assert tags["profiled"] == {"tag": "profiled", "conceptual_graph": False, "op_graph": True, "profile": True}
    assert tags["keras"]["conceptual_graph"] and not info["trace"]["run_graph"]
    assert info["meta"] == {"run": "meta", "run_graph": True, "tags": {}}


def test_graphs(logdir: Path) -> None:
    provider = _provider(logdir)
    assert queries.load_graph(provider, "graphs_demo/resnet", None, False) == demo_graph()
    assert [n.name for n in queries.load_graph(provider, "meta", None, False).node] == ["m1", "m2"]
    merged = queries.load_graph(provider, "trace", "two", False)
    assert [(n.name, list(n.input)) for n in merged.node] == [
        ("graph_1/a", []), ("graph_1/b", ["graph_1/a"]), ("graph_2/a", []), ("graph_2/c", ["graph_2/a"])]
    assert merged.versions.producer == 7
    assert queries.load_graph(provider, "trace", "profiled", False) == graph_pb2.GraphDef()
    keras = queries.load_graph(provider, "trace", "keras", True)
    assert [(n.name, list(n.input), n.attr["dtype"].type) for n in keras.node] == [("seq/in", [], 1), ("seq/d", ["seq/in"], 19)]
    for run, tag, conceptual in [("nope", None, False), ("trace", None, False), ("trace", "nope", False),
                                 ("trace", "two", True), ("meta", "", False)]:
        with pytest.raises(NotFoundError):
            queries.load_graph(provider, run, tag, conceptual)


def test_run_metadata_and_step_stats(logdir: Path) -> None:
    provider = _provider(logdir)
    assert queries.load_run_metadata(provider, "graphs_demo/resnet", "step_100") == demo_run_metadata(demo_graph())
    stats = queries.step_stats(provider, "trace", "profiled")
    assert stats == {"devices": ["/cpu:0"], "nodes": {"a": {
        "device": "/cpu:0", "compute_us": 12, "memory_bytes": 0, "start_us": 4, "shapes": []}}}
    with pytest.raises(NotFoundError):
        queries.run_metadata_text(provider, "trace", "two")  # op graphs only: no step statistics
    demo = step_stats_json(demo_run_metadata(demo_graph()))
    assert demo["nodes"]["stem/Conv2D"]["compute_us"] == 900
    assert len(demo["devices"]) == 2


def test_cut_large_attrs() -> None:
    graph = graph_pb2.GraphDef()
    node = graph.node.add(name="c", op="Const")
    node.attr["value"].tensor.float_val.extend(np.arange(100, dtype=np.float32).tolist())
    node.attr["dtype"].type = 1
    cut_large_attrs(graph, None, None)
    assert set(node.attr) == {"value", "dtype"}
    cut_large_attrs(graph, 50, "_big")
    assert set(node.attr) == {"dtype", "_big"} and list(node.attr["_big"].list.s) == [b"value"]
    for limit, key in [(0, "k"), (-1, "k"), (10, None)]:
        with pytest.raises(InvalidArgumentError):
            cut_large_attrs(graph, limit, key)


def test_merge_function_graphs() -> None:
    assert merge_function_graphs([]) == graph_pb2.GraphDef()
    one = _graph("x")
    assert merge_function_graphs([one]) is one
    call = _graph("call")
    call.node[0].op = "PartitionedCall"
    call.node[0].attr["f"].func.name = "fn"
    call.node[0].input.append("^x")
    call.library.function.add().signature.name = "fn"
    call.library.gradient.add(function_name="fn", gradient_func="fn_grad")
    merged = merge_function_graphs([one, call])
    assert merged.node[1].name == "graph_2/call" and list(merged.node[1].input) == ["graph_2/^x"]
    assert merged.node[1].attr["f"].func.name == "graph_2_fn"
    assert merged.library.function[0].signature.name == "graph_2_fn"
    assert (merged.library.gradient[0].function_name, merged.library.gradient[0].gradient_func) == ("graph_2_fn", "graph_2_fn_grad")
    other = _graph("y")
    other.versions.producer = 8
    with pytest.raises(InvalidArgumentError):
        merge_function_graphs([one, other])


def test_keras_functional_nested_and_malformed() -> None:
    def tensor(name: str, shape: list[int | None]) -> dict[str, object]:
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "keras_history": [name, 0, 0]}}

    inner = {"class_name": "Functional", "config": {"name": "inner", "input_layers": [["i", 0, 0]], "output_layers": [["o", 0, 0]],
             "layers": [{"class_name": "InputLayer", "config": {"name": "i"}, "inbound_nodes": []},
                        {"class_name": "Dense", "config": {"name": "o"}, "inbound_nodes": [{"args": [tensor("i", [None, 2])]}]}]},
             "inbound_nodes": [{"args": [tensor("x", [None, 2])]}]}
    model = {"class_name": "Functional", "config": {"name": "outer", "input_layers": [["x", 0, 0]], "output_layers": ["y", 0, 0],
             "layers": [{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 2]}, "inbound_nodes": []},
                        inner,
                        {"class_name": "Add", "config": {"name": "y", "dtype": "no-such-dtype"},
                         "inbound_nodes": [{"args": [[tensor("inner", [None, 4]), tensor("x", [None, 2])]]}, "legacy"]}]}}
    graph = keras_model_to_graph_def(model)
    nodes = {n.name: n for n in graph.node}
    assert list(nodes["outer/y"].input) == ["outer/inner/o", "outer/x"]
    assert "dtype" not in nodes["outer/y"].attr and nodes["outer/y"].attr["keras_class"].s == b"Add"
    shapes = layer_shapes(model)
    assert shapes["outer/y"]["input"] == [[None, 4], [None, 2]]
    assert shapes["outer/inner"]["output"] == [[None, 4]]
    assert shapes["outer/x"]["output"] == [[None, 2]]
    for bad in [[], {"config": 3}, {"class_name": "Sequential", "config": {"name": "s", "layers": [{"config": None}]}}]:
        with pytest.raises(InvalidArgumentError):
            keras_model_to_graph_def(bad)  # type: ignore[arg-type]
    assert layer_shapes({"config": 3}) == {}


def test_graph_json_and_attr_text() -> None:
    answer = graph_json(demo_graph(), 1024)
    conv = next(n for n in answer["nodes"] if n["name"] == "stem/Conv2D")
    assert conv == {
        "name": "stem/Conv2D", "op": "Conv2D", "device": "/job:localhost/replica:0/task:0/device:GPU:0",
        "inputs": ["input/cast", "stem/kernel"], "shapes": [[32, 32, 32, 16]],
        "attrs": [["T", "DT_FLOAT"], ["padding", "SAME"], ["strides", "[1, 1, 1, 1]"]],
    }
    big = graph_pb2.GraphDef()
    node = big.node.add(name="n")
    node.attr["big"].s = b"x" * 2000
    node.attr["_output_shapes"].list.shape.add(unknown_rank=True)
    node.attr["_output_shapes"].list.shape.add().dim.add(size=-1)
    entry = graph_json(big, 1024)["nodes"][0]
    assert entry["large_attrs"] == ["big"] and entry["attrs"] == [] and entry["shapes"] == [None, [-1]]
    value = node_def_pb2.NodeDef().attr["x"]
    assert attr_text(value) == ""
    value.f = 0.5
    assert attr_text(value) == "0.5"
    value.list.type.extend([1, 3])
    assert attr_text(value) == "[DT_FLOAT, DT_INT32]"
    value.list.Clear()
    value.list.s.extend([b"a", b"\xff"])
    assert attr_text(value) == "['a', '\ufffd']"
    value.shape.dim.add(size=-1)
    value.shape.dim.add(size=3)
    assert attr_text(value) == "[?, 3]"
    value.tensor.dtype = 1
    assert attr_text(value) == "dtype: DT_FLOAT"
