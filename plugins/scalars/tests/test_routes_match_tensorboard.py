"""The scalars routes over real HTTP, compared with TensorBoard's server on the same files."""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import installed
import numpy as np
import pytest
import warm_python

WRITE_WITH_TORCH = """
import math, sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter
for run, scale in (("run_a", 1.0), ("run_b", 2.0)):
    w = SummaryWriter(f"{sys.argv[1]}/{run}")
    for step in range(300):
        w.add_scalar("loss", scale / (step + 1), step)
        w.add_scalar("acc/top1", step / 300 * scale, step)
        w.add_scalars("lr", {"base": 0.1 * scale, "warm": 0.01 * step}, step)
    w.add_scalar("weird", float("nan"), 300)
    w.add_scalar("weird", float("inf"), 301)
    w.add_scalar("weird", float("-inf"), 302)
    rng = np.random.default_rng(int(scale))
    for step in range(3):
        labels = rng.integers(0, 2, 100)
        w.add_pr_curve("pr/classifier", labels, np.clip(labels * 0.4 + rng.random(100) * 0.6, 0, 1), step)
    w.add_custom_scalars({"Losses": {"all": ["Multiline", ["loss", "acc/.*"]],
                                     "band": ["Margin", ["acc/top1", "loss", "loss"]]}})
    w.close()
"""


EXPECTED_RUNS = 6  # run_a, run_b and the four add_scalars sub-runs


def _loaded(server: Any) -> bool:
    status, body = server.call("/data/plugin/scalars/tags")
    return status == 200 and len(json.loads(body)) == EXPECTED_RUNS


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    installed.require("torch")
    root = tmp_path_factory.mktemp("scalars_logs")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    warm_python.run([sys.executable, "-c", WRITE_WITH_TORCH, str(root)], check=True, env=env, timeout=240)
    return root


