"""The routes over real HTTP, in an app with only the profile dashboard, on traces written by
torch.profiler at test time, the demo's handmade CUDA trace, a broken trace and hostile
arguments."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tbcore_profile
from tbcore_profile.demo import write_demo

GPU_RUN = "profile_demo/resnet_gpu"


@pytest.fixture(scope="module")
def logdir(torch_logdir: Path, tmp_path_factory: pytest.TempPathFactory,
           write_run: Callable[..., Path]) -> Path:
    root = tmp_path_factory.mktemp("profile_routes")
    shutil.copytree(torch_logdir, root, dirs_exist_ok=True)
    write_demo(root)
    write_run(root / "broken", {"w.1.pt.trace.json": b'{"traceEvents": [{"ph": "X"', "w.2.pt.trace.json": b"[]"})
    return root


@pytest.fixture(scope="module")
def url(logdir: Path, app_server: Any) -> Iterator[str]:
    with app_server(logdir, [tbcore_profile], runs=6) as base:
        yield base + "data/plugin/profile/"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, ""
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())["error"]


def _q(**params: Any) -> str:
    return urllib.parse.urlencode(params)


def test_runs_lists_every_trace(url: str) -> None:
    answer = _get(url + "runs")
    runs = {r["run"]: r["traces"] for r in answer["runs"]}
    assert set(runs) == {"train", "native", "broken", "profile_demo/resnet_cpu", GPU_RUN, "profile_demo/ddp_gpu"}
    assert [(t["worker"], t["status"]) for t in runs["train"]] == [("worker0", "ready")] * 2 + [("worker1", "ready")]
    assert runs["train"][2]["trace"].endswith(".pt.trace.json.gz")
    assert answer["importers"] == ["kineto", "xplane"] and answer["importer_errors"] == {}


def test_overview_of_a_torch_profiler_trace(url: str) -> None:
    traces = {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}["train"]
    first = traces[0]["trace"]
    overview = _get(url + "overview?" + _q(run="train", trace=first))
    assert (overview["run"], overview["trace"], overview["worker"]) == ("train", first, "worker0")
    assert [s["step"] for s in overview["steps"]] == ["2", "3"]
    assert overview["categories"] == ["data_loading", "cpu_exec", "other"]  # a CPU trace
    for step in overview["steps"]:
        parts = sum(step[f"{c}_us"] for c in ("kernel", "memcpy", "memset", "communication", "runtime",
                                               "data_loading", "cpu_exec", "other"))
        assert parts == pytest.approx(step["total_us"])
        assert step["data_loading_us"] > 0 and step["cpu_exec_us"] > 0
    assert overview["devices"] == [] and overview["steps_adjusted_to_device"] is False
    assert overview["summary"]["format"] == "kineto"
    second = _get(url + "overview?" + _q(run="train", trace=traces[1]["trace"]))
    assert [s["step"] for s in second["steps"]] == ["6", "7"]
    default = _get(url + "overview?" + _q(run="train"))  # the last trace
    assert default["trace"] == traces[2]["trace"] and default["worker"] == "worker1"


def test_overview_of_a_cuda_trace(url: str) -> None:
    overview = _get(url + "overview?" + _q(run=GPU_RUN))
    assert overview["categories"] == ["kernel", "memcpy", "memset", "runtime", "data_loading", "cpu_exec", "other"]
    assert overview["steps_adjusted_to_device"] is True
    [device] = overview["devices"]
    assert device["device"] == 0 and device["name"].startswith("NVIDIA") and 0 < device["utilization"] < 1
    assert overview["device_properties"][0]["numSms"] == 108
    assert any("DataLoader" in text for text in overview["recommendations"])
    assert any("GPU 0 is busy" in text for text in overview["recommendations"])


def test_operators(url: str) -> None:
    by_name = _get(url + "operators?" + _q(run="train"))
    assert by_name["sort"] == "host_self_us" and not by_name["has_device"]
    rows = by_name["rows"]
    assert [r["host_self_us"] for r in rows] == sorted((r["host_self_us"] for r in rows), reverse=True)
    names = {r["name"] for r in rows}
    assert {"aten::addmm", "aten::linear", "aten::mm"} <= names
    assert not {n for n in names if n.startswith(("ProfilerStep#", "Optimizer.", "enumerate("))}
    linear = next(r for r in rows if r["name"] == "aten::linear")
    assert linear["calls"] == 4 and linear["host_total_us"] > linear["host_self_us"] > 0  # 2 layers x 2 steps
    shapes = _get(url + "operators?" + _q(run="train", group_by="name_shapes"))["rows"]
    addmm = [r for r in shapes if r["name"] == "aten::addmm"]
    assert {r["input_shape"] for r in addmm} == {"[[64], [32, 32], [32, 64], [], []]", "[[10], [32, 64], [64, 10], [], []]"}
    gpu = _get(url + "operators?" + _q(run=GPU_RUN))
    assert gpu["sort"] == "device_self_us" and gpu["rows"][0]["device_self_us"] > 0


def test_kernels(url: str) -> None:
    assert _get(url + "kernels?" + _q(run="train"))["rows"] == []
    by_name = _get(url + "kernels?" + _q(run=GPU_RUN))["rows"]
    assert by_name[0]["total_us"] >= by_name[-1]["total_us"]
    assert {r["name"] for r in by_name} >= {"ampere_sgemm_32x128_tn", "ampere_sgemm_64x32_sliced1x4_nn"}
    by_op = _get(url + "kernels?" + _q(run=GPU_RUN, group_by="name_op"))["rows"]
    sgemm = next(r for r in by_op if r["name"] == "ampere_sgemm_32x128_tn")
    assert (sgemm["operator"], sgemm["block"]) == ("aten::addmm", "[128, 1, 1]")
    assert 0 < sgemm["occupancy"] <= 100 and sgemm["blocks_per_sm"] > 0


def test_memory(url: str) -> None:
    answer = _get(url + "memory?" + _q(run="train"))
    [cpu] = answer["devices"]
    assert cpu["device"] == "CPU" and cpu["events"] == len(cpu["time_us"]) > 10
    assert cpu["peak_allocated"] == max(v for v in cpu["allocated"] if v is not None)
    thin = _get(url + "memory?" + _q(run="train", points=10))["devices"][0]
    assert len(thin["time_us"]) <= 10 and max(thin["allocated"]) == cpu["peak_allocated"]
    assert _get(url + "memory?" + _q(run=GPU_RUN))["devices"][0]["device"] == "CUDA:0"


def test_timeline(url: str) -> None:
    whole = _get(url + "timeline?" + _q(run="train", width=300))
    assert whole["start"] == 0 and whole["end"] == pytest.approx(whole["duration_us"])
    lanes = {lane["id"]: lane for lane in whole["lanes"]}
    events = whole["events"]
    assert len(events["start"]) == len(events["dur"]) == len(events["lane"]) == len(events["name"])
    assert all(d >= whole["threshold_us"] for d in events["dur"])
    assert sum(whole["summaries"]["count"]) + len(events["start"]) == whole["total"]
    assert all(e in lanes for e in events["lane"])
    zoomed = _get(url + "timeline?" + _q(run="train", width=300, start=whole["duration_us"] * 0.4,
                                         end=whole["duration_us"] * 0.45))
    assert zoomed["threshold_us"] < whole["threshold_us"]
    assert all(s < zoomed["end"] for s in zoomed["events"]["start"])


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("overview", 400, "run must be given"),
        ("overview?run=nope", 404, "no profiler trace"),
        ("overview?run=train&trace=../native/x.pt.trace.json", 404, "no trace"),
        ("overview?run=train&trace=%2Fetc%2Fpasswd", 404, "no trace"),
        ("overview?run=broken&trace=w.1.pt.trace.json", 422, "not valid JSON"),
        ("operators?run=broken&trace=w.2.pt.trace.json", 422, "not a chrome trace"),
        ("operators?run=train&group_by=stack", 400, "group_by"),
        ("kernels?run=train&group_by=name_shapes", 400, "group_by"),
        ("memory?run=train&points=1", 400, "points"),
        ("memory?run=train&points=x", 400, "integer"),
        ("timeline?run=train&width=0", 400, "width"),
        ("timeline?run=train&start=nan", 400, "start"),
        ("timeline?run=train&start=10&end=5", 400, "after start"),
        ("timeline?run=train&limit=-3", 400, "limit"),
    ],
)
def test_errors(url: str, query: str, status: int, message: str) -> None:
    code, error = _status(url + query)
    assert code == status and message in error


def test_the_dashboard_still_works_after_errors(url: str) -> None:
    for _ in range(2):
        for trace in ("w.1.pt.trace.json", "w.2.pt.trace.json"):  # whatever other tests asked before
            _status(url + f"overview?run=broken&trace={trace}")
    listed = {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}["broken"]
    assert [t["status"] for t in listed] == ["error", "error"] and "JSON" in listed[0]["error"]
    assert _get(url + "overview?" + _q(run="native"))["steps"]
