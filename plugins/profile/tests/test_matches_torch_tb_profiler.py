"""Our numbers against torch-tb-profiler 0.4.3's (its ``torch_tb_profiler.profiler`` loader, in
this process; it imports pandas, no torch) on the same traces: CPU traces written by
torch.profiler at test time, and handmade CUDA traces in Kineto's format.

torch-tb-profiler 0.4.3 predates category names current Kineto writes (``cuda_runtime``,
``user_annotation`` ranges besides steps and collectives); rewritten to the names it knows
(:func:`legacy_names`), a trace must give equal numbers in both tools. On the trace as
written, the differences are the documented ones (``http_api.md``) and nothing else.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.breakdown import CATEGORIES
from tbcore_profile.demo import kineto_trace
from tbcore_profile.device_metrics import device_metrics
from tbcore_profile.operators import kernel_table, operator_table

reference = pytest.importorskip("torch_tb_profiler.profiler.data", reason="torch-tb-profiler 0.4.3 is a dev test dependency")

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
    return TraceAnalysis(parse_chrome_trace(json.dumps(document).encode(), "w.pt.trace.json"))


def theirs(document: dict[str, Any]) -> Any:
    return reference.RunProfileData.from_json("w", None, copy.deepcopy(document))


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def breakdown_rows(analysis: TraceAnalysis) -> tuple[list[str], list[list[float]]]:
    result = analysis.breakdown
    return result.steps.names, [[*map(float, result.costs[i]), float(result.totals[i])]
                                for i in range(len(result.steps.names))]


def reference_rows(data: Any) -> tuple[list[str], list[list[float]]]:
    return list(data.steps_names), [list(map(float, costs.costs)) for costs in data.steps_costs]


def operator_rows(analysis: TraceAnalysis, group_by: str) -> dict[tuple[str, str | None], list[float]]:
    table = operator_table(analysis.trace, analysis.tree, group_by)["rows"]
    return {(r["name"], r.get("input_shape")): [r["calls"], r["host_total_us"], r["host_self_us"],
                                                 r["device_total_us"], r["device_self_us"]] for r in table}


def reference_operator_rows(data: Any, group_by: str) -> dict[tuple[str, str | None], list[float]]:
    aggregates = data.op_list_groupby_name if group_by == "name" else data.op_list_groupby_name_input
    return {(a.name, a.input_shape if group_by == "name_shapes" else None): [
        a.calls, a.host_duration, a.self_host_duration, a.device_duration, a.self_device_duration]
        for a in aggregates}


def assert_tables_equal(mine: dict[Any, list[float]], expected: dict[Any, list[float]]) -> None:
    assert set(mine) == set(expected)
    for key, values in expected.items():
        assert all(same(a, b) for a, b in zip(mine[key], values)), (key, mine[key], values)


def assert_same_numbers(document: dict[str, Any]) -> None:
    """Step breakdown, operator tables, kernel tables and GPU metrics equal."""
    mine, expected = ours(document), theirs(document)
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
    by_op = {(r["name"], r["operator"], r["grid"], r["block"], r["registers_per_thread"], r["shared_memory"]):
             [r["calls"], r["total_us"], r["min_us"], r["max_us"], r["blocks_per_sm"], r["occupancy"]]
             for r in kernel_table(mine.trace, mine.tree, mine.links, "name_op")["rows"]}
    ref_by_op = {(k.name, "N/A" if k.op_name == "CallTreeRoot" else k.op_name, str(k.grid), str(k.block),
                  int(k.regs_per_thread or 0), int(k.shared_memory or 0)):
                 [k.calls, k.total_duration, k.min_duration, k.max_duration, k.avg_blocks_per_sm, k.avg_occupancy]
                 for k in expected.kernel_list_groupby_name_op}
    assert_tables_equal(by_op, ref_by_op)
    by_name = {r["name"]: [r["calls"], r["total_us"], r["mean_us"], r["max_us"], r["min_us"], r["blocks_per_sm"],
                           r["occupancy"]] for r in kernel_table(mine.trace, mine.tree, mine.links, "name")["rows"]}
    ref_by_name = {name: [row["count"], row["sum"], row["mean"], row["max"], row["min"], row["blocks_per_sm"],
                          row["occupancy"]] for name, row in expected.kernel_stat.iterrows()}
    assert_tables_equal(by_name, {k: [float(v) for v in values] for k, values in ref_by_name.items()})
    steps = mine.breakdown.steps
    metrics = expected.gpu_metrics_parser
    for device in device_metrics(mine.trace, (float(steps.start[0]), float(steps.end[-1]))):
        gpu = device["device"]
        assert same(device["utilization"], metrics.gpu_utilization[gpu])
        assert same(device["occupancy"], metrics.avg_occupancy_per_device[gpu])
        assert same(device["sm_efficiency"], metrics.avg_approximated_sm_efficiency_per_device[gpu])


def torch_documents(logdir: Path) -> list[dict[str, Any]]:
    import gzip

    out = []
    for path in sorted((logdir / "train").iterdir()) + sorted((logdir / "native").iterdir()):
        if path.name.endswith(".pt.trace.json"):
            out.append(json.loads(path.read_text()))
        elif path.name.endswith(".pt.trace.json.gz"):
            out.append(json.loads(gzip.decompress(path.read_bytes())))
    return out


def test_torch_profiler_cpu_traces_in_the_names_it_knows(torch_logdir: Path) -> None:
    documents = torch_documents(torch_logdir)
    assert len(documents) == 4
    for document in documents:
        assert_same_numbers(legacy_names(document))


def test_torch_profiler_cpu_traces_as_written(torch_logdir: Path) -> None:
    """Operators agree; in the breakdown torch-tb-profiler misses the user_annotation
    DataLoader ranges (its DataLoader is 0), so only data_loading, cpu_exec and other
    differ, and they still share the same step time."""
    for document in torch_documents(torch_logdir):
        mine, expected = ours(document), theirs(document)
        for group_by in ("name", "name_shapes"):
            assert_tables_equal(operator_rows(mine, group_by), reference_operator_rows(expected, group_by))
        names, rows = breakdown_rows(mine)
        ref_names, ref_rows = reference_rows(expected)
        assert names == ref_names
        loading, cpu, other, total = (ROLES.index("data_loading"), ROLES.index("cpu_exec"), ROLES.index("other"), len(ROLES))
        for row, ref_row in zip(rows, ref_rows):
            assert same(row[total], ref_row[total])
            assert ref_row[loading] == 0 and row[loading] > 0
            assert same(row[loading] + row[cpu] + row[other], ref_row[loading] + ref_row[cpu] + ref_row[other])
            for role in range(loading):
                assert same(row[role], ref_row[role])


def gpu_documents() -> list[dict[str, Any]]:
    return [kineto_trace(steps=4, gpu=True, seed=seed, batch=batch) for seed, batch in ((1, 64), (2, 256), (3, 32))]


def test_handmade_cuda_traces_in_the_names_it_knows() -> None:
    for document in gpu_documents():
        assert_same_numbers(legacy_names(document))


def test_handmade_cuda_traces_as_written_give_our_numbers_for_the_old_names() -> None:
    """Current names (cuda_runtime, user_annotation) read as the old ones do in both tools."""
    for document in gpu_documents():
        modern, old = ours(document), ours(legacy_names(document))
        assert breakdown_rows(modern) == breakdown_rows(old)
        for group_by in ("name", "name_shapes"):
            assert operator_rows(modern, group_by) == operator_rows(old, group_by)
        expected = theirs(document)  # it drops cuda_runtime calls:
        assert expected.has_runtime is False
        assert all(a.device_duration == 0 for a in expected.op_list_groupby_name)
        assert {k.op_name for k in expected.kernel_list_groupby_name_op} == {"CallTreeRoot"}
        assert any(r["device_self_us"] > 0 for r in operator_table(modern.trace, modern.tree, "name")["rows"])


def test_a_step_that_launched_too_little_device_work_is_dropped_like_theirs() -> None:
    document = legacy_names(kineto_trace(steps=3, gpu=True, seed=5))
    # the last step launches nothing on the device: the profiler may have missed its kernels
    last = max((e for e in document["traceEvents"] if e.get("name", "").startswith("ProfilerStep#")), key=lambda e: e["ts"])
    cutoff = last["ts"]
    document["traceEvents"] = [e for e in document["traceEvents"]
                               if not (e.get("cat") in ("Runtime", "kernel", "gpu_memcpy", "gpu_memset") and e["ts"] >= cutoff)]
    mine = ours(document)
    assert len(mine.breakdown.steps.names) == 2
    assert_same_numbers(document)


def test_communication_kernels_and_collectives() -> None:
    """An NCCL all-reduce and its kernel count as communication, in both tools; the range
    overlaps the end of the optimizer step around it, so both drop it from the call tree (and
    its kernel from the kernel-by-operator table)."""
    document = legacy_names(kineto_trace(steps=2, gpu=True, seed=7))
    events = document["traceEvents"]
    step = next(e for e in events if e.get("name") == "ProfilerStep#2")
    start = step["ts"] + step["dur"] - 5.0
    events += [
        {"ph": "X", "cat": "cpu_op", "name": "nccl:all_reduce", "pid": 4242, "tid": 4242, "ts": start - 20, "dur": 15.0,
         "args": {"External id": 9999, "Input Dims": [[1024]]}},
        {"ph": "X", "cat": "Runtime", "name": "cudaLaunchKernel", "pid": 4242, "tid": 4242, "ts": start - 18, "dur": 4.0,
         "args": {"External id": 9999, "cbid": 211, "correlation": 99999}},
        {"ph": "X", "cat": "kernel", "name": "ncclKernel_AllReduce_RING_LL_Sum_float", "pid": 0, "tid": 7,
         "ts": start + 40, "dur": 30.0, "args": {"External id": 9999, "device": 0, "stream": 7, "correlation": 99999,
                                                 "grid": [1, 1, 1], "block": [512, 1, 1], "registers per thread": 96,
                                                 "shared memory": 0, "blocks per SM": 0.009, "est. achieved occupancy %": 25}},
    ]
    mine = ours(document)
    assert mine.breakdown.present["communication"]
    assert mine.breakdown.costs[:, ROLES.index("communication")].sum() > 0
    assert_same_numbers(document)


def test_every_reference_number_in_this_file_is_finite() -> None:
    for document in gpu_documents():
        _, rows = breakdown_rows(ours(document))
        assert np.all(np.isfinite(rows))
