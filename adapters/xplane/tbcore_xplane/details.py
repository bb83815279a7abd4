"""What the values of XPlane stats mean: TF op names, CUPTI's kernel, memcpy and memset
details, step numbers, device capabilities. Pure functions on strings and numbers.

The stat names and value formats are those XLA's and TensorFlow's profilers write
(``xla/tsl/profiler/utils/xplane_schema.cc``, ``xla/backends/profiler/gpu/cupti_collector.cc``).
"""

from __future__ import annotations

import re
from typing import Any

TF_OP_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*")
TF_OP_TYPE = re.compile(r"[A-Z_][a-zA-Z0-9_]*")
"""A TensorFlow op's TraceMe is named ``<op name>:<op type>`` (``dense/MatMul:MatMul``):
node names and op types as TensorFlow's graph allows them."""

DEVICE_PROPERTY_STATS: dict[str, str] = {
    "gpu_device_name": "name",
    "device_vendor": "vendor",
    "clock_rate": "clockRateKHz",
    "core_count": "numSms",
    "memory_bandwidth": "memoryBandwidthBytesPerSecond",
    "memory_size": "totalGlobalMem",
    "compute_cap_major": "computeMajor",
    "compute_cap_minor": "computeMinor",
}
"""Device plane stat -> the key of the device's properties in the common model (Kineto's
``deviceProperties`` keys where Kineto has the same fact)."""


def is_tf_op(name: str) -> bool:
    """Whether ``name`` is a TensorFlow op's ``<op name>:<op type>``."""
    op_name, colon, op_type = name.partition(":")
    return bool(colon) and TF_OP_NAME.fullmatch(op_name) is not None and TF_OP_TYPE.fullmatch(op_type) is not None


def as_int(value: Any) -> int | None:
    """An integer stat value (stats in XProf's JSON are strings), or None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def as_float(value: Any) -> float | None:
    """A numeric stat value, or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_details(text: Any) -> dict[str, str]:
    """``"key:value key:value"`` (CUPTI's ``kernel_details``, ``memcpy_details``,
    ``Memset_details``) as a dict; {} for anything else."""
    if not isinstance(text, str):
        return {}
    out = {}
    for item in text.split():
        key, colon, value = item.partition(":")
        if colon:
            out[key] = value
    return out


def dims(text: str | None) -> list[int] | None:
    """``"x,y,z"`` as ``[x, y, z]``, or None."""
    if not text:
        return None
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        return None


def kernel_columns(details: dict[str, str], occupancy_stat: Any, sm_count: int | None) -> dict[str, Any]:
    """The model's kernel columns from a parsed ``kernel_details``: ``grid``/``block`` as
    Kineto writes them (``[x, y, z]``), registers per thread, shared memory (static plus
    dynamic bytes), blocks per SM (the grid's blocks over the device's SM count) and
    occupancy (CUPTI's theoretical occupancy, %)."""
    out: dict[str, Any] = {}
    grid, block = dims(details.get("grid")), dims(details.get("block"))
    if grid is not None:
        out["grid"] = str(grid)
        if sm_count:
            blocks = 1
            for extent in grid:
                blocks *= extent
            out["blocks_per_sm"] = blocks / sm_count
    if block is not None:
        out["block"] = str(block)
    registers = as_int(details.get("regs"))
    if registers is not None:
        out["registers"] = registers
    shared = [as_int(details.get(key)) for key in ("static_shared", "dynamic_shared")]
    if any(value is not None for value in shared):
        out["shared_memory"] = sum(value or 0 for value in shared)
    occupancy = as_float(details.get("occ_pct"))
    if occupancy is None:
        occupancy = as_float(occupancy_stat)
    if occupancy is not None:
        out["occupancy"] = occupancy
    return out


def copy_bytes(details: dict[str, str]) -> int | None:
    """Bytes a memcpy (``size:``) or memset (``num_bytes:``) moved."""
    return as_int(details.get("size", details.get("num_bytes")))


def step_number(stats: dict[str, Any]) -> int | None:
    """The step a host event marks: its ``step_num`` stat (``tf.profiler.experimental.Trace(
    name, step_num=n, _r=1)``, ``jax.profiler.StepTraceAnnotation(name, step_num=n)``), unless
    it is explicitly not a root (``_r=0``)."""
    step = as_int(stats.get("step_num"))
    if step is None or step < 0:
        return None
    root = stats.get("_r")
    return None if root is not None and as_int(root) == 0 else step


def device_ordinal(plane_name: str) -> int | None:
    """``N`` of ``/device:GPU:N`` (any device type), or None."""
    prefix, _, number = plane_name.rpartition(":")
    return int(number) if prefix.startswith("/device:") and number.isdecimal() else None


def device_properties(ordinal: int, plane_name: str, stats: dict[str, Any]) -> dict[str, Any]:
    """A device's properties from its plane's stats, under the keys of
    :data:`DEVICE_PROPERTY_STATS` (plus ``id`` and ``plane``)."""
    out: dict[str, Any] = {"id": ordinal, "plane": plane_name}
    for stat, key in DEVICE_PROPERTY_STATS.items():
        value = stats.get(stat)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out[key] = value
    return out
