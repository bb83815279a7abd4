"""Fixtures of the profile dashboard's tests: traces written by the real ``torch.profiler``
(in a subprocess, once per session) and handmade CUDA traces in Kineto's format."""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

TORCH_TRACES = Path(__file__).with_name("torch_traces.py")


@pytest.fixture(scope="session")
def torch_logdir(logdir_from_scripts: Callable[[str, Sequence[str]], Path]) -> Path:
    """``train`` (worker0 twice, worker1 gzipped) and ``native`` runs written by torch.profiler."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    return logdir_from_scripts("profile_torch", [TORCH_TRACES.read_text()])


def _write_run(folder: Path, traces: dict[str, dict | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    event = event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()
    (folder / "events.out.tfevents.1.host.1.0").write_bytes(frame_record(event))
    for name, content in traces.items():
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="session")
def write_run() -> Callable[[Path, dict[str, dict | bytes]], Path]:
    """``write_run(folder, {name: document or bytes})``: a run folder with an event file (so
    the provider sees a run) and the given traces (JSON documents, or bytes as they are)."""
    return _write_run


TORCH_DISTRIBUTED_TRACES = Path(__file__).with_name("torch_distributed_traces.py")
TENSOR_CORE_KERNEL = "ampere_s16816gemm_fp16_64x64_sliced1x2_ldg8_f2f_nn"
"""A cuBLAS kernel name with a tensor-core pattern (``16816``)."""


@pytest.fixture(scope="session")
def distributed_logdir(logdir_from_scripts: Callable[[str, Sequence[str]], Path]) -> Path:
    """``ddp``: two gloo workers' traces of one job, written by torch.profiler (CPU)."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    return logdir_from_scripts("profile_ddp", [TORCH_DISTRIBUTED_TRACES.read_text()])


def slower_trace(document: dict) -> dict:
    """A copy of a demo Kineto trace in which every ``aten::mm`` kernel takes three times as
    long and is a tensor-core one (:data:`TENSOR_CORE_KERNEL`)."""
    document = json.loads(json.dumps(document))
    for event in document["traceEvents"]:
        if event.get("name") == "ampere_sgemm_64x32_sliced1x4_nn":
            event["dur"] = round(event["dur"] * 3, 3)
            event["name"] = TENSOR_CORE_KERNEL
    return document


@pytest.fixture(scope="session")
def make_slower() -> Callable[[dict], dict]:
    """:func:`slower_trace`."""
    return slower_trace


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """The profile tab of the module's ``server_url`` (a ``tbcore serve`` process), open in a
    fresh browser context; the test fails on console errors, uncaught exceptions, dialogs and
    requests that leave 127.0.0.1."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append(f"dialog {d.message}"))
    page.on("request", lambda r: None if _is_local(r.url) else errors.append(f"outside request {r.url}"))
    page.goto(server_url)
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.click('[role="tab"][data-plugin="profile"]')
    page.wait_for_function("() => document.querySelector(`section[data-plugin='profile']`)?.dataset.state === 'mounted'")
    yield page
    context.close()
    assert errors == [], "errors in the page"


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"
