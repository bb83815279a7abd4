"""Scripts that write the time series fixtures with the real writers, each run in its own
interpreter (neither torch nor TensorFlow is imported into the pytest process). Each takes
the logdir as its only argument."""

STEPS = 30
"""More images per series than TensorBoard's default of 10 (it is started with larger ones)."""

WRITE_WITH_TORCH = f"STEPS = {STEPS}\n" + """
import sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter

rng = np.random.default_rng(1)
for run in ("torch_a", "torch_b"):
    w = SummaryWriter(sys.argv[1] + "/" + run)
    for step in range(STEPS):
        w.add_scalar("loss/train", 1.0 / (1 + step) + 0.01 * rng.random(), step)
        w.add_scalar("accuracy", step / STEPS, step)
        w.add_histogram("layer1/weights", rng.normal(step / 10, 1, 300), step)
        w.add_image("inputs/digit", rng.random((3, 8, 6)), step)
    w.add_scalar("special", float("nan"), STEPS)
    w.add_scalar("special", float("inf"), STEPS + 1)
    w.close()
"""

WRITE_WITH_TF = f"STEPS = {STEPS}\n" + """
import sys
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(2)
for run, note in (("tf_a", "the **loss** of run a"), ("tf_b", "the loss, described otherwise")):
    with tf.summary.create_file_writer(sys.argv[1] + "/" + run).as_default():
        for step in range(STEPS):
            tf.summary.scalar("loss/train", 2.0 / (1 + step), step=step, description=note)
            tf.summary.scalar("lr", 0.1 * 0.9 ** step, step=step, description="learning rate")
            tf.summary.histogram("layer1/weights", rng.normal(0, 1 + step / 10, 200), step=step, buckets=12)
            images = rng.random((3, 5, 7, 3)).astype("float32")
            tf.summary.image("tf/images", images, step=step, max_outputs=2 + step % 2)
"""
