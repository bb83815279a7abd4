"""Audio clips as 16-bit mono WAV, written with the standard ``wave`` module."""

from __future__ import annotations

import io
import logging
import wave
from typing import Any

import numpy as np

from tbcore.proto import summary_pb2

logger = logging.getLogger(__name__)


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit mono WAV bytes of ``samples``, floats in [-1, 1] (truncated like torch)."""
    pcm = (samples * np.iinfo(np.int16).max).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


def audio_value(tag: str, snd: Any, sample_rate: int) -> summary_pb2.Summary.Value:
    """A legacy ``Summary.Value`` holding one mono clip; values outside [-1, 1] are clipped."""
    samples = np.asarray(snd).squeeze()
    # float32 samples are scaled in float32, as torch does, so that both truncate alike.
    if samples.dtype not in (np.float32, np.float64):
        samples = samples.astype(np.float64)
    if samples.ndim != 1:
        raise ValueError(
            f"audio of shape {np.shape(snd)} is not one mono clip; expected a 1-D array of "
            "samples (length-1 axes are allowed)"
        )
    if not np.isfinite(samples).all():
        raise ValueError("audio samples must be finite")
    if samples.size and np.abs(samples).max() > 1:
        logger.warning("audio %r has samples outside [-1, 1]; they are clipped", tag)
        samples = samples.clip(-1, 1)
    audio = summary_pb2.Summary.Audio(
        sample_rate=float(sample_rate),
        num_channels=1,
        length_frames=samples.shape[0],
        encoded_audio_string=encode_wav(samples, sample_rate),
        content_type="audio/wav",
    )
    return summary_pb2.Summary.Value(tag=tag, audio=audio)
