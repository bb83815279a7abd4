"""Logdirs for the scalars dashboards' tests, written by the real writers.

Run as ``python writers.py KIND OUTDIR`` (one subprocess per kind, so neither PyTorch nor
TensorFlow is imported into the pytest process). Values are deterministic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

HPARAM_RUNS = {"lr0.1_seed1": (0.1, 1), "lr0.1_seed2": (0.1, 2), "lr0.01_seed1": (0.01, 1), "lr0.01_seed2": (0.01, 2)}
"""Run name -> (lr, seed) of the ``torch_hparams`` logdir."""


def write_torch_hparams(logdir: str) -> None:
    """torch ``add_scalar`` curves plus ``add_hparams`` (which writes the hparams into a child
    run named by a timestamp, as torch does by default)."""
    from torch.utils.tensorboard import SummaryWriter

    for run, (lr, seed) in HPARAM_RUNS.items():
        w = SummaryWriter(os.path.join(logdir, run))
        for step in range(30):
            w.add_scalar("loss", lr * 10 / (step + 1) + 0.05 * seed, step)
        w.add_hparams({"lr": lr, "seed": seed, "optimizer": "adam"}, {"hparam/final_loss": lr + 0.05 * seed})
        w.close()


def write_torch_margin(logdir: str) -> None:
    """torch ``add_custom_scalars`` with a margin chart (value between lower and upper)."""
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(os.path.join(logdir, "run"))
    for step in range(20):
        w.add_scalar("acc/mean", 0.5 + step / 40, step)
        w.add_scalar("acc/low", 0.45 + step / 40, step)
        w.add_scalar("acc/high", 0.6 + step / 40, step)
    w.add_custom_scalars({"Accuracy": {"margin": ["Margin", ["acc/mean", "acc/low", "acc/high"]],
                                       "all": ["Multiline", ["acc/.*"]]}})
    w.close()


def write_torch_late_layout(logdir: str) -> None:
    """torch: a run ``late`` whose layout (category ``Late``, multiline chart ``late lines``
    of ``late/.*``) is written after the dashboard opened."""
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(os.path.join(logdir, "late"))
    for step in range(5):
        w.add_scalar("late/a", step, step)
        w.add_scalar("late/b", -step, step)
    w.add_custom_scalars({"Late": {"late lines": ["Multiline", ["late/.*"]]}})
    w.close()


def write_torch_pr(logdir: str) -> None:
    """torch ``add_pr_curve``: one run, tag ``pr``, a classifier better than chance."""
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 200)
    scores = np.clip(labels * 0.3 + rng.random(200) * 0.7, 0, 1)
    w = SummaryWriter(os.path.join(logdir, "run"))
    w.add_pr_curve("pr", labels, scores, global_step=0)
    w.close()


def write_tf_keras(logdir: str) -> None:
    """``tf.summary.scalar`` in two runs (``tf/alpha``, ``tf/beta``; with a
    description, one non-finite value) and a Keras model fit with the TensorBoard callback
    (``keras/train``, ``keras/validation``: ``epoch_loss``, ``epoch_mae``, ...)."""
    import keras
    import numpy as np
    import tensorflow as tf

    for index, run in enumerate(["alpha", "beta"]):
        writer = tf.summary.create_file_writer(os.path.join(logdir, "tf", run))
        with writer.as_default():
            for step in range(40):
                tf.summary.scalar("loss", (index + 1) / (step + 1), step=step)
                tf.summary.scalar("metrics/acc", step / 40, step=step, description="top-1 **accuracy**, see [the docs](https://example.com/acc)")
            tf.summary.scalar("loss", float("nan"), step=40)
        writer.close()
    keras.utils.set_random_seed(1234)
    rng = np.random.default_rng(1234)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32))[:, None]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    callback = keras.callbacks.TensorBoard(log_dir=os.path.join(logdir, "keras"), update_freq="epoch")
    model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0, callbacks=[callback])


LONG_STEPS = 6000
"""Points of the ``torch_long`` series ``noise`` (NaN at step 1000, +inf at 2000, -inf at 3000)."""


def write_torch_long(logdir: str) -> None:
    """One run with a long, spiky series (more points than a chart has pixels) and NaN, ±inf."""
    import math

    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(os.path.join(logdir, "long"))
    special = {1000: float("nan"), 2000: float("inf"), 3000: float("-inf")}
    for step in range(LONG_STEPS):
        value = special.get(step, math.sin(step / 50) + (5.0 if step == 4321 else 0.0))
        w.add_scalar("noise", value, step)
    w.close()


WRITERS: dict[str, Callable[[str], None]] = {
    "torch_long": write_torch_long,
    "tf_keras": write_tf_keras,
    "torch_hparams": write_torch_hparams,
    "torch_margin": write_torch_margin,
    "torch_late_layout": write_torch_late_layout,
    "torch_pr": write_torch_pr,
}

if __name__ == "__main__":
    WRITERS[sys.argv[1]](sys.argv[2])
