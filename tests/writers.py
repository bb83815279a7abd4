"""Write small but rich logdirs with the real writers (PyTorch, TF2, TF1, Keras, tensorboardX).

Used by ``tests/conftest.py`` (one subprocess per kind, so neither TensorFlow nor PyTorch is
imported into the pytest process) and runnable by hand::

    python tests/writers.py KIND OUTDIR     # KIND: one of WRITERS, e.g. torch, tf2, restart

Every writer uses seeded data, so the values written are the same on every run (only wall
times differ). Each function writes into ``logdir`` (created if missing) and imports its
framework itself, so importing this module is cheap.
"""

from __future__ import annotations

import io
import os
import sys
import wave
from collections.abc import Callable

import numpy as np

SEED = 1234

# Restart fixture: the first writer logs steps 0..FIRST_LAST, the second one (a job resumed
# from a checkpoint) logs RESUME_STEP..SECOND_LAST into the same run directory.
FIRST_LAST = 50
RESUME_STEP = 30
SECOND_LAST = 60
SECOND_OFFSET = 1000.0
"""Values of the second writer are ``SECOND_OFFSET + step`` (the first writes ``step``)."""


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def _sine_audio(frames: int = 800, freq: float = 440.0, rate: int = 8000) -> np.ndarray:
    t = np.arange(frames, dtype=np.float32) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# --- PyTorch ---------------------------------------------------------------------------------


