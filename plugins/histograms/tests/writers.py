"""Scripts that write the histogram fixtures with the real writers (run in subprocesses)."""

WRITE_WITH_TORCH = """
import sys
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter
for run, scale in (("torch_a", 1.0), ("torch_b", 3.0)):
    rng = np.random.default_rng(int(scale))
    w = SummaryWriter(f"{sys.argv[1]}/{run}")
    for step in range(40):
        w.add_histogram("weights/default", rng.normal(step * 0.1 * scale, 1.0, 1000), step)
        w.add_histogram("weights/auto", torch.tensor(rng.normal(0, scale, 500)), step, bins="auto")
        w.add_histogram("grads/600", rng.standard_cauchy(20000).clip(-40, 40), step, bins=600)
        w.add_histogram("constant", np.full(7, 2.5), step)
        w.add_histogram_raw("raw", min=-1.0, max=3.0, num=6, sum=4.0, sum_squares=12.0,
                            bucket_limits=[0.0, 1.0, 2.0, 3.0], bucket_counts=[1, 2, 0, 3],
                            global_step=step)
        w.add_histogram_raw("raw_empty", min=0.0, max=0.0, num=0, sum=0.0, sum_squares=0.0,
                            bucket_limits=[1.0, 2.0], bucket_counts=[0, 0], global_step=step)
        w.add_histogram_raw("raw_inf", min=float("-inf"), max=float("inf"), num=3, sum=0.0,
                            sum_squares=0.0, bucket_limits=[0.0, float("inf")],
                            bucket_counts=[1, 2], global_step=step)
    w.close()
"""

WRITE_WITH_TF = """
import sys
import numpy as np
import tensorflow as tf
w = tf.summary.create_file_writer(sys.argv[1] + "/tf_run")
with w.as_default():
    for step in range(30):
        rng = np.random.default_rng(step)
        tf.summary.histogram("tf/normal", rng.normal(step * 0.2, 1.0, 1000), step=step)
        tf.summary.histogram("tf/buckets100", rng.uniform(-3, 3, 5000), step=step, buckets=100)
        tf.summary.histogram("tf/empty", tf.constant([], dtype=tf.float32), step=step)
        tf.summary.histogram("tf/constant", tf.fill([5], 1.5), step=step,
                             description="all equal")
w.close()
"""
