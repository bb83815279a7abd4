"""The tensor-bundle reader on checkpoints written by TensorFlow: tf.train.Checkpoint with many
dtypes, one split into several shards, and tf.compat.v1's Saver (sharded over two devices);
every tensor read here equals what TensorFlow's own reader returns."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import installed
import numpy as np
import pytest
import warm_python

from tbcore_projector.sstable import TableFormatError, read_table
from tbcore_projector.tensor_bundle import BundleError, TensorBundle

WRITE = r"""
import os, pickle, sys
import numpy as np
import tensorflow as tf

out = sys.argv[1]
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
rng = np.random.default_rng(4)
values = {
    "f32": rng.normal(size=(30, 8)).astype(np.float32),
    "f64": rng.normal(size=(4, 5)),
    "f16": rng.normal(size=(3, 3)).astype(np.float16),
    "i8": np.array([[-128, 5], [7, 127]], np.int8),
    "u8": np.array([[0, 255]], np.uint8),
    "i16": np.array([[-3, 300]], np.int16),
    "i32": np.arange(6, dtype=np.int32).reshape(2, 3),
    "i64": np.array([[-(2**40), 2**40]], np.int64),
    "u16": np.array([[65535, 1]], np.uint16),
    "b": np.array([[True, False, True]]),
    "c64": np.array([[1 + 2j, -3j]], np.complex64),
    "s": np.array([b"alpha", b"", b"\x00\xff"]),
    "scalar": np.float32(3.5),
}
variables = {k: tf.Variable(v) for k, v in values.items()}
variables["bf16"] = tf.Variable(tf.constant([[1.5, -2.0], [0.0078125, 3e38]], tf.bfloat16))
ckpt = tf.train.Checkpoint(**variables)
ckpt.write(os.path.join(out, "many", "ckpt"))
policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=600)
ckpt.write(os.path.join(out, "sharded", "ckpt"),
           options=tf.train.CheckpointOptions(experimental_sharding_callback=policy))
g = tf.Graph()
with g.as_default():
    with tf.device("/cpu:0"):
        a = tf.compat.v1.get_variable("emb_a", initializer=rng.normal(size=(6, 4)).astype(np.float32))
    with tf.device("/cpu:1"):
        b = tf.compat.v1.get_variable("emb_b", initializer=np.arange(10.0).reshape(5, 2))
    os.makedirs(os.path.join(out, "v1"))
    saver = tf.compat.v1.train.Saver(sharded=True)
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        saver.save(sess, os.path.join(out, "v1", "model.ckpt"))
expected = {}
for name in ["many/ckpt", "sharded/ckpt", "v1/model.ckpt"]:
    reader = tf.train.load_checkpoint(os.path.join(out, name))
    expected[name] = {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}
with open(os.path.join(out, "expected.pkl"), "wb") as f:
    pickle.dump(expected, f)
"""


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    installed.require("tensorflow")
    out = tmp_path_factory.mktemp("bundles")
    warm_python.run(
        [sys.executable, "-c", WRITE, str(out)],
        check=True,
        timeout=240,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin"},
    )
    with open(out / "expected.pkl", "rb") as f:
        return out, pickle.load(f)


def _bundle(prefix: Path) -> TensorBundle:
    return TensorBundle(
        (prefix.parent / (prefix.name + ".index")).read_bytes(),
        lambda suffix: (prefix.parent / (prefix.name + suffix)).read_bytes(),
    )


def _assert_same(got: np.ndarray, want: np.ndarray) -> None:
    if want.dtype == object or want.dtype.kind == "S":
        assert got.dtype == object
        assert got.tolist() == want.tolist()
        return
    if str(want.dtype) == "bfloat16":
        want = want.astype(np.float32)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["many/ckpt", "sharded/ckpt", "v1/model.ckpt"])
def test_every_tensor_equals_tensorflows(checkpoints: tuple[Path, dict], name: str) -> None:
    out, expected = checkpoints
    bundle = _bundle(out / name)
    assert set(bundle.entries) == set(expected[name])
    for key, want in expected[name].items():
        _assert_same(bundle.tensor(key), np.asarray(want))
        assert bundle.shapes()[key] == np.shape(want)


def test_shards_are_read(checkpoints: tuple[Path, dict]) -> None:
    out, _ = checkpoints
    sharded, v1 = _bundle(out / "sharded/ckpt"), _bundle(out / "v1/model.ckpt")
    assert sharded.num_shards > 2
    assert len({e.shard_id for e in sharded.entries.values()}) > 2
    assert v1.num_shards == 2
    assert {e.shard_id for e in v1.entries.values()} == {0, 1}


def test_bad_bytes_are_refused(checkpoints: tuple[Path, dict]) -> None:
    out, _ = checkpoints
    index = (out / "many/ckpt.index").read_bytes()
    with pytest.raises(TableFormatError):
        list(read_table(index[:-1] + b"x"))
    corrupt = bytearray(index)
    corrupt[10] ^= 0xFF
    with pytest.raises(BundleError, match="CRC|malformed|index"):
        TensorBundle(bytes(corrupt), lambda suffix: b"")
    bundle = TensorBundle(index, lambda suffix: b"\0" * 4)
    with pytest.raises(BundleError, match="runs past|CRC"):
        bundle.tensor("f32/.ATTRIBUTES/VARIABLE_VALUE")
    with pytest.raises(BundleError, match="no tensor"):
        bundle.tensor("nope")

    def missing(suffix: str) -> bytes:
        raise KeyError(suffix)

    with pytest.raises(BundleError, match="shard"):
        TensorBundle(index, missing).tensor("f32/.ATTRIBUTES/VARIABLE_VALUE")
