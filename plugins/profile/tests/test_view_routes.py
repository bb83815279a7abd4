"""The comparison, distributed, call-stack and tensor-core answers over real HTTP, in an app
with only the profile dashboard: traces written by torch.profiler at test time (a CPU
training run, two gloo workers of a ``torch.distributed`` job) and handmade CUDA traces."""

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
from tbcore_profile.demo import kineto_trace, write_demo

GPU_RUN = "profile_demo/resnet_gpu"
TENSOR_CORE_KERNEL = "ampere_s16816gemm_fp16_64x64_sliced1x2_ldg8_f2f_nn"
"""The tensor-core kernel of ``make_slower``'s trace."""


@pytest.fixture(scope="module")
def logdir(torch_logdir: Path, distributed_logdir: Path, tmp_path_factory: pytest.TempPathFactory,
           write_run: Callable[..., Path], make_slower: Callable[[dict], dict]) -> Path:
    root = tmp_path_factory.mktemp("profile_views")
    shutil.copytree(torch_logdir, root, dirs_exist_ok=True)
    shutil.copytree(distributed_logdir, root, dirs_exist_ok=True)
    write_demo(root)
    write_run(root / "slower", {"worker0.1.pt.trace.json": make_slower(kineto_trace(steps=4, gpu=True, seed=2))})
    legacy = kineto_trace(steps=2, gpu=False, seed=3)
    for event in legacy["traceEvents"]:
        if event.get("name") == "aten::relu":
            event["args"]["Call stack"] = "model.py(12): forward;train.py(40): step;train.py(80): <module>"
    write_run(root / "legacy_stacks", {"worker0.1.pt.trace.json": legacy})
    return root


@pytest.fixture(scope="module")
def url(logdir: Path, app_server: Any) -> Iterator[str]:
    with app_server(logdir, [tbcore_profile], runs=8) as base:
        yield base + "data/plugin/profile/"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, ""
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())["error"]


def _q(**params: Any) -> str:
    return urllib.parse.urlencode(params)


def _traces(url: str, run: str) -> list[str]:
    return [t["trace"] for t in {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}[run]]


def test_compare_lists_what_got_slower_first(url: str) -> None:
    answer = _get(url + "compare?" + _q(run="slower", base_run=GPU_RUN))
    assert answer["run"] == "slower" and answer["base"]["run"] == GPU_RUN
    assert answer["sort"] == "device_self_us"
    first = answer["operators"][0]
    assert (first["name"], first["status"]) == ("aten::mm", "slower")
    assert first["device_self_us"] == pytest.approx(3 * first["base_device_self_us"])
    assert first["device_self_us_delta"] == pytest.approx(first["device_self_us"] - first["base_device_self_us"])
    deltas = [r["device_self_us_delta"] for r in answer["operators"]]
    assert deltas == sorted(deltas, reverse=True)
    assert {r["status"] for r in answer["operators"][1:]} == {"same"}
    kernels = {r["name"]: r for r in answer["kernels"]}
    assert answer["kernels"][0]["name"] == TENSOR_CORE_KERNEL and kernels[TENSOR_CORE_KERNEL]["status"] == "new"
    assert kernels["ampere_sgemm_64x32_sliced1x4_nn"]["status"] == "gone"
    assert answer["kernels"][-1]["name"] == "ampere_sgemm_64x32_sliced1x4_nn"
    breakdown = {r["category"]: r for r in answer["breakdown"]}
    assert breakdown["kernel"]["delta_us"] > 0 and breakdown["memcpy"]["delta_us"] == pytest.approx(0)
    overview = _get(url + "overview?" + _q(run="slower"))
    assert breakdown["kernel"]["us"] == pytest.approx(overview["average"]["kernel"])
    assert breakdown["total"]["us"] == pytest.approx(overview["average"]["total"])


