"""The scalars routes over real HTTP, compared with TensorBoard's server on the same files."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("scalars_logs")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    subprocess.run([sys.executable, "-c", WRITE_WITH_TORCH, str(root)], check=True, env=env, timeout=240)
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
