"""Real CUDA traces: two Kineto traces torch.profiler recorded on a Tesla V100 (ResNet-50
training, torch-tb-profiler's sample data; ``data/README.md`` names their source). The Kineto
importer reads every event of them, and the step breakdown, operator and kernel tables
(blocks per SM, occupancy, tensor-core flags) and GPU utilization, SM efficiency and achieved
occupancy equal torch-tb-profiler 0.4.3's, computed here from the same files, and so do the
operators' tensor-core eligibility and shares; the routes answer the same numbers over HTTP."""

from __future__ import annotations

import collections
import gzip
import importlib.util
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import tbcore_profile
from tbcore_kineto import chrome_trace, fast_scan
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.device_metrics import device_metrics
from tbcore_profile.model import EventKind
from tbcore_profile.operators import kernel_table

pytest.importorskip("torch_tb_profiler.profiler.data", reason="torch-tb-profiler 0.4.3 is a dev test dependency")
_spec = importlib.util.spec_from_file_location("profile_reference", Path(__file__).with_name("tb_profiler_reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)

DATA = Path(__file__).with_name("data")
TRACES = {
    "num_workers_0": DATA / "resnet50_num_workers_0" / "worker0.1623143089861.pt.trace.json.gz",
    "num_workers_4": DATA / "resnet50_num_workers_4" / "worker0.1623212756351.pt.trace.json.gz",
}
KINDS = {"Operator": EventKind.CPU_OP, "Runtime": EventKind.RUNTIME, "Kernel": EventKind.KERNEL,
         "Memcpy": EventKind.MEMCPY, "Memset": EventKind.MEMSET, "Trace": EventKind.SPAN}
"""The 2021 Kineto categories these files use, and what they are read as."""


@pytest.fixture(scope="module", params=list(TRACES))
def real(request: pytest.FixtureRequest) -> SimpleNamespace:
    """A real trace: its file, JSON document, our analysis (read from the gzipped bytes by
    the importer) and torch-tb-profiler's."""
    path = TRACES[request.param]
    data = path.read_bytes()
    document = json.loads(gzip.decompress(data))
    mine = TraceAnalysis(chrome_trace.parse_chrome_trace(data, path.name))
    return SimpleNamespace(name=request.param, path=path, data=data, document=document, mine=mine,
                           expected=reference.theirs(document))


def test_the_importer_reads_every_event(real: SimpleNamespace) -> None:
    trace, events = real.mine.trace, real.document["traceEvents"]
    assert trace.metadata["skipped_events"] == 0
    written = collections.Counter(e.get("cat") for e in events if e.get("ph") == "X")
    read = collections.Counter(EventKind(k).name for k in trace.events.kind.tolist())
    assert read == {KINDS[cat].name: count for cat, count in written.items()}
    assert [d["name"] for d in trace.devices] == ["Tesla V100-DGXS-32GB"] * 4
    assert trace.devices[0]["numSms"] == 80 and trace.devices[0]["computeMajor"] == 7
    memory = [e for e in events if e.get("name") == "[memory]"]
    assert len(trace.memory.time) == len(memory)
    assert int(trace.memory.bytes.sum()) == sum(e["args"]["Bytes"] for e in memory)
    assert len(trace.flows.id) == sum(e.get("ph") in ("s", "f") for e in events)
    streams = [lane for lane in trace.lanes if lane.device]
    assert [(lane.process, lane.thread) for lane in streams] == [("python (GPU 0)", "stream 7")]


def test_kernel_launch_details_are_read_as_written(real: SimpleNamespace) -> None:
    trace = real.mine.trace
    events = trace.events
    kernels = np.flatnonzero(events.kind == EventKind.KERNEL)
    mine = sorted(
        (events.start[k], events.dur[k], trace.text(events.grid[k]), trace.text(events.block[k]),
         int(events.registers[k]), int(events.shared_memory[k]), float(events.blocks_per_sm[k]),
         float(events.occupancy[k]), int(events.correlation[k]), int(events.device[k]))
        for k in kernels.tolist()
    )
    written = sorted(
        (e["ts"], e["dur"], str(e["args"]["grid"]), str(e["args"]["block"]), e["args"]["registers per thread"],
         e["args"]["shared memory"], e["args"]["blocks per SM"], e["args"]["est. achieved occupancy %"],
         e["args"]["correlation"], e["args"]["device"])
        for e in real.document["traceEvents"] if e.get("cat") == "Kernel"
    )
    assert mine == written
    linked = real.mine.links.launcher[events.kind[real.mine.links.device] == EventKind.KERNEL]
    assert np.all(linked >= 0)  # every kernel has its runtime call


@pytest.mark.skipif(fast_scan.IMPLEMENTATION != "c", reason="the C scanner is not built")
def test_the_c_scanner_and_the_python_reader_agree() -> None:
    path = TRACES["num_workers_4"]  # one is enough: the Python reader takes seconds
    fast = chrome_trace.parse_chrome_trace(path.read_bytes(), path.name)
    saved = fast_scan._kinetoscan
    fast_scan._kinetoscan = None
    try:
        slow = chrome_trace.parse_chrome_trace(path.read_bytes(), path.name)
    finally:
        fast_scan._kinetoscan = saved
    assert fast.strings.values == slow.strings.values and fast.lanes == slow.lanes
    for key in ("name", "kind", "lane", "start", "dur", "external_id", "correlation", "shapes", "stack",
                "grid", "block", "registers", "blocks_per_sm", "occupancy", "bytes"):
        assert np.array_equal(getattr(fast.events, key), getattr(slow.events, key), equal_nan=True), key


def test_numbers_equal_torch_tb_profiler(real: SimpleNamespace) -> None:
    """Step breakdown, operator tables by name and by input shapes, kernel tables by name and
    by operator (blocks per SM, occupancy, tensor-core flags), tensor-core share, and the GPU
    metrics: equal to torch-tb-profiler's on the same file."""
    mine, expected = real.mine, real.expected
    reference.assert_same_numbers(real.document, mine, expected)
    # the comparison is not vacuous: what these files hold
    assert mine.breakdown.steps.names == ["5", "6", "7", "8", "9", "10"]
    costs = dict(zip(reference.ROLES, mine.breakdown.costs.sum(axis=0)))
    assert all(costs[key] > 0 for key in ("kernel", "memcpy", "memset", "runtime", "data_loading", "cpu_exec"))
    assert len(kernel_table(mine.trace, mine.tree, mine.links, "name_op")["rows"]) > 50
    (gpu,) = reference.assert_same_gpu_metrics(mine, expected)
    assert 0.3 < gpu["utilization"] < 1 and 0.3 < gpu["sm_efficiency"] < 1 and 10 < gpu["occupancy"] < 100
    assert expected.tc_used_ratio == 0.0  # FP32 training: no tensor-core kernel, by either rule
    assert 0.6 < mine.tensor_cores.eligible_kernel_share < 0.7  # ... though most kernel time could use them


def test_more_data_loading_with_no_worker_processes() -> None:
    """The two files differ where they should: loading batches in the training process
    (``num_workers=0``) costs more of the step than with four loader processes."""
    loading = {}
    for name, path in TRACES.items():
        analysis = TraceAnalysis(chrome_trace.parse_chrome_trace(path.read_bytes(), path.name))
        costs = analysis.breakdown.costs
        loading[name] = costs[:, reference.ROLES.index("data_loading")].sum() / costs.sum()
    assert loading["num_workers_0"] > 2 * loading["num_workers_4"] > 0


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, write_run: Any, app_server: Any) -> Iterator[str]:
    root = tmp_path_factory.mktemp("profile_real")
    for name, path in TRACES.items():
        write_run(root / name, {})
        shutil.copy(path, root / name / path.name)
    with app_server(root, [tbcore_profile], runs=len(TRACES)) as base:
        yield base + "data/plugin/profile/"


def _get(url: str, **params: Any) -> Any:
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=60) as response:
        return json.loads(response.read())


