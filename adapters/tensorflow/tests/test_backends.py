"""The callback on the JAX and PyTorch backends, where importing TensorFlow fails: its files,
read by tbcore's provider, hold the same runs, tags, steps and (up to the backends' float
rounding) values as on the TensorFlow backend."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import installed
import numpy as np
import pytest
import warm_python

from tbcore.data import DataClass, LogdirDataProvider

RUNS = Path(__file__).with_name("keras_runs.py")
CONFIG = {"update_freq": 2, "histogram_freq": 1, "write_images": True}


def run_ours(backend: str, logdir: Path) -> LogdirDataProvider:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    warm_python.run(
        [sys.executable, str(RUNS), "ours", str(logdir), json.dumps(CONFIG)], check=True, env=env, timeout=300
    )
    provider = LogdirDataProvider(str(logdir / "tbcore"))
    provider.reload()
    return provider


def snapshot(provider: LogdirDataProvider) -> dict[tuple[str, str, str], list[tuple[int, np.ndarray]]]:
    """``{(run, plugin, tag): [(step, value), ...]}`` of every series."""
    out = {}
    for plugin in provider.list_plugins():
        for run, tags in provider.read_scalars(plugin_name=plugin).items():
            for tag, cols in tags.items():
                out[(run, plugin, tag)] = list(zip(cols.step.tolist(), cols.value))
        for run, tags in provider.read_tensors(plugin_name=plugin).items():
            for tag, data in tags.items():
                out[(run, plugin, tag)] = [(d.step, d.numpy) for d in data]
        for run, tags in provider.read_blob_sequences(plugin_name=plugin).items():
            for tag, data in tags.items():
                out[(run, plugin, tag)] = [
                    (d.step, [provider.read_blob(blob_key=v.blob_key) for v in d.values]) for d in data
                ]
    return out


@pytest.fixture(scope="module")
def on_tensorflow(tmp_path_factory: pytest.TempPathFactory) -> dict:
    installed.require("tensorflow")
    return snapshot(run_ours("tensorflow", tmp_path_factory.mktemp("tf")))


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_same_files_on_every_backend(backend: str, on_tensorflow: dict, tmp_path: Path) -> None:
    pytest.importorskip(backend)
    provider = run_ours(backend, tmp_path)
    theirs = snapshot(provider)
    assert sorted(theirs) == sorted(on_tensorflow)
    for key, points in on_tensorflow.items():
        assert [s for s, _ in points] == [s for s, _ in theirs[key]], key
        run, plugin, tag = key
        for (_, a), (_, b) in zip(points, theirs[key]):
            if plugin == "images":
                assert a[:2] == b[:2] and len(a) == len(b), key  # pixels may differ by a rounding
            elif plugin == "graph_keras_model":
                a_config, b_config = (json.loads(v[0]) for v in (a, b))
                assert a_config["config"]["layers"] == b_config["config"]["layers"]
            else:
                np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-4, atol=1e-5, err_msg=str(key))
    runs = {run for run, _, _ in theirs}
    assert runs == {"train", "validation"}
    kinds = {provider_plugin for _, provider_plugin, _ in theirs}
    assert {"scalars", "histograms", "images", "graph_keras_model"} <= kinds
    assert DataClass.SCALAR  # the provider read the scalars as scalars (read_scalars above)
