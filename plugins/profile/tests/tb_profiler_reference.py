"""Our numbers against torch-tb-profiler 0.4.3's on one Kineto document: its
``torch_tb_profiler.profiler`` loader runs in this process (it imports pandas, no torch).
Test modules load it by its path (they are imported by file, not as a package)."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.breakdown import CATEGORIES
from tbcore_profile.device_metrics import device_metrics
from tbcore_profile.operators import kernel_table, operator_table
from tbcore_profile.tensor_cores import tensor_core_shares, uses_tensor_cores

ROLES = [*CATEGORIES, "other"]
"""Our categories, in the order of torch-tb-profiler's ``ProfileRole`` (Kernel, Memcpy,
Memset, Communication, Runtime, DataLoader, CpuOp, Other; then Total)."""


def legacy_names(document: dict[str, Any]) -> dict[str, Any]:
    """The trace as older Kineto releases named its categories: annotations as ``cpu_op``
    (what torch-tb-profiler 0.4.3 reads them as), runtime calls as ``Runtime``."""
    document = copy.deepcopy(document)
    for event in document["traceEvents"]:
        if event.get("cat") == "user_annotation" and not event["name"].startswith(("nccl:", "gloo:")):
            event["cat"] = "cpu_op"
        elif event.get("cat") == "cuda_runtime":
            event["cat"] = "Runtime"
    return document


def ours(document: dict[str, Any]) -> TraceAnalysis:
    """Our analysis of a document, read by the Kineto importer."""
    return TraceAnalysis(parse_chrome_trace(json.dumps(document).encode(), "w.pt.trace.json"))


def theirs(document: dict[str, Any]) -> Any:
    """torch-tb-profiler's ``RunProfileData`` of a document (processed and analyzed)."""
    from torch_tb_profiler.profiler.data import RunProfileData

    return RunProfileData.from_json("w", None, copy.deepcopy(document))


def same(a: float | None, b: float | None) -> bool:
    """Equal to float rounding (or both absent)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def breakdown_rows(analysis: TraceAnalysis) -> tuple[list[str], list[list[float]]]:
    """Step names, and each step's µs per category then its total."""
    result = analysis.breakdown
    return result.steps.names, [[*map(float, result.costs[i]), float(result.totals[i])]
                                for i in range(len(result.steps.names))]


def reference_rows(data: Any) -> tuple[list[str], list[list[float]]]:
    """:func:`breakdown_rows` of torch-tb-profiler (its ``steps_costs``)."""
    return list(data.steps_names), [list(map(float, costs.costs)) for costs in data.steps_costs]


def operator_rows(analysis: TraceAnalysis, group_by: str) -> dict[tuple[str, str | None], list[float]]:
    """Operator rows keyed by name (and shapes): calls, host total/self, device total/self,
    tensor-core eligibility and self/total tensor-core shares."""
    table = operator_table(analysis.trace, analysis.tree, group_by, analysis.tensor_cores)["rows"]
    return {(r["name"], r.get("input_shape")): [r["calls"], r["host_total_us"], r["host_self_us"],
                                                 r["device_total_us"], r["device_self_us"], r["tensor_core_eligible"],
                                                 r["tensor_core_self_share"], r["tensor_core_total_share"]]
            for r in table}


def reference_operator_rows(data: Any, group_by: str) -> dict[tuple[str, str | None], list[float]]:
    """:func:`operator_rows` of torch-tb-profiler."""
    aggregates = data.op_list_groupby_name if group_by == "name" else data.op_list_groupby_name_input
    return {(a.name, a.input_shape if group_by == "name_shapes" else None): [
        a.calls, a.host_duration, a.self_host_duration, a.device_duration, a.self_device_duration,
        bool(a.tc_eligible), a.tc_self_ratio, a.tc_total_ratio]
        for a in aggregates}


def assert_tables_equal(mine: dict[Any, list[Any]], expected: dict[Any, list[Any]]) -> None:
    """Same keys, and every value equal to float rounding."""
    assert set(mine) == set(expected), (set(mine) ^ set(expected))
    for key, values in expected.items():
        assert all(same(a, b) for a, b in zip(mine[key], values)), (key, mine[key], values)


