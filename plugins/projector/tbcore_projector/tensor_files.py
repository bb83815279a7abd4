"""The tensor files a projector config names: TSV (a row per point, values split by tabs) or
raw little-endian float32 of the shape the config gives, told apart as TensorBoard does (a
file that is not UTF-8 text is binary)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np


class TensorFileError(ValueError):
    """A tensor file that cannot be read as its config describes it."""


def parse_tensor_file(data: bytes, shape: Sequence[int]) -> np.ndarray:
    """The ``[N, D]`` float32 matrix in ``data``; ``shape`` (the config's ``tensor_shape``) is
    needed only for a binary file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return parse_binary(data, shape)
    return parse_tsv(text)


def parse_tsv(text: str) -> np.ndarray:
    """Rows of tab-separated numbers; blank lines are skipped."""
    if not text.strip():
        return np.zeros((0, 0), dtype=np.float32)
    try:
        values = np.loadtxt(
            io.StringIO(text), dtype=np.float32, delimiter="\t", comments=None, ndmin=2
        )
    except ValueError as e:
        raise TensorFileError(f"not a TSV file of numbers: {e}") from e
    return values


def parse_binary(data: bytes, shape: Sequence[int]) -> np.ndarray:
    """Little-endian float32 values filling ``shape`` (two dimensions)."""
    if len(shape) != 2:
        raise TensorFileError(f"a binary tensor needs a 2-D tensor_shape, got {list(shape)}")
    rows, cols = int(shape[0]), int(shape[1])
    if len(data) != 4 * rows * cols:
        raise TensorFileError(
            f"{len(data)} bytes do not hold a float32 tensor of shape [{rows}, {cols}]"
        )
    return np.frombuffer(data, dtype="<f4").reshape(rows, cols)


def tsv_shape(data: bytes) -> list[int] | None:
    """``[rows, columns]`` of a TSV file without parsing its numbers (``None`` if binary)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = [line for line in text.split("\n") if line]
    if not lines:
        return [0, 0]
    return [len(lines), lines[0].count("\t") + 1]
