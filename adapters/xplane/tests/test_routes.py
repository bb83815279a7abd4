"""The profile dashboard's routes over real HTTP on XPlane profiles: written by tf.profiler and
jax.profiler at test time, the handmade GPU profile, and a broken one."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tbcore_profile
from tbcore.summary import SummaryWriter

RUNS = {"tf", "jax", "gpu", "broken"}


@pytest.fixture(scope="module")
def url(tf_run: Path, jax_run: Path, gpu_run: Path, tmp_path_factory: pytest.TempPathFactory, app_server: Any) -> Iterator[str]:
    root = tmp_path_factory.mktemp("xplane_routes")
    for name, run in (("tf", tf_run), ("jax", jax_run), ("gpu", gpu_run)):
        shutil.copytree(run, root / name)
    with SummaryWriter(root / "broken") as writer:
        writer.add_scalar("loss", 1.0, 0)
    (root / "broken" / "plugins" / "profile" / "s").mkdir(parents=True)
    (root / "broken" / "plugins" / "profile" / "s" / "h.xplane.pb").write_bytes(b"\x0a\xff\xff\xff")
    with app_server(root, [tbcore_profile], runs=len(RUNS)) as base:
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


def test_runs_list_the_profiles(url: str) -> None:
    answer = _get(url + "runs")
    assert "xplane" in answer["importers"] and answer["importer_errors"] == {}
    runs = {r["run"]: r["traces"] for r in answer["runs"]}
    assert set(runs) == RUNS
    jax = runs["jax"]
    assert [(t["importer"], t["worker"].startswith("(trace.json) ")) for t in jax] == [("xplane", True), ("xplane", False)]  # xplane.pb last
    assert all(t["trace"].startswith("plugins/profile/") and t["span"] for t in jax)
    assert [t["status"] for t in runs["gpu"]] == ["ready"]


def test_overview_of_each_profile(url: str) -> None:
    for run in ("tf", "jax"):
        overview = _get(url + "overview?" + _q(run=run))
        assert overview["trace"].endswith(".xplane.pb")  # the default: the last listed, not the JSON
        assert [s["step"] for s in overview["steps"]] == ["0", "1", "2", "3"]
        assert overview["summary"]["format"] == "xplane"
        assert "cpu_exec" in overview["categories"] and overview["average"]["cpu_exec"] > 0
    gpu = _get(url + "overview?" + _q(run="gpu"))
    assert gpu["steps_adjusted_to_device"] and len(gpu["steps"]) == 3
    assert gpu["average"]["kernel"] == pytest.approx(51.0) and gpu["average"]["memcpy"] == pytest.approx(30.0)
    assert gpu["devices"][0]["name"] == "NVIDIA A100-SXM4-40GB" and gpu["devices"][0]["kernels"] == 9
    assert gpu["device_properties"][0]["numSms"] == 108


def test_operators_and_kernels(url: str) -> None:
    tf = _get(url + "operators?" + _q(run="tf"))
    names = [row["name"] for row in tf["rows"]]
    assert "Mean:Mean" in names and tf["sort"] == "host_self_us"
    jax = _get(url + "operators?" + _q(run="jax"))
    assert "dot" in [row["name"] for row in jax["rows"]]
    gpu = _get(url + "operators?" + _q(run="gpu"))
    assert gpu["has_device"] and gpu["rows"][0]["name"] == "dense/MatMul:MatMul"
    assert gpu["rows"][0]["device_self_us"] == pytest.approx(120.0)
    kernels = _get(url + "kernels?" + _q(run="gpu", group_by="name_op"))
    assert kernels["rows"][0]["operator"] == "dense/MatMul:MatMul" and kernels["rows"][0]["grid"] == "[16, 4, 1]"
    memory = _get(url + "memory?" + _q(run="gpu"))
    assert [d["device"] for d in memory["devices"]] == ["CUDA:0"]


def test_timeline_of_a_jax_trace_json(url: str) -> None:
    runs = {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}
    trace = runs["jax"][0]["trace"]
    assert trace.endswith(".trace.json.gz")
    answer = _get(url + "timeline?" + _q(run="jax", trace=trace, width=2000))
    assert answer["total"] > 50 and not answer["truncated"]
    assert {lane["thread"] for lane in answer["lanes"]} >= {"python"}
    names = {answer["names"][i] for i in answer["events"]["name"]}
    assert {"ProfilerStep#0", "dot"} <= names
    gpu = _get(url + "timeline?" + _q(run="gpu"))
    assert any(lane["device"] for lane in gpu["lanes"])
    assert "kernel" in set(gpu["kinds"].values())


def test_a_broken_profile_is_a_422(url: str) -> None:
    runs = {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}
    assert runs["broken"][0]["worker"] == "h"
    status, message = _status(url + "overview?" + _q(run="broken"))
    assert status == 422 and "not an XSpace" in message
    assert {r["run"]: r["traces"] for r in _get(url + "runs")["runs"]}["broken"][0]["status"] == "error"
