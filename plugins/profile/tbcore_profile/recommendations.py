"""Recommendations of the overview, each worded from the trace's own numbers."""

from __future__ import annotations

from typing import Any

DATA_LOADING_SHARE = 0.05
COMMUNICATION_SHARE = 0.10
LOW_UTILIZATION = 0.5


def recommendations(average: dict[str, float], devices: list[dict[str, Any]], facts: dict[str, Any]) -> list[str]:
    """Plain-text advice (the page shows it as text): ``average`` is the mean step's time per
    category (µs, with ``total``), ``devices`` the per-device metrics, ``facts`` what else
    the trace says (``data_parallel``, ``devices_used``; ``compute_major`` of the first GPU,
    ``tensor_core_share`` of the kernel time and ``tensor_core_eligible_share``, the kernel
    time of operators eligible for tensor cores)."""
    out = []
    total = average.get("total", 0.0)
    if total > 0:
        loading = average.get("data_loading", 0.0) / total
        if loading > DATA_LOADING_SHARE:
            out.append(
                f"{loading:.1%} of the step time ({average['data_loading']:.0f} µs of "
                f"{total:.0f} µs per step) is spent waiting for the DataLoader: set num_workers "
                "(and pin_memory for GPU training) so batches are prepared while the model runs."
            )
        communication = average.get("communication", 0.0) / total
        if communication > COMMUNICATION_SHARE:
            out.append(
                f"{communication:.1%} of the step time is communication between workers: try "
                "gradient compression or accumulation, or a larger batch per worker."
            )
    for device in devices:
        utilization = device.get("utilization")
        if utilization is not None and utilization < LOW_UTILIZATION:
            out.append(
                f"GPU {device['device']} is busy {utilization:.1%} of the step time: a larger "
                "batch, fewer host-device synchronizations or CUDA graphs would keep it busier."
            )
    eligible = facts.get("tensor_core_eligible_share")
    if facts.get("compute_major", 0) >= 7 and facts.get("tensor_core_share") == 0.0 and eligible:
        out.append(
            f"{eligible:.0%} of the kernel time is in operators that could run on tensor cores, "
            "which no kernel used: automatic mixed precision (torch.autocast) would run them in FP16 "
            "on the tensor cores of this GPU."
        )
    if facts.get("data_parallel") and facts.get("devices_used", 0) > 1:
        out.append(
            f"DataParallel drives {facts['devices_used']} GPUs from one process: "
            "DistributedDataParallel is faster."
        )
    return out
