"""The host call tree of each thread: operators nested by time, runtime calls and the device
work they launched hung on the operator that made them; self and total times from it.

The rules are torch-tb-profiler's (0.4.3), so that the numbers agree with it:

* Tree nodes are operators (Kineto ``cpu_op``), legacy ``python`` ranges, ``nn.Module``
  frames, profiler steps and collective annotations; other ``record_function`` annotations
  and Python frames are not nodes. A node nests in the innermost earlier node that contains
  it; one that overlaps that node's end without fitting in it is dropped.
* A node whose only child is an operator of the same name absorbs it (as the autograd
  profiler merges them): it takes the child's children and runtime calls.
* A runtime call hangs on the node with its ``External id``; calls with id 0 or none on the
  thread's root; kernels with no runtime call on the root of the thread of the profiler steps.
* Self host time = duration - children's durations - runtime calls' durations; device time =
  the durations of the device work its runtime calls launched (self) plus its children's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.names import NameFlags

ROOT = -1
"""The node id of a thread's root (the events are numbered from 0)."""


@dataclass
class HostTree:
    """The call trees of every thread, and their times, per event index."""

    roots: dict[int, list[int]] = field(default_factory=dict)
    """Lane -> the top-level nodes of its tree."""
    children: dict[int, list[int]] = field(default_factory=dict)
    runtimes: dict[int, list[int]] = field(default_factory=dict)
    """Node -> runtime calls hung on it (``(ROOT, lane)`` keys are in ``root_runtimes``)."""
    root_runtimes: dict[int, list[int]] = field(default_factory=dict)
    operators: list[int] = field(default_factory=list)
    """The nodes that are operators (what the operator view lists), in tree order."""
    self_host: dict[int, float] = field(default_factory=dict)
    device_total: dict[int, float] = field(default_factory=dict)
    self_device: dict[int, float] = field(default_factory=dict)
    kernel_operator: dict[int, int] = field(default_factory=dict)
    """Kernel event -> the node whose runtime call launched it (ROOT for the thread root)."""


def build_host_tree(trace: Trace, links: Links, flags: NameFlags) -> HostTree:
    """Build every thread's tree and fill in its times."""
    events = trace.events
    kind, name = events.kind, events.name
    start, end = events.start, events.start + events.dur
    is_step = flags.step[name]
    candidate = np.isin(kind, [EventKind.CPU_OP, EventKind.PYTHON, EventKind.MODULE]) | (
        (kind == EventKind.USER_ANNOTATION) & (is_step | flags.collective[name])
    )
    nodes = np.flatnonzero(candidate)
    operator_type = (kind == EventKind.CPU_OP) & ~is_step  # may merge with a same-name child
    is_operator = operator_type & ~flags.data_loading[name] & ~flags.optimizer[name] & ~flags.not_operator[name]

    tree = HostTree()
    launched = links.launched_by()
    owner = _runtime_owners(trace, links, nodes, tree)
    for runtime, node in owner.items():
        tree.runtimes.setdefault(node, []).append(runtime)
    _attach_stale_kernels(trace, links, nodes, is_step, tree)

    lanes = events.lane[nodes]
    starts, ends = start.tolist(), end.tolist()
    for lane in dict.fromkeys(lanes.tolist()):
        members = nodes[lanes == lane]
        order = np.lexsort((-end[members], start[members]))
        tree.roots[lane] = _nest(members[order].tolist(), starts, ends, tree.children)
    merge_into = operator_type.tolist()
    names = name.tolist()
    for top in tree.roots.values():
        _merge_single_children(top, names, merge_into, tree)
    duration = (end - start).tolist()
    device_time = _device_time(links.runtimes.tolist(), launched, duration)
    module = (kind == EventKind.MODULE).tolist()
    operator_list = is_operator.tolist()
    for lane, top in tree.roots.items():
        walk = _pre_order(top, tree.children)
        _fill(reversed(walk), tree, duration, device_time, module, operator_list)  # children first
        for runtime in tree.root_runtimes.get(lane, []):
            for device in launched.get(runtime, ()):
                tree.kernel_operator[device] = ROOT
        _collect(walk, tree, launched, operator_list)  # nodes dropped or merged away launch nothing
    return tree


def _device_time(runtimes: list[int], launched: dict[int, list[int]], duration: list[float]) -> dict[int, float]:
    """Runtime call -> the summed durations of the device work it launched (in time order,
    from 0, as ``sum`` adds)."""
    out: dict[int, float] = {}
    get = launched.get
    for runtime in runtimes:
        total: float = 0
        for device in get(runtime, ()):
            total += duration[device]
        out[runtime] = total
    return out


