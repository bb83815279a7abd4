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

WRITE_WITH_KERAS = """
import sys
import numpy as np
import tensorflow as tf
tf.keras.utils.set_random_seed(3)
x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
model = tf.keras.Sequential([
    tf.keras.Input((4,)),
    tf.keras.layers.Dense(8, activation="relu", name="hidden"),
    tf.keras.layers.Dense(1, activation="sigmoid", name="out"),
])
model.compile(optimizer="sgd", loss="binary_crossentropy")
board = tf.keras.callbacks.TensorBoard(sys.argv[1] + "/keras", histogram_freq=1)
model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[board])
"""

# For the browser tests: a run paused for an hour after step 4 (by step its ridges are evenly
# spaced, by time they are not), and a sweep of 24 runs sharing one tag.
WRITE_FOR_BROWSER = """
import sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter
rng = np.random.default_rng(0)
w = SummaryWriter(sys.argv[1] + "/paused")
for step in range(10):
    wall = 1_700_000_000.0 + 60.0 * step + (3600.0 if step >= 5 else 0.0)
    w.add_histogram("paused/weights", rng.normal(0.1 * step, 1.0, 500), step, walltime=wall)
w.close()
for k in range(24):
    w = SummaryWriter(f"{sys.argv[1]}/sweep/lr_{k:02d}")
    for step in range(8):
        w.add_histogram("sweep/weights", rng.normal(0.05 * step, 1.0 + 0.1 * k, 300), step)
    w.close()
"""

# For the browser tests: tf.summary's histogram of equal values, a spike made of 30 zero-width
# buckets [5, 5] of which only the last holds the count.
WRITE_SPIKE_WITH_TF = """
import sys
import tensorflow as tf
w = tf.summary.create_file_writer(sys.argv[1] + "/tf_spike")
with w.as_default():
    tf.summary.histogram("spike", tf.constant([5.0, 5.0]), step=0)
w.close()
"""

# For the browser tests: 2,000 steps of torch's default binning (hundreds of buckets each).
WRITE_2000_STEPS = """
import sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter
rng = np.random.default_rng(0)
w = SummaryWriter(sys.argv[1] + "/long")
for step in range(2000):
    w.add_histogram("long/weights", rng.standard_normal(2000) * (1 + step / 1000), step)
w.close()
"""
