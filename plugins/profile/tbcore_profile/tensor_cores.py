"""Which kernels run on tensor cores. Kineto records no such flag, so kernels are recognized
by name, with the rule torch-tb-profiler 0.4.3 applies (its ``TC_Allowlist``, after NVIDIA
PyProf's): a kernel uses tensor cores when its name contains one of :data:`PATTERNS`."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore_profile.model import EventKind, Trace

PATTERNS = (
    "h884", "s884", "h1688", "s1688", "hmma", "i8816", "16816", "dgrad_1x1_stride_2x2",
    "first_layer_wgrad_kernel", "conv1x1", "conv2d_c1_k1", "direct_group", "xmma_implicit_gemm",
    "xmma_sparse_conv", "xmma_warp_specialized_implicit_gemm", "xmma_gemm", "xmma_sparse_gemm", "c1688",
)
"""Substrings of the names of kernels that use tensor cores (case-sensitive)."""


def uses_tensor_cores(name: str) -> bool:
    """Whether a kernel of this name runs on tensor cores (by :data:`PATTERNS`)."""
    return any(pattern in name for pattern in PATTERNS)


def tensor_core_shares(trace: Trace) -> tuple[float | None, dict[int, float]]:
    """The share of kernel time spent in tensor-core kernels: over every kernel of the trace
    (None without kernels) and per device (each device that ran kernels)."""
    events = trace.events
    kernels = np.flatnonzero(events.kind == EventKind.KERNEL)
    if not len(kernels):
        return None, {}
    names = trace.strings.values
    flags = np.fromiter((uses_tensor_cores(v) for v in names), bool, len(names))
    used = flags[events.name[kernels]]
    duration = (events.start[kernels] + events.dur[kernels]) - events.start[kernels]
    devices = events.device[kernels]
    per_device: dict[int, float] = {}
    for device in np.unique(devices).tolist():
        mine = devices == device
        total = float(duration[mine].sum())
        per_device[int(device)] = float(duration[mine & used].sum()) / total if total > 0 else 0.0
    total = float(duration.sum())
    return (float(duration[used].sum()) / total if total > 0 else 0.0), per_device


def mark_rows(rows: list[dict[str, Any]]) -> None:
    """Add ``tensor_cores`` (bool) to kernel table rows, from their ``name``."""
    for row in rows:
        row["tensor_cores"] = uses_tensor_cores(row["name"])