def test_each_side_of_a_comparison_is_its_operator_table(url: str) -> None:
    train = _traces(url, "train")
    for group_by in ("name", "name_shapes"):
        answer = _get(url + "compare?" + _q(run="train", trace=train[2], base_run="train", base_trace=train[0],
                                              group_by=group_by))
        keys = ("name", "input_shape") if group_by == "name_shapes" else ("name",)
        mine = _get(url + "operators?" + _q(run="train", trace=train[2], group_by=group_by))["rows"]
        base = _get(url + "operators?" + _q(run="train", trace=train[0], group_by=group_by))["rows"]
        by_key = {tuple(r[k] for k in keys): r for r in answer["operators"]}
        assert len(by_key) == len({tuple(r[k] for k in keys) for r in mine + base})
        for row in mine:
            got = by_key[tuple(row[k] for k in keys)]
            assert [got[v] for v in ("calls", "host_self_us", "host_total_us")] == [
                row[v] for v in ("calls", "host_self_us", "host_total_us")]
        for row in base:
            got = by_key[tuple(row[k] for k in keys)]
            assert got["base_host_total_us"] == row["host_total_us"] and got["base_calls"] == row["calls"]
        deltas = [r["host_self_us_delta"] for r in answer["operators"]]
        assert answer["sort"] == "host_self_us" and deltas == sorted(deltas, reverse=True)


@pytest.mark.parametrize(("query", "status", "message"), [
    ({"run": "slower"}, 400, "base_run"),
    ({"run": "slower", "base_run": GPU_RUN, "group_by": "kernel"}, 400, "group_by"),
    ({"run": "slower", "base_run": "nope"}, 404, "nope"),
    ({"run": "slower", "base_run": GPU_RUN, "base_trace": "x.pt.trace.json"}, 404, "x.pt.trace.json"),
])
def test_compare_errors(url: str, query: dict[str, str], status: int, message: str) -> None:
    code, error = _status(url + "compare?" + _q(**query))
    assert code == status and message in error


def test_distributed_view_has_one_row_per_worker(url: str) -> None:
    answer = _get(url + "distributed?" + _q(run="ddp"))
    assert answer["span"] == 1 and answer["spans"] == [1]
    assert [w["worker"] for w in answer["workers"]] == ["worker0", "worker1"]
    assert answer["wait_matched"] and answer["wait_note"] is None
    for worker in answer["workers"]:
        assert [s["step"] for s in worker["steps"]] == ["2", "3", "4", "5"]
        for step in worker["steps"]:
            parts = sum(step[k] for k in ("computation_us", "overlap_us", "communication_us", "other_us"))
            assert parts == pytest.approx(step["total_us"])
            assert step["wait_us"] == pytest.approx(step["collective_us"] - step["transfer_us"])
            assert step["wait_us"] >= 0
        assert [(c["name"], c["calls"]) for c in worker["collectives"]] == [("gloo:all_reduce", 16)]
        [row] = worker["collectives"]
        assert row["bytes"] > 0 and row["mean_bytes"] == row["bytes"] / 16
    # both workers reduce the same gradients
    assert len({w["collectives"][0]["bytes"] for w in answer["workers"]}) == 1
    # the same collectives take the same data transfer time on both workers
    transfers = [[s["transfer_us"] for s in w["steps"]] for w in answer["workers"]]
    assert transfers[0] == pytest.approx(transfers[1])
    # rank 0 computes less per step, so it waits longer for rank 1 in the collectives
    w0, w1 = (w["average"] for w in answer["workers"])
    assert w0["wait_us"] > w1["wait_us"] and w1["computation_us"] + w1["overlap_us"] > w0["computation_us"]


def test_distributed_view_of_the_demo(url: str) -> None:
    answer = _get(url + "distributed?" + _q(run="profile_demo/ddp_gpu"))
    assert [w["worker"] for w in answer["workers"]] == ["worker0", "worker1"] and answer["wait_matched"]
    w0, w1 = (w["average"] for w in answer["workers"])
    assert w1["wait_us"] == pytest.approx(25.0) and w0["wait_us"] == 0
    for worker in answer["workers"]:  # 3 steps of all_reduce over 1,024 floats
        assert [(c["name"], c["calls"], c["bytes"]) for c in worker["collectives"]] == [("nccl:all_reduce", 3, 3 * 4096)]


def test_distributed_view_of_single_worker_runs(url: str) -> None:
    answer = _get(url + "distributed?" + _q(run="train"))
    assert [w["worker"] for w in answer["workers"]] == ["worker0", "worker1"]
    assert answer["spans"] == [1, 2] and answer["span"] == 1  # the span both workers have
    assert not any(w["has_communication"] for w in answer["workers"])
    one = _get(url + "distributed?" + _q(run="train", span=2))
    assert [w["worker"] for w in one["workers"]] == ["worker0"]
    assert one["wait_note"] and one["workers"][0]["average"]["wait_us"] is None
    assert _status(url + "distributed?" + _q(run="train", span=3))[0] == 400
    assert _status(url + "distributed?" + _q(run="train", span="x"))[0] == 400
    assert _status(url + "distributed")[0] == 400
    assert _status(url + "distributed?" + _q(run="nope"))[0] == 404