@pytest.fixture(scope="module")
def servers(logdir: Path, tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    with tensorboard_pair(
        logdir,
        tensorboard_flags=["--samples_per_plugin", "scalars=100000,pr_curves=100000"],
        plugins="scalars,custom_scalars,pr_curves",
        ready=_loaded,
    ) as pair:
        yield pair


def test_tags_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    expected = tb.json("/data/plugin/scalars/tags")
    assert ours.json("/data/plugin/scalars/tags") == expected
    assert set(expected) == {"run_a", "run_b", "run_a/lr_base", "run_a/lr_warm", "run_b/lr_base", "run_b/lr_warm"}


def test_every_series_matches_point_for_point(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    index = tb.json("/data/plugin/scalars/tags")
    assert isinstance(index, dict)
    compared = 0
    for run, tags in index.items():
        for tag in tags:
            query = urllib.parse.urlencode({"run": run, "tag": tag})
            expected = tb.json(f"/data/plugin/scalars/scalars?{query}")
            assert ours.json(f"/data/plugin/scalars/scalars?{query}") == expected
            compared += len(expected)  # type: ignore[arg-type]
    assert compared > 2000


def test_non_finite_values_are_strings_like_tensorboard(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    query = urllib.parse.urlencode({"run": "run_a", "tag": "weird"})
    got = ours.json(f"/data/plugin/scalars/scalars?{query}")
    assert [row[2] for row in got] == ["NaN", "Infinity", "-Infinity"]  # type: ignore[index,union-attr]
    assert got == tb.json(f"/data/plugin/scalars/scalars?{query}")


def test_csv_download_matches(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    query = urllib.parse.urlencode({"run": "run_b", "tag": "loss", "format": "csv"})
    tb_status, tb_csv = tb.call(f"/data/plugin/scalars/scalars?{query}")
    our_status, our_csv = ours.call(f"/data/plugin/scalars/scalars?{query}")
    assert tb_status == our_status == 200
    assert our_csv == tb_csv
    assert our_csv.splitlines()[0] == b"Wall time,Step,Value"
    assert len(our_csv.splitlines()) == 301


def test_multirun_matches(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    body = urllib.parse.urlencode({"tag": "loss", "runs": ["run_a", "run_b", "missing"]}, doseq=True)
    expected = tb.json("/data/plugin/scalars/scalars_multirun", "POST", body)
    assert ours.json("/data/plugin/scalars/scalars_multirun", "POST", body) == expected
    assert set(expected) == {"run_a", "run_b"}  # type: ignore[arg-type]


def test_errors(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    assert ours.call("/data/plugin/scalars/scalars?run=run_a")[0] == 400
    assert ours.call("/data/plugin/scalars/scalars?run=run_a&tag=nope")[0] == 404
    assert ours.call("/data/plugin/scalars/scalars_multirun", "POST", "runs=run_a")[0] == 400
    assert ours.call("/data/plugin/scalars/series?tag=loss&buckets=-1")[0] == 400
    for bound in ("xmin", "xmax"):
        status, body = ours.call(f"/data/plugin/scalars/series?tag=loss&buckets=10&{bound}=nan")[:2]
        assert status == 400 and b"NaN" in body, (bound, status, body)


def test_series_route_columns_and_viewport(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    full = ours.json("/data/plugin/scalars/series?tag=loss&run=run_a&run=run_b")
    assert isinstance(full, dict) and set(full) == {"run_a", "run_b"}
    assert full["run_a"]["step"] == list(range(300)) and full["run_a"]["total"] == 300
    assert math.isclose(full["run_b"]["value"][0], 2.0)
    thin = ours.json("/data/plugin/scalars/series?tag=loss&run=run_a&xmin=0&xmax=299&buckets=10")
    assert isinstance(thin, dict)
    steps = thin["run_a"]["step"]
    assert 0 in steps and 299 in steps and len(steps) <= 44


def test_series_since_sends_only_the_points_a_client_lacks(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    full = ours.json("/data/plugin/scalars/series?tag=loss&run=run_a&run=run_b")
    assert isinstance(full, dict) and full["run_a"]["offset"] == 0
    a, b = full["run_a"], full["run_b"]
    held_a = urllib.parse.quote(f"250:{a['step'][249]}:{a['wall_time'][249]}")
    stale_b = urllib.parse.quote(f"10:{b['step'][9]}:{b['wall_time'][9] + 1}")  # not what the run holds
    query = f"tag=loss&run=run_a&run=run_b&since={held_a}&since={stale_b}"
    tail = ours.json(f"/data/plugin/scalars/series?{query}")
    assert isinstance(tail, dict)
    assert tail["run_a"]["offset"] == 250 and tail["run_a"]["step"] == list(range(250, 300))
    assert tail["run_a"]["value"] == a["value"][250:] and tail["run_a"]["total"] == 300
    assert tail["run_b"]["offset"] == 0 and tail["run_b"]["step"] == b["step"]  # all of it again
    binary = _decode_binary(ours.call(f"/data/plugin/scalars/series?{query}&format=binary")[1])
    assert binary["run_a"]["offset"] == 250 and binary["run_a"]["step"] == list(range(250, 300))
    assert binary["run_b"]["offset"] == 0
    # Nothing held (empty), or all of it: the whole series, or nothing new.
    held_all = urllib.parse.quote(f"300:{a['step'][299]}:{a['wall_time'][299]}")
    nothing_new = ours.json(f"/data/plugin/scalars/series?tag=loss&run=run_a&run=run_b&since={held_all}&since=")
    assert isinstance(nothing_new, dict)
    assert nothing_new["run_a"]["step"] == [] and nothing_new["run_a"]["offset"] == 300
    assert nothing_new["run_b"]["offset"] == 0 and nothing_new["run_b"]["step"] == b["step"]
    for bad in ("since=1:2:3", f"run=run_a&since={held_a}&buckets=5", "run=run_a&since=x:1:2", "run=run_a&since=-1:0:0"):
        status, body = ours.call(f"/data/plugin/scalars/series?tag=loss&{bad}")[:2]
        assert status == 400 and b"since" in body, (bad, status, body)


def _decode_binary(body: bytes) -> dict[str, dict[str, Any]]:
    """The ``series?format=binary`` layout read independently of the plugin's encoder."""
    (length,) = struct.unpack_from("<I", body)
    header = json.loads(body[4 : 4 + length])
    out: dict[str, dict[str, Any]] = {}
    for run in header["runs"]:
        cols: dict[str, Any] = {"total": run["total"], "offset": run["offset"]}
        for name, (offset, dtype) in run["columns"].items():
            assert offset % 8 == 0
            little_endian = {"float64": "<f8", "float32": "<f4"}[dtype]
            cols[name] = np.frombuffer(body, little_endian, count=run["length"], offset=offset).tolist()
        out[run["run"]] = cols
    return out


def test_series_route_binary_form_holds_the_json_columns(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    for query in ("tag=loss&run=run_a&run=run_b", "tag=weird&columns=step,wall_time,value",
                  "tag=loss&xmin=10&xmax=200&buckets=7&columns=step,value"):
        status, body = ours.call(f"/data/plugin/scalars/series?{query}&format=binary")
        assert status == 200
        binary = _decode_binary(body)
        as_json = ours.json(f"/data/plugin/scalars/series?{query}")
        assert set(binary) == set(as_json) and binary
        for run, cols in as_json.items():
            assert binary[run]["total"] == cols["total"] and binary[run]["offset"] == cols["offset"]
            for name in ("step", "wall_time", "value"):
                if name in cols:
                    expected = [float(v) if isinstance(v, str) else v for v in cols[name]]
                    assert binary[run][name] == pytest.approx(expected, nan_ok=True), (query, run, name)
    weird = _decode_binary(ours.call("/data/plugin/scalars/series?tag=weird&run=run_a&format=binary")[1])
    assert math.isnan(weird["run_a"]["value"][0]) and weird["run_a"]["value"][1:] == [math.inf, -math.inf]
    assert ours.call("/data/plugin/scalars/series?tag=loss&format=xml")[0] == 400


def test_custom_scalars_layout_and_regex_route_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    layout = tb.json("/data/plugin/custom_scalars/layout")
    assert ours.json("/data/plugin/custom_scalars/layout") == layout
    assert layout["category"][0]["title"] == "Losses"  # type: ignore[index]
    for run in ("run_a", "run_b"):
        for regex in ("acc/.*", "loss", "(", ""):
            query = urllib.parse.urlencode({"run": run, "tag": regex})
            expected = tb.json(f"/data/plugin/custom_scalars/scalars?{query}")
            assert ours.json(f"/data/plugin/custom_scalars/scalars?{query}") == expected
    query = urllib.parse.urlencode({"run": "run_a", "tag": "loss", "format": "csv"})
    path = f"/data/plugin/custom_scalars/download_data?{query}"
    assert ours.call(path) == tb.call(path)


def test_pr_curves_match(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    tags = tb.json("/data/plugin/pr_curves/tags")
    assert ours.json("/data/plugin/pr_curves/tags") == tags
    query = urllib.parse.urlencode({"run": ["run_a", "run_b"], "tag": "pr/classifier"}, doseq=True)
    expected = tb.json(f"/data/plugin/pr_curves/pr_curves?{query}")
    got = ours.json(f"/data/plugin/pr_curves/pr_curves?{query}")
    assert got == expected
    assert [len(v) for v in got.values()] == [3, 3]  # type: ignore[union-attr]
    assert ours.call("/data/plugin/pr_curves/pr_curves?tag=pr/classifier")[0] == 400


TF_KERAS_RUNS = {"tf/alpha", "tf/beta", "keras/train", "keras/validation"}


@pytest.fixture(scope="module")
def tf_servers(tmp_path_factory: pytest.TempPathFactory, tensorboard_pair: Any) -> Iterator[tuple[Any, Any]]:
    """Both servers on files of ``tf.summary.scalar`` and of the Keras TensorBoard callback."""
    installed.require("tensorflow")
    root = tmp_path_factory.mktemp("tf_keras_scalars")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    writers = Path(__file__).with_name("writers.py")
    warm_python.run([sys.executable, str(writers), "tf_keras", str(root)], check=True, env=env, timeout=300)

    def loaded(server: Any) -> bool:
        status, body = server.call("/data/plugin/scalars/tags")
        return status == 200 and set(json.loads(body)) == TF_KERAS_RUNS

    with tensorboard_pair(
        root, tensorboard_flags=["--samples_per_plugin", "scalars=100000"], plugins="scalars", ready=loaded
    ) as pair:
        yield pair


def test_tf_summary_and_keras_routes_match(tf_servers: tuple[Any, Any]) -> None:
    tb, ours = tf_servers
    index = tb.json("/data/plugin/scalars/tags")
    # Descriptions are Markdown rendered to the same HTML, except that our links also get
    # rel="noopener noreferrer" (the dashboard's URL is not sent to the linked site).
    ours_index = ours.json("/data/plugin/scalars/tags")
    description = ours_index["tf/alpha"]["metrics/acc"]["description"]
    assert 'rel="noopener noreferrer"' in description and "<strong>accuracy</strong>" in description
    for tags in ours_index.values():
        for entry in tags.values():
            entry["description"] = entry["description"].replace(' rel="noopener noreferrer"', "")
    assert ours_index == index
    assert {"epoch_loss", "epoch_mae"} <= set(index["keras/train"]) and "epoch_loss" in index["keras/validation"]
    compared = 0
    for run, tags in index.items():
        for tag in tags:
            query = urllib.parse.urlencode({"run": run, "tag": tag})
            expected = tb.json(f"/data/plugin/scalars/scalars?{query}")
            assert ours.json(f"/data/plugin/scalars/scalars?{query}") == expected, (run, tag)
            compared += len(expected)
            csv_path = f"/data/plugin/scalars/scalars?{query}&format=csv"
            assert ours.call(csv_path) == tb.call(csv_path), (run, tag)
    assert compared >= 2 * 41 * 2 + 4 * 3  # tf runs (40 steps + NaN) and 4 Keras epochs
    body = urllib.parse.urlencode({"tag": "epoch_loss", "runs": ["keras/train", "keras/validation"]}, doseq=True)
    expected = tb.json("/data/plugin/scalars/scalars_multirun", "POST", body)
    assert ours.json("/data/plugin/scalars/scalars_multirun", "POST", body) == expected
    assert set(expected) == {"keras/train", "keras/validation"}  # type: ignore[arg-type]