def write_torch(logdir: str) -> None:
    """``torch.utils.tensorboard.SummaryWriter``: two runs, every ``add_*`` kind."""
    import torch
    from torch.utils.tensorboard import SummaryWriter

    torch.manual_seed(SEED)
    rng = _rng()
    for run_index, run in enumerate(["run_a", "run_b"]):
        w = SummaryWriter(os.path.join(logdir, run))
        for step in range(6):
            loss = 1.0 / (step + 1) + run_index
            w.add_scalar("loss", loss, step)
            w.add_scalar("tensor_scalar", loss * 2, step, new_style=True)
            w.add_scalar("double_scalar", loss / 3, step, new_style=True, double_precision=True)
            w.add_scalars("pair", {"train": loss, "eval": loss + 0.5}, step)
        # NaN and infinities are legal scalar values and must survive as such.
        for step, value in enumerate([0.5, float("nan"), float("inf"), float("-inf"), 2.0]):
            w.add_scalar("odd_values", value, step)
        for step in range(3):
            w.add_histogram("weights", torch.randn(200) * (step + 1), step)
            w.add_histogram("weights_auto", rng.normal(size=300), step, bins="auto")
            w.add_histogram("int_values", torch.randint(0, 10, (100,)), step)
        w.add_histogram_raw(
            "raw_hist",
            min=0.0,
            max=3.0,
            num=6,
            sum=9.0,
            sum_squares=19.0,
            bucket_limits=[1.0, 2.0, 3.0],
            bucket_counts=[1, 2, 3],
            global_step=0,
        )
        for step in range(2):
            w.add_image("image_chw", torch.rand(3, 8, 10), step)  # CHW float in [0, 1]
            w.add_images("image_batch", torch.rand(4, 3, 6, 6), step)  # NCHW
            w.add_audio("audio", torch.from_numpy(_sine_audio(freq=220.0 * (step + 1))), step, 8000)
            w.add_text("note", f"plain text at step {step}", step)
            w.add_text("markdown", f"# Heading {step}\n\n* a **bold** item\n* `code`", step)
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            pass  # add_figure needs matplotlib; skipped when it is not installed
        else:
            fig = plt.figure()
            plt.plot([0, 1, 2], [1, 0, 1])
            w.add_figure("figure", fig, 0)
        labels = torch.from_numpy(rng.integers(0, 2, 50))
        preds = torch.from_numpy(rng.random(50))
        w.add_pr_curve("pr", labels, preds, 0)
        w.add_pr_curve("pr", labels, preds * 0.5, 1, num_thresholds=21)
        if run_index == 0:
            w.add_custom_scalars(
                {
                    "training": {
                        "loss": ["Multiline", ["loss", "tensor_scalar"]],
                        "pair": ["Margin", ["pair/train", "pair/eval", "loss"]],
                    }
                }
            )
            w.add_hparams(
                {"lr": 0.01, "optimizer": "sgd", "layers": 2},
                {"hparam/accuracy": 0.9},
                run_name="hparams",
            )
            w.add_graph(_tiny_net(), torch.zeros(1, 4))
            w.add_embedding(torch.randn(10, 3), metadata=[str(i) for i in range(10)], tag="emb")
            vertices = torch.tensor([[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
            colors = torch.tensor([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=torch.int32)
            faces = torch.tensor([[[0, 1, 2]]], dtype=torch.int32)
            w.add_mesh("mesh", vertices=vertices, colors=colors, faces=faces, global_step=0)
        w.close()


def _tiny_net() -> object:
    """A tiny ``nn.Module`` (one linear layer and a ReLU) for ``add_graph``."""
    import torch

    class TinyNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.relu(self.fc(x))

    return TinyNet()


def write_restart(logdir: str) -> None:
    """A PyTorch job that restarts: steps 0..50, then a resumed writer logs steps 30..60.

    By the restart rule the run shows 0..29 from the first writer and 30..60 from the second.
    The second writer passes ``purge_step`` as a resumed PyTorch job would.
    """
    import torch
    from torch.utils.tensorboard import SummaryWriter

    torch.manual_seed(SEED)
    run_dir = os.path.join(logdir, "job")
    first = SummaryWriter(run_dir)
    for step in range(FIRST_LAST + 1):
        first.add_scalar("value", float(step), step)
        first.add_histogram("hist", np.full(10, float(step)), step)
    first.close()
    second = SummaryWriter(run_dir, purge_step=RESUME_STEP)
    for step in range(RESUME_STEP, SECOND_LAST + 1):
        second.add_scalar("value", SECOND_OFFSET + step, step)
        second.add_histogram("hist", np.full(10, SECOND_OFFSET + step), step)
    second.close()


# --- TensorFlow 2 ----------------------------------------------------------------------------


def write_tf2(logdir: str) -> None:
    """``tf.summary`` with ``create_file_writer``: every op kind, a traced graph, raw writes."""
    import tensorflow as tf
    from tensorboard.compat.proto import summary_pb2

    tf.random.set_seed(SEED)
    rng = _rng()
    for run in ["alpha", "beta"]:
        writer = tf.summary.create_file_writer(os.path.join(logdir, run))
        with writer.as_default():
            for step in range(5):
                tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
                tf.summary.scalar(
                    "described", step * 0.5, step=step, description="a **described** scalar"
                )
                tf.summary.histogram("normal", rng.normal(size=100).astype(np.float32), step=step)
                tf.summary.histogram("normal_5_buckets", rng.normal(size=50), step=step, buckets=5)
            tf.summary.histogram("empty", tf.constant([], dtype=tf.float32), step=0)
            for step in range(2):
                tf.summary.image(
                    "images", rng.random((3, 8, 8, 3)).astype(np.float32), step=step, max_outputs=3
                )
                audio = np.stack([_sine_audio(), _sine_audio(freq=880.0)])[..., None]
                tf.summary.audio("audio", audio, sample_rate=8000, step=step)
                tf.summary.text("text", f"hello *markdown* {step}", step=step)
                tf.summary.text(
                    "table", tf.constant([["a", "b", "c"], ["d", "e", str(step)]]), step=step
                )
            # Raw writes: a custom plugin with a data class, one without (UNKNOWN class).
            meta = summary_pb2.SummaryMetadata(
                display_name="Custom thing",
                summary_description="written with tf.summary.write",
                data_class=summary_pb2.DATA_CLASS_TENSOR,
            )
            meta.plugin_data.plugin_name = "custom_plugin"
            meta.plugin_data.content = b"\x01\x02content"
            unknown = summary_pb2.SummaryMetadata()
            unknown.plugin_data.plugin_name = "unknown_class_plugin"
            for step in range(3):
                tf.summary.write(
                    "custom",
                    tf.constant([[1, 2], [3, step]], tf.int64),
                    step=step,
                    metadata=meta.SerializeToString(),
                )
                tf.summary.write(
                    "unknown",
                    tf.constant(float(step)),
                    step=step,
                    metadata=unknown.SerializeToString(),
                )

            @tf.function
            def f(x: tf.Tensor) -> tf.Tensor:
                return tf.reduce_sum(tf.nn.relu(x * 2.0 + 1.0))

            tf.summary.trace_on(graph=True, profiler=False)
            f(tf.ones([3]))
            tf.summary.trace_export("traced", step=0)
            tf.summary.graph(f.get_concrete_function(tf.TensorSpec([3], tf.float32)).graph)
        writer.close()
    # A default writer set once, summaries inside a tf.function, a raw Summary proto.
    writer = tf.summary.create_file_writer(os.path.join(logdir, "gamma"))
    writer.set_as_default()

    @tf.function
    def train_step(step: tf.Tensor) -> None:
        tf.summary.scalar("in_function", tf.cast(step, tf.float32) * 2.0, step=step)
        tf.summary.histogram("in_function_histogram", tf.ones([4]) * tf.cast(step, tf.float32), step=step)

    for step in range(3):
        train_step(tf.constant(step, tf.int64))
        raw = summary_pb2.Summary()
        raw.value.add(tag="raw_pb", simple_value=10.0 * step)
        tf.summary.experimental.write_raw_pb(raw.SerializeToString(), step=step)
    writer.close()


# --- TensorFlow 1 (graph mode) ---------------------------------------------------------------


def write_tf1(logdir: str) -> None:
    """``tf.compat.v1.summary`` ops in a graph, a ``FileWriter``, run metadata, a meta graph."""
    import tensorflow as tf

    v1 = tf.compat.v1
    rng = _rng()
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        # Op names differ from the summary names: a summary op named like an existing op
        # gets a "_1" suffix, and so would its tag.
        x = v1.placeholder(tf.float32, [None], name="x_in")
        images = v1.placeholder(tf.float32, [2, 8, 8, 3], name="images_in")
        audio = v1.placeholder(tf.float32, [2, 400], name="audio_in")
        loss = tf.reduce_mean(tf.square(x), name="mse")
        v1.summary.scalar("loss", loss)
        v1.summary.histogram("x", x)
        v1.summary.image("images", images, max_outputs=2)
        v1.summary.audio("audio", audio, sample_rate=8000, max_outputs=2)
        v1.summary.text("text", tf.strings.as_string(loss))
        merged = v1.summary.merge_all()
        with v1.Session(graph=graph) as sess:
            writer = v1.summary.FileWriter(os.path.join(logdir, "graph_run"), sess.graph)
            for step in range(4):
                feed = {
                    x: rng.normal(size=64).astype(np.float32),
                    images: rng.random((2, 8, 8, 3)).astype(np.float32),
                    audio: np.stack([_sine_audio(400), _sine_audio(400, 660.0)]),
                }
                if step == 2:
                    options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
                    metadata = v1.RunMetadata()
                    summary = sess.run(merged, feed, options=options, run_metadata=metadata)
                    writer.add_run_metadata(metadata, "step2", global_step=step)
                else:
                    summary = sess.run(merged, feed)
                writer.add_summary(summary, step)
            writer.add_meta_graph(v1.train.export_meta_graph(graph=graph), global_step=3)
            writer.close()


# --- Keras -----------------------------------------------------------------------------------


def write_keras(logdir: str) -> None:
    """A tiny Keras model fit for 3 epochs with the TensorBoard callback (train/, validation/)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    rng = _rng()
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32))[:, None]
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    callback = keras.callbacks.TensorBoard(
        log_dir=logdir,
        histogram_freq=1,
        write_graph=True,
        write_images=False,
        update_freq="epoch",
    )
    model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[callback])
    del tf


# --- tensorboardX ----------------------------------------------------------------------------


def write_tensorboardx(logdir: str) -> None:
    """``tensorboardX.SummaryWriter``: scalars, histograms, images, text, audio, PR curves."""
    from tensorboardX import SummaryWriter

    rng = _rng()
    w = SummaryWriter(os.path.join(logdir, "tbx"))
    for step in range(5):
        w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_scalars("pair", {"train": float(step), "eval": step + 0.5}, step)
    w.add_scalar("odd_values", float("nan"), 5)
    for step in range(3):
        w.add_histogram("hist", rng.normal(size=100), step)
        w.add_image("image", rng.random((3, 8, 8)), step)
        w.add_text("text", f"text **{step}**", step)
        _tbx_audio(w, "audio", _sine_audio(freq=300.0 + 100 * step), step, 8000)
    w.add_pr_curve("pr", rng.integers(0, 2, 40), rng.random(40), 0)
    w.close()


def _tbx_audio(writer: object, tag: str, samples: np.ndarray, step: int, rate: int) -> None:
    """``add_audio``, or, without ``soundfile`` (which tensorboardX encodes WAV with), the same
    legacy ``Summary.Audio`` value that ``add_audio`` builds, encoded with :mod:`wave`."""
    try:
        import soundfile  # noqa: F401
    except ImportError:
        from tensorboardX.proto.summary_pb2 import Summary

        audio = Summary.Audio(
            sample_rate=rate,
            num_channels=1,
            length_frames=samples.shape[0],
            encoded_audio_string=wav_bytes(samples, rate),
            content_type="audio/wav",
        )
        summary = Summary(value=[Summary.Value(tag=tag, audio=audio)])
        writer._get_file_writer().add_summary(summary, step)  # type: ignore[attr-defined]
    else:
        writer.add_audio(tag, samples, step, sample_rate=rate)  # type: ignore[attr-defined]


WRITERS: dict[str, Callable[[str], None]] = {
    "torch": write_torch,
    "restart": write_restart,
    "tf2": write_tf2,
    "tf1": write_tf1,
    "keras": write_keras,
    "tensorboardx": write_tensorboardx,
}
"""Writer functions by kind."""

TENSORFLOW_KINDS = frozenset({"tf2", "tf1", "keras"})


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV of ``samples`` in [-1, 1] (handy for comparing audio blobs)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in WRITERS:
        print(f"usage: {argv[0]} {{{','.join(WRITERS)}}} OUTDIR", file=sys.stderr)
        return 2
    kind, outdir = argv[1], argv[2]
    if kind in TENSORFLOW_KINDS:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.makedirs(outdir, exist_ok=True)
    WRITERS[kind](outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
