"""Training runs for the tests, each in its own interpreter (``python keras_runs.py ...``).

    python keras_runs.py both  LOGDIR CONFIG   # Keras's callback -> LOGDIR/keras, ours -> LOGDIR/tbcore
    python keras_runs.py ours  LOGDIR CONFIG   # only ours, on $KERAS_BACKEND, with importing
                                                # tensorflow failing unless the backend is it

The model, its initial weights, the data and their order are fixed, so every backend trains
the same numbers up to float rounding. CONFIG is a JSON object of callback arguments (``log_dir`` aside).
"""

from __future__ import annotations

import json
import os
import sys


def block_tensorflow() -> None:
    """Make this interpreter behave as if TensorFlow and TensorBoard were not installed:
    importing them raises ``ImportError`` and ``importlib.util.find_spec`` finds nothing."""
    for name in ("tensorflow", "tensorboard", "tf_keras"):
        sys.modules[name] = None  # type: ignore[assignment]


def train(callbacks: list[object]) -> None:
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 6)).astype("float32")
    tokens = rng.integers(0, 20, (64, 3))
    y = (x.sum(1) > 3).astype("float32")
    numbers = keras.Input((6,), name="numbers")
    words = keras.Input((3,), name="words", dtype="int32")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(20, 4, name="embedding")(words))
    conv = keras.layers.Flatten()(keras.layers.Conv1D(2, 3, name="conv")(keras.layers.Reshape((6, 1))(numbers)))
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(keras.layers.Concatenate()([conv, embedded]))
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(hidden)
    model = keras.Model([numbers, words], out)
    # Weights from numpy, not from the backend's random generator (they differ by backend).
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    model.compile(keras.optimizers.SGD(schedule), "binary_crossentropy", metrics=["accuracy"])
    data = {"numbers": x, "words": tokens}
    # 48 training samples in batches of 16: 3 batches an epoch; 16 for validation: 1 batch.
    model.fit(
        data, y, batch_size=16, epochs=3, validation_split=0.25, shuffle=False, callbacks=callbacks, verbose=0
    )
    model.evaluate(data, y, batch_size=16, callbacks=callbacks, verbose=0)


def main() -> None:
    mode, logdir, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if mode == "ours" and os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        block_tensorflow()
    import keras

    from tbcore_tensorflow import TensorBoard

    callbacks: list[object] = [TensorBoard(os.path.join(logdir, "tbcore"), **config)]
    if mode == "both":
        # Keras's callback writes projector_config.pbtxt before anything creates its folder.
        os.makedirs(os.path.join(logdir, "keras"), exist_ok=True)
        callbacks.insert(0, keras.callbacks.TensorBoard(os.path.join(logdir, "keras"), **config))
    train(callbacks)


if __name__ == "__main__":
    main()
