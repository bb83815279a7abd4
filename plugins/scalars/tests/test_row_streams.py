"""Row answers built in pieces equal the whole answer, however the pieces fall."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from tbcore.data.provider import ScalarColumns
from tbcore_scalars import row_streams


def _columns(n: int) -> ScalarColumns:
    value = np.linspace(-1, 1, n, dtype=np.float32)
    if n > 3:
        value[[1, 2, 3]] = [np.nan, np.inf, -np.inf]
    return ScalarColumns(np.arange(n, dtype=np.int64) * 10, 1.7e9 + np.arange(n) / 7, value)


@pytest.mark.parametrize("n", [0, 1, 5, 12, 13])
def test_pieces_join_into_tensorboards_rows(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(row_streams, "ROWS_PER_PIECE", 4)
    cols = _columns(n)
    pieces = list(row_streams.rows_json(cols))
    assert len(pieces) == 2 + (n + 3) // 4
    rows = json.loads(b"".join(pieces))
    expected = [
        [w, s, v if np.isfinite(v) else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(float(v))]]
        for w, s, v in zip(cols.wall_time.tolist(), cols.step.tolist(), cols.value.astype(float).tolist())
    ]
    assert rows == expected
    both = json.loads(b"".join(row_streams.rows_by_name_json({"a": cols, "b": _columns(2)})))
    assert both == {"a": expected, "b": json.loads(b"".join(row_streams.rows_json(_columns(2))))}
    text = "".join(row_streams.rows_csv(cols))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Wall time", "Step", "Value"] and len(table) == n + 1
    assert [int(r[1]) for r in table[1:]] == cols.step.tolist()


def test_small_pieces_are_gathered() -> None:
    gathered = list(row_streams._gathered([b"a"] * 10 + ["é"]))
    assert gathered == [b"a" * 10 + "é".encode()]
