"""Demo and test data: a handmade TensorFlow GPU profile, as ``tf.profiler`` saves one on a
CUDA machine (no CPU-only machine can record one), built message by message on ``xplane.proto`` the way
TensorFlow's and XLA's profilers build theirs:

* ``/host:CPU``: a ``python`` thread with the steps (``train`` TraceMes with ``step_num`` and
  ``_r``) and a ``tf_Compute`` thread whose TF ops (``<name>:<Type>``) enclose the CUDA
  driver calls CUPTI recorded (``cuLaunchKernel``, ``cuMemcpyHtoDAsync_v2``,
  ``cuMemsetD32Async``, with ``correlation_id`` and ``device_id``), merged into that thread as
  ``PostProcessSingleHostXSpace`` merges ``/host:CUPTI``; and the BFC allocator's
  ``MemoryAllocation``/``MemoryDeallocation`` TraceMes.
* ``/device:GPU:0``: the device capability stats (``clock_rate``, ``core_count``,
  ``compute_cap_major``...), stream lines named ``Stream #<id>(<types>)`` with kernels
  (``correlation_id``, ``kernel_details`` as a ref to its text, ``theoretical_occupancy_pct``,
  ``tf_op``), a ``MemcpyH2D`` with ``memcpy_details`` and a ``Memset`` with
  ``Memset_details``, and a ``_counters_`` line.
* ``Task Environment``: profile start and stop times.

Times: host lines start at the profile start (``timestamp_ns`` counted from it, as after
``NormalizeTimestamps``), events at ``offset_ps`` from their line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tbcore_xplane.proto import xplane_pb2

HOST = "gpuhost"
PYTHON_TID, COMPUTE_TID, STREAM, MEMSET_STREAM = 1001, 2002, 7, 8
SM_COUNT = 108
KERNELS = [
    # TF op (name:type), kernel, grid, block, regs, static smem, dynamic smem, occupancy %, µs
    ("dense/MatMul:MatMul", "volta_sgemm_128x64_nn", (16, 4, 1), (256, 1, 1), 126, 16384, 0, 25.0, 40.0),
    ("dense/BiasAdd:BiasAdd", "void tensorflow::BiasNHWCKernel<float>(int, float const*, float const*, float*, int)",
     (64, 1, 1), (1024, 1, 1), 16, 0, 0, 100.0, 6.0),
    ("dense/Relu:Relu", "void Eigen::internal::EigenMetaKernel<relu>(int)", (108, 1, 1), (512, 1, 1), 24, 0, 128,
     100.0, 5.0),
]
STEPS = 3
STEP_US = 400.0
COPY_BYTES, MEMSET_BYTES = 1 << 20, 4096


class PlaneBuilder:
    """Interns event and stat names in a plane's metadata tables (as XPlaneBuilder does)."""

    def __init__(self, plane: Any) -> None:
        self.plane = plane
        self._events: dict[str, int] = {}
        self._stats: dict[str, int] = {}

    def event_id(self, name: str) -> int:
        """The event metadata id of ``name``, added if new."""
        if name not in self._events:
            self._events[name] = len(self._events) + 1
            self.plane.event_metadata[self._events[name]].CopyFrom(
                xplane_pb2.XEventMetadata(id=self._events[name], name=name))
        return self._events[name]

    def stat_id(self, name: str) -> int:
        """The stat metadata id of ``name``, added if new."""
        if name not in self._stats:
            self._stats[name] = len(self._stats) + 1
            self.plane.stat_metadata[self._stats[name]].CopyFrom(
                xplane_pb2.XStatMetadata(id=self._stats[name], name=name))
        return self._stats[name]

    def stat(self, owner: Any, name: str, value: Any, ref: bool = False) -> None:
        """Add stat ``name`` to ``owner`` (a plane or an event); ``ref``: a string held as
        stat metadata, as CUPTI's details and ``tf_op`` are."""
        stat = owner.stats.add(metadata_id=self.stat_id(name))
        if ref:
            stat.ref_value = self.stat_id(value)
        elif isinstance(value, str):
            stat.str_value = value
        elif isinstance(value, float):
            stat.double_value = value
        elif value < 0:
            stat.int64_value = value
        else:
            stat.uint64_value = value

    def event(self, line: Any, name: str, start_us: float, dur_us: float, **stats: Any) -> Any:
        """Add an event to ``line``; a stat given as a 1-tuple is stored as a ref."""
        event = line.events.add(metadata_id=self.event_id(name), offset_ps=round(start_us * 1e6),
                                duration_ps=round(dur_us * 1e6))
        for key, value in stats.items():
            ref = isinstance(value, tuple)
            self.stat(event, key, value[0] if ref else value, ref=ref)
        return event


