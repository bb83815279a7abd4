"""Scripts that write the media fixtures with the real writers (run in subprocesses, so that
neither torch nor TensorFlow is imported into the pytest process). Each takes the logdir as
its only argument."""

HOSTILE_MARKDOWN = """\
# Report

| name | score |
|---|---|
| alpha | 1 |
| beta | 2 |

```python
print("a < b")
```

<script>window.__pwned = 1</script>
<img src="x.png" onerror="window.__pwned = 2">
[click me](javascript:window.__pwned=3)
[fine](https://example.com/page)
"""

STEPS = 12
"""More steps than TensorBoard's default of 10 images / clips per series."""

WRITE_WITH_TORCH = (
    f"HOSTILE_MARKDOWN = {HOSTILE_MARKDOWN!r}\nSTEPS = {STEPS}\n"
    + """
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

rng = np.random.default_rng(3)
w = SummaryWriter(sys.argv[1] + "/torch_run")
for step in range(STEPS):
    w.add_image("chw_float", torch.tensor(rng.random((3, 10, 14), dtype=np.float32)), step)
    w.add_image("hwc_uint8", rng.integers(0, 256, (9, 7, 3), dtype=np.uint8), step, dataformats="HWC")
    w.add_images("batch", rng.random((4, 3, 6, 5)), step)
    w.add_audio("clip", torch.tensor(np.sin(np.arange(800) * (0.05 + 0.01 * step))), step, sample_rate=8000)
    w.add_text("notes", HOSTILE_MARKDOWN if step == 0 else f"step **{step}**", step)
fig = plt.figure(figsize=(2, 1.5), dpi=40)
plt.plot([0, 1, 2], [2, 0, 1])
w.add_figure("figure", fig, 0)
w.close()
"""
)

WRITE_WITH_TF = (
    f"STEPS = {STEPS}\n"
    + """
import sys
import numpy as np
import tensorflow as tf
from tensorboard.plugins.image import metadata as image_metadata

rng = np.random.default_rng(5)
w = tf.summary.create_file_writer(sys.argv[1] + "/tf_run")
with w.as_default():
    for step in range(STEPS):
        images = rng.random((4, 8, 6, 3)).astype(np.float32)
        # Fewer images at odd steps: a sample index exists at some steps only.
        count = 4 if step % 2 == 0 else 2
        tf.summary.image("tf/images", images[:count], step=step, max_outputs=3,
                         description="three at most")
        audio = np.sin(np.arange(2 * 600, dtype=np.float32).reshape(2, 600, 1) * 0.07)
        tf.summary.audio("tf/audio", audio, 8000, step=step, max_outputs=2)
        tf.summary.text("tf/scalar", f"*scalar* text {step} & <b>more</b>", step=step)
        tf.summary.text("tf/vector", tf.constant(["one", "**two**", "three"]), step=step)
        tf.summary.text("tf/table", tf.constant([["a", "b"], ["c", "<i>d</i>"], ["e", "f"]]), step=step)
        tf.summary.text("tf/cube", tf.constant([[["x", "y"]], [["z", "w"]]]), step=step)
    # Steps holding no clip and no image: the series are still listed, with 0 samples.
    tf.summary.audio("tf/no_clips", tf.zeros((0, 100, 1)), 8000, step=0)
    tf.summary.image("tf/no_images", tf.zeros((0, 4, 4, 3)), step=0)
    jpeg = tf.io.encode_jpeg(tf.cast(rng.integers(0, 256, (5, 9, 3)), tf.uint8))
    tf.summary.write("tf/jpeg", tf.stack([tf.constant("9"), tf.constant("5"), jpeg]), step=0,
                     metadata=image_metadata.create_summary_metadata("tf/jpeg", ""))
w.close()
"""
)

WRITE_WITH_TENSORBOARDX = """
# tensorboardX.add_audio needs the soundfile package, not installed: torch covers audio.
import sys
import numpy as np
from tensorboardX import SummaryWriter

w = SummaryWriter(sys.argv[1] + "/tbx_run")
for step in range(3):
    w.add_image("tbx/image", np.full((3, 4, 4), step / 3.0), step)
    w.add_text("tbx/text", f"tbx *{step}*", step)
w.close()
"""
