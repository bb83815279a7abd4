"""JSON responses in TensorBoard's dialect: non-finite floats as ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` (JSON itself has no such numbers); numpy values accepted."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import orjson
from starlette.responses import Response

_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _float(x: float) -> float | str:
    return x if math.isfinite(x) else _NON_FINITE[repr(float(x))]


def jsonable(data: Any) -> Any:
    """``data`` with numpy values turned into Python ones and non-finite floats into strings."""
    if isinstance(data, float):
        return _float(data)
    if isinstance(data, dict):
        return {str(k): jsonable(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [jsonable(v) for v in data]
    if isinstance(data, np.ndarray):
        return jsonable(data.tolist())
    if isinstance(data, np.generic):
        return jsonable(data.item())
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def dumps(data: Any) -> str:
    """Serialize ``data`` as compact JSON (fast path when it is plain and finite)."""
    try:
        return json.dumps(data, allow_nan=False, separators=(",", ":"))
    except (ValueError, TypeError):
        return json.dumps(jsonable(data), allow_nan=False, separators=(",", ":"))


class JSONResponse(Response):
    """A JSON response that never emits the invalid tokens ``NaN``/``Infinity``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as UTF-8 JSON."""
        return dumps(content).encode("utf-8")


class FiniteJSONResponse(Response):
    """A fast JSON response (orjson) for large payloads whose floats are all finite.

    The caller must already have replaced non-finite floats (see :func:`finite_floats` and
    :func:`finite_column`): orjson would silently write them as ``null``. Numpy arrays are
    written natively (float32 values in their shortest float32 form).
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` with orjson."""
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def finite_floats(values: np.ndarray) -> list[float | str]:
    """``values`` as a list of floats, with NaN and ±inf as TensorBoard's strings."""
    out: list[float | str] = values.astype(np.float64).tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = _float(out[i])  # type: ignore[arg-type]
    return out


def finite_column(values: np.ndarray) -> np.ndarray | list[float | str]:
    """A column for :class:`FiniteJSONResponse`: the array itself when every value is finite
    (fast, compact), else :func:`finite_floats`."""
    if bool(np.isfinite(values).all()):
        return np.ascontiguousarray(values)
    return finite_floats(values)


def error_response(status: int, message: str) -> JSONResponse:
    """The body every error has: ``{"error": message}``."""
    return JSONResponse({"error": message}, status_code=status)
