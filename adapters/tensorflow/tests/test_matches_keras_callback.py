"""``tbcore_tensorflow.TensorBoard`` against ``keras.callbacks.TensorBoard``, in one training.

Both callbacks are given to the same ``fit`` and ``evaluate`` (TensorFlow backend), so they see
the same metrics and weights; TensorBoard 2.21's own reader (``EventMultiplexer``) then reads
both logdirs, and the runs, tags, plugins, steps and values must be the same (wall times aside;
``*steps_per_second`` are timings: only their steps are compared). Images are compared by
their decoded pixels (the PNG encoders differ).

Known, deliberate difference, asserted as such: with an integer ``update_freq``, Keras's
callback drops ``epoch_*`` scalars and weight histograms of epochs whose last batch number is
not a multiple of it (``tf.summary.record_if`` of its batch writer leaks into them); ours
writes them, as Keras documents.
"""

from __future__ import annotations

import io
import json
import os
import sys
import types
from pathlib import Path
from typing import Any

import installed
import numpy as np
import pytest
import warm_python

# Found, not imported: the frameworks run in the scripts' own processes, never in this one.
pytestmark = installed.needs("keras", "tensorflow")
Image = pytest.importorskip("PIL.Image")

RUNS = Path(__file__).with_name("keras_runs.py")
TIMINGS = ("batch_steps_per_second", "epoch_steps_per_second")


def run_both(logdir: Path, config: dict[str, Any]) -> None:
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    warm_python.run(
        [sys.executable, str(RUNS), "both", str(logdir), json.dumps(config)], check=True, env=env, timeout=300
    )