def _collect(order: list[int], tree: HostTree, launched: dict[int, list[int]], operator_list: list[bool]) -> None:
    """The operators in tree order, and the node each device event's launch hangs on."""
    operators, kernel_operator, runtimes_of = tree.operators, tree.kernel_operator, tree.runtimes.get
    get = launched.get
    for node in order:
        if operator_list[node]:
            operators.append(node)
        for runtime in runtimes_of(node, ()):
            for device in get(runtime, ()):
                kernel_operator[device] = node


def _runtime_owners(trace: Trace, links: Links, nodes: np.ndarray, tree: HostTree) -> dict[int, int]:
    """Runtime call -> the node with its External id (the first such node in time order);
    calls with id 0 or none go to their thread's root."""
    events = trace.events
    first_with_id: dict[int, int] = {}
    for node, external in zip(nodes.tolist(), events.external_id[nodes].tolist()):
        if external > 0:
            first_with_id.setdefault(external, node)
    owner: dict[int, int] = {}
    for runtime in links.runtimes.tolist():
        external = int(events.external_id[runtime])
        if external <= 0:
            tree.root_runtimes.setdefault(int(events.lane[runtime]), []).append(runtime)
        elif external in first_with_id:
            owner[runtime] = first_with_id[external]
    return owner


def _attach_stale_kernels(trace: Trace, links: Links, nodes: np.ndarray, is_step: np.ndarray,
                          tree: HostTree) -> None:
    """Kernels no runtime call launched belong to the root of the profiler steps' thread
    (and to no operator when the trace has no steps)."""
    stale = links.device[(links.launcher < 0) & (trace.events.kind[links.device] == EventKind.KERNEL)]
    if len(stale) and np.any(is_step[trace.events.name[nodes]]):
        for kernel in stale.tolist():
            tree.kernel_operator[kernel] = ROOT


def _nest(ordered: list[int], starts: list[float], ends: list[float], children: dict[int, list[int]]) -> list[int]:
    """Nest nodes sorted by (start, -end); the top-level ones."""
    top: list[int] = []
    stack: list[tuple[int, float]] = []
    for node in ordered:
        node_start, node_end = starts[node], ends[node]
        while stack and node_start >= stack[-1][1]:
            stack.pop()
        if stack:
            if node_end > stack[-1][1]:
                continue  # overlaps its parent's end: not a well-formed node, dropped
            children.setdefault(stack[-1][0], []).append(node)
        else:
            top.append(node)
        stack.append((node, node_end))
    return top


def _merge_single_children(top: list[int], names: list[int], operator_type: list[bool], tree: HostTree) -> None:
    """A node whose only child is an operator of its own name takes over that child's
    children and runtime calls (repeatedly)."""
    pending = list(top)
    while pending:
        node = pending.pop()
        kids = tree.children.get(node, [])
        while (len(kids) == 1 and names[kids[0]] == names[node]
               and operator_type[node] and operator_type[kids[0]]):
            child = kids[0]
            kids = tree.children.pop(child, [])
            tree.children[node] = kids
            tree.runtimes[node] = tree.runtimes.pop(child, [])
        pending.extend(kids)


def _pre_order(top: list[int], children: dict[int, list[int]]) -> list[int]:
    out: list[int] = []
    stack = list(reversed(top))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(children.get(node, [])))
    return out


def _fill(nodes: Any, tree: HostTree, duration: list[float], device_time: dict[int, float],
          module: list[bool], is_operator: list[bool]) -> None:
    """Self host time, total and self device time of ``nodes`` (each after its children).

    Sums run in the order of the children and runtime calls, one addition or subtraction at a
    time from 0, as torch-tb-profiler's (and Python's ``sum``) do, so the floats agree."""
    children_of, runtimes_of, device_of = tree.children.get, tree.runtimes.get, device_time.get
    self_host, device_total, self_device = tree.self_host, tree.device_total, tree.self_device
    for node in nodes:
        kids = children_of(node, ())
        runtimes = runtimes_of(node, ())
        own_device: float = 0
        host = duration[node]
        for runtime in runtimes:
            own_device += device_of(runtime, 0.0)
        for kid in kids:
            host -= duration[kid]
        for runtime in runtimes:
            host -= duration[runtime]
        self_host[node] = host
        children_device: float = 0
        for kid in kids:
            children_device += device_total[kid]
        device_total[node] = children_device + own_device
        if module[node]:  # a module's own device time includes that of the operators it calls directly
            operators_device: float = 0
            for kid in kids:
                if is_operator[kid]:
                    operators_device += device_total[kid]
            own_device += operators_device
        self_device[node] = own_device
