"""Finding a run's latest TensorFlow checkpoint among its assets, and opening it."""

from __future__ import annotations

import re
from collections.abc import Callable

from tbcore_projector.tensor_bundle import TensorBundle

CHECKPOINT_STATE_FILE = "checkpoint"
"""The text ``CheckpointState`` that TensorFlow keeps beside its checkpoints."""

_LATEST = re.compile(r'^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE)


def latest_checkpoint_path(state_text: str) -> str | None:
    """``model_checkpoint_path`` of a ``checkpoint`` file's text (``None`` if it has none)."""
    match = _LATEST.search(state_text)
    if match is None:
        return None
    return match.group(1).encode("latin-1", "backslashreplace").decode("unicode_escape")


def open_bundle(
    prefix: str, assets: set[str], read: Callable[[str], bytes]
) -> TensorBundle | None:
    """The bundle whose asset paths start with ``prefix`` (``None`` without its ``.index``);
    ``read(path)`` reads a run asset."""
    index = prefix + ".index"
    if index not in assets:
        return None

    def read_shard(suffix: str) -> bytes:
        if prefix + suffix not in assets:
            raise KeyError(prefix + suffix)
        return read(prefix + suffix)

    return TensorBundle(read(index), read_shard)
