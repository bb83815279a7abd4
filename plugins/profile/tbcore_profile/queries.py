"""What the routes answer, as pure functions of the trace store and validated arguments."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore_profile.breakdown import CATEGORIES
from tbcore_profile.call_stacks import has_call_stacks, operator_stacks
from tbcore_profile.compare import compare_traces
from tbcore_profile.device_metrics import device_metrics
from tbcore_profile.distributed import distributed_view
from tbcore_profile.memory import memory_curves
from tbcore_profile.model import EventKind
from tbcore_profile.operators import GROUPINGS, KERNEL_GROUPINGS, kernel_table, operator_table
from tbcore_profile.recommendations import recommendations
from tbcore_profile.store import TraceEntry, TraceStore
from tbcore_profile.tensor_cores import mark_rows, tensor_core_shares
from tbcore_profile.timeline import (
    DEFAULT_LIMIT,
    KIND_NAMES,
    MAX_WIDTH,
    Window,
    lanes_json,
    timeline,
)
from tbcore_profile.timeline_tools import flows_in_window, search, selection_summary

ALL_CATEGORIES = (*CATEGORIES, "other")


def runs(store: TraceStore) -> list[dict[str, Any]]:
    """Every run that holds traces, with its traces (``runs`` route), in the provider's order."""
    out = []
    for run in store.provider.list_runs():
        entries = store.list_traces(run.run_name)
        if entries:
            out.append({"run": run.run_name, "traces": [e.to_json() for e in entries]})
    return out


def _header(entry: TraceEntry) -> dict[str, Any]:
    return {"run": entry.run, "trace": entry.path, "worker": entry.worker, "span": entry.span}


def overview(store: TraceStore, run: str, trace: str | None) -> dict[str, Any]:
    """The step-time breakdown per step and on average, device metrics, device properties
    and recommendations (``overview`` route)."""
    entry, analysis = store.analysis(run, trace)
    result = analysis.breakdown
    steps, origin = result.steps, analysis.origin
    rows = []
    for i, name in enumerate(steps.names):
        row: dict[str, Any] = {"step": name, "start_us": float(steps.start[i] - origin),
                               "total_us": float(steps.end[i] - steps.start[i])}
        row.update({f"{key}_us": float(result.costs[i, j]) for j, key in enumerate(ALL_CATEGORIES)})
        rows.append(row)
    average = {key: float(result.costs[:, j].mean()) if len(rows) else 0.0 for j, key in enumerate(ALL_CATEGORIES)}
    average["total"] = float(result.totals.mean()) if len(rows) else 0.0
    window = (float(steps.start[0]), float(steps.end[-1])) if len(rows) else (0.0, 0.0)
    devices = device_metrics(analysis.trace, window)
    tensor_core_share, per_device = tensor_core_shares(analysis.trace)
    for device in devices:
        device["tensor_core_share"] = per_device.get(device["device"])
    events = analysis.trace.events
    names = analysis.trace.strings
    eligible_share = analysis.tensor_cores.eligible_kernel_share if tensor_core_share is not None else None
    properties = analysis.trace.devices[0] if analysis.trace.devices else {}
    facts = {
        "data_parallel": names.find("DataParallel.forward") >= 0,
        "devices_used": len(np.unique(events.device[np.isin(
            events.kind, [EventKind.KERNEL, EventKind.MEMCPY, EventKind.MEMSET])])),
        "compute_major": _number(properties.get("computeMajor")) if isinstance(properties, dict) else 0,
        "tensor_core_share": tensor_core_share,
        "tensor_core_eligible_share": eligible_share,
    }
    shown = [k for k in ALL_CATEGORIES if _shown(k, result.present)]
    start, end = analysis.trace.time_range
    return {
        **_header(entry),
        "categories": shown,
        "steps": rows,
        "average": average,
        "steps_adjusted_to_device": steps.device_adjusted,
        "devices": devices,
        "tensor_core_share": tensor_core_share,
        "tensor_core_eligible_share": eligible_share,
        "device_properties": analysis.trace.devices,
        "recommendations": recommendations(average, devices, facts),
        "summary": {
            "events": len(events),
            "lanes": len(analysis.trace.lanes),
            "duration_us": end - start,
            "format": analysis.trace.format,
            "skipped_events": analysis.trace.metadata.get("skipped_events", 0),
        },
    }


