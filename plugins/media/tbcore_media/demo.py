"""Demo runs for the images, audio and text dashboards, written with tbcore's own writer.

Torch-style values (one image, one clip, one text per step) go through
:class:`tbcore.summary.SummaryWriter`; TF2-style values with several images or clips per step are blob-sequence tensors written to an :class:`tbcore.summary.EventFileWriter`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tbcore.io.tensors import from_numpy
from tbcore.proto import event_pb2, plugin_audio_pb2, plugin_image_pb2, summary_pb2
from tbcore.summary import EventFileWriter, SummaryWriter
from tbcore.summary.audio import encode_wav
from tbcore.summary.images import encode_png
from tbcore_media.metadata import AUDIO_PLUGIN_NAME, IMAGES_PLUGIN_NAME

IMAGE_STEPS = 300
IMAGE_SAMPLES = 3
HEIGHT, WIDTH = 48, 64
SAMPLE_RATE = 16000


def write_images_demo(logdir: Path) -> None:
    """``media_demo/images``: a bouncing, hue-shifting blob (one image per step) and three
    wave patterns per step (``samples/waves``), each moving as the steps go by."""
    run = logdir / "media_demo" / "images"
    start = time.time() - IMAGE_STEPS
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    with SummaryWriter(run, flush_secs=3600) as writer:
        for step in range(IMAGE_STEPS):
            t = step / IMAGE_STEPS
            cx = WIDTH * (0.5 + 0.4 * np.sin(2 * np.pi * 3 * t))
            cy = HEIGHT * (0.5 + 0.4 * np.cos(2 * np.pi * 2 * t))
            blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 60.0)
            hue = 2 * np.pi * t + np.array([0.0, 2.1, 4.2], dtype=np.float32)
            frame = blob[:, :, None] * (0.5 + 0.5 * np.cos(hue))[None, None, :]
            writer.add_image("blob/moving", frame, step, walltime=start + step, dataformats="HWC")
    files = EventFileWriter(
        str(run), max_queue=IMAGE_STEPS, flush_secs=3600, filename_suffix=".samples"
    )
    content = plugin_image_pb2.ImagePluginData().SerializeToString()
    try:
        for step in range(IMAGE_STEPS):
            phase = 2 * np.pi * step / 60
            pngs = []
            for k in range(IMAGE_SAMPLES):
                wave = np.sin(xx * (0.1 + 0.08 * k) + yy * 0.05 * (k - 1) + phase * (k + 1))
                grey = ((wave + 1) * 127.5).astype(np.uint8)
                pngs.append(encode_png(grey))
            blobs = [str(WIDTH).encode(), str(HEIGHT).encode(), *pngs]
            files.add_event(
                _blob_event(
                    "samples/waves",
                    IMAGES_PLUGIN_NAME,
                    content,
                    _strings(blobs),
                    step,
                    start + step,
                )
            )
    finally:
        files.close()


def write_audio_demo(logdir: Path) -> None:
    """``media_demo/audio``: three sine sweeps per step, rising higher at each step,
    and one torch-style clip per step (``tone``)."""
    run = logdir / "media_demo" / "audio"
    start = time.time() - 600
    seconds = np.arange(int(SAMPLE_RATE * 0.5)) / SAMPLE_RATE
    content = plugin_audio_pb2.AudioPluginData(
        encoding=plugin_audio_pb2.AudioPluginData.WAV
    ).SerializeToString()
    files = EventFileWriter(str(run), flush_secs=3600, filename_suffix=".sweeps")
    try:
        for step in range(5):
            clips = []
            for start_hz, end_hz in [(220, 440), (440, 880), (880, 220)]:
                low, high = start_hz * (1 + 0.25 * step), end_hz * (1 + 0.25 * step)
                freq = low + (high - low) * seconds / seconds[-1]
                wave = 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / SAMPLE_RATE)
                clips.append(encode_wav(wave, SAMPLE_RATE))
                clips.append(b"")  # labels: tf.summary.audio writes none, TensorBoard shows none
            rows = _strings(clips).reshape(3, 2)  # [clip, label] rows, as tf.summary.audio writes
            files.add_event(
                _blob_event(
                    "sweeps", AUDIO_PLUGIN_NAME, content, rows, step * 100, start + step * 100
                )
            )
    finally:
        files.close()
    with SummaryWriter(run, flush_secs=3600) as writer:
        for step in range(5):
            tone = 0.3 * np.sin(2 * np.pi * 330 * (1 + step / 4) * seconds) * np.exp(-3 * seconds)
            writer.add_audio(
                "tone", tone, step * 100, sample_rate=SAMPLE_RATE, walltime=start + step * 100
            )


NOTES = """\
# Release notes, step {step}

Training is going **well**: the loss is {loss:.3f}.

| metric | value |
|---|---|
| loss | {loss:.3f} |
| accuracy | {accuracy:.1%} |

```python
model.fit(x, y, epochs={epochs})
```

- learning rate: `{rate}`
- see [the docs](https://www.tensorflow.org/tensorboard)
"""


def write_text_demo(logdir: Path) -> None:
    """``media_demo/text``: Markdown notes (a table, a code block, a list) at ten steps, and a
    2-D string tensor shown as a table."""
    run = logdir / "media_demo" / "text"
    start = time.time() - 900
    with SummaryWriter(run, flush_secs=3600) as writer:
        for i in range(10):
            loss = 2.0 * 0.7**i
            notes = NOTES.format(
                step=i * 50, loss=loss, accuracy=1 - loss / 2.5, epochs=i + 1, rate=0.1 * 0.9**i
            )
            writer.add_text("notes", notes, i * 50, walltime=start + i * 50)
            table = np.array(
                [["class", "precision", "recall"]]
                + [
                    [name, f"{0.5 + 0.05 * i + 0.01 * k:.2f}", f"{0.4 + 0.05 * i:.2f}"]
                    for k, name in enumerate(["cat", "dog", "bird"])
                ],
                dtype=object,
            )
            writer.add_tensor(
                "per_class", table, i * 50, walltime=start + i * 50, plugin_name="text"
            )


def _strings(items: list[bytes]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _blob_event(
    tag: str, plugin_name: str, content: bytes, blobs: np.ndarray, step: int, wall_time: float
) -> event_pb2.Event:
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=plugin_name, content=content
        ),
        data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    )
    value = summary_pb2.Summary.Value(tag=tag, tensor=from_numpy(blobs), metadata=metadata)
    return event_pb2.Event(
        wall_time=wall_time, step=step, summary=summary_pb2.Summary(value=[value])
    )
