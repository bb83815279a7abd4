"""Which kernels run on tensor cores, and which operators could. Kineto records no such flag,
so kernels are recognized by name, with the rule torch-tb-profiler 0.4.3 applies (its
``TC_Allowlist``, after NVIDIA PyProf's): a kernel uses tensor cores when its name contains one
of :data:`PATTERNS`. An operator is *eligible* for tensor cores when its name is one of
:data:`ELIGIBLE_OPERATORS` (the operators autocast runs in FP16; torch-tb-profiler's
``TC_OP_Allowlist``), when one of its children is, or when it launched a tensor-core kernel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tbcore_profile.links import Links
from tbcore_profile.model import EventKind, Trace
from tbcore_profile.names import NameFlags
from tbcore_profile.optree import HostTree, depths

PATTERNS = (
    "h884", "s884", "h1688", "s1688", "hmma", "i8816", "16816", "dgrad_1x1_stride_2x2",
    "first_layer_wgrad_kernel", "conv1x1", "conv2d_c1_k1", "direct_group", "xmma_implicit_gemm",
    "xmma_sparse_conv", "xmma_warp_specialized_implicit_gemm", "xmma_gemm", "xmma_sparse_gemm", "c1688",
)
"""Substrings of the names of kernels that use tensor cores (case-sensitive)."""
ELIGIBLE_OPERATORS = frozenset({
    "aten::_convolution", "aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::conv_tbc",
    "aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d", "aten::convolution",
    "aten::cudnn_convolution", "aten::cudnn_convolution_transpose", "aten::prelu", "aten::addmm", "aten::addmv",
    "aten::addr", "aten::matmul", "aten::mm", "aten::mv", "aten::linear", "aten::addbmm", "aten::baddbmm",
    "aten::bmm", "aten::chain_matmul", "aten::linalg_multi_dot", "aten::_thnn_fused_lstm_cell",
    "aten::_thnn_fused_gru_cell", "aten::lstm_cell", "aten::gru_cell", "aten::rnn_tanh_cell", "aten::rnn_relu_cell",
    "CudnnConvolutionBackward", "BmmBackward0", "aten::cudnn_convolution_transpose_backward",
    "CudnnConvolutionTransposeBackward", "MmBackward", "aten::cudnn_convolution_backward_weight", "aten::addmm_",
    "AddmvBackward", "MvBackward", "aten::cudnn_convolution_transpose_backward_weight",
    "aten::cudnn_convolution_transpose_backward_input", "AddmmBackward", "aten::cudnn_convolution_backward_input",
    "AddbmmBackward", "aten::cudnn_convolution_backward",
})
"""Operators that can run on tensor cores (exact names): PyTorch's autocast FP16 list and
their backward operators, as torch-tb-profiler 0.4.3 lists them."""


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


@dataclass(frozen=True)
class OperatorTensorCores:
    """Per entry of a :class:`~tbcore_profile.optree.HostTree`'s ``operators``: whether it is
    eligible for tensor cores, the time of the tensor-core kernels its own runtime calls
    launched (``self_us``) and those of its children too (``total_us``), and its place in
    torch-tb-profiler's operator order (children before parents: ``order``); for the trace,
    the share of the operators' kernel time in the innermost eligible operators."""

    eligible: np.ndarray
    self_us: np.ndarray
    total_us: np.ndarray
    order: np.ndarray
    eligible_kernel_share: float


def operator_tensor_cores(trace: Trace, links: Links, tree: HostTree, flags: NameFlags) -> OperatorTensorCores:
    """:class:`OperatorTensorCores` of the tree, with torch-tb-profiler's rules: a node of an
    operator kind is eligible by its name, by an eligible child or by a tensor-core kernel of
    its own; other nodes by their name only; the *innermost* eligible nodes are those with no
    eligible node below them."""
    events, strings = trace.events, trace.strings.values
    nodes, parent, alive = tree.nodes, tree.parent, tree.alive
    count = len(nodes)
    duration = (events.start + events.dur) - events.start
    uses = np.fromiter((uses_tensor_cores(v) for v in strings), bool, len(strings))
    launched = links.launcher >= 0
    runtime_of = np.searchsorted(links.runtimes, links.launcher[launched])
    work = links.device[launched]
    tc_time = np.bincount(runtime_of, weights=np.where(uses[events.name[work]], duration[work], 0.0),
                          minlength=len(links.runtimes))
    kernel_time = np.bincount(runtime_of, weights=np.where(events.kind[work] == EventKind.KERNEL, duration[work], 0.0),
                              minlength=len(links.runtimes))
    hung = tree.runtime_position >= 0
    own_tc = np.bincount(tree.runtime_position[hung], weights=tc_time[hung], minlength=count)
    own_kernel = np.bincount(tree.runtime_position[hung], weights=kernel_time[hung], minlength=count)
    operator_kind = (events.kind[nodes] == EventKind.CPU_OP) & ~flags.step[events.name[nodes]]
    by_name = np.fromiter((v in ELIGIBLE_OPERATORS for v in strings), bool, len(strings))
    eligible = by_name[events.name[nodes]] | (operator_kind & (own_tc > 0))
    below = np.zeros(count, dtype=bool)  # an eligible node somewhere under it
    total = np.where(alive, own_tc, 0.0)
    linked = alive & (parent >= 0)
    depth = depths(parent, alive)
    for level in range(int(depth.max(initial=0)), 0, -1):
        here = np.flatnonzero(linked & (depth == level))
        up = parent[here]
        total += np.bincount(up, weights=total[here], minlength=count)
        eligible |= operator_kind & (np.bincount(up, weights=eligible[here], minlength=count) > 0)
        below |= np.bincount(up, weights=eligible[here] | below[here], minlength=count) > 0
    listed = tree.listed
    innermost = alive & eligible & ~below
    kernels = float(own_kernel[listed].sum())
    return OperatorTensorCores(
        eligible=eligible[listed],
        self_us=own_tc[listed],
        total_us=total[listed],
        order=_children_first(trace, tree)[listed],
        eligible_kernel_share=float(own_kernel[innermost].sum()) / kernels if kernels > 0 else 0.0,
    )


def _children_first(trace: Trace, tree: HostTree) -> np.ndarray:
    """Each node's rank when every thread's tree is listed children before parents (threads
    in tree order): by end, then later start, then deeper first."""
    events, nodes = trace.events, tree.nodes
    lanes = events.lane[nodes]
    thread = np.cumsum(np.concatenate([[0], lanes[1:] != lanes[:-1]])) if len(nodes) else np.zeros(0, np.int64)
    end = events.start[nodes] + events.dur[nodes]
    order = np.lexsort((-np.arange(len(nodes)), -events.start[nodes], end, thread))
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[order] = np.arange(len(nodes))
    return rank