def test_kernels_say_which_use_tensor_cores(url: str) -> None:
    for group_by in ("name", "name_op"):
        rows = _get(url + "kernels?" + _q(run="slower", group_by=group_by))["rows"]
        flags = {r["name"]: r["tensor_cores"] for r in rows}
        assert flags[TENSOR_CORE_KERNEL] is True
        assert not any(v for k, v in flags.items() if k != TENSOR_CORE_KERNEL)
    overview = _get(url + "overview?" + _q(run="slower"))
    rows = _get(url + "kernels?" + _q(run="slower"))["rows"]
    expected = sum(r["total_us"] for r in rows if r["tensor_cores"]) / sum(r["total_us"] for r in rows)
    assert overview["tensor_core_share"] == pytest.approx(expected)
    assert overview["devices"][0]["tensor_core_share"] == pytest.approx(expected)
    assert _get(url + "overview?" + _q(run=GPU_RUN))["tensor_core_share"] == 0
    assert _get(url + "overview?" + _q(run="train"))["tensor_core_share"] is None


def test_call_stacks_of_an_operator(url: str) -> None:
    trace = _traces(url, "train")[0]
    operators = _get(url + "operators?" + _q(run="train", trace=trace))
    assert operators["call_stacks"] is True
    calls = {r["name"]: r["calls"] for r in operators["rows"]}
    answer = _get(url + "operator_stacks?" + _q(run="train", trace=trace, name="aten::addmm"))
    stacks = answer["stacks"]
    assert sum(s["calls"] for s in stacks) == calls["aten::addmm"]
    frames = [s["frames"] for s in stacks]
    assert len(frames) == 2  # the two Linear layers
    assert {next(f for f in stack if f.startswith("nn.Module: Linear")) for stack in frames} == {
        "nn.Module: Linear_0", "nn.Module: Linear_1"}
    assert all(any("linear.py" in f for f in stack) and stack[-1].endswith("<module>") for stack in frames)
    shaped = _get(url + "operators?" + _q(run="train", trace=trace, group_by="name_shapes"))["rows"]
    row = next(r for r in shaped if r["name"] == "aten::addmm")
    one = _get(url + "operator_stacks?" + _q(run="train", trace=trace, name="aten::addmm", input_shape=row["input_shape"]))
    assert sum(s["calls"] for s in one["stacks"]) == row["calls"] and len(one["stacks"]) == 1
    legacy = _get(url + "operator_stacks?" + _q(run="legacy_stacks", name="aten::relu"))["stacks"]
    assert [s["frames"] for s in legacy] == [["model.py(12): forward", "train.py(40): step", "train.py(80): <module>"]]
    assert _get(url + "operator_stacks?" + _q(run="legacy_stacks", name="aten::linear"))["stacks"][0]["frames"] == []
    assert _get(url + "operators?" + _q(run=GPU_RUN))["call_stacks"] is False
    assert _get(url + "operator_stacks?" + _q(run="train", name="no such op"))["stacks"] == []
    assert _status(url + "operator_stacks?" + _q(run="train"))[0] == 400


def test_timeline_flows_search_and_selection_over_http(url: str) -> None:
    run = urllib.parse.quote(GPU_RUN)
    window = _get(url + f"timeline?run={run}")
    flows = window["flows"]
    assert flows["categories"] == ["ac2g"] and len(flows["start"]) > 0
    assert {window["lanes"][lane]["device"] for lane in flows["end_lane"]} == {True}
    found = _get(url + f"timeline_search?run={run}&q=sgemm&limit=3")
    assert found["total"] > 3 and found["truncated"] and len(found["events"]["start"]) == 3
    assert all("sgemm" in found["names"][i] for i in found["events"]["name"])
    selected = _get(url + f"timeline_selection?run={run}&start=0&end={window['duration_us']}")
    assert selected["events"] == window["total"] and selected["rows"][0]["total_us"] > 0
    assert _status(url + f"timeline_search?run={run}")[0] == 400
    assert _status(url + f"timeline_selection?run={run}&start=5&end=1")[0] == 400
    assert _status(url + f"timeline_selection?run={run}&start=0&end=5&lanes=a,b")[0] == 400
