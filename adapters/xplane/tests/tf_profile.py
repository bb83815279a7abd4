"""Writes a TensorFlow profile with the real ``tf.profiler`` (CPU), run as a script by the tests
(``python tf_profile.py LOGDIR``) so that TensorFlow never enters the pytest process.

``LOGDIR/tf``: a loss curve (so the folder is a run) and
``plugins/profile/<session>/<host>.xplane.pb`` of four steps of a small Keras model trained
by a ``tf.function``, each step in ``tf.profiler.experimental.Trace('train', step_num=i,
_r=1)``, profiled with ``host_tracer_level=3`` (allocator events included).
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


if __name__ == "__main__":
    main(Path(sys.argv[1]))
