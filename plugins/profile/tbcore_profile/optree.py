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

Everything is computed with array operations over all nodes at once (the nesting per thread
in :mod:`tbcore_profile.nesting`); sums may differ from torch-tb-profiler's in the last bits,
as they are added in another order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.names import NameFlags
from tbcore_profile.nesting import nest

ROOT = -1
"""The owner of work hung on a thread's root rather than on a node."""
NONE = -2
"""The owner of work no node of the tree reaches (its node was dropped or merged away, or
no node has its External id)."""


@dataclass(frozen=True)
class HostTree:
    """The operators of every thread's tree and their times; who launched what."""

    operators: np.ndarray
    """int64 event indices of the nodes that are operators (what the operator view lists),
    in tree order (thread by thread, each tree depth first)."""
    self_host: np.ndarray
    """float64, per entry of :attr:`operators`: duration less children and runtime calls."""
    device_total: np.ndarray
    """float64, per operator: the device time of its runtime calls and its children's."""
    self_device: np.ndarray
    """float64, per operator: the device time of its own runtime calls."""
    runtime_node: np.ndarray
    """int64, per entry of ``links.runtimes``: the node the call hangs on, :data:`ROOT`
    or :data:`NONE`."""
    device_node: np.ndarray
    """int64, per entry of ``links.device``: the node whose runtime call launched it,
    :data:`ROOT` or :data:`NONE`."""
    nodes: np.ndarray
    """int64 event indices of every node, in tree order (the whole tree, for analyses of
    their own): :attr:`operators` are ``nodes[listed]``."""
    parent: np.ndarray
    """int64, per node: its parent's position in :attr:`nodes` once same-name chains are
    merged, ROOT for top-level nodes (meaningless where not :attr:`alive`)."""
    alive: np.ndarray
    """bool, per node: in the tree (not dropped, not merged into its parent)."""
    listed: np.ndarray
    """bool, per node: an operator (alive and of an operator kind)."""
    runtime_position: np.ndarray
    """int64, per entry of ``links.runtimes``: the position in :attr:`nodes` of the node it
    hangs on, ROOT or NONE."""


def build_host_tree(trace: Trace, links: Links, flags: NameFlags) -> HostTree:
    """Build every thread's tree and fill in its times."""
    events = trace.events
    kind, name = events.kind, events.name
    start, end = events.start, events.start + events.dur
    duration = end - start
    is_step = flags.step[name]
    candidate = np.isin(kind, [EventKind.CPU_OP, EventKind.PYTHON, EventKind.MODULE]) | (
        (kind == EventKind.USER_ANNOTATION) & (is_step | flags.collective[name])
    )
    operator_type = (kind == EventKind.CPU_OP) & ~is_step  # may merge with a same-name child
    is_operator = operator_type & ~flags.data_loading[name] & ~flags.optimizer[name] & ~flags.not_operator[name]

    nodes = np.flatnonzero(candidate)
    order, parent = _nest_lanes(nodes, events.lane[nodes], start[nodes], end[nodes])
    nodes = nodes[order]  # tree order; parent holds positions in it, ROOT, or NONE (dropped)
    absorbed = _absorbed(parent, name[nodes], operator_type[nodes])
    head = _heads(parent, absorbed)
    alive = (parent != NONE) & ~absorbed
    # the parent a surviving node has once chains are merged: the head of its parent's chain
    tree_parent = np.where(parent >= 0, head[np.maximum(parent, 0)], parent)
    absorbs = np.zeros(len(nodes), dtype=bool)
    absorbs[parent[absorbed]] = True

    owner = _runtime_owners(events.external_id, nodes, events.lane[nodes], links.runtimes)
    # a merged chain keeps only the runtime calls of its last node; dropped nodes keep none
    hung = owner >= 0
    hung[hung] = (parent[owner[hung]] != NONE) & ~absorbs[owner[hung]]
    runtime_node = np.full(len(links.runtimes), NONE, dtype=np.int64)
    runtime_node[hung] = head[owner[hung]]
    lanes_with_nodes = np.zeros(len(trace.lanes), dtype=bool)
    lanes_with_nodes[events.lane[nodes]] = True
    runtime_node[(owner == ROOT) & lanes_with_nodes[events.lane[links.runtimes]]] = ROOT

    launched = links.launcher >= 0
    device_time = np.bincount(_runtime_position(links), weights=duration[links.device[launched]],
                              minlength=len(links.runtimes))
    count = len(nodes)
    own_device = np.bincount(runtime_node[hung], weights=device_time[hung], minlength=count)
    runtime_time = np.bincount(runtime_node[hung], weights=duration[links.runtimes[hung]], minlength=count)

    child = alive & (tree_parent >= 0)
    kids_time = np.bincount(tree_parent[child], weights=duration[nodes[child]], minlength=count)
    self_host = duration[nodes] - kids_time - runtime_time
    device_total = subtree_sums(own_device, tree_parent, alive)
    module = kind[nodes] == EventKind.MODULE
    operator_kids = child & is_operator[nodes]
    operators_device = np.bincount(tree_parent[operator_kids], weights=device_total[operator_kids], minlength=count)
    self_device = own_device + np.where(module, operators_device, 0.0)

    listed = alive & is_operator[nodes]
    node_of_runtime = np.where(hung, nodes[np.maximum(runtime_node, 0)], runtime_node)
    return HostTree(
        operators=nodes[listed],
        self_host=self_host[listed],
        device_total=device_total[listed],
        self_device=self_device[listed],
        runtime_node=node_of_runtime,
        device_node=_device_owners(trace, links, node_of_runtime, bool(np.any(is_step[nodes]))),
        nodes=nodes,
        parent=tree_parent,
        alive=alive,
        listed=listed,
        runtime_position=runtime_node,
    )


