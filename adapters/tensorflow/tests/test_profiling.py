"""``profile_batch`` on each backend: the backend's profiler records those batches, each marked
as a step, and leaves its trace in the ``train`` run, where the provider lists it among the
run's assets (what the profile dashboard reads)."""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from pathlib import Path

import installed
import warm_python

from tbcore.data import LogdirDataProvider

RUNS = Path(__file__).with_name("keras_runs.py")


def profile(backend: str, logdir: Path) -> dict[str, bytes]:
    """Train with ``profile_batch=(2, 3)`` on ``backend``; the ``train`` run's assets, by path,
    as tbcore's provider lists and reads them."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    config = json.dumps({"profile_batch": [2, 3], "write_graph": False})
    warm_python.run([sys.executable, str(RUNS), "ours", str(logdir), config], check=True, env=env, timeout=300,
                   capture_output=True)
    provider = LogdirDataProvider(str(logdir / "tbcore"))
    provider.reload()
    return {a.path: provider.read_run_asset(run="train", path=a.path) for a in provider.list_run_assets(run="train")}


def test_tensorflow_writes_an_xplane_with_train_steps(tmp_path: Path) -> None:
    installed.require("tensorflow")
    assets = profile("tensorflow", tmp_path)
    xplanes = [path for path in assets if re.fullmatch(r"plugins/profile/[^/]+/[^/]+\.xplane\.pb", path)]
    assert len(xplanes) == 1
    data = assets[xplanes[0]]
    assert b"train" in data and b"step_num" in data  # the TraceMe of each profiled batch


def test_jax_writes_an_xplane_and_a_trace_with_train_steps(tmp_path: Path) -> None:
    installed.require("jax")
    assets = profile("jax", tmp_path)
    assert len([p for p in assets if p.endswith(".xplane.pb")]) == 1
    (trace,) = [data for path, data in assets.items() if path.endswith(".trace.json.gz")]
    events = json.loads(gzip.decompress(trace))["traceEvents"]
    steps = sorted(int(e["args"]["step_num"]) for e in events if e.get("name") == "train")
    assert steps == [2, 3]


def test_torch_writes_a_kineto_trace_with_profiler_steps(tmp_path: Path) -> None:
    installed.require("torch", "tbcore_torch")
    (trace,) = [data for path, data in profile("torch", tmp_path).items() if path.endswith(".pt.trace.json")]
    names = {e.get("name") for e in json.loads(trace)["traceEvents"]}
    steps = {n for n in names if str(n).startswith("ProfilerStep#")}
    assert steps == {"ProfilerStep#2", "ProfilerStep#3"}
