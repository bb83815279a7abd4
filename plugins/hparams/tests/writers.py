"""Logdirs for the hparams dashboard's tests, written by the real writers.

Run as ``python writers.py KIND OUTDIR`` (one subprocess per kind, so neither PyTorch nor
TensorFlow is imported into the pytest process). Values are deterministic; only the names of
the sub-runs torch and tensorboardX make for each ``add_hparams`` call (``str(time.time())``)
change from one run to the next.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable

TORCH_TRIALS = 100
"""Trials (sessions) of the ``torch`` logdir written with timestamped sub-runs; one more is
written with ``run_name="final"`` under ``named``."""

OPTIMIZERS = ["adam", "sgd", "rmsprop"]


def torch_trial(i: int) -> tuple[dict[str, object], dict[str, float]]:
    """Hparams and metrics of trial ``i`` of the torch sweep (one metric NaN, at trial 7)."""
    lr = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2][i % 5]
    batch = [16, 32, 64, 128][(i // 5) % 4]
    hparams = {"lr": lr, "batch_size": batch, "optimizer": OPTIMIZERS[i % 3], "nesterov": i % 2 == 0}
    accuracy = 0.5 + 0.4 * math.sin(i * 0.7) ** 2 + lr
    loss = float("nan") if i == 7 else 1.0 - accuracy / 2
    return hparams, {"hparam/accuracy": accuracy, "hparam/loss": loss}


def write_torch(logdir: str) -> None:
    """torch ``add_hparams``: 100 trials, each a run ``trial_NNN`` with a ``loss`` curve whose
    hparams and metrics torch writes into a timestamped child run, and one more with
    ``run_name`` (``named/final``)."""
    from torch.utils.tensorboard import SummaryWriter

    domains = {"optimizer": OPTIMIZERS}
    for i in range(TORCH_TRIALS):
        hparams, metrics = torch_trial(i)
        with SummaryWriter(os.path.join(logdir, f"trial_{i:03d}")) as w:
            for step in range(5):
                w.add_scalar("loss", 1.0 / (step + 1) + i / 1000, step)
            w.add_hparams(hparams, metrics, hparam_domain_discrete=domains)
    hparams, metrics = torch_trial(TORCH_TRIALS)
    with SummaryWriter(os.path.join(logdir, "named")) as w:
        w.add_hparams(hparams, metrics, hparam_domain_discrete=domains, run_name="final")


def write_tensorboardx(logdir: str) -> None:
    """tensorboardX ``add_hparams``: three trials, one of them with ``name``."""
    from tensorboardX import SummaryWriter

    for i in range(3):
        with SummaryWriter(os.path.join(logdir, f"x{i}")) as w:
            for step in range(4):
                w.add_scalar("loss", 1.0 / (step + 1 + i), step)
            w.add_hparams({"lr": 0.1 * (i + 1), "layers": i + 2, "act": ["relu", "tanh", "gelu"][i]},
                          {"hparam/acc": 0.6 + 0.1 * i}, name="named" if i == 2 else None)


HP_API_TRIALS = [
    # trial id, seed, hparams
    ("t0", 0, {"lr": 0.01, "units": 8, "optimizer": "adam", "batch_norm": True}),
    ("t0", 1, {"lr": 0.01, "units": 8, "optimizer": "adam", "batch_norm": True}),
    ("t0", 2, {"lr": 0.01, "units": 8, "optimizer": "adam", "batch_norm": True}),
    ("t1", 0, {"lr": 0.05, "units": 16, "optimizer": "sgd", "batch_norm": False}),
    ("t1", 1, {"lr": 0.05, "units": 16, "optimizer": "sgd", "batch_norm": False}),
    ("t2", 0, {"lr": 0.001, "units": 16, "optimizer": "adam", "batch_norm": False}),
]
"""The ``hp_api`` logdir's sessions: ``<trial>/seed-<seed>``; sessions of a trial form a group."""


