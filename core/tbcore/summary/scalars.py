"""Legacy scalar events (``simple_value``), serialized by hand for ``add_scalar``'s speed."""

from __future__ import annotations

import struct
import time
from typing import Any

import numpy as np

_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")
# Event.step is an int64.
STEP_MIN = -(1 << 63)
STEP_MAX = (1 << 63) - 1


def step_out_of_range(step: int) -> ValueError:
    """The error for a ``global_step`` that an event file cannot store."""
    return ValueError(
        f"global_step {step} is outside the int64 range [-2**63, 2**63 - 1] of event files"
    )


def to_float(tag: str, value: Any, caller: str = "add_scalar") -> float:
    """``value`` (a number, numpy scalar, one-element array, or a string holding a number,
    which torch accepts too) as a Python float; errors name ``caller(tag)``."""
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(
                f"{caller}({tag!r}) needs a number, got the string {value!r}"
            ) from None
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{caller}({tag!r}) needs one real number, got {type(value).__name__} of shape "
            f"{arr.shape} and dtype {arr.dtype}"
        )
    return float(arr.reshape(()).item())


# Legacy scalar events are encoded by hand: building and serializing protos costs several
# times more than the rest of add_scalar. Field numbers: Event.wall_time=1 (double),
# Event.step=2 (varint), Event.summary=5; Summary.value=1; Value.tag=1, Value.simple_value=2
# (float). A test checks the bytes against the protobuf serializer.
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 steps take ten bytes, as in protobuf
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def scalar_prefix(tag: str) -> bytes:
    """The bytes of a scalar event for ``tag`` that come between the step and the value."""
    tag_bytes = tag.encode("utf-8")
    value = b"\x0a" + _varint(len(tag_bytes)) + tag_bytes + b"\x15"
    summary = b"\x0a" + _varint(len(value) + 4) + value
    return b"\x2a" + _varint(len(summary) + 4) + summary


def scalar_event(prefix: bytes, value: float, step: int | None, walltime: float | None) -> bytes:
    """A serialized ``Event`` holding one legacy ``simple_value`` (``prefix`` from
    :func:`scalar_prefix`)."""
    wall = _DOUBLE.pack(time.time() if walltime is None else walltime)
    try:
        packed = _FLOAT.pack(value)
    except OverflowError:  # beyond float32's range: protobuf stores an infinity
        packed = _FLOAT.pack(np.inf if value > 0 else -np.inf)
    if step:
        step = int(step)
        if not STEP_MIN <= step <= STEP_MAX:
            raise step_out_of_range(step)
        return b"\x09" + wall + b"\x10" + _varint(step) + prefix + packed
    return b"\x09" + wall + prefix + packed
