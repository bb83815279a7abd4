"""The tensor files a projector config names: TSV (a row per point, values split by tabs) or
raw little-endian float32 of the shape the config gives, told apart as TensorBoard does (a
file that is not UTF-8 text is binary).

A large TSV is parsed by pandas' C reader when pandas is installed (the ``fast`` extra; 3 to
4 times less CPU than numpy's), else by ``np.loadtxt`` from the bytes; anything the fast path
doubts (a short row, a value it reads as NaN, a parse error) is parsed again by
``np.loadtxt``, whose message names the row that is wrong.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import numpy as np

from tbcore_projector.fast_layouts import available

PANDAS_BYTES = 1 << 20
"""Below this size numpy parses a TSV (pandas' import costs more than it saves)."""
_NOT_BLANK = re.compile(rb"\S")


class TensorFileError(ValueError):
    """A tensor file that cannot be read as its config describes it."""


def is_text(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 text (ASCII checked first: no copy)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_tensor_file(data: bytes, shape: Sequence[int]) -> np.ndarray:
    """The ``[N, D]`` float32 matrix in ``data``; ``shape`` (the config's ``tensor_shape``) is
    needed only for a binary file."""
    return parse_tsv(data) if is_text(data) else parse_binary(data, shape)


def parse_tsv(data: bytes) -> np.ndarray:
    """Rows of tab-separated numbers (UTF-8 bytes); blank lines are skipped."""
    if not _NOT_BLANK.search(data):
        return np.zeros((0, 0), dtype=np.float32)
    if len(data) >= PANDAS_BYTES and available("pandas"):
        values = _parse_with_pandas(data)
        if values is not None:
            return values
    try:
        return np.loadtxt(
            io.BytesIO(data), dtype=np.float32, delimiter="\t", comments=None, ndmin=2,
            encoding="utf-8",
        )
    except ValueError as e:
        raise TensorFileError(f"not a TSV file of numbers: {e}") from e


def _parse_with_pandas(data: bytes) -> np.ndarray | None:
    """The values by pandas, or ``None`` when it fails or pads a short row with NaN."""
    import pandas

    try:
        frame = pandas.read_csv(
            io.BytesIO(data), sep="\t", header=None, dtype=np.float64, na_filter=False,
            skip_blank_lines=True, engine="c",
        )
    except (ValueError, pandas.errors.ParserError):
        return None
    values = frame.to_numpy(dtype=np.float64)
    if np.isnan(values).any():
        return None
    return values.astype(np.float32)


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
    if not is_text(data):
        return None
    start = 0
    while start < len(data) and data[start : start + 1] == b"\n":
        start += 1
    if start == len(data):
        return [0, 0]
    end = data.find(b"\n", start)
    first = data[start : end if end >= 0 else len(data)]
    if b"\n\n" in data:  # blank lines inside: count the others one by one
        rows = sum(1 for line in data.split(b"\n") if line)
    else:
        rows = data.count(b"\n", start) + (0 if data.endswith(b"\n") else 1)
    return [rows, first.count(b"\t") + 1]
