"""Our numbers against torch-tb-profiler 0.4.3's (its ``torch_tb_profiler.profiler`` loader, in
this process; it imports pandas, no torch) on the same traces: CPU traces written by
torch.profiler at test time, and handmade CUDA traces in Kineto's format.

torch-tb-profiler 0.4.3 predates category names current Kineto writes (``cuda_runtime``,
``user_annotation`` ranges besides steps and collectives); rewritten to the names it knows
(:func:`legacy_names`), a trace must give equal numbers in both tools. On the trace as
written, the differences are the documented ones (``http_api.md``) and nothing else.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore_profile.demo import kineto_trace
from tbcore_profile.operators import operator_table

pytest.importorskip("torch_tb_profiler.profiler.data", reason="torch-tb-profiler 0.4.3 is a dev test dependency")
_spec = importlib.util.spec_from_file_location("profile_reference", Path(__file__).with_name("tb_profiler_reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)
ROLES = reference.ROLES
legacy_names, ours, theirs, same = reference.legacy_names, reference.ours, reference.theirs, reference.same
breakdown_rows, reference_rows = reference.breakdown_rows, reference.reference_rows
operator_rows, reference_operator_rows = reference.operator_rows, reference.reference_operator_rows
assert_tables_equal, assert_same_numbers = reference.assert_tables_equal, reference.assert_same_numbers


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
