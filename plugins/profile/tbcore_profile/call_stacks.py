"""Call stacks of operators, for the operator view's "where was it called from".

Older Kineto releases wrote an operator's stack in its ``Call stack`` argument (``file(line):
function`` frames joined by ``;``, innermost first); torch 2.x records Python frames as
``python_function`` events instead (``with_stack=True``). For those, an operator's stack is
the chain of Python frames (and ``nn.Module`` frames) on its thread that enclose it,
innermost first. Derived once per trace, on first use, and kept with it.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.model import EventKind, Trace

_FRAMES = (EventKind.PYTHON_FUNCTION, EventKind.MODULE)
_cache: weakref.WeakKeyDictionary[TraceAnalysis, dict[int, tuple[str, ...]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def has_call_stacks(trace: Trace) -> bool:
    """Whether the trace records call stacks (``Call stack`` arguments or Python frames)."""
    events = trace.events
    return bool(np.any(events.stack >= 0) or np.any(np.isin(events.kind, _FRAMES)))


def python_stacks(analysis: TraceAnalysis) -> dict[int, tuple[str, ...]]:
    """Operator event index -> the names of the Python frames that enclose it, innermost first
    (operators outside every frame are left out)."""
    with _lock:
        cached = _cache.get(analysis)
        if cached is None:
            cached = _cache[analysis] = _derive(analysis.trace, analysis.tree.operators.tolist())
    return cached


def _derive(trace: Trace, operators: list[int]) -> dict[int, tuple[str, ...]]:
    events = trace.events
    frames = np.flatnonzero(np.isin(events.kind, _FRAMES))
    if not len(frames) or not operators:
        return {}
    ends = (events.start + events.dur).tolist()
    starts = events.start.tolist()
    names = events.name.tolist()
    out: dict[int, tuple[str, ...]] = {}
    ops = np.asarray(operators)
    for lane in np.unique(events.lane[frames]).tolist():
        mine = frames[events.lane[frames] == lane]
        mine = mine[np.lexsort((-(events.start[mine] + events.dur[mine]), events.start[mine]))].tolist()
        parent: dict[int, int] = {}
        open_frames: list[int] = []
        for frame in mine:
            while open_frames and starts[frame] >= ends[open_frames[-1]]:
                open_frames.pop()
            parent[frame] = open_frames[-1] if open_frames else -1
            open_frames.append(frame)
        frame_starts = np.asarray([starts[f] for f in mine])
        chains: dict[int, tuple[str, ...]] = {}
        for op in ops[events.lane[ops] == lane].tolist():
            position = int(np.searchsorted(frame_starts, starts[op], side="right")) - 1
            frame = mine[position] if position >= 0 else -1
            while frame >= 0 and ends[frame] < ends[op]:
                frame = parent[frame]
            if frame < 0:
                continue
            chain = chains.get(frame)
            if chain is None:
                chain = chains[frame] = _chain(frame, parent, names, trace)
            out[op] = chain
    return out


def _chain(frame: int, parent: dict[int, int], names: list[int], trace: Trace) -> tuple[str, ...]:
    chain = []
    while frame >= 0:
        chain.append(trace.strings[names[frame]])
        frame = parent[frame]
    return tuple(chain)


def operator_stacks(analysis: TraceAnalysis, name: str, input_shape: str | None) -> list[dict[str, Any]]:
    """The distinct call stacks of the operator ``name`` (with ``input_shape``: only its calls
    with those input shapes, as the ``name_shapes`` rows show them): per stack, its frames
    (innermost first), calls, host and device self/total time (µs). Largest host total first."""
    trace, tree = analysis.trace, analysis.tree
    events, strings = trace.events, trace.strings
    name_index = strings.find(name)
    if name_index < 0:
        return []
    derived: dict[int, tuple[str, ...]] | None = None
    groups: dict[tuple[str, ...], list[float]] = {}
    for position in np.flatnonzero(events.name[tree.operators] == name_index).tolist():
        op = int(tree.operators[position])
        if input_shape is not None:
            shapes = int(events.shapes[op])
            if (strings[shapes] if shapes >= 0 else "[]") != input_shape:
                continue
        stack_index = int(events.stack[op])
        if stack_index >= 0:
            frames = tuple(f.strip() for f in strings[stack_index].split(";") if f.strip())
        else:
            if derived is None:
                derived = python_stacks(analysis)
            frames = derived.get(op, ())
        row = groups.setdefault(frames, [0, 0.0, 0.0, 0.0, 0.0])
        row[0] += 1
        row[1] += float(events.dur[op])
        row[2] += float(tree.self_host[position])
        row[3] += float(tree.device_total[position])
        row[4] += float(tree.self_device[position])
    out: list[dict[str, Any]] = [
        {"frames": list(frames), "calls": int(calls), "host_self_us": host_self, "host_total_us": host_total,
         "device_self_us": device_self, "device_total_us": device_total}
        for frames, (calls, host_total, host_self, device_total, device_self) in groups.items()
    ]
    out.sort(key=lambda r: (-float(r["host_total_us"]), str(r["frames"])))
    return out
