"""The XPlane importer on profiles written by tf.profiler and jax.profiler at test time, on
the handmade GPU profile, and on broken files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import tbcore_xplane
from tbcore_profile.analysis import TraceAnalysis
from tbcore_profile.breakdown import CATEGORIES
from tbcore_profile.importer import TraceFormatError
from tbcore_profile.model import EventKind, Trace
from tbcore_xplane import demo
from tbcore_xplane.importer import XPlaneImporter
from tbcore_xplane.proto import xplane_pb2


def _files(run: Path, suffix: str) -> list[Path]:
    return sorted((run / "plugins" / "profile").glob(f"*/*{suffix}"))


def _parse(path: Path, run: Path) -> Trace:
    return XPlaneImporter().parse(path.read_bytes(), path.relative_to(run).as_posix())


def _names(trace: Trace, kind: EventKind | None = None) -> list[str]:
    events = trace.events
    picked = events.name if kind is None else events.name[events.kind == kind]
    return [trace.strings[int(n)] for n in picked]


def test_the_hook_declares_the_importer() -> None:
    importers = tbcore_xplane.tbcore_profile_register_importers()
    assert [type(i) for i in importers] == [XPlaneImporter]
    assert importers[0].name == "xplane"


@pytest.mark.parametrize(
    ("path", "matches", "worker", "span"),
    [
        ("plugins/profile/2024_05_01_10_00_00/host1.xplane.pb", True, "host1", "2024_05_01_10_00_00"),
        ("plugins/profile/s/vm.trace.json.gz", True, "(trace.json) vm", "s"),
        ("train/plugins/profile/s/worker.a.xplane.pb", True, "train/worker.a", "s"),
        ("plugins/profile/s/perfetto_trace.json.gz", False, None, None),
        ("plugins/profile/s/.vm.xplane.pb", False, None, None),
        ("plugins/profile/s/vm.xplane.pb.tmp", False, None, None),
        ("plugins/profile/vm.xplane.pb", False, None, None),
        ("vm.xplane.pb", False, None, None),
        ("worker0.1.pt.trace.json.gz", False, None, None),
    ],
)
def test_which_files_are_profiles_and_how_they_are_named(path: str, matches: bool, worker: str | None,
                                                         span: str | None) -> None:
    importer = XPlaneImporter()
    assert importer.matches(path) is matches
    if matches:
        name = importer.describe(path)
        assert (name.worker, name.span) == (worker, span)


def _raw_events(path: Path) -> list[tuple[str, str, int, int]]:
    """(plane, event name, line timestamp ns, offset ps) of every timed event, read directly."""
    space = xplane_pb2.XSpace.FromString(path.read_bytes())
    return [
        (plane.name, plane.event_metadata[e.metadata_id].name, line.timestamp_ns, e.offset_ps)
        for plane in space.planes for line in plane.lines for e in line.events
    ]


def test_a_tensorflow_profile(tf_run: Path) -> None:
    (path,) = _files(tf_run, ".xplane.pb")
    trace = _parse(path, tf_run)
    events = trace.events
    assert trace.format == "xplane" and np.all(np.diff(events.start) >= 0)
    raw = _raw_events(path)
    allocator = sum(1 for _, name, _, _ in raw if name.startswith("Memory"))
    assert len(events) == len(raw) - allocator
    # host threads: the Python thread and TensorFlow's compute threads, on /host:CPU
    threads = {lane.thread for lane in trace.lanes}
    assert "python" in threads and any(t.startswith("tf_Compute/") for t in threads)
    assert all(lane.process.startswith("/host:CPU") and not lane.device for lane in trace.lanes)
    # TF ops keep the TraceMe's "<op name>:<op type>" names
    ops = set(_names(trace, EventKind.CPU_OP))
    assert {"Mean:Mean", "gradient_tape/sequential_1/dense_1/ReluGrad:ReluGrad"} <= ops or any(
        name.endswith(":ReluGrad") for name in ops)
    assert any(name.endswith(":_MklNativeFusedMatMul") or name.endswith(":MatMul") for name in ops)
    assert all(":" in name for name in ops)
    annotations = set(_names(trace, EventKind.USER_ANNOTATION))
    assert {"EagerExecute", "ExecutorState::Process"} <= annotations
    # the four Trace('train', step_num=i, _r=1) ranges are the steps
    assert sorted(n for n in annotations if n.startswith("ProfilerStep#")) == [f"ProfilerStep#{i}" for i in range(4)]
    steps = TraceAnalysis(trace).breakdown.steps
    assert steps.names == ["0", "1", "2", "3"]
    step_events = events.name == trace.strings.find("ProfilerStep#0")
    assert trace.strings[int(events.category[step_events][0])] == "step:train"
    # times: picoseconds on the line's clock, as µs
    first = min((ts * 1000 + offset) for _, _, ts, offset in raw)
    assert trace.time_range[0] == pytest.approx((first - trace.metadata["time_base_ns"] * 1000) / 1e6)
    assert trace.metadata["hostnames"] and "Task Environment" in trace.metadata


def test_a_jax_profile_and_its_trace_json(jax_run: Path) -> None:
    (path,) = _files(jax_run, ".xplane.pb")
    trace = _parse(path, jax_run)
    xla_ops = _names(trace, EventKind.CPU_OP)
    # XLA's CPU thunks, named as XLA names the HLO instructions
    assert "dot" in xla_ops and any(name.endswith("fusion") for name in xla_ops)
    assert all(trace.strings[int(c)] == "xla_op" for c in trace.events.category[trace.events.kind == EventKind.CPU_OP])
    assert {"PjitFunction(step)"} <= set(_names(trace)) or any(
        n.startswith("PjitFunction") for n in _names(trace))
    assert TraceAnalysis(trace).breakdown.steps.names == ["0", "1", "2", "3"]
    threads = {lane.thread for lane in trace.lanes}
    assert "python" in threads and any("XLA" in t or "Pjrt" in t.lower() for t in threads)
    assert trace.metadata["/host:metadata"]["jax_version"]
    # the trace.json.gz jax writes beside it holds the same profile
    (json_path,) = _files(jax_run, ".trace.json.gz")
    other = _parse(json_path, jax_run)
    assert sorted(_names(other, EventKind.CPU_OP)) == sorted(xla_ops)
    assert TraceAnalysis(other).breakdown.steps.names == ["0", "1", "2", "3"]
    assert np.allclose(np.diff(other.events.start[other.events.kind == EventKind.CPU_OP]),
                       np.diff(trace.events.start[trace.events.kind == EventKind.CPU_OP]), atol=2e-3)


def test_the_gpu_profile() -> None:
    space = demo.gpu_xspace()
    trace = XPlaneImporter().parse(space.SerializeToString(), "plugins/profile/s/gpuhost.xplane.pb")
    events, strings = trace.events, trace.strings
    kernels = np.flatnonzero(events.kind == EventKind.KERNEL)
    assert len(kernels) == demo.STEPS * len(demo.KERNELS)
    first = int(kernels[0])
    op, name, grid, block, regs, smem, dsmem, occupancy, dur = demo.KERNELS[0]
    assert strings[int(events.name[first])] == name and events.dur[first] == pytest.approx(dur)
    assert strings[int(events.grid[first])] == str(list(grid))
    assert strings[int(events.block[first])] == str(list(block))
    assert (events.registers[first], events.shared_memory[first]) == (regs, smem + dsmem)
    assert events.occupancy[first] == occupancy
    assert events.blocks_per_sm[first] == pytest.approx(grid[0] * grid[1] * grid[2] / demo.SM_COUNT)
    assert (events.device[first], events.stream[first]) == (0, demo.STREAM)
    lane = trace.lanes[int(events.lane[first])]
    assert lane.device and lane.thread.startswith(f"Stream #{demo.STREAM}")
    assert lane.process == "/device:GPU:0 (NVIDIA A100-SXM4-40GB)"
    copies = np.flatnonzero(events.kind == EventKind.MEMCPY)
    sets = np.flatnonzero(events.kind == EventKind.MEMSET)
    assert events.bytes[copies].tolist() == [demo.COPY_BYTES] * demo.STEPS
    assert events.bytes[sets].tolist() == [demo.MEMSET_BYTES] * demo.STEPS
    # every device event is linked to its driver call, and that call to the TF op around it
    analysis = TraceAnalysis(trace)
    assert np.all(analysis.links.launcher >= 0)
    runtime = int(analysis.links.launcher[0])
    assert strings[int(events.name[runtime])] == "cuMemcpyHtoDAsync_v2"
    owners = {strings[int(events.name[o])] for o in analysis.tree.device_node.tolist() if o >= 0}
    assert owners == {op for op, *_ in demo.KERNELS} | {"IteratorGetNext:IteratorGetNext", "ZerosLike:ZerosLike"}
    assert len(trace.flows.id) == 2 * len(analysis.links.device)
    assert trace.devices == [{
        "id": 0, "plane": "/device:GPU:0", "name": "NVIDIA A100-SXM4-40GB", "vendor": "Nvidia",
        "clockRateKHz": 1_410_000, "numSms": demo.SM_COUNT, "memoryBandwidthBytesPerSecond": 1_555_200_000_000,
        "totalGlobalMem": 42_314_694_656, "computeMajor": 8, "computeMinor": 0,
    }]
    # the BFC allocator's events are memory records of CUDA:0, the counters line counters
    assert trace.memory.device_type.tolist() == [1] * 2 * demo.STEPS
    assert trace.memory.bytes.tolist() == [demo.COPY_BYTES, -demo.COPY_BYTES] * demo.STEPS
    assert np.nanmax(trace.memory.total_allocated) == demo.COPY_BYTES
    assert [trace.strings[int(n)] for n in trace.counters.name] == ["power_mw"] * demo.STEPS
    assert analysis.breakdown.steps.names == [str(i) for i in range(demo.STEPS)]
    assert analysis.breakdown.steps.device_adjusted


def test_waiting_for_tf_data_is_data_loading(tf_data_run: Path) -> None:
    """The model waiting for its batch (``Iterator::Root`` on the thread that asked for it) is
    data loading in the breakdown; the pipeline's own work on its threads stays CPU time."""
    (path,) = _files(tf_data_run, ".xplane.pb")
    analysis = TraceAnalysis(_parse(path, tf_data_run))
    trace, result = analysis.trace, analysis.breakdown
    events, names = trace.events, _names(trace)
    waits = [i for i, name in enumerate(names) if name == "Iterator::Root"]
    work = [i for i, name in enumerate(names) if name.startswith("Iterator::Root::Prefetch::")]
    assert waits and work and {int(events.lane[i]) for i in waits}.isdisjoint(int(events.lane[i]) for i in work)
    loading = result.costs[:, CATEGORIES.index("data_loading")]
    for step, (lo, hi) in enumerate(zip(result.steps.start, result.steps.end)):
        inside = sorted((max(float(events.start[i]), lo), min(float(events.start[i] + events.dur[i]), hi))
                        for i in waits)
        covered, reach = 0.0, lo
        for begin, end in inside:  # the union of the waits within the step
            covered += max(0.0, end - max(begin, reach))
            reach = max(reach, end)
        assert loading[step] == pytest.approx(covered, abs=1e-6) and covered > 0
    assert result.costs[:, CATEGORIES.index("cpu_exec")].sum() > 0


