"""``add_graph`` and ``add_onnx_graph`` write the graphs torch's own writer writes.

The same models are logged by ``torch.utils.tensorboard.SummaryWriter`` and, in a process where
importing tensorboard or tensorflow fails, by ``tbcore_torch.SummaryWriter``. TensorBoard 2.21's
``EventAccumulator`` reads both back, and its real server's graphs dashboard serves the
tbcore-written graphs as it serves torch's.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import installed
import pytest
from _blocked_imports import TENSORBOARD_AND_TENSORFLOW, run_script

from tbcore.data import LogdirDataProvider

torch = pytest.importorskip("torch")

from tbcore_torch import SummaryWriter  # noqa: E402 - after the skip when torch is missing

# The models, defined the same way in every process that logs them.
MODELS = r'''
import torch
from torch import nn
from torch.nn import functional as F


class Cnn(nn.Module):
    """Nested nn.Sequential, named submodules, batch norm and dropout (eval mode matters)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
            nn.Sequential(nn.Conv2d(4, 2, 1), nn.Dropout()),
        )
        self.head = nn.Linear(2 * 6 * 6, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class TwoHeads(nn.Module):
    """Two inputs, a tuple of two outputs."""

    def __init__(self):
        super().__init__()
        self.left = nn.Linear(4, 3)
        self.right = nn.Sequential(nn.Linear(4, 2), nn.Tanh())

    def forward(self, x, y):
        output = self.left(x)
        return output, self.right(y) + 1


class Functional(nn.Module):
    """Functional ops only, no submodule."""

    def forward(self, x):
        return F.softmax(x * 2, dim=-1).sum(0)


def models():
    torch.manual_seed(0)
    return {
        "cnn": (Cnn(), torch.randn(1, 3, 8, 8)),
        "two_heads": (TwoHeads(), (torch.randn(2, 4), torch.randn(2, 4))),
        "functional": (Functional(), torch.randn(3, 5)),
    }
'''

WRITE = r'''
import os
import sys
import warnings

kind, root = sys.argv[1], sys.argv[2]
if kind == "tbcore":
    from tbcore_torch import SummaryWriter
else:
    from torch.utils.tensorboard import SummaryWriter

import torch

exec(MODELS)
for name, (model, inputs) in models().items():
    with SummaryWriter(os.path.join(root, kind, name)) as w:
        w.add_graph(model, inputs)
        w.add_scalar("loss", 0.5, 1)

onnx_file = os.path.join(root, "model.onnx")
if kind == "torch":
    model, inputs = models()["cnn"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(model, (inputs,), onnx_file, dynamo=False,
                          input_names=["image"], output_names=["logits"])
with SummaryWriter(os.path.join(root, kind, "onnx")) as w:
    w.add_onnx_graph(onnx_file)
'''

RUNS = ["cnn", "two_heads", "functional"]


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``torch/<run>`` written by torch's writer, ``tbcore/<run>`` by ours (TensorBoard
    blocked); runs: the ``RUNS`` models and ``onnx``."""
    installed.require("onnx", "tensorboard")
    root = tmp_path_factory.mktemp("graphs")
    script = f"MODELS = {MODELS!r}\n{WRITE}"
    for kind in ("torch", "tbcore"):  # torch first: it exports the ONNX file both log
        run_script(
            script, kind, str(root),
            blocked=TENSORBOARD_AND_TENSORFLOW if kind == "tbcore" else (),
            env={"TF_CPP_MIN_LOG_LEVEL": "3"},
        )
    return root


@pytest.fixture(scope="module")
def accumulator(tensorboard_readers: types.SimpleNamespace) -> Callable[[Path], Any]:
    """``accumulator(run_dir)``: TensorBoard's ``EventAccumulator`` of a run, loaded."""

    def load(run_dir: Path) -> Any:
        acc = tensorboard_readers.EventAccumulator(str(run_dir))
        acc.Reload()
        return acc

    return load


@pytest.mark.parametrize("run", RUNS)
def test_graph_matches_torch(logdir: Path, run: str, accumulator: Callable[[Path], Any]) -> None:
    theirs, ours = accumulator(logdir / "torch" / run), accumulator(logdir / "tbcore" / run)
    assert ours.Tags()["graph"] and ours.Tags()["run_metadata"] == ["step1"]
    assert ours.Tags()["run_metadata"] == theirs.Tags()["run_metadata"]
    expected, got = theirs.Graph(), ours.Graph()
    assert [n.name for n in got.node] == [n.name for n in expected.node]
    for mine, ref in zip(got.node, expected.node, strict=True):
        assert (mine.op, list(mine.input), mine.device) == (ref.op, list(ref.input), ref.device), ref.name
        assert dict(mine.attr) == dict(ref.attr), ref.name
    assert got == expected  # and nothing else differs (versions, library)
    assert ours.RunMetadata("step1") == theirs.RunMetadata("step1")
    assert [d.device for d in ours.RunMetadata("step1").step_stats.dev_stats] == ["/device:CPU:0"]


def _nodes(acc: Any) -> dict[str, Any]:
    return {n.name: n for n in acc.Graph().node}


def _shape(node: Any) -> list[int]:
    (shape,) = node.attr["_output_shapes"].list.shape
    return [d.size for d in shape.dim]


def test_cnn_nodes_are_scoped_by_module(logdir: Path, accumulator: Callable[[Path], Any]) -> None:
    nodes = _nodes(accumulator(logdir / "tbcore" / "cnn"))
    assert _shape(nodes["input/x"]) == [1, 3, 8, 8] and nodes["input/x"].op == "IO Node"
    assert _shape(nodes["output/output.1"]) == [1, 5]
    convs = [n for n in nodes.values() if n.op == "aten::_convolution"]
    assert sorted(n.name.rsplit("/", 1)[0] for n in convs) == [
        "Cnn/Sequential[features]/Conv2d[0]",
        "Cnn/Sequential[features]/Sequential[3]/Conv2d[0]",
    ]
    first = next(n for n in convs if n.name.startswith("Cnn/Sequential[features]/Conv2d[0]/"))
    assert first.input[0] == "input/x" and _shape(first) == [1, 4, 6, 6]
    weight = nodes[first.input[1]]  # the parameter, read in the scope of its module
    assert weight.op == "prim::GetAttr" and weight.attr["attr"].s == b"{ name :  weight }"
    assert weight.name.startswith("Cnn/Sequential[features]/Conv2d[0]/")
    # Traced in eval mode: dropout's ``train`` argument is the constant 0.
    (dropout,) = [n for n in nodes.values() if n.op == "aten::dropout"]
    assert nodes[dropout.input[2]].attr["attr"].s == b"{ value : 0}"
    assert nodes["output/output.1"].input[0].startswith("Cnn/Linear[head]/")


def test_tuple_output_and_two_inputs(logdir: Path, accumulator: Callable[[Path], Any]) -> None:
    nodes = _nodes(accumulator(logdir / "tbcore" / "two_heads"))
    assert {"input/x", "input/y", "output/output.1"} <= set(nodes)
    (tuple_node,) = [n for n in nodes.values() if n.op == "prim::TupleConstruct"]
    assert nodes["output/output.1"].input == [tuple_node.name]
    assert _shape(nodes["output/output.1"]) == [1]  # a tuple has no tensor shape
    left, right = (nodes[name] for name in tuple_node.input)
    assert left.name.startswith("TwoHeads/Linear[left]/") and _shape(left) == [2, 3]
    assert right.op == "aten::add" and _shape(right) == [2, 2]


def test_onnx_graph_matches_torch(logdir: Path, accumulator: Callable[[Path], Any]) -> None:
    theirs, ours = accumulator(logdir / "torch" / "onnx"), accumulator(logdir / "tbcore" / "onnx")
    assert ours.Graph() == theirs.Graph()
    assert ours.Tags()["run_metadata"] == []  # ONNX graphs come without step statistics
    nodes = ours.Graph().node
    assert [(n.name, n.op) for n in nodes[:2]] == [("image", "Variable"), ("logits", "Variable")]
    assert [d.size for d in nodes[0].attr["shape"].shape.dim] == [1, 3, 8, 8]
    conv = next(n for n in nodes if n.op == "Conv")
    assert b"kernel_shape = [3, 3]" in conv.attr["parameters"].s and conv.input[0] == "image"


def test_tbcore_reads_its_graphs(logdir: Path, accumulator: Callable[[Path], Any]) -> None:
    provider = LogdirDataProvider(str(logdir / "tbcore"))
    provider.reload()
    graphs = provider.read_blob_sequences(plugin_name="graphs")
    for run in RUNS:
        (datum,) = graphs[run]["__run_graph__"]
        blob = provider.read_blob(blob_key=datum.values[0].blob_key)
        assert type(accumulator(logdir / "tbcore" / run).Graph()).FromString(blob).node
        assert provider.read_scalars(plugin_name="scalars")[run]["loss"].value.tolist() == [0.5]


def _graphs_loaded(server: Any) -> bool:
    status, body = server.call("/data/plugins_listing")
    if status != 200:
        return False
    if "graphs" not in json.loads(body):
        return True  # tbcore's server: it has no graph dashboard to wait for
    status, body = server.call("/data/plugin/graphs/info")
    return status == 200 and len(json.loads(body)) == 2 * (len(RUNS) + 1)


def test_tensorboard_serves_the_graphs(logdir: Path, tensorboard_pair: Callable[..., Any]) -> None:
    with tensorboard_pair(logdir, tensorboard_flags=[], plugins="scalars", ready=_graphs_loaded) as (tb, ours):
        info = tb.json("/data/plugin/graphs/info")
        for run in [*RUNS, "onnx"]:
            assert info[f"tbcore/{run}"]["run_graph"] is True
            assert info[f"tbcore/{run}"]["tags"] == info[f"torch/{run}"]["tags"]
            status, graph = tb.call(f"/data/plugin/graphs/graph?run=tbcore/{run}")
            assert status == 200
            assert graph == tb.call(f"/data/plugin/graphs/graph?run=torch/{run}")[1]
        assert info["tbcore/cnn"]["tags"]["step1"]["profile"] is True
        assert b'name: "Cnn/Sequential[features]/Sequential[3]/Conv2d[0]/' in tb.call(
            "/data/plugin/graphs/graph?run=tbcore/cnn")[1]
        status, metadata = tb.call("/data/plugin/graphs/run_metadata?run=tbcore/cnn&tag=step1")
        assert status == 200 and b'device: "/device:CPU:0"' in metadata
        runs = ours.json("/data/runs")  # tbcore's own server reads the runs with graphs
        assert {f"tbcore/{run}" for run in RUNS} <= set(runs)


# --- in-process: errors and side effects ----------------------------------------------------


class _DictOutput(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, x: Any) -> dict[str, Any]:
        return {"out": self.linear(x)}


def _graph_events(run_dir: Path) -> list[str]:
    provider = LogdirDataProvider(str(run_dir.parent))
    provider.reload()
    return sorted(provider.list_blob_sequences(plugin_name="graphs").get(run_dir.name, {}))


def test_untraceable_model_is_named_and_writes_nothing(tmp_path: Path) -> None:
    model = _DictOutput().train()
    with SummaryWriter(tmp_path / "run") as w:
        with pytest.raises(RuntimeError, match="add_graph could not trace _DictOutput"):
            w.add_graph(model, torch.zeros(1, 3))
        assert model.training  # the mode is restored after a failed trace too
    assert _graph_events(tmp_path / "run") == []


def test_non_strict_trace_records_dicts(tmp_path: Path) -> None:
    model = _DictOutput()
    with SummaryWriter(tmp_path / "run") as w:
        w.add_graph(model, torch.zeros(1, 3), use_strict_trace=False)
    assert _graph_events(tmp_path / "run") == ["__run_graph__"]
    assert model.training


class _NoInputs(torch.nn.Module):
    def forward(self) -> Any:
        return torch.ones(2) * 3


def test_input_to_model_may_be_left_out_only_without_inputs(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path / "run") as w:
        with pytest.raises(TypeError, match="could not trace Linear without input_to_model"):
            w.add_graph(torch.nn.Linear(3, 2))
        with pytest.raises(TypeError, match="add_graph draws a torch.nn.Module, not function"):
            w.add_graph(lambda x: x * 2, torch.zeros(1))
    assert _graph_events(tmp_path / "run") == []
    with SummaryWriter(tmp_path / "no_inputs") as w:
        w.add_graph(_NoInputs())
    assert _graph_events(tmp_path / "no_inputs") == ["__run_graph__"]


def test_verbose_prints_the_traced_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SummaryWriter(tmp_path / "run") as w:
        w.add_graph(torch.nn.Linear(3, 2), torch.zeros(1, 3), verbose=True)
    assert "aten::linear" in capsys.readouterr().out


def test_add_graph_def_rejects_a_non_proto(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path / "run") as w:
        with pytest.raises(TypeError, match="run_metadata must be a protobuf message"):
            w.add_graph_def(b"", run_metadata="not a proto")
    assert _graph_events(tmp_path / "run") == []  # neither event was written


def test_onnx_needs_the_onnx_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # importing onnx now fails
    with SummaryWriter(tmp_path / "run") as w:
        with pytest.raises(ImportError, match=r"pip install 'tbcore-torch\[onnx\]'"):
            w.add_onnx_graph(str(tmp_path / "model.onnx"))


def test_onnx_rejects_a_file_that_is_not_onnx(tmp_path: Path) -> None:
    installed.require("onnx")
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"\xff\xff\xff\xff not a model")
    with SummaryWriter(tmp_path / "run") as w:
        with pytest.raises(ValueError, match="is not an ONNX model file"):
            w.add_onnx_graph(str(bad))
