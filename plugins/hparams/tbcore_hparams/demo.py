"""``tbcore demo``'s sweep for the hparams dashboard (written with ``tbcore.summary``)."""

from __future__ import annotations

import math
from pathlib import Path

from tbcore.summary import SummaryWriter

TRIALS = 20
"""Small enough that ``tbcore demo``'s runs stay within the 40 the page checks at first."""


def write_demo(logdir: Path) -> None:
    """``hparams_demo/trial_NN``: 20 trials of learning rate, batch size, optimizer and
    dropout, each with ``loss`` and ``accuracy`` curves whose last values are the metrics,
    and a final ``eval/accuracy``."""
    for i in range(TRIALS):
        lr = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2][i % 5]
        batch = [32, 128][(i // 5) % 2]
        optimizer = ["adam", "sgd"][(i // 10) % 2]
        dropout = [0.0, 0.1, 0.3][i % 3]
        quality = math.exp(-((math.log10(lr) + 2.5) ** 2)) * (0.9 if optimizer == "sgd" else 1.0)
        quality *= 1.0 - dropout / 3 + (0.02 if batch == 32 else 0.0)
        with SummaryWriter(logdir / "hparams_demo" / f"trial_{i:02d}") as writer:
            for step in range(0, 200, 5):
                progress = 1 - math.exp(-step / 60)
                writer.add_scalar("loss", 2.3 - 2.0 * quality * progress + 0.02 * math.sin(step + i), step)
                writer.add_scalar("accuracy", 0.1 + 0.85 * quality * progress, step)
            writer.add_hparams(
                {"lr": lr, "batch_size": batch, "optimizer": optimizer, "dropout": dropout},
                {"loss": 0.0, "accuracy": 0.0, "eval/accuracy": 0.08 + 0.84 * quality},
                hparam_domain_discrete={"optimizer": ["adam", "sgd"], "batch_size": [32, 128]},
                global_step=195,
            )