def gpu_xspace(steps: int = STEPS) -> xplane_pb2.XSpace:
    """The profile: ``steps`` steps (three by default), each launching :data:`KERNELS`, a copy
    and a memset."""
    space = xplane_pb2.XSpace(hostnames=[HOST])
    host = PlaneBuilder(space.planes.add(id=0, name="/host:CPU"))
    gpu = PlaneBuilder(space.planes.add(id=1, name="/device:GPU:0"))
    for key, value in (("device_vendor", "Nvidia"), ("gpu_device_name", "NVIDIA A100-SXM4-40GB"),
                       ("clock_rate", 1_410_000), ("core_count", SM_COUNT),
                       ("memory_bandwidth", 1_555_200_000_000), ("memory_size", 42_314_694_656),
                       ("compute_cap_major", 8), ("compute_cap_minor", 0)):
        gpu.stat(gpu.plane, key, value)
    python = host.plane.lines.add(id=PYTHON_TID, name="python", timestamp_ns=1_000)
    compute = host.plane.lines.add(id=COMPUTE_TID, name=f"tf_Compute/{COMPUTE_TID}", timestamp_ns=1_000)
    stream = gpu.plane.lines.add(id=STREAM, name=f"Stream #{STREAM}(Kernel,MemcpyH2D)", timestamp_ns=1_000)
    memsets = gpu.plane.lines.add(id=MEMSET_STREAM, name=f"Stream #{MEMSET_STREAM}(Memset)", timestamp_ns=1_000)
    counters = gpu.plane.lines.add(id=0x7FFFFFFF, name="_counters_", timestamp_ns=1_000)
    correlation = 100
    in_use = 0
    for step in range(steps):
        base = 10.0 + step * STEP_US
        host.event(python, "train", base, STEP_US - 20.0, step_num=step, _r=1)
        host.event(python, "EagerExecute", base + 5.0, STEP_US - 40.0, eager_op=("__inference_train_step_1",))
        t = base + 20.0
        host.event(compute, "IteratorGetNext:IteratorGetNext", t, 20.0)
        correlation += 1
        host.event(compute, "cuMemcpyHtoDAsync_v2", t + 5.0, 8.0, device_id=0, correlation_id=correlation)
        gpu.event(stream, "MemcpyH2D", t + 15.0, 30.0, correlation_id=correlation, context_id="$$1",
                  memcpy_details=(f"kind_src:pinned kind_dst:device size:{COPY_BYTES} dest:0 async:1",),
                  tf_op=("IteratorGetNext:IteratorGetNext",))
        in_use += COPY_BYTES
        host.event(compute, "MemoryAllocation", t + 2.0, 0.5, allocator_name="GPU_0_bfc",
                   bytes_reserved=8 * COPY_BYTES, bytes_allocated=in_use, requested_bytes=COPY_BYTES,
                   allocation_bytes=COPY_BYTES, addr=0x7F0000000000 + step * COPY_BYTES, tf_op="IteratorGetNext")
        t += 30.0
        device_t = t + 40.0
        for op, kernel, grid, block, regs, smem, dsmem, occupancy, dur in KERNELS:
            correlation += 1
            host.event(compute, op, t, 30.0)
            host.event(compute, "cuLaunchKernel", t + 10.0, 6.0, device_id=0, correlation_id=correlation)
            details = (f"regs:{regs} static_shared:{smem} dynamic_shared:{dsmem} grid:{','.join(map(str, grid))} "
                       f"block:{','.join(map(str, block))} occ_pct:{occupancy}")
            gpu.event(stream, kernel, device_t, dur, correlation_id=correlation, context_id="$$1",
                      kernel_details=(details,), theoretical_occupancy_pct=occupancy, tf_op=(op,))
            t += 35.0
            device_t += dur + 2.0
        correlation += 1
        host.event(compute, "ZerosLike:ZerosLike", t, 20.0)
        host.event(compute, "cuMemsetD32Async", t + 5.0, 4.0, device_id=0, correlation_id=correlation)
        gpu.event(memsets, "Memset", device_t + 5.0, 3.0, correlation_id=correlation, context_id="$$1",
                  Memset_details=(f"kind:device num_bytes:{MEMSET_BYTES} async:1",), tf_op=("ZerosLike:ZerosLike",))
        in_use -= COPY_BYTES
        host.event(compute, "MemoryDeallocation", t + 25.0, 0.5, allocator_name="GPU_0_bfc",
                   bytes_reserved=8 * COPY_BYTES, bytes_allocated=in_use, requested_bytes=0,
                   allocation_bytes=COPY_BYTES, addr=0x7F0000000000 + step * COPY_BYTES)
        gpu.event(counters, "power_mw", base, 0.0, power_mw=250_000.0 + step)
    environment = PlaneBuilder(space.planes.add(id=2, name="Task Environment"))
    environment.stat(environment.plane, "profile_start_time", 1_796_000_000_000_000_000)
    environment.stat(environment.plane, "profile_stop_time", 1_796_000_000_002_000_000)
    return space


def write_demo(logdir: Path) -> Path:
    """A run ``profile_demo/tensorflow_gpu`` holding the profile, as tf.profiler lays it out;
    its folder."""
    from tbcore.summary import SummaryWriter

    run = logdir / "profile_demo" / "tensorflow_gpu"
    with SummaryWriter(run) as writer:
        writer.add_scalar("loss", 1.0, 0)
    folder = run / "plugins" / "profile" / "2025_01_01_00_00_00"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{HOST}.xplane.pb").write_bytes(gpu_xspace().SerializeToString())
    return run