def assert_same_kernels(mine: TraceAnalysis, expected: Any) -> None:
    """Kernel tables by name and by name and operator (with blocks per SM, occupancy and the
    tensor-core flag), and the tensor-core shares."""
    by_op = {(r["name"], r["operator"], r["grid"], r["block"], r["registers_per_thread"], r["shared_memory"]):
             [r["calls"], r["total_us"], r["min_us"], r["max_us"], r["blocks_per_sm"], r["occupancy"],
              uses_tensor_cores(r["name"]), r["operator_tensor_core_eligible"]]
             for r in kernel_table(mine.trace, mine.tree, mine.links, "name_op")["rows"]}
    ref_by_op = {(k.name, "N/A" if k.op_name == "CallTreeRoot" else k.op_name, str(k.grid), str(k.block),
                  int(k.regs_per_thread or 0), int(k.shared_memory or 0)):
                 [k.calls, k.total_duration, k.min_duration, k.max_duration, k.avg_blocks_per_sm, k.avg_occupancy,
                  bool(k.tc_used), bool(k.op_tc_eligible)]
                 for k in expected.kernel_list_groupby_name_op}
    assert_tables_equal(by_op, ref_by_op)
    by_name = {r["name"]: [r["calls"], r["total_us"], r["mean_us"], r["max_us"], r["min_us"], r["blocks_per_sm"],
                           r["occupancy"], uses_tensor_cores(r["name"])]
               for r in kernel_table(mine.trace, mine.tree, mine.links, "name")["rows"]}
    ref_by_name = {name: [float(row["count"]), float(row["sum"]), float(row["mean"]), float(row["max"]),
                          float(row["min"]), float(row["blocks_per_sm"]), float(row["occupancy"]), bool(row["tc_used"])]
                   for name, row in expected.kernel_stat.iterrows()}
    assert_tables_equal(by_name, ref_by_name)
    share, _ = tensor_core_shares(mine.trace)
    assert same(share, expected.tc_used_ratio)
    assert same(mine.tensor_cores.eligible_kernel_share, expected.tc_eligible_ops_kernel_ratio)


def assert_same_gpu_metrics(mine: TraceAnalysis, expected: Any) -> list[dict[str, Any]]:
    """GPU utilization, SM efficiency and achieved occupancy of every GPU that ran kernels;
    our device metrics."""
    steps = mine.breakdown.steps
    metrics = expected.gpu_metrics_parser
    devices = device_metrics(mine.trace, (float(steps.start[0]), float(steps.end[-1])))
    assert {d["device"] for d in devices} == set(metrics.gpu_ids)
    for device in devices:
        gpu = device["device"]
        assert same(device["utilization"], metrics.gpu_utilization[gpu])
        assert same(device["occupancy"], metrics.avg_occupancy_per_device[gpu])
        assert same(device["sm_efficiency"], metrics.avg_approximated_sm_efficiency_per_device[gpu])
    return devices


def assert_same_numbers(document: dict[str, Any], mine: TraceAnalysis | None = None,
                        expected: Any = None) -> None:
    """Step breakdown, operator tables, kernel tables and GPU metrics equal (on analyses
    already made of ``document``, when given)."""
    mine = ours(document) if mine is None else mine
    expected = theirs(document) if expected is None else expected
    names, rows = breakdown_rows(mine)
    ref_names, ref_rows = reference_rows(expected)
    assert names == ref_names
    for row, ref_row in zip(rows, ref_rows):
        assert all(same(a, b) for a, b in zip(row, ref_row)), (row, ref_row)
    for group_by in ("name", "name_shapes"):
        assert_tables_equal(operator_rows(mine, group_by), reference_operator_rows(expected, group_by))
    if not expected.has_kernel:
        assert kernel_table(mine.trace, mine.tree, mine.links, "name")["rows"] == []
        return
    assert_same_kernels(mine, expected)
    assert_same_gpu_metrics(mine, expected)
