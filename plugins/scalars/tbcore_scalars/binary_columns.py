"""The binary form of the ``series`` route (``format=binary``): columns as raw little-endian
arrays that the browser reads in place (typed-array views), with nothing to parse.

Layout: a little-endian uint32 ``H``; ``H`` bytes of UTF-8 JSON (padded with spaces so the
arrays start 8-byte aligned); then the arrays, each 8-byte aligned. The JSON is
``{"runs": [{"run": name, "total": n, "offset": k, "length": m, "columns": {column: [at, dtype]}}]}``
with ``k`` the index in the series of the first point sent, ``at`` counted from the start of
the body and ``dtype`` ``"float64"`` or ``"float32"``. Steps are sent as float64 (exact up to 2**53), values in the precision they
were stored in; NaN and ±inf are plain IEEE values.
"""

from __future__ import annotations

import struct

import numpy as np
import orjson

from tbcore_scalars.queries import COLUMNS, RunColumns

_LITTLE_ENDIAN: dict[str, np.dtype] = {"float64": np.dtype("<f8"), "float32": np.dtype("<f4")}


def encode_columns(data: dict[str, RunColumns]) -> bytes:
    """``data`` (run -> columns) in the binary layout above."""
    arrays: list[tuple[str, str, np.ndarray]] = []
    for run, cols in data.items():
        for name in COLUMNS:
            array = getattr(cols, name)
            if array is None:
                continue
            dtype = "float32" if array.dtype == np.float32 else "float64"
            arrays.append((run, name, np.ascontiguousarray(array, dtype=_LITTLE_ENDIAN[dtype])))
    # The header holds the offsets, which depend on the header's length: lay the arrays out
    # after a header sized with placeholder offsets, then pad the real header to that size.
    header = _header(data, arrays, 0)
    start = _align8(4 + len(header) + 16 * len(arrays) + 16)
    header = _header(data, arrays, start)
    header += b" " * (start - 4 - len(header))
    parts = [struct.pack("<I", len(header)), header]
    for _, _, array in arrays:
        raw = array.tobytes()
        parts.append(raw)
        parts.append(b"\0" * (_align8(len(raw)) - len(raw)))
    return b"".join(parts)


def _header(data: dict[str, RunColumns], arrays: list[tuple[str, str, np.ndarray]], start: int) -> bytes:
    runs: dict[str, dict[str, object]] = {
        run: {"run": run, "total": cols.total, "offset": cols.offset, "length": 0, "columns": {}} for run, cols in data.items()
    }
    offset = start
    for run, name, array in arrays:
        entry = runs[run]
        entry["length"] = int(array.shape[0])
        dtype = "float32" if array.dtype.itemsize == 4 else "float64"
        entry["columns"][name] = [offset, dtype]  # type: ignore[index]
        offset += _align8(array.nbytes)
    return orjson.dumps({"runs": list(runs.values())})


def _align8(n: int) -> int:
    return (n + 7) // 8 * 8
