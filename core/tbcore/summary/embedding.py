"""Embeddings for the projector: files under the run directory, as torch writes them.

``add_embedding`` writes no event. It writes ``<run>/<step:05d>/<tag>/tensors.tsv`` (one row
of the matrix per line), ``metadata.tsv`` (labels, with a header row when there are several
columns) and ``sprite.png`` (thumbnails tiled in a square), and rewrites
``<run>/projector_config.pbtxt`` with one ``embeddings`` entry per call made by this writer.
In the tag, ``%``, ``/`` and ``\\`` are percent-encoded so that it stays one folder.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from google.protobuf import text_format

from tbcore.proto import projector_config_pb2
from tbcore.summary.images import encode_png

logger = logging.getLogger(__name__)

CONFIG_FILE = "projector_config.pbtxt"


def encode_tag(tag: str) -> str:
    """``tag`` as one folder name: ``%``, ``/`` and ``\\`` percent-encoded, as torch does."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def embedding_subdir(tag: str, step: int) -> str:
    """The folder of one embedding, relative to the run: ``<step:05d>/<encoded tag>``."""
    return f"{str(step).zfill(5)}/{encode_tag(tag)}"


def check_embedding(
    mat: np.ndarray,
    metadata: Sequence[Any] | None,
    label_img: np.ndarray | None,
    metadata_header: Sequence[Any] | None,
) -> None:
    """Raise ``ValueError`` saying what to change when the inputs do not fit together."""
    if mat.ndim != 2:
        raise ValueError(
            f"add_embedding: mat of shape {mat.shape} must be 2-D (N, D): one row per point"
        )
    count = mat.shape[0]
    if metadata is not None:
        if len(metadata) != count:
            raise ValueError(f"add_embedding: {len(metadata)} metadata rows for {count} points")
        if metadata_header:
            for i, row in enumerate(metadata):
                if isinstance(row, str) or len(row) != len(metadata_header):
                    raise ValueError(
                        f"add_embedding: metadata row {i} must have one value per header "
                        f"column ({len(metadata_header)}: {list(metadata_header)}), got {row!r}"
                    )
    if label_img is not None:
        if label_img.ndim != 4 or label_img.shape[1] not in (1, 3):
            raise ValueError(
                f"add_embedding: label_img of shape {label_img.shape} must have the layout "
                "(N, C, H, W) with C 1 (grey) or 3 (RGB)"
            )
        if label_img.shape[0] != count:
            raise ValueError(f"add_embedding: {label_img.shape[0]} label images for {count} points")


def tensors_tsv(mat: np.ndarray) -> bytes:
    """``mat`` as TSV: one row per line, values as Python prints them."""
    return "".join("\t".join(map(str, row)) + "\n" for row in mat.tolist()).encode("utf-8")


def metadata_tsv(metadata: Sequence[Any], header: Sequence[Any] | None = None) -> bytes:
    """Labels as TSV: one per line, or with ``header``, a header line and tab-separated rows."""
    if header:
        lines = ["\t".join(str(v) for v in row) for row in [header, *metadata]]
    else:
        lines = [str(v) for v in metadata]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sprite_png(label_img: np.ndarray) -> bytes:
    """Thumbnails ``[N, C, H, W]`` tiled ``ceil(sqrt(N))`` per row on a square black canvas.

    Floats are taken to be in [0, 1]; uint8 as they are.
    """
    count, channels, height, width = label_img.shape
    cols = min(count, math.ceil(count**0.5))
    rows = -(-count // cols)
    side = max(cols * width, rows * height)
    is_uint8 = label_img.dtype == np.uint8
    # Floats go on a float64 canvas like torch's, so that scaling rounds as it does there.
    canvas = np.zeros((side, cols * width, 3), dtype=np.uint8 if is_uint8 else np.float64)
    for i in range(count):
        y, x = divmod(i, cols)
        thumb = label_img[i].transpose(1, 2, 0)  # a grey thumbnail fills all three channels
        canvas[y * height : (y + 1) * height, x * width : (x + 1) * width] = thumb
    if not is_uint8:
        canvas = (canvas * 255).clip(0, 255).astype(np.uint8)
    return encode_png(canvas)


def embedding_info(
    tag: str, step: int, subdir: str, has_metadata: bool, label_img: np.ndarray | None
) -> projector_config_pb2.EmbeddingInfo:
    """The ``embeddings`` entry of ``projector_config.pbtxt`` for one embedding."""
    info = projector_config_pb2.EmbeddingInfo(
        tensor_name=f"{tag}:{str(step).zfill(5)}", tensor_path=f"{subdir}/tensors.tsv"
    )
    if has_metadata:
        info.metadata_path = f"{subdir}/metadata.tsv"
    if label_img is not None:
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info


def write_embedding(
    run_dir: str,
    config: projector_config_pb2.ProjectorConfig,
    mat: np.ndarray,
    metadata: Sequence[Any] | None,
    label_img: np.ndarray | None,
    step: int,
    tag: str,
    metadata_header: Sequence[Any] | None,
) -> None:
    """Write one embedding's files under ``run_dir``, add its entry to ``config`` and rewrite
    ``projector_config.pbtxt`` from it."""
    check_embedding(mat, metadata, label_img, metadata_header)
    subdir = embedding_subdir(tag, step)
    save_path = os.path.join(run_dir, subdir)
    if os.path.isdir(save_path):
        logger.warning(
            "add_embedding: %s exists and is overwritten; give each call its own global_step",
            save_path,
        )
    elif os.path.exists(save_path):
        raise NotADirectoryError(f"add_embedding: {save_path} exists and is not a folder")
    os.makedirs(save_path, exist_ok=True)
    if metadata is not None:
        _write(save_path, "metadata.tsv", metadata_tsv(metadata, metadata_header))
    if label_img is not None:
        _write(save_path, "sprite.png", sprite_png(label_img))
    _write(save_path, "tensors.tsv", tensors_tsv(mat))
    config.embeddings.append(embedding_info(tag, step, subdir, metadata is not None, label_img))
    _write(run_dir, CONFIG_FILE, text_format.MessageToString(config).encode("utf-8"))


def _write(folder: str, name: str, data: bytes) -> None:
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
