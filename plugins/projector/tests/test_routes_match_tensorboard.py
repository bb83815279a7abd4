"""The projector and mesh routes over real HTTP, compared with TensorBoard 2.21's server on
files written by torch.utils.tensorboard (``add_embedding`` with labels, multi-column
metadata and sprites; ``add_mesh``), tensorboardX, a TensorFlow checkpoint with a projector
config, a binary tensor file, a config whose paths lead out of its run, and (on a logdir of its
own) TensorFlow's tutorial layout: checkpoint and config in the logdir itself, served as run ``.``.

Known differences, asserted here: ``modelCheckpointPath`` in ``info`` is the checkpoint's
path inside the run (TensorBoard gives its absolute path), errors are JSON ``{"error"}``
instead of plain text (same statuses), and the mesh ``data`` route's content type is
``application/octet-stream`` (TensorBoard sends ``arraybuffer``). Not compared: TensorBoard
also gives a run without a checkpoint the one of its parent folder; here a run reads only its
own files.
"""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import pytest

_spec = importlib.util.spec_from_file_location(
    "projector_writers", Path(__file__).with_name("writers.py")
)
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

RUNS = {"torch_run", "tbx_run", "ckpt_run", "binary_run"}
P = "/data/plugin/projector"
M = "/data/plugin/mesh"


def _ready(server: Any) -> bool:
    status, body = server.call(f"{P}/runs")
    if status != 200 or set(json.loads(body)) != RUNS:
        return False
    status, body = server.call(f"{M}/tags")
    return status == 200 and "cloud" in json.loads(body).get("torch_run", {})


def _q(**params: Any) -> str:
    return urllib.parse.urlencode(params)


@pytest.fixture(scope="module")
def servers(
    logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any
) -> Iterator[tuple[Any, Any]]:
    installed.require("torch", "tensorflow", "tensorboardX")
    scripts = [
        writers.WRITE_WITH_TORCH,
        writers.WRITE_WITH_TENSORBOARDX,
        writers.WRITE_CHECKPOINT_RUN,
        writers.WRITE_BINARY_AND_ESCAPES,
    ]
    logdir = logdir_from_scripts("projector_logs", scripts)
    with tensorboard_pair(
        logdir, tensorboard_flags=[], plugins="projector,mesh", ready=_ready, with_tensorflow=True
    ) as pair:
        yield pair


def _info(server: Any, run: str) -> dict[str, Any]:
    info = server.json(f"{P}/info?{_q(run=run)}")
    info.pop("modelCheckpointPath", None)
    info["embeddings"] = sorted(info["embeddings"], key=lambda e: e["tensorName"])
    return info


def test_runs_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    assert sorted(ours.json(f"{P}/runs")) == sorted(tb.json(f"{P}/runs")) == sorted(RUNS)


@pytest.mark.parametrize("run", sorted(RUNS))
def test_info_matches(servers: tuple[Any, Any], run: str) -> None:
    tb, ours = servers
    assert _info(ours, run) == _info(tb, run)