def write_hp_api(logdir: str) -> None:
    """``tensorboard.plugins.hparams.api``: ``hp.hparams_config`` at the root (hparams with
    interval and discrete domains, metrics with groups and display names), ``hp.hparams`` per
    session with a shared ``trial_id`` for the seeds of a trial (groups of 1 to 3 sessions), a
    ``score`` and an ``eval/accuracy`` scalar in the session and in its ``eval`` sub-run, a
    failed session, and two Keras trials with ``hp.KerasCallback`` next to Keras's own
    TensorBoard callback (``train`` and ``validation`` sub-runs)."""
    import keras
    import numpy as np
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp
    from tensorboard.plugins.hparams import api_pb2
    from tensorboard.plugins.hparams import summary as hp_summary

    hparams = [
        hp.HParam("lr", hp.RealInterval(0.0001, 0.1), display_name="learning rate", description="step size"),
        hp.HParam("units", hp.Discrete([8, 16, 32])),
        hp.HParam("optimizer", hp.Discrete(["adam", "sgd"])),
        hp.HParam("batch_norm", hp.Discrete([True, False])),
        hp.HParam("dropout", hp.RealInterval(0.0, 0.5)),
    ]
    metrics = [
        hp.Metric("score", display_name="Score"),
        hp.Metric("accuracy", group="eval", description="held-out accuracy"),
        hp.Metric("epoch_loss", group="train", display_name="Train loss"),
        hp.Metric("epoch_loss", group="validation", display_name="Validation loss", dataset_type=hp.Metric.VALIDATION),
    ]
    with tf.summary.create_file_writer(logdir).as_default():
        hp.hparams_config(hparams=hparams, metrics=metrics, time_created_secs=1700000000.0)
    for n, (trial, seed, values) in enumerate(HP_API_TRIALS):
        run = os.path.join(logdir, trial, f"seed-{seed}")
        with tf.summary.create_file_writer(run).as_default():
            hp.hparams(values, trial_id=trial, start_time_secs=1700000100.0 + n)
            for step in range(3):
                tf.summary.scalar("score", values["lr"] * 10 + seed / 10 + step, step=step)
        with tf.summary.create_file_writer(os.path.join(run, "eval")).as_default():
            tf.summary.scalar("accuracy", 0.5 + values["units"] / 100 + seed / 50, step=2)
    with tf.summary.create_file_writer(os.path.join(logdir, "failed")).as_default():
        hp.hparams({"lr": 0.1, "units": 32, "optimizer": "sgd", "batch_norm": True}, start_time_secs=1700000200.0)
        tf.summary.scalar("score", float("nan"), step=0)
        tf.summary.experimental.write_raw_pb(hp_summary.session_end_pb(api_pb2.STATUS_FAILURE, 1700000300.0).SerializeToString(), step=0)
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -1.0, 2.0], np.float32))[:, None]
    for units, dropout in ((8, 0.0), (16, 0.25)):
        run = os.path.join(logdir, f"keras-{units}")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation="relu"),
                                  keras.layers.Dropout(dropout), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        values = {"units": units, "dropout": dropout, "optimizer": "adam", "lr": 0.001}
        model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                  callbacks=[keras.callbacks.TensorBoard(run), hp.KerasCallback(run, values, trial_id=f"keras-{units}")])


def write_hp_inferred(logdir: str) -> None:
    """``hp.hparams`` without any ``hp.hparams_config``: TensorBoard infers the experiment
    (hparam types and domains from the values, metrics from the scalar tags). Sessions nested
    at several depths (``exp/a``, ``exp/a/deeper``), metrics in the session and in sub-runs,
    an hparam that is a number in one session and a string in another, a bool one, one set
    in some sessions only, and two sessions sharing a group."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    sessions = {
        "exp/a": ({"lr": 0.1, "width": 4.0, "fast": True, "tag": "base"}, "ga"),
        "exp/b": ({"lr": 0.2, "width": "wide", "fast": False, "tag": "base"}, "gb"),
        "exp/a/deeper": ({"lr": 0.3, "width": 8.0, "fast": True, "tag": "x_y%z", "extra": 1.0}, "gc"),
        "solo": ({"lr": 0.2, "width": "wide", "fast": False, "tag": "base"}, "gb"),
    }
    for n, (run, (values, group)) in enumerate(sessions.items()):
        with tf.summary.create_file_writer(os.path.join(logdir, run)).as_default():
            hp.hparams(values, trial_id=group, start_time_secs=1700000000.0 + n)
            tf.summary.scalar("loss", 1.0 / (n + 1), step=1)
            tf.summary.scalar("loss", 0.5 / (n + 1), step=2)
        with tf.summary.create_file_writer(os.path.join(logdir, run, "eval")).as_default():
            tf.summary.scalar("acc", 0.7 + n / 10, step=5)
    with tf.summary.create_file_writer(os.path.join(logdir, "not_a_session")).as_default():
        tf.summary.scalar("loss", 3.0, step=0)


def write_tbcore(logdir: str) -> None:
    """Our writers: ``tbcore.summary.SummaryWriter.add_hparams`` (the first call in the
    writer's own run, later ones in timestamped sub-runs, one with ``run_name``) and
    ``tbcore_torch.SummaryWriter.add_hparams`` (a sub-run per call, as torch; a tensor
    hparam)."""
    import torch

    from tbcore.summary import SummaryWriter
    from tbcore_torch import SummaryWriter as TorchWriter

    with SummaryWriter(os.path.join(logdir, "core")) as w:
        for i in range(3):
            for step in range(3):
                w.add_scalar("loss", 1.0 / (step + 1 + i), step)
            w.add_hparams({"lr": 0.1 * (i + 1), "depth": i + 1, "opt": "adam", "bn": i == 1},
                          {"hparam/score": 0.5 + i / 10}, hparam_domain_discrete={"opt": ["adam", "sgd"]},
                          run_name="named" if i == 2 else None)
    with TorchWriter(os.path.join(logdir, "torch")) as w:
        for step in range(3):
            w.add_scalar("loss", 2.0 / (step + 1), step)
        w.add_hparams({"lr": torch.tensor(0.4), "depth": 5, "opt": "sgd", "bn": False},
                      {"hparam/score": torch.tensor(0.9)}, hparam_domain_discrete={"opt": ["adam", "sgd"]})


WRITERS: dict[str, Callable[[str], None]] = {
    "torch": write_torch,
    "tensorboardx": write_tensorboardx,
    "hp_api": write_hp_api,
    "hp_inferred": write_hp_inferred,
    "tbcore": write_tbcore,
}

if __name__ == "__main__":
    WRITERS[sys.argv[1]](sys.argv[2])