def _nest_lanes(nodes: np.ndarray, lanes: np.ndarray, begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes in tree order (lanes in order of their first node, then by start, longest
    first) and each one's parent as a position in that order (ROOT, or NONE when dropped)."""
    first_seen = np.unique(lanes, return_index=True)
    rank = np.empty(int(lanes.max(initial=-1)) + 1, dtype=np.int64)
    rank[first_seen[0]] = np.argsort(np.argsort(first_seen[1]))
    order = np.lexsort((-end, begin, rank[lanes])) if len(nodes) else np.zeros(0, dtype=np.int64)
    parent = np.empty(len(nodes), dtype=np.int64)
    sorted_lanes = lanes[order]
    bounds = np.flatnonzero(np.diff(sorted_lanes)) + 1
    for lo, hi in zip(np.concatenate([[0], bounds]).tolist(), np.concatenate([bounds, [len(nodes)]]).tolist()):
        mine = order[lo:hi]
        local = nest(begin[mine], end[mine])
        parent[lo:hi] = np.where(local >= 0, local + lo, local)
    return order, parent


def _absorbed(parent: np.ndarray, names: np.ndarray, operator_type: np.ndarray) -> np.ndarray:
    """Nodes merged into their parent: the parent's only child, an operator of its name."""
    children = np.bincount(parent[parent >= 0], minlength=len(parent))
    has_parent = parent >= 0
    up = np.maximum(parent, 0)
    return has_parent & (children[up] == 1) & (names == names[up]) & operator_type & operator_type[up]


def _heads(parent: np.ndarray, absorbed: np.ndarray) -> np.ndarray:
    """Each node's chain head: itself, or the node its chain of absorptions merged into."""
    head = np.where(absorbed, parent, np.arange(len(parent)))
    while True:
        further = head[head]
        if np.array_equal(further, head):
            return head
        head = further


def _runtime_owners(external_id: np.ndarray, nodes: np.ndarray, lanes: np.ndarray, runtimes: np.ndarray) -> np.ndarray:
    """Per runtime call: the position (in ``nodes``, which are grouped by lane) of the first
    node with its External id, thread by thread (in their order in ``nodes``) and in time order
    within a thread, as torch-tb-profiler looks them up; ROOT for calls with id 0 or none,
    NONE when no node has its id."""
    node_ids = external_id[nodes]
    with_id = np.flatnonzero(node_ids > 0)
    thread = np.cumsum(np.concatenate([[0], lanes[1:] != lanes[:-1]]))
    by_time = with_id[np.lexsort((nodes[with_id], thread[with_id]))]  # event index = time order
    ids, first = np.unique(node_ids[by_time], return_index=True)
    owners = by_time[first]
    wanted = external_id[runtimes]
    out = np.where(wanted <= 0, ROOT, NONE).astype(np.int64)
    if len(ids):
        slot = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        found = (ids[slot] == wanted) & (wanted > 0)
        out[found] = owners[slot[found]]
    return out


def _runtime_position(links: Links) -> np.ndarray:
    """For each linked device event, the position of its runtime call in ``links.runtimes``."""
    return np.searchsorted(links.runtimes, links.launcher[links.launcher >= 0])


def depths(parent: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Each alive node's depth in the merged tree (0 at the top; 0 where not alive)."""
    linked = alive & (parent >= 0)
    depth, ancestor = linked.astype(np.int64), np.where(linked, parent, -1)
    while np.any(ancestor >= 0):  # pointer jumping: log(depth) rounds
        step = np.flatnonzero(ancestor >= 0)
        depth[step], ancestor[step] = depth[step] + depth[ancestor[step]], ancestor[ancestor[step]]
    return depth


def subtree_sums(own: np.ndarray, parent: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Each node's value plus its descendants' (nodes that are not ``alive`` count for
    nothing), added level by level from the deepest."""
    total = np.where(alive, own, 0.0)
    linked = alive & (parent >= 0)
    depth = depths(parent, alive)
    for level in range(int(depth.max(initial=0)), 0, -1):
        here = np.flatnonzero(linked & (depth == level))
        total += np.bincount(parent[here], weights=total[here], minlength=len(parent))
    return total


def _device_owners(trace: Trace, links: Links, node_of_runtime: np.ndarray, has_steps: bool) -> np.ndarray:
    """Per device event: the node (event index) whose runtime call launched it, ROOT or
    NONE; kernels without a runtime call belong to the steps' thread root (if any step)."""
    out = np.full(len(links.device), NONE, dtype=np.int64)
    linked = links.launcher >= 0
    out[linked] = node_of_runtime[_runtime_position(links)]
    if has_steps:
        out[~linked & (trace.events.kind[links.device] == EventKind.KERNEL)] = ROOT
    return out