def _number(value: Any) -> float:
    """A device property that should be a number (0 when it is not)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _shown(category: str, present: dict[str, bool]) -> bool:
    if category in ("kernel", "memcpy", "memset", "runtime"):
        return present["device"]
    if category == "communication":
        return present["communication"]
    return True


def operators(store: TraceStore, run: str, trace: str | None, group_by: str) -> dict[str, Any]:
    """Operator statistics (``operators`` route)."""
    if group_by not in GROUPINGS:
        raise InvalidArgumentError(f"group_by must be one of {', '.join(GROUPINGS)}, got {group_by!r}")
    entry, analysis = store.analysis(run, trace)
    table = operator_table(analysis.trace, analysis.tree, group_by, analysis.tensor_cores)
    return {**_header(entry), **table, "call_stacks": has_call_stacks(analysis.trace)}


def operator_call_stacks(store: TraceStore, run: str, trace: str | None, name: str | None,
                         input_shape: str | None) -> dict[str, Any]:
    """The call stacks of one operator row (``operator_stacks`` route)."""
    if not name:
        raise InvalidArgumentError("name must be given")
    entry, analysis = store.analysis(run, trace)
    return {**_header(entry), "name": name, "input_shape": input_shape,
            "stacks": operator_stacks(analysis, name, input_shape)}


def kernels(store: TraceStore, run: str, trace: str | None, group_by: str) -> dict[str, Any]:
    """Kernel statistics (``kernels`` route); no rows for a CPU-only trace."""
    if group_by not in KERNEL_GROUPINGS:
        raise InvalidArgumentError(f"group_by must be one of {', '.join(KERNEL_GROUPINGS)}, got {group_by!r}")
    entry, analysis = store.analysis(run, trace)
    table = kernel_table(analysis.trace, analysis.tree, analysis.links, group_by)
    mark_rows(table["rows"])
    return {**_header(entry), **table}


def compare(store: TraceStore, run: str, trace: str | None, base_run: str | None, base_trace: str | None,
            group_by: str) -> dict[str, Any]:
    """A trace against a baseline trace (``compare`` route)."""
    if group_by not in GROUPINGS:
        raise InvalidArgumentError(f"group_by must be one of {', '.join(GROUPINGS)}, got {group_by!r}")
    if not base_run:
        raise InvalidArgumentError("base_run must be given")
    entry, analysis = store.analysis(run, trace)
    base_entry, base = store.analysis(base_run, base_trace)
    return {**_header(entry), "base": _header(base_entry), **compare_traces(analysis, base, group_by)}


def memory(store: TraceStore, run: str, trace: str | None, points: int | None) -> dict[str, Any]:
    """Memory curves per device (``memory`` route)."""
    if points is not None and not 2 <= points <= 1_000_000:
        raise InvalidArgumentError(f"points must be between 2 and 1000000, got {points}")
    entry, analysis = store.analysis(run, trace)
    return {**_header(entry), **memory_curves(analysis.trace, analysis.origin, points)}


def timeline_window(start: float | None, end: float | None, width: int | None, min_duration: float | None,
                    limit: int | None, duration: float) -> Window:
    """Validate a timeline request against the trace's ``duration`` (µs)."""
    lo = 0.0 if start is None else start
    hi = duration if end is None else end
    for name, value in (("start", lo), ("end", hi), ("min_duration", min_duration or 0.0)):
        if not math.isfinite(value) or abs(value) > 1e15:
            raise InvalidArgumentError(f"{name} must be a finite number of µs, got {value!r}")
    if hi <= lo:
        hi = lo + max(duration, 1.0) if end is None else hi
        if hi <= lo:
            raise InvalidArgumentError(f"end ({hi}) must be after start ({lo})")
    pixels = 1000 if width is None else width
    if not 1 <= pixels <= MAX_WIDTH:
        raise InvalidArgumentError(f"width must be between 1 and {MAX_WIDTH}, got {pixels}")
    if min_duration is not None and min_duration < 0:
        raise InvalidArgumentError(f"min_duration must not be negative, got {min_duration}")
    most = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= most <= 200_000:
        raise InvalidArgumentError(f"limit must be between 1 and 200000, got {most}")
    return Window(lo, hi, pixels, min_duration or 0.0, most)


def timeline_view(store: TraceStore, run: str, trace: str | None, start: float | None, end: float | None,
                  width: int | None, min_duration: float | None, limit: int | None) -> dict[str, Any]:
    """The timeline's events and summaries in a window (``timeline`` route)."""
    entry, analysis = store.analysis(run, trace)
    first, last = analysis.trace.time_range
    window = timeline_window(start, end, width, min_duration, limit, last - first)
    return {
        **_header(entry),
        "duration_us": last - first,
        "lanes": lanes_json(analysis.trace),
        "kinds": KIND_NAMES,
        **timeline(analysis.trace, analysis.depth, window),
        "flows": flows_in_window(analysis.trace, analysis.flows, window.start, window.end),
    }


def timeline_search(store: TraceStore, run: str, trace: str | None, query: str | None,
                    limit: int | None) -> dict[str, Any]:
    """The events whose name contains ``query`` (``timeline_search`` route)."""
    entry, analysis = store.analysis(run, trace)
    return {**_header(entry), **search(analysis.trace, analysis.depth, query, limit)}


def timeline_selection(store: TraceStore, run: str, trace: str | None, start: float | None, end: float | None,
                       lanes: str | None) -> dict[str, Any]:
    """What a selected time range holds, per event name (``timeline_selection`` route);
    ``lanes``: comma-separated lane ids, or all."""
    try:
        chosen = [int(v) for v in lanes.split(",")] if lanes else None
    except ValueError:
        raise InvalidArgumentError(f"lanes must be comma-separated lane ids, got {lanes!r}") from None
    entry, analysis = store.analysis(run, trace)
    return {**_header(entry), **selection_summary(analysis.trace, start, end, chosen)}


def distributed(store: TraceStore, run: str, span: int | None) -> dict[str, Any]:
    """Per worker of ``run``: computation, communication, overlap, other and wait time per step
    (``distributed`` route). ``span`` counts each worker's traces from 1 in span order (as
    torch-tb-profiler does); the default is the last span that the most workers have."""
    by_worker: dict[str, list[TraceEntry]] = {}
    for entry in store.list_traces(run):
        by_worker.setdefault(entry.worker, []).append(entry)
    if not by_worker:
        raise NotFoundError(f"run {run!r} has no profiler trace")
    spans = sorted({i for entries in by_worker.values() for i in range(1, len(entries) + 1)})
    if span is None:
        span = max(spans, key=lambda s: (sum(len(e) >= s for e in by_worker.values()), s))
    elif span not in spans:
        raise InvalidArgumentError(f"span must be one of {', '.join(map(str, spans))}, got {span}")
    workers = []
    for worker, entries in by_worker.items():
        if len(entries) >= span:
            entry, analysis = store.analysis(run, entries[span - 1].path)
            workers.append((worker, entry.path, analysis))
    return {"run": run, "span": span, "spans": spans, **distributed_view(workers)}