def test_derived_lines_and_aggregates_are_left_out() -> None:
    space = demo.gpu_xspace()
    gpu = space.planes[1]
    steps = gpu.lines.add(id=0xDEADBEEF, name="Steps", timestamp_ns=1_000)
    steps.events.add(metadata_id=1, offset_ps=0, duration_ps=10**6)
    aggregated = gpu.lines[0].events.add(metadata_id=1, num_occurrences=5, duration_ps=10)
    assert aggregated.WhichOneof("data") == "num_occurrences"
    plain = XPlaneImporter().parse(demo.gpu_xspace().SerializeToString(), "plugins/profile/s/h.xplane.pb")
    trace = XPlaneImporter().parse(space.SerializeToString(), "plugins/profile/s/h.xplane.pb")
    assert len(trace.events) == len(plain.events)
    assert trace.metadata["skipped_events"] == 1


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (b"", "plugins/profile/s/h.xplane.pb", "no plane"),
        (b"\x0a\xff\xff\xff", "plugins/profile/s/h.xplane.pb", "not an XSpace"),
        (demo.gpu_xspace().SerializeToString()[:-7], "plugins/profile/s/h.xplane.pb", "not an XSpace"),
        (b"{\"traceEvents\": [", "plugins/profile/s/h.trace.json.gz", "not valid JSON"),
        (gzip.compress(b"{\"traceEvents\": []}", mtime=0)[:-9], "plugins/profile/s/h.trace.json.gz", "truncated"),
        (gzip.compress(b"[1]", mtime=0), "plugins/profile/s/h.trace.json.gz", "no traceEvents"),
        (gzip.compress(b"{\"traceEvents\": []}", mtime=0), "plugins/profile/s/h.trace.json.gz", "no event"),
        (b"\x1f\x8bnot gzip", "plugins/profile/s/h.trace.json.gz", "not valid gzip"),
    ],
    ids=["empty", "garbage", "truncated-pb", "bad-json", "truncated-gz", "not-a-trace", "no-events", "bad-gz"],
)
def test_malformed_files_raise_a_format_error(data: bytes, path: str, message: str) -> None:
    with pytest.raises(TraceFormatError, match=message):
        XPlaneImporter().parse(data, path)


def test_malformed_json_events_cost_that_event_alone() -> None:
    document = {"traceEvents": [
        {"ph": "M", "pid": 1, "name": "process_name", "args": {"name": "/host:CPU"}},
        {"ph": "X", "pid": 1, "tid": 2, "ts": 1.0, "dur": 2.0, "name": "Mean:Mean"},
        {"ph": "X", "pid": 1, "tid": 2, "ts": "soon", "dur": 2.0, "name": "bad"},
        {"ph": "X", "pid": 1, "tid": 2, "ts": 1.0, "dur": 2.0, "name": 3},
        "not an event",
        {"ph": "X", "pid": 1, "tid": 2, "ts": 5.0, "dur": 1.0, "name": "train", "args": {"step_num": "7"}},
    ]}
    data = gzip.compress(json.dumps(document).encode())
    trace = XPlaneImporter().parse(data, "plugins/profile/s/h.trace.json.gz")
    assert _names(trace) == ["Mean:Mean", "ProfilerStep#7"]
    assert trace.metadata["skipped_events"] == 3
