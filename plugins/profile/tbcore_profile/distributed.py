"""The distributed view: for each worker of a ``torch.distributed`` job, how each step's time
splits into computation, communication, their overlap and other time, and how much of the
communication was waiting for the other workers, as torch-tb-profiler 0.4.3 defines them
(``OverallParser.aggregate``, ``communication.py``, ``RunLoader._process_distributed_profiles``).

* *Computation* is where kernels run (without the collectives' kernels), or, for a trace with
  no kernels, where host operators run; *communication* where a collective's host range
  (``nccl:*`` / ``gloo:*``) or one of its kernels runs. Per step: ``overlap`` = both,
  ``computation`` and ``communication`` = each without the overlap, ``other`` = the rest.
* A collective's *ranges* are its host range and its kernels (same ``External id``). The n-th
  collective of every worker is the same operation; for each of its ranges, the shortest
  duration among the workers is the data transfer time, and the rest of each worker's range
  (its start side) is time spent waiting for the slower workers. Needs every worker to have
  the same number of collectives and ranges.
* A collective's *size* is the bytes of its inputs, from the host range's ``Input Dims`` and
  ``Input type`` (``record_shapes=True``): per input, its elements times the size of one.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tbcore_profile import ranges
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.breakdown import category_ranges
from tbcore_profile.model import EventKind

_HOST = (EventKind.CPU_OP, EventKind.USER_ANNOTATION, EventKind.PYTHON)

ELEMENT_BYTES = {
    "float": 4, "int": 4, "long int": 8, "c10::Half": 2, "c10::BFloat16": 2, "unsigned char": 1,
    "double": 8, "short int": 2, "signed char": 1, "bool": 1, "c10::complex<c10::Half>": 4,
    "c10::complex<float>": 8, "c10::complex<double>": 16, "c10::Float8_e4m3fn": 1,
    "c10::Float8_e5m2": 1, "c10::Float8_e4m3fnuz": 1, "c10::Float8_e5m2fnuz": 1,
}
"""Bytes per element of the element types torch's profiler names in ``Input type``. The first
six are torch-tb-profiler 0.4.3's; it counts inputs of the others as 0 bytes."""

_MAX_ARG_TEXT = 100_000
"""Longer ``Input Dims`` / ``Input type`` texts are not parsed (a hostile trace's giant list)."""


@dataclass
class Collective:
    """One collective call: its name, start, end and ranges (host range, kernels), in µs."""

    name: str
    start: float
    end: float
    spans: list[tuple[float, float]]
    step: int = -1
    """The index of the step that holds it whole, -1 for none."""
    transfer: list[tuple[float, float]] = field(default_factory=list)
    bytes: int = 0
    """The bytes of its inputs (0 when the trace records no shapes)."""


def overlap_per_step(analysis: TraceAnalysis) -> list[dict[str, Any]]:
    """Per step: ``total_us``, ``computation_us``, ``overlap_us``, ``communication_us``,
    ``other_us`` (computation and communication without their overlap)."""
    trace, result = analysis.trace, analysis.breakdown
    busy = category_ranges(trace, analysis.flags, analysis.links)
    computation = busy["kernel"] if len(busy["kernel"][0]) else busy["cpu_exec"]
    communication = busy["communication"]
    both = ranges.intersect(computation, communication)
    lo, hi = result.steps.start, result.steps.end
    comp = ranges.covered_in(computation, lo, hi)
    comm = ranges.covered_in(communication, lo, hi)
    over = ranges.covered_in(both, lo, hi)
    rows = []
    for i, name in enumerate(result.steps.names):
        total = float(hi[i] - lo[i])
        rows.append({
            "step": name,
            "total_us": total,
            "computation_us": float(comp[i] - over[i]),
            "overlap_us": float(over[i]),
            "communication_us": float(comm[i] - over[i]),
            "other_us": float(total + over[i] - comp[i] - comm[i]),
        })
    return rows


def collectives(analysis: TraceAnalysis) -> list[Collective]:
    """The trace's collective calls in time order, each with the step that holds it."""
    trace = analysis.trace
    events = trace.events
    host = np.isin(events.kind, _HOST) & analysis.flags.collective[events.name]
    calls: dict[int, Collective] = {}
    for index in np.flatnonzero(host).tolist():
        start = float(events.start[index])
        end = start + float(events.dur[index])
        external = int(events.external_id[index])
        key = external if external >= 0 else -1 - index
        size = message_bytes(_text(trace, events.shapes[index]), _text(trace, events.types[index]))
        calls[key] = Collective(trace.strings[int(events.name[index])], start, end, [(start, end)], bytes=size)
    kernels = np.flatnonzero((events.kind == EventKind.KERNEL) & (events.external_id >= 0))
    for index in kernels.tolist():
        call = calls.get(int(events.external_id[index]))
        if call is not None:
            start = float(events.start[index])
            call.spans.append((start, start + float(events.dur[index])))
    ordered = sorted(calls.values(), key=lambda c: (c.start, -c.end))
    steps = analysis.breakdown.steps
    step = 0
    for call in ordered:
        call.spans.sort(key=lambda s: (s[0], -s[1]))
        while step < len(steps.names) and call.start >= steps.end[step]:
            step += 1
        if step >= len(steps.names):
            break
        if call.start >= steps.start[step] and call.end <= steps.end[step]:
            call.step = step
    return ordered


