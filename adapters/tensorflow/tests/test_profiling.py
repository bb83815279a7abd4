"""``profile_batch`` on each backend: the backend's profiler records those batches, each marked
as a step, and leaves its trace in the ``train`` run where the profile dashboard looks."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNS = Path(__file__).with_name("keras_runs.py")


def profile(backend: str, logdir: Path) -> Path:
    """Train with ``profile_batch=(2, 3)`` on ``backend``; the ``train`` run's folder."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    config = json.dumps({"profile_batch": [2, 3], "write_graph": False})
    subprocess.run([sys.executable, str(RUNS), "ours", str(logdir), config], check=True, env=env, timeout=300,
                   capture_output=True)
    return logdir / "tbcore" / "train"


def test_tensorflow_writes_an_xplane_with_train_steps(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    xplanes = list(profile("tensorflow", tmp_path).glob("plugins/profile/*/*.xplane.pb"))
    assert len(xplanes) == 1
    data = xplanes[0].read_bytes()
    assert b"train" in data and b"step_num" in data  # the TraceMe of each profiled batch


def test_jax_writes_an_xplane_and_a_trace_with_train_steps(tmp_path: Path) -> None:
    pytest.importorskip("jax")
    train = profile("jax", tmp_path)
    assert len(list(train.glob("plugins/profile/*/*.xplane.pb"))) == 1
    (trace,) = train.glob("plugins/profile/*/*.trace.json.gz")
    events = json.loads(gzip.decompress(trace.read_bytes()))["traceEvents"]
    steps = sorted(int(e["args"]["step_num"]) for e in events if e.get("name") == "train")
    assert steps == [2, 3]


def test_torch_writes_a_kineto_trace_with_profiler_steps(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("tbcore_torch")
    (trace,) = profile("torch", tmp_path).glob("*.pt.trace.json")
    names = {e.get("name") for e in json.loads(trace.read_text())["traceEvents"]}
    assert {"ProfilerStep#2", "ProfilerStep#3"} <= names
    assert not any(str(n).startswith("ProfilerStep#") and n not in ("ProfilerStep#2", "ProfilerStep#3") for n in names)
