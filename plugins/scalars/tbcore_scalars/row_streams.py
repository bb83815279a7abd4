"""TensorBoard's row answers (``[[wall_time, step, value], ...]`` and its CSV), produced in
pieces.

A series of millions of points is millions of Python tuples when built whole (about 1 GB for
5M points; four such requests at once took 3.8 GB): each piece here holds
:data:`ROWS_PER_PIECE` rows at most, is encoded, and is sent before the next one is built.
Routes return them with :func:`streamed`, which runs the encoding off the event loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import orjson
from starlette.responses import StreamingResponse

from tbcore.data.provider import ScalarColumns
from tbcore_scalars.queries import rows

ROWS_PER_PIECE = 50_000
"""Rows encoded at once (a few MB of JSON)."""
PIECE_BYTES = 1 << 20
"""Small answers are gathered into pieces of about this size (each piece is a thread hop)."""


def streamed(pieces: Iterable[bytes | str], media_type: str = "application/json") -> StreamingResponse:
    """A response sending ``pieces`` as they are made (the iterator runs in a worker thread)."""
    return StreamingResponse(_gathered(pieces), media_type=media_type)


def rows_json(cols: ScalarColumns) -> Iterator[bytes]:
    """``[[wall_time, step, value], ...]`` (non-finite values as TensorBoard's strings)."""
    yield b"["
    for start in range(0, len(cols), ROWS_PER_PIECE):
        end = start + ROWS_PER_PIECE
        piece = ScalarColumns(cols.step[start:end], cols.wall_time[start:end], cols.value[start:end])
        yield (b"," if start else b"") + orjson.dumps(rows(piece))[1:-1]
    yield b"]"


def rows_by_name_json(series: Mapping[str, ScalarColumns]) -> Iterator[bytes]:
    """``{name: rows, ...}`` (a run or a tag per name)."""
    yield b"{"
    for i, (name, cols) in enumerate(series.items()):
        yield (b"," if i else b"") + orjson.dumps(name) + b":"
        yield from rows_json(cols)
    yield b"}"


def rows_csv(cols: ScalarColumns) -> Iterator[str]:
    """TensorBoard's CSV download: a ``Wall time,Step,Value`` header, then one row per point."""
    for start in range(0, max(len(cols), 1), ROWS_PER_PIECE):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if start == 0:
            writer.writerow(["Wall time", "Step", "Value"])
        end = start + ROWS_PER_PIECE
        writer.writerows(
            zip(
                cols.wall_time[start:end].tolist(),
                cols.step[start:end].tolist(),
                cols.value[start:end].astype(np.float64).tolist(),
            )
        )
        yield out.getvalue()


def _gathered(pieces: Iterable[bytes | str]) -> Iterator[bytes]:
    gathered: list[bytes] = []
    size = 0
    for piece in pieces:
        data = piece.encode("utf-8") if isinstance(piece, str) else piece
        gathered.append(data)
        size += len(data)
        if size >= PIECE_BYTES:
            yield b"".join(gathered)
            gathered, size = [], 0
    if gathered:
        yield b"".join(gathered)