def test_checkpoint_info_lists_its_2d_tensors(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    info = ours.json(f"{P}/info?{_q(run='ckpt_run')}")
    assert info["modelCheckpointPath"] == "embedding.ckpt-1"
    shapes = {e["tensorName"]: e["tensorShape"] for e in info["embeddings"]}
    assert shapes == {
        "embedding/.ATTRIBUTES/VARIABLE_VALUE": [25, 4],
        "doubles/.ATTRIBUTES/VARIABLE_VALUE": [7, 3],
        "ints/.ATTRIBUTES/VARIABLE_VALUE": [4, 3],
        "halves/.ATTRIBUTES/VARIABLE_VALUE": [5, 2],
    }


def _every_embedding(tb: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for run in sorted(RUNS):
        for embedding in tb.json(f"{P}/info?{_q(run=run)}")["embeddings"]:
            yield run, embedding


@pytest.mark.parametrize("num_rows", [None, 3])
def test_tensors_match_byte_for_byte(servers: tuple[Any, Any], num_rows: int | None) -> None:
    tb, ours = servers
    compared = 0
    for run, embedding in _every_embedding(tb):
        params = {"run": run, "name": embedding["tensorName"]}
        if num_rows:
            params["num_rows"] = str(num_rows)
        path = f"{P}/tensor?{_q(**params)}"
        expected, got = tb.call(path), ours.call(path)
        assert got[0] == expected[0], (path, got, expected[1][:200])
        if expected[0] == 200:
            assert got[1] == expected[1], path
            compared += 1
    assert compared == 10


@pytest.mark.parametrize("route", ["metadata", "bookmarks", "sprite_image"])
@pytest.mark.parametrize("num_rows", [None, 4])
def test_files_match(servers: tuple[Any, Any], route: str, num_rows: int | None) -> None:
    tb, ours = servers
    found = 0
    for run, embedding in _every_embedding(tb):
        params = {"run": run, "name": embedding["tensorName"]}
        if num_rows:
            params["num_rows"] = str(num_rows)
        path = f"{P}/{route}?{_q(**params)}"
        expected, got = tb.call(path), ours.call(path)
        assert got[0] == expected[0], (path, got[1][:200], expected[1][:200])
        if expected[0] == 200:
            assert got[1] == expected[1], path
            found += 1
    assert found == {"metadata": 5, "bookmarks": 1, "sprite_image": 2}[route]


@pytest.mark.parametrize(
    "path",
    [
        f"{P}/info",
        f"{P}/info?run=nope",
        f"{P}/tensor?run=torch_run",
        f"{P}/tensor?name=x",
        f"{P}/tensor?run=nope&name=x",
        f"{P}/tensor?run=torch_run&name=nope",
        f"{P}/tensor?run=torch_run&name=labels:00000&num_rows=0",
        f"{P}/tensor?run=torch_run&name=labels:00000&num_rows=x",
        f"{P}/metadata?run=torch_run&name=sprites:00005",
        f"{P}/sprite_image?run=torch_run&name=labels:00000",
        f"{P}/bookmarks?run=torch_run&name=labels:00000",
        f"{P}/tensor?run=ckpt_run&name=bias/.ATTRIBUTES/VARIABLE_VALUE_missing",
    ],
)
def test_errors_match(servers: tuple[Any, Any], path: str) -> None:
    tb, ours = servers
    expected, got = tb.call(path), ours.call(path)
    assert got[0] == expected[0] == 400, (path, got, expected)
    assert "error" in json.loads(got[1])


@pytest.mark.parametrize("route", ["tensor", "metadata", "bookmarks", "sprite_image"])
def test_paths_out_of_the_run_are_refused(servers: tuple[Any, Any], route: str) -> None:
    """``../secret.tsv`` is outside ``binary_run``: both servers refuse it."""
    tb, ours = servers
    path = f"{P}/{route}?{_q(run='binary_run', name='escape')}"
    assert tb.call(path)[0] == 400
    status, body = ours.call(path)
    assert status == 400
    assert "outside the run" in json.loads(body)["error"]


def test_mesh_tags_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    assert ours.json(f"{M}/tags") == tb.json(f"{M}/tags")
    assert ours.json(f"{M}/tags")["torch_run"] == {"tetra": {"samples": 1}, "cloud": {"samples": 2}}


@pytest.mark.parametrize("tag", ["tetra", "cloud", "nope"])
def test_mesh_metadata_matches(servers: tuple[Any, Any], tag: str) -> None:
    tb, ours = servers
    path = f"{M}/meshes?{_q(run='torch_run', tag=tag)}"
    assert ours.json(path) == tb.json(path)


def test_mesh_data_matches_byte_for_byte(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    compared = 0
    for tag, steps, samples in [("tetra", [0, 1, 2, 5], 1), ("cloud", [7], 2)]:
        for step in steps:
            for kind in ["VERTEX", "FACE", "COLOR"]:
                for sample in range(samples):
                    query = _q(run="torch_run", tag=tag, step=step, content_type=kind, sample=sample)
                    expected, got = tb.call(f"{M}/data?{query}"), ours.call(f"{M}/data?{query}")
                    assert got == expected, query
                    compared += len(expected[1]) > 0
    assert compared == 3 * 3 + 2
    assert tb.call(f"{M}/data?run=torch_run&tag=tetra&content_type=BAD")[0] == 400
    assert ours.call(f"{M}/data?run=torch_run&tag=tetra&content_type=BAD")[0] == 400


def _root_listed(server: Any) -> bool:
    status, body = server.call(f"{P}/runs")
    return status == 200 and json.loads(body) == ["."]


@pytest.fixture(scope="module")
def root_servers(logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    """Both servers on TensorFlow's projector tutorial layout: a checkpoint, its metadata and a
    config in the logdir itself, no event file anywhere."""
    installed.require("tensorflow")
    logdir = logdir_from_scripts("projector_root_logs", [writers.WRITE_ROOT_CHECKPOINT])
    with tensorboard_pair(
        logdir, tensorboard_flags=[], plugins="projector", ready=_root_listed, with_tensorflow=True
    ) as pair:
        yield pair


def test_a_config_in_the_logdir_itself_is_run_dot(root_servers: tuple[Any, Any]) -> None:
    tb, ours = root_servers
    assert ours.json(f"{P}/runs") == tb.json(f"{P}/runs") == ["."]
    assert _info(ours, ".") == _info(tb, ".")
    name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    for route in ("tensor", "metadata"):
        path = f"{P}/{route}?{_q(run='.', name=name)}"
        expected, got = tb.call(path), ours.call(path)
        assert expected[0] == 200 and got == expected, path
    assert len(tb.call(f"{P}/tensor?{_q(run='.', name=name)}")[1]) == 6 * 3 * 4
