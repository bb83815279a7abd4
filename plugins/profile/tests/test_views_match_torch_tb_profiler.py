"""The distributed view and tensor-core numbers against torch-tb-profiler 0.4.3's, on the same
traces: its ``DistributedRunGenerator`` (overlap and wait per worker and step, collective
table; computed by ``RunLoader._process_distributed_profiles``) on the gloo traces of a
``torch.distributed`` job written at test time and on the demo's handmade NCCL traces of two GPU workers,
and its tensor-core rule (``TC_Allowlist``, the kernel table's ``tc_used``, ``tc_used_ratio``,
``tc_ratio``) on a handmade CUDA trace."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.demo import kineto_trace, nccl_worker_trace
from tbcore_profile.distributed import distributed_view, message_bytes
from tbcore_profile.operators import kernel_table
from tbcore_profile.tensor_cores import PATTERNS, tensor_core_shares, uses_tensor_cores

data_module = pytest.importorskip("torch_tb_profiler.profiler.data", reason="torch-tb-profiler 0.4.3 is a dev test dependency")
loader_module = pytest.importorskip("torch_tb_profiler.profiler.loader")
tensor_core_module = pytest.importorskip("torch_tb_profiler.profiler.tensor_core")


def ours(document: dict[str, Any]) -> TraceAnalysis:
    return TraceAnalysis(parse_chrome_trace(json.dumps(document).encode(), "w.pt.trace.json"))


def theirs_distributed(documents: dict[str, dict[str, Any]]) -> Any:
    profiles = []
    for worker, document in documents.items():
        data = data_module.RunProfileData.from_json(worker, None, copy.deepcopy(document))
        data.process()
        profiles.append(data_module.DistributedRunProfileData(data))
    loader = loader_module.RunLoader.__new__(loader_module.RunLoader)
    loader.run_name = "run"
    return loader._process_distributed_profiles(profiles, None)


def same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def assert_same_distributed(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    view = distributed_view([(worker, worker, ours(doc)) for worker, doc in documents.items()])
    reference = theirs_distributed(documents)
    assert reference is not None and view["wait_matched"]
    overlap, wait = reference.steps_to_overlap["data"], reference.steps_to_wait["data"]
    for worker in view["workers"]:
        name = worker["worker"]
        for step in worker["steps"]:
            mine = [step[k] for k in ("computation_us", "overlap_us", "communication_us", "other_us")]
            assert all(same(a, b) for a, b in zip(mine, overlap[step["step"]][name])), (name, step, overlap[step["step"]])
            expected_transfer, expected_wait = wait[step["step"]][name]
            assert same(step["transfer_us"], expected_transfer) and same(step["wait_us"], expected_wait)
        # their mean step is truncated to whole µs
        average = worker["average"]
        assert [int(average[k]) for k in ("computation_us", "overlap_us", "communication_us", "other_us")] == \
            overlap["all"][name]
        assert [int(average["transfer_us"]), int(average["wait_us"])] == pytest.approx(wait["all"][name], abs=1)
        rows = reference.comm_ops["data"][name]["rows"]
        assert [(c["name"], c["calls"]) for c in worker["collectives"]] == [(r[0], r[1]) for r in rows]
        for mine_row, row in zip(worker["collectives"], rows):
            assert mine_row["bytes"] == row[2] and round(mine_row["mean_bytes"]) == row[3]
            assert same(mine_row["total_us"], row[4]) and round(mine_row["mean_us"]) == row[5]
            assert same(mine_row["transfer_us"], row[6]) and round(mine_row["mean_transfer_us"]) == row[7]
    return view


def test_gloo_workers_of_a_torch_distributed_job(distributed_logdir: Path) -> None:
    documents = {path.name.split(".")[0]: json.loads(path.read_text())
                 for path in sorted((distributed_logdir / "ddp").glob("worker*.pt.trace.json"))}
    assert list(documents) == ["worker0", "worker1"]
    view = assert_same_distributed(documents)
    assert all(w["average"]["wait_us"] > 0 for w in view["workers"])
    # four steps of all_reduce on the gradients of Linear(64, 256) and Linear(256, 10), float32
    parameters = 64 * 256 + 256 + 256 * 10 + 10
    for worker in view["workers"]:
        [row] = worker["collectives"]
        assert (row["name"], row["calls"], row["bytes"]) == ("gloo:all_reduce", 16, 4 * 4 * parameters)


def nccl_worker(rank: int) -> dict[str, Any]:
    """The demo's NCCL worker trace with the runtime category name torch-tb-profiler 0.4.3 reads."""
    document = nccl_worker_trace(rank)
    for event in document["traceEvents"]:
        if event.get("cat") == "cuda_runtime":
            event["cat"] = "Runtime"
    return document


def test_nccl_workers_on_gpus() -> None:
    view = assert_same_distributed({"worker0": nccl_worker(0), "worker1": nccl_worker(1)})
    w0, w1 = (w["average"] for w in view["workers"])
    assert w1["wait_us"] == pytest.approx(25.0) and w0["wait_us"] == 0


def test_message_sizes_by_element_type() -> None:
    assert message_bytes("[[256, 64], [256]]", "['float', 'float']") == (256 * 64 + 256) * 4
    assert message_bytes("[[8], [8], [8], [], []]", "['c10::BFloat16', 'long int', 'double', 'int', '']") == \
        8 * 2 + 8 * 8 + 8 * 8 + 4
    assert message_bytes("[[3, 0]]", "['float']") == 0  # an empty tensor
    assert message_bytes("[[1000]]", "['some::Unknown']") == 0  # as torch-tb-profiler: no size known
    for shapes, types in [("", "['float']"), ("[[4]]", ""), ("[[4]", "['float']"), ("[[-1]]", "['float']"),
                          ("[[1.5]]", "['float']"), ("{}", "['float']"), ("[[4]]", "[1]"),
                          ("[" * 5000 + "]" * 5000, "['float']"), ("[[1]]" + " " * 200_000, "['float']")]:
        assert message_bytes(shapes, types) == 0, (shapes[:20], types)


def test_tensor_core_patterns_are_theirs() -> None:
    assert list(PATTERNS) == list(tensor_core_module.TC_Allowlist.allowlist)
    for name in ("volta_h884gemm_64x64_ldg8_nn", "ampere_sgemm_32x128_tn", "sm80_xmma_gemm_f16f16_f16f32",
                 "void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_64x64_32x6_tn_align4>", "vectorized_elementwise"):
        assert uses_tensor_cores(name) == (name in tensor_core_module.TC_Allowlist)


def test_tensor_core_use_of_kernels(make_slower: Any) -> None:
    document = make_slower(kineto_trace(steps=3, gpu=True, seed=4))
    for event in document["traceEvents"]:
        if event.get("cat") == "cuda_runtime":
            event["cat"] = "Runtime"
    mine = ours(document)
    reference = data_module.RunProfileData.from_json("w", None, copy.deepcopy(document))
    reference.process()
    reference.analyze()
    rows = kernel_table(mine.trace, mine.tree, mine.links, "name")["rows"]
    expected = {name: bool(row["tc_used"]) for name, row in reference.kernel_stat.iterrows()}
    assert {r["name"]: uses_tensor_cores(r["name"]) for r in rows} == expected
    assert any(expected.values()) and not all(expected.values())
    share, per_device = tensor_core_shares(mine.trace)
    assert share is not None and same(share, reference.tc_used_ratio)
    assert same(per_device[0], reference.tc_ratio[0])