def test_the_routes_answer_the_same_numbers(real: SimpleNamespace, url: str) -> None:
    mine, expected = real.mine, real.expected
    overview = _get(url + "overview", run=real.name)
    assert overview["trace"] == real.path.name and overview["worker"] == "worker0"
    ref_names, ref_rows = reference.reference_rows(expected)
    assert [s["step"] for s in overview["steps"]] == ref_names
    for step, ref_row in zip(overview["steps"], ref_rows):
        values = [step[f"{key}_us"] for key in reference.ROLES] + [step["total_us"]]
        assert all(reference.same(a, b) for a, b in zip(values, ref_row))
    assert overview["categories"] == ["kernel", "memcpy", "memset", "runtime", "data_loading", "cpu_exec", "other"]
    steps = mine.breakdown.steps
    (gpu,) = overview["devices"]
    (same_gpu,) = device_metrics(mine.trace, (float(steps.start[0]), float(steps.end[-1])))
    assert gpu["name"] == "Tesla V100-DGXS-32GB" and gpu["tensor_core_share"] == 0
    metrics = expected.gpu_metrics_parser
    assert reference.same(gpu["utilization"], metrics.gpu_utilization[0]) and gpu == {
        **same_gpu, "tensor_core_share": 0.0}
    assert len(overview["device_properties"]) == 4
    assert reference.same(overview["tensor_core_eligible_share"], expected.tc_eligible_ops_kernel_ratio)
    assert any("mixed precision" in text for text in overview["recommendations"])
    operators = _get(url + "operators", run=real.name)["rows"]
    assert {r["name"] for r in operators if r["tensor_core_eligible"]} >= {"aten::cudnn_convolution", "aten::addmm"}
    kernels = _get(url + "kernels", run=real.name)["rows"]
    assert len(kernels) == len(expected.kernel_stat) and not any(k["tensor_cores"] for k in kernels)
    # memory: these 2021 traces record allocations without allocator totals, so there is no
    # curve to draw (torch-tb-profiler draws none either); the events are counted
    memory = {d["device"]: d for d in _get(url + "memory", run=real.name, points=100)["devices"]}
    assert set(memory) == {"CPU", "CUDA:0"}
    assert memory["CUDA:0"]["events"] > 1000 and memory["CUDA:0"]["peak_allocated"] is None