def read(tbm: types.SimpleNamespace, logdir: Path) -> dict[str, dict[str, tuple[str, list[tuple[int, Any]]]]]:
    """``{run: {tag: (plugin, [(step, value), ...])}}`` as TensorBoard reads ``logdir``."""
    from tensorboard.util import tensor_util

    multiplexer = tbm.EventMultiplexer(tensor_size_guidance={tbm.TENSORS: 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    out: dict[str, dict[str, tuple[str, list[tuple[int, Any]]]]] = {}
    for run, tags in multiplexer.Runs().items():
        for tag in tags.get(tbm.TENSORS, []):
            plugin = multiplexer.SummaryMetadata(run, tag).plugin_data.plugin_name
            events = [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in multiplexer.Tensors(run, tag)]
            out.setdefault(run, {})[tag] = (plugin, events)
        if tags.get("graph"):
            out.setdefault(run, {})["__graph__"] = ("graph", [(0, multiplexer.Graph(run))])
    return out


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def assert_same(theirs: Any, ours: Any, tag: str, plugin: str) -> None:
    if tag == "__graph__":
        assert sorted(n.name for n in theirs.node) == sorted(n.name for n in ours.node)
    elif plugin == "images":
        assert list(theirs[:2]) == list(ours[:2]), tag  # width, height
        assert len(theirs) == len(ours)
        for a, b in zip(theirs[2:], ours[2:]):
            np.testing.assert_array_equal(_pixels(a), _pixels(b), err_msg=tag)
    elif plugin == "graph_keras_model":
        assert json.loads(theirs.item()) == json.loads(ours.item())
    else:
        assert theirs.dtype == ours.dtype and theirs.shape == ours.shape, tag
        np.testing.assert_array_equal(theirs, ours, err_msg=tag)


CONFIGS = {
    "per_epoch": {"histogram_freq": 1, "write_images": True, "write_steps_per_second": True},
    "per_batch": {"update_freq": "batch", "histogram_freq": 2, "write_steps_per_second": True},
    # Every epoch ends on a multiple of 3, every evaluation too (1 + 1 + 1 + 4 batches: no).
    "every_3": {"update_freq": 3, "write_graph": False},
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_files_equal_keras_callback(name: str, tmp_path: Path, tensorboard_readers: types.SimpleNamespace) -> None:
    run_both(tmp_path, CONFIGS[name])
    theirs = read(tensorboard_readers, tmp_path / "keras")
    ours = read(tensorboard_readers, tmp_path / "tbcore")
    if name == "every_3":
        # Keras drops the evaluation_* scalars of evaluations whose batch count is no multiple
        # of 3 (here: all three validations); ours writes them.
        for tag in ("evaluation_loss_vs_iterations", "evaluation_accuracy_vs_iterations"):
            keras_steps = [s for s, _ in theirs["validation"].get(tag, ("", []))[1]]
            ours_steps = [s for s, _ in ours["validation"][tag][1]]
            assert set(keras_steps) < set(ours_steps) and ours_steps == [3, 6, 9, 9]
            theirs["validation"].pop(tag, None)
            ours["validation"].pop(tag)
    assert sorted(theirs) == sorted(ours) == ["train", "validation"]
    for run in theirs:
        assert sorted(theirs[run]) == sorted(ours[run]), run
        for tag, (plugin, events) in theirs[run].items():
            our_plugin, our_events = ours[run][tag]
            assert plugin == our_plugin, (run, tag)
            assert [s for s, _ in events] == [s for s, _ in our_events], (run, tag)
            if tag.endswith(TIMINGS):
                continue
            for (_, a), (_, b) in zip(events, our_events):
                assert_same(a, b, tag, plugin)
    if name == "per_epoch":  # the fixture covers what it should
        tags = set(ours["train"])
        assert {"keras", "epoch_learning_rate", "hidden/kernel/image", "hidden/bias/image"} <= tags
        assert {"conv/kernel/histogram", "conv/kernel/image", "embedding/embeddings/histogram"} <= tags
        assert "evaluation_loss_vs_iterations" in ours["validation"]


def test_epoch_metrics_are_not_dropped_with_an_integer_update_freq(
    tmp_path: Path, tensorboard_readers: types.SimpleNamespace
) -> None:
    run_both(tmp_path, {"update_freq": 2, "histogram_freq": 1, "write_graph": False})
    theirs = read(tensorboard_readers, tmp_path / "keras")["train"]
    ours = read(tensorboard_readers, tmp_path / "tbcore")["train"]
    # Epochs end at batches 3, 6, 9: Keras keeps only the epoch ending on batch 6.
    assert [s for s, _ in theirs["epoch_loss"][1]] == [1]
    assert [s for s, _ in ours["epoch_loss"][1]] == [0, 1, 2]
    assert [s for s, _ in ours["hidden/kernel/histogram"][1]] == [0, 1, 2]
    for tag in ("epoch_loss", "batch_loss", "hidden/kernel/histogram"):
        keras_events = dict(theirs[tag][1])
        for step, value in ours[tag][1]:
            if step in keras_events:
                np.testing.assert_array_equal(keras_events[step], value)


def test_embeddings_are_written_for_the_projector(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    labels = tmp_path / "labels.tsv"
    labels.write_text("".join(f"word{i}\n" for i in range(20)))
    run_both(tmp_path, {"embeddings_freq": 1, "embeddings_metadata": str(labels), "write_graph": False})
    train = tmp_path / "tbcore" / "train"
    config = (train / "projector_config.pbtxt").read_text()
    for epoch in range(3):
        folder = f"{epoch:05d}/embedding"
        assert f'tensor_path: "{folder}/tensors.tsv"' in config and f'metadata_path: "{folder}/metadata.tsv"' in config
        ours = np.loadtxt(train / folder / "tensors.tsv", dtype=np.float32, ndmin=2)
        # Keras's own callback saves the weights (its projector config cannot point at them).
        with h5py.File(tmp_path / "keras" / "train" / f"keras_embedding.ckpt-{epoch}.weights.h5") as f:
            theirs = np.asarray(f["layers/embedding/vars/0"])
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        assert (train / folder / "metadata.tsv").read_text().split() == [f"word{i}" for i in range(20)]


def test_unknown_embedding_layer_names_are_refused(tmp_path: Path) -> None:
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    config = json.dumps({"embeddings_freq": 1, "embeddings_metadata": {"nope": "x.tsv"}})
    done = warm_python.run(
        [sys.executable, str(RUNS), "ours", str(tmp_path), config], env=env, timeout=300, capture_output=True, text=True
    )
    assert done.returncode != 0 and "Unrecognized `Embedding` layer names" in done.stderr and "nope" in done.stderr
