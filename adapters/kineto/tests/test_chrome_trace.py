"""The Kineto importer on traces written by torch.profiler at test time, and on broken ones."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import tbcore_kineto
from tbcore_kineto.chrome_trace import parse_chrome_trace
from tbcore_kineto.importer import KinetoImporter
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.model import EventKind, Trace


def _traces(logdir: Path, run: str) -> list[Path]:
    return sorted(p for p in (logdir / run).iterdir() if ".pt.trace.json" in p.name)


def _parse(path: Path) -> Trace:
    return KinetoImporter().parse(path.read_bytes(), path.name)


def test_the_hook_declares_the_importer() -> None:
    importers = tbcore_kineto.tbcore_profile_register_importers()
    assert [type(i) for i in importers] == [KinetoImporter]
    assert importers[0].name == "kineto"


@pytest.mark.parametrize(
    ("path", "matches", "worker", "span"),
    [
        ("worker0.1796311223813100318.pt.trace.json", True, "worker0", "1796311223813100318"),
        ("host_12.pt.trace.json.gz", True, "host_12", ""),
        ("a.b.12.pt.trace.json", True, "a.b", "12"),
        ("sub/worker1.5.pt.trace.json", True, "sub/worker1", "5"),
        (".worker0.1.pt.trace.json.partial", False, None, None),
        (".worker0.1.pt.trace.json", False, None, None),
        ("worker0.1.pt.trace.json.tmp", False, None, None),
        ("plugins/profile/2024/host.trace.json.gz", False, None, None),
        ("events.out.tfevents.1", False, None, None),
    ],
)
def test_which_files_are_traces_and_how_they_are_named(path: str, matches: bool, worker: str | None,
                                                       span: str | None) -> None:
    importer = KinetoImporter()
    assert importer.matches(path) is matches
    if matches:
        name = importer.describe(path)
        assert (name.worker, name.span) == (worker, span)


def test_a_cpu_trace_of_torch_profiler(torch_logdir: Path) -> None:
    path = _traces(torch_logdir, "train")[0]
    raw = json.loads(path.read_text())
    trace = _parse(path)
    events, strings = trace.events, trace.strings
    assert trace.format == "kineto"
    assert np.all(np.diff(events.start) >= 0), "events are sorted by start"
    complete = [e for e in raw["traceEvents"] if e.get("ph") == "X"]
    assert len(events) == len(complete)
    names = [strings[n] for n in events.name]
    kinds = {EventKind(k) for k in np.unique(events.kind)}
    assert {EventKind.CPU_OP, EventKind.USER_ANNOTATION, EventKind.PYTHON_FUNCTION, EventKind.SPAN} <= kinds
    assert EventKind.MODULE in kinds  # nn.Module frames carry a module id (with_stack=True)
    steps = sorted(n for n in names if n.startswith("ProfilerStep#"))
    assert steps == ["ProfilerStep#2", "ProfilerStep#3"]
    assert "enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__" in names
    assert any(n.startswith("Optimizer.step#") for n in names)
    # record_shapes: the input shapes of aten::addmm as text
    addmm = [i for i, n in enumerate(names) if n == "aten::addmm"]
    assert addmm and strings[int(events.shapes[addmm[0]])] == "[[64], [32, 32], [32, 64], [], []]"
    # External ids survive, correlation ids are absent on a CPU trace
    assert np.all(events.external_id[addmm] > 0) and np.all(events.correlation == -1)
    # the host thread is a lane named by the trace's metadata
    host = trace.lanes[int(events.lane[addmm[0]])]
    assert not host.device and host.process.startswith("python") and "python" in host.thread
    # profile_memory=True: allocator events, CPU device, running totals
    assert len(trace.memory.time) == sum(1 for e in raw["traceEvents"] if e.get("name") == "[memory]")
    assert set(trace.memory.device_type.tolist()) == {0}
    assert np.nanmax(trace.memory.total_allocated) > 0
    assert trace.metadata["schemaVersion"] == 1 and trace.metadata["skipped_events"] == 0
    assert len(trace.flows.id) == sum(1 for e in raw["traceEvents"] if e.get("ph") in ("s", "f"))


def test_gzip_and_plain_give_the_same_trace(torch_logdir: Path, tmp_path: Path) -> None:
    plain = _traces(torch_logdir, "train")[0]
    packed = tmp_path / (plain.name + ".gz")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = _parse(plain), _parse(packed)
    assert a.strings.values == b.strings.values
    for column in ("name", "kind", "lane", "start", "dur", "external_id", "shapes"):
        assert np.array_equal(getattr(a.events, column), getattr(b.events, column))
    gz = _parse(_traces(torch_logdir, "train")[-1])  # worker1 wrote gzip itself
    assert len(gz.events) > 100


def test_torch_tensorboard_trace_handler_traces_are_read(torch_logdir: Path) -> None:
    trace = _parse(_traces(torch_logdir, "native")[0])
    names = {trace.strings[n] for n in trace.events.name}
    assert {"ProfilerStep#2", "ProfilerStep#3", "ProfilerStep#4"} <= names


def test_gpu_fields_of_a_kineto_kernel() -> None:
    from tbcore_profile.demo import kineto_trace

    document = kineto_trace(steps=1, gpu=True)
    trace = parse_chrome_trace(json.dumps(document).encode(), "gpu.pt.trace.json")
    events, strings = trace.events, trace.strings
    kernel = int(np.flatnonzero(events.kind == EventKind.KERNEL)[0])
    raw = next(e for e in document["traceEvents"] if e.get("cat") == "kernel")
    args = raw["args"]
    assert strings[int(events.name[kernel])] == raw["name"]
    assert (events.device[kernel], events.stream[kernel]) == (0, 7)
    assert events.correlation[kernel] == args["correlation"] and events.external_id[kernel] == args["External id"]
    assert strings[int(events.grid[kernel])] == str(args["grid"])
    assert strings[int(events.block[kernel])] == str(args["block"])
    assert events.registers[kernel] == args["registers per thread"]
    assert events.shared_memory[kernel] == args["shared memory"]
    assert events.blocks_per_sm[kernel] == args["blocks per SM"]
    assert events.occupancy[kernel] == args["est. achieved occupancy %"]
    lane = trace.lanes[int(events.lane[kernel])]
    assert lane.device and lane.process == "python (GPU 0)" and lane.thread == "stream 7"
    copy = int(np.flatnonzero(events.kind == EventKind.MEMCPY)[0])
    assert events.bytes[copy] > 0
    assert EventKind.RUNTIME in set(events.kind.tolist()) and EventKind.MEMSET in set(events.kind.tolist())
    assert trace.devices[0]["name"].startswith("NVIDIA")
    assert set(trace.memory.device_type.tolist()) == {1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON"),
        (b"{\"traceEvents\": [", "not valid JSON"),
        (b"[1, 2]", "no traceEvents"),
        (b"{\"traceEvents\": 3}", "no traceEvents"),
        (gzip.compress(b"{\"traceEvents\": []}", mtime=0)[:-9], "truncated"),
        (b"\x1f\x8bnot gzip at all", "not valid gzip"),
    ],
)
def test_malformed_files_raise_a_format_error(data: bytes, message: str) -> None:
    with pytest.raises(TraceFormatError, match=message):
        parse_chrome_trace(data, "bad.pt.trace.json")


def test_malformed_events_cost_that_event_alone() -> None:
    good = {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1, "ts": 10.5, "dur": 2.0,
            "args": {"External id": 4}}
    document = {"traceEvents": [
        good,
        "not an event",
        {"ph": "X", "cat": "cpu_op", "name": "no time", "pid": 1, "tid": 1},
        {"ph": "X", "cat": "cpu_op", "name": "bad time", "pid": 1, "tid": 1, "ts": "soon", "dur": 1},
        {"ph": "X", "cat": "cpu_op", "name": "bad id", "pid": 1, "tid": 1, "ts": 1, "dur": 1, "args": {"External id": "x"}},
        {"ph": "X", "cat": 7, "name": "bad category", "pid": 1, "tid": 1, "ts": 1, "dur": 1},
        {"ph": "i", "name": "[memory]", "ts": "bad"},
        {"ph": "s", "id": "x", "ts": 1},
        {"ph": "X", "cat": "cpu_op", "name": "no duration", "pid": 1, "tid": 1, "ts": 11},
    ]}
    trace = parse_chrome_trace(json.dumps(document).encode(), "t.pt.trace.json")
    assert [trace.strings[n] for n in trace.events.name] == ["aten::mm", "no duration"]
    assert trace.events.dur.tolist() == [2.0, 0.0]
    assert trace.metadata["skipped_events"] == 7


def test_unquoted_na_and_control_characters_are_read() -> None:
    # Some Kineto releases wrote N/A unquoted and names with raw control characters.
    text = ('{"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "a\tb", "pid": 1, "tid": 1, '
            '"ts": 1, "dur": 2, "args": {"Input Dims": N/A}}]}')
    trace = parse_chrome_trace(text.encode(), "t.pt.trace.json")
    assert trace.strings[int(trace.events.name[0])] == "a\tb"
    assert trace.strings[int(trace.events.shapes[0])] == "N/A"