def message_bytes(shapes: str, types: str) -> int:
    """The bytes of a call's inputs from the texts of its ``Input Dims`` (``[[256, 64], []]``)
    and ``Input type`` (``['float', '']``): per input, the product of its dimensions times
    :data:`ELEMENT_BYTES` of its type (0 for an unknown or empty type); 0 when either text is
    missing or unreadable."""
    if not shapes or not types or len(shapes) > _MAX_ARG_TEXT or len(types) > _MAX_ARG_TEXT:
        return 0
    try:
        dims, names = ast.literal_eval(shapes), ast.literal_eval(types)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return 0
    if not isinstance(dims, list) or not isinstance(names, list):
        return 0
    total = 0
    for shape, name in zip(dims, names):
        if isinstance(name, str) and isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape):
            total += math.prod(shape) * ELEMENT_BYTES.get(name, 0)
    return total


def _text(trace: Any, index: Any) -> str:
    return trace.strings[int(index)] if index >= 0 else ""


def match_transfers(workers: list[list[Collective]]) -> str | None:
    """Fill in each collective's ``transfer`` ranges from the shortest duration among the
    workers; the reason when the workers' collectives do not match (then nothing is filled)."""
    if len(workers) < 2:
        return "the wait time needs at least two workers"
    counts = {len(calls) for calls in workers}
    if len(counts) != 1:
        return "the workers made different numbers of collective calls"
    for calls in zip(*workers):
        if len({len(c.spans) for c in calls}) != 1:
            return "the workers' collective calls ran different numbers of kernels"
    for calls in zip(*workers):
        for j in range(len(calls[0].spans)):
            shortest = min(c.spans[j][1] - c.spans[j][0] for c in calls)
            for call in calls:
                call.transfer.append((call.spans[j][1] - shortest, call.spans[j][1]))
    return None


def wait_per_step(calls: list[Collective], step_names: list[str], matched: bool) -> list[dict[str, Any]]:
    """Per step: ``collective_us`` (time in collective ranges), and when the workers matched
    ``transfer_us`` and ``wait_us`` (else None)."""
    rows = []
    for i, name in enumerate(step_names):
        mine = [c for c in calls if c.step == i]
        spans = [s for c in mine for s in c.spans]
        total = _sum(spans)
        transfer = _sum([s for c in mine for s in c.transfer]) if matched else None
        rows.append({"step": name, "collective_us": total, "transfer_us": transfer,
                     "wait_us": None if transfer is None else total - transfer})
    return rows


def collective_table(calls: list[Collective], matched: bool) -> list[dict[str, Any]]:
    """Per collective name: calls, the bytes of their inputs, the time in their ranges and
    (matched) their transfer time."""
    groups: dict[str, list[Collective]] = {}
    for call in calls:
        groups.setdefault(call.name, []).append(call)
    rows: list[dict[str, Any]] = []
    for name, members in groups.items():
        total = _sum([s for c in members for s in c.spans])
        transfer = _sum([s for c in members for s in c.transfer]) if matched else None
        size = sum(c.bytes for c in members)
        rows.append({"name": name, "calls": len(members), "bytes": size, "mean_bytes": size / len(members),
                     "total_us": total, "mean_us": total / len(members), "transfer_us": transfer,
                     "mean_transfer_us": None if transfer is None else transfer / len(members),
                     "wait_us": None if transfer is None else total - transfer})
    rows.sort(key=lambda r: (-float(r["total_us"]), str(r["name"])))
    return rows


def _sum(spans: list[tuple[float, float]]) -> float:
    if not spans:
        return 0.0
    merged = ranges.merge(np.array([s[0] for s in spans]), np.array([s[1] for s in spans]))
    return ranges.total(merged)


def distributed_view(workers: list[tuple[str, str, TraceAnalysis]]) -> dict[str, Any]:
    """One entry per ``(worker, trace, analysis)``: its steps' overlap and wait numbers, their
    mean over the steps, and its collectives; ``wait_note`` says why there is no wait time."""
    calls = [collectives(analysis) for _, _, analysis in workers]
    note = match_transfers(calls)
    matched = note is None
    out = []
    for (worker, trace, analysis), mine in zip(workers, calls):
        steps = overlap_per_step(analysis)
        waits = wait_per_step(mine, analysis.breakdown.steps.names, matched)
        for row, wait in zip(steps, waits):
            row.update({k: v for k, v in wait.items() if k != "step"})
        out.append({
            "worker": worker,
            "trace": trace,
            "steps": steps,
            "average": _average(steps),
            "collectives": collective_table(mine, matched),
            "has_communication": bool(mine),
        })
    return {"workers": out, "wait_matched": matched, "wait_note": note}


def _average(steps: list[dict[str, Any]]) -> dict[str, float | None]:
    keys = ("total_us", "computation_us", "overlap_us", "communication_us", "other_us",
            "collective_us", "transfer_us", "wait_us")
    out: dict[str, float | None] = {}
    for key in keys:
        values = [s[key] for s in steps if s[key] is not None]
        out[key] = float(np.mean(values)) if values and len(values) == len(steps) else None
    return out
