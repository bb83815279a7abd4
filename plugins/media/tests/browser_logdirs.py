"""Logdirs of the media browser tests, written by ``torch.utils.tensorboard`` and
``tf.summary`` in subprocesses (so neither framework is imported into the pytest process).
torch's ``add_images`` tiles a batch into one image, so several images (and clips) per step
come from TensorFlow.

Every step's images are one flat color that the tests can recognise from the pixels:
:func:`image_color` gives it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RUN = "torch_run"
TF_RUN = "tf_run"
IMAGE_STEPS = 12
"""Steps 0..IMAGE_STEPS-1 of every tag."""
BATCH = 3
"""Images per step of the TF run's ``images/batch``."""
CLIPS = 2
"""Clips per step of the TF run's ``sound/clips``."""
SCRIPT_FLAG = "__tbcoreMediaPwned"
"""A window property that the hostile text would set if any of it ran."""

MARKDOWN = (
    "# Report\n\n"
    "| metric | value |\n|---|---|\n| accuracy | 0.93 |\n| loss | 0.21 |\n\n"
    "```python\nprint('hello')\n```\n\n"
    f"<script>window.{SCRIPT_FLAG} = 'script'</script>\n\n"
    f'<img src="x" onerror="window.{SCRIPT_FLAG} = \'onerror\'">\n\n'
    f"[click](javascript:window.{SCRIPT_FLAG}='link')\n"
)


def image_color(step: int, sample: int = 0) -> tuple[int, int, int]:
    """The RGB color of every pixel of the image at ``step`` (and ``sample``)."""
    return ((step * 20) % 256, (60 + sample * 80) % 256, (240 - step * 15) % 256)


_WRITE = """
import sys
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

sys.path.insert(0, sys.argv[2])
from browser_logdirs import MARKDOWN, image_color

first, last = int(sys.argv[3]), int(sys.argv[4])
w = SummaryWriter(sys.argv[1])
for step in range(first, last):
    single = np.zeros((3, 24, 32), dtype=np.uint8)
    single[:] = np.array(image_color(step), dtype=np.uint8)[:, None, None]
    w.add_image("images/single", single, step)
    t = torch.arange(4000, dtype=torch.float32) / 8000
    w.add_audio("sound/sine", 0.5 * torch.sin(2 * torch.pi * (220 + 40 * step) * t), step, sample_rate=8000)
    w.add_text("notes", MARKDOWN + f"\\n\\nstep **{step}**", step)
w.close()
"""


_WRITE_TF = """
import sys
import numpy as np
import tensorflow as tf

sys.path.insert(0, sys.argv[2])
from browser_logdirs import BATCH, CLIPS, IMAGE_STEPS, image_color

w = tf.summary.create_file_writer(sys.argv[1])
with w.as_default():
    for step in range(IMAGE_STEPS):
        batch = np.zeros((BATCH, 16, 16, 3), dtype=np.uint8)
        for k in range(BATCH):
            batch[k] = image_color(step, k)
        tf.summary.image("images/batch", batch, step=step, max_outputs=BATCH)
        t = np.arange(4000, dtype=np.float32) / 8000
        clips = np.stack([0.4 * np.sin(2 * np.pi * (300 + 100 * k) * t) for k in range(CLIPS)])
        tf.summary.audio("sound/clips", clips[:, :, None], 8000, step=step, max_outputs=CLIPS)
w.close()
"""


def _run(script: str, *args: str) -> None:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    here = str(Path(__file__).resolve().parent)
    import warm_python  # the test session's helper; the writer scripts import this module too

    warm_python.run(
        [sys.executable, "-c", script, args[0], here, *args[1:]], check=True, env=env, timeout=240
    )


def write_torch_run(logdir: Path, first: int, last: int) -> None:
    """Write steps ``first..last-1`` of every media kind into ``logdir/RUN`` (a new event
    file each call, as a resumed writer would)."""
    _run(_WRITE, str(logdir / RUN), str(first), str(last))


def write_tf_run(logdir: Path) -> None:
    """Write ``IMAGE_STEPS`` steps of ``BATCH`` images and ``CLIPS`` clips into ``logdir/TF_RUN``."""
    _run(_WRITE_TF, str(logdir / TF_RUN))
