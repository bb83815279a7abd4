"""``google.protobuf.Value`` hparam values as Python values, and the type rules TensorBoard
applies to them."""

from __future__ import annotations

import json
import math
from typing import Any

from google.protobuf import struct_pb2

from tbcore.proto import plugin_hparams_pb2 as hp

HParamValue = float | str | bool
"""What an hparam holds: a number, a string or a boolean."""


def to_python(value: struct_pb2.Value) -> Any:
    """The Python value of a ``Value``: a float, str, bool, None (null or unset), list or dict."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return [to_python(v) for v in value.list_value.values]
    if kind == "struct_value":
        return {k: to_python(v) for k, v in value.struct_value.fields.items()}
    return None


def to_value(python: Any) -> struct_pb2.Value:
    """A ``Value`` holding ``python`` (a bool, number or string; anything else is null)."""
    if isinstance(python, bool):
        return struct_pb2.Value(bool_value=python)
    if isinstance(python, int | float):
        return struct_pb2.Value(number_value=float(python))
    if isinstance(python, str):
        return struct_pb2.Value(string_value=python)
    return struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)


def data_type(value: Any) -> int | None:
    """The hparams ``DataType`` of a Python hparam value; None for a value of no such type."""
    if isinstance(value, bool):
        return hp.DATA_TYPE_BOOL
    if isinstance(value, float):
        return hp.DATA_TYPE_FLOAT64
    if isinstance(value, str):
        return hp.DATA_TYPE_STRING
    return None


def is_finite_or_not_number(value: Any) -> bool:
    """Whether ``value`` can be written as protobuf JSON: NaN and ±inf numbers cannot (so
    TensorBoard treats such hparams as unset in a session group)."""
    return not isinstance(value, float) or math.isfinite(value)


def as_domain_string(value: HParamValue) -> str:
    """A value as an entry of an inferred string domain: strings as they are, numbers and
    booleans in their JSON form (``1.0``, ``1e-07``, ``true``), as TensorBoard writes them."""
    if isinstance(value, str):
        return value
    return json.dumps(value)
