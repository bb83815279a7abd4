"""Writes a TensorFlow profile with the real ``tf.profiler`` (CPU), run as a script by the tests
(``python tf_profile.py LOGDIR``) so that TensorFlow never enters the pytest process.

``LOGDIR/tf``: a loss curve (so the folder is a run) and
``plugins/profile/<session>/<host>.xplane.pb`` of four steps of a small Keras model trained
by a ``tf.function``, each step in ``tf.profiler.experimental.Trace('train', step_num=i,
_r=1)``, profiled with ``host_tracer_level=3`` (allocator events included).

``LOGDIR/tf_data``: four steps of the same model fed by a ``tf.data`` pipeline.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tensorflow as tf

from tbcore.summary import SummaryWriter


def main(logdir: Path) -> None:
    run = logdir / "tf"
    with SummaryWriter(run) as writer:
        for step in range(4):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((32,)), tf.keras.layers.Dense(64, activation="relu"),
                                 tf.keras.layers.Dense(10)])
    optimizer = tf.keras.optimizers.SGD(0.1)
    x = tf.random.normal((64, 32))
    y = tf.random.uniform((64,), 0, 10, tf.int32)

    @tf.function
    def train_step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    train_step(x, y)  # traced before profiling
    options = tf.profiler.experimental.ProfilerOptions(host_tracer_level=3, python_tracer_level=0)
    tf.profiler.experimental.start(str(run), options=options)
    for step in range(4):
        with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
            train_step(x, y)
    tf.profiler.experimental.stop()
    tf_data(logdir / "tf_data", model, optimizer)


def tf_data(run: Path, model: tf.keras.Model, optimizer: tf.keras.optimizers.Optimizer) -> None:
    """The same model fed by a ``tf.data`` pipeline (a slow map, batching, prefetching),
    the batch taken inside the ``tf.function``."""
    with SummaryWriter(run) as writer:
        writer.add_scalar("loss", 1.0, 0)

    def slow(x: tf.Tensor) -> tf.Tensor:
        return x + 0.0 * tf.reduce_sum(tf.sin(tf.random.normal((200, 200))))

    features = tf.random.normal((640, 32))
    labels = tf.random.uniform((640,), 0, 10, tf.int32)
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    iterator = iter(dataset.map(lambda x, y: (slow(x), y)).batch(64).prefetch(1).repeat())

    @tf.function
    def train_step(iterator: tf.data.Iterator) -> tf.Tensor:
        x, y = next(iterator)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    train_step(iterator)
    tf.profiler.experimental.start(str(run), options=tf.profiler.experimental.ProfilerOptions(host_tracer_level=2))
    for step in range(4):
        with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
            train_step(iterator)
    tf.profiler.experimental.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
