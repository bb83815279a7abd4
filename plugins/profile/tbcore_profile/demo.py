"""Demo data: Kineto traces of a made-up training loop, in the JSON torch.profiler writes
(categories, args and flows as Kineto's ``output_json.cpp`` and ``CuptiActivity.cpp`` format
them), with or without CUDA kernels. Tests use the same generator for traces no CPU-only
machine can record."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

HOST_PID, HOST_TID, GPU_PID, STREAM = 4242, 4242, 0, 7
BASE_TS = 1_000_000.0
LAUNCH_CBID, MEMCPY_CBID, MEMSET_CBID = 211, 41, 51
DEVICE_PROPERTIES = {
    "id": 0, "name": "NVIDIA A100-SXM4-40GB", "totalGlobalMem": 42_314_694_656,
    "computeMajor": 8, "computeMinor": 0, "maxThreadsPerBlock": 1024,
    "maxThreadsPerMultiprocessor": 2048, "regsPerBlock": 65536, "regsPerMultiprocessor": 65536,
    "warpSize": 32, "sharedMemPerBlock": 49152, "sharedMemPerMultiprocessor": 167936,
    "numSms": 108, "sharedMemPerBlockOptin": 166912,
}


class _TraceWriter:
    """Lays out host ranges one after the other on one thread, and the device work they
    launch on one stream, like a real training step."""

    def __init__(self, rng: random.Random, gpu: bool) -> None:
        self.rng, self.gpu = rng, gpu
        self.events: list[dict[str, Any]] = []
        self.now = BASE_TS
        self.gpu_now = BASE_TS
        self.next_id = 1
        self.correlation = 100
        self.stack: list[int] = []
        self.allocated = {0: 0, 1: 0}

    def _tick(self, mean: float) -> float:
        return round(self.rng.uniform(0.6, 1.4) * mean, 3)

    def span(self, name: str, cat: str, self_us: float, body: Callable[[], None] | None = None,
             shapes: list[list[int]] | None = None) -> None:
        """A host range of ``name`` around whatever ``body`` adds, ``self_us`` of its own."""
        start = self.now
        external = self.next_id
        self.next_id += 1
        self.stack.append(external)
        self.now = round(self.now + self._tick(self_us / 2), 3)
        if body is not None:
            body()
        self.now = round(self.now + self._tick(self_us / 2), 3)
        self.stack.pop()
        args: dict[str, Any] = {"External id": external, "Record function id": 0}
        if cat == "cpu_op":
            dims = shapes if shapes is not None else []
            args.update({"Input Dims": dims, "Input type": ["float" if d else "Scalar" for d in dims]})
        self.events.append({"ph": "X", "cat": cat, "name": name, "pid": HOST_PID, "tid": HOST_TID,
                            "ts": start, "dur": round(self.now - start, 3), "args": args})
        self.now = round(self.now + self._tick(2), 3)

    def launch(self, kind: str, name: str, device_us: float, **detail: Any) -> None:
        """A runtime call from the current operator and the device work it starts."""
        if not self.gpu:
            return
        self.correlation += 1
        correlation, external = self.correlation, self.stack[-1]
        runtime, cbid = {"kernel": ("cudaLaunchKernel", LAUNCH_CBID), "gpu_memcpy": ("cudaMemcpyAsync", MEMCPY_CBID),
                         "gpu_memset": ("cudaMemsetAsync", MEMSET_CBID)}[kind]
        start, dur = self.now, self._tick(5)
        self.events.append({"ph": "X", "cat": "cuda_runtime", "name": runtime, "pid": HOST_PID, "tid": HOST_TID,
                            "ts": start, "dur": dur,
                            "args": {"External id": external, "cbid": cbid, "correlation": correlation}})
        self.now = round(start + dur, 3)
        device_start = round(max(self.gpu_now, start + 3.0), 3)
        device_dur = self._tick(device_us)
        args: dict[str, Any] = {"External id": external}
        if kind == "kernel":
            args.update({"queued": 0, "device": 0, "context": 1, "stream": STREAM, "correlation": correlation,
                         "registers per thread": detail["registers"], "shared memory": detail["shared"],
                         "blocks per SM": detail["blocks_per_sm"], "warps per SM": detail["blocks_per_sm"] * 4,
                         "grid": detail["grid"], "block": detail["block"],
                         "est. achieved occupancy %": detail["occupancy"]})
        else:
            nbytes = detail["bytes"]
            args.update({"device": 0, "context": 1, "stream": STREAM, "correlation": correlation,
                         "bytes": nbytes, "memory bandwidth (GB/s)": round(nbytes / (device_dur * 1000), 3)})
        self.events.append({"ph": "X", "cat": kind, "name": name, "pid": GPU_PID, "tid": STREAM,
                            "ts": device_start, "dur": device_dur, "args": args})
        self.events.append({"ph": "s", "id": correlation, "pid": HOST_PID, "tid": HOST_TID, "ts": start,
                            "cat": "ac2g", "name": "ac2g"})
        self.events.append({"ph": "f", "id": correlation, "pid": GPU_PID, "tid": STREAM, "ts": device_start,
                            "cat": "ac2g", "name": "ac2g", "bp": "e"})
        self.gpu_now = round(device_start + device_dur, 3)

    def allocate(self, nbytes: int) -> None:
        """An allocator event on the training device."""
        device_type = 1 if self.gpu else 0
        self.allocated[device_type] += nbytes
        total = self.allocated[device_type]
        self.events.append({"ph": "i", "cat": "cpu_instant_event", "s": "t", "name": "[memory]",
                            "pid": HOST_PID, "tid": HOST_TID, "ts": self.now,
                            "args": {"Total Reserved": max(total, 0) + 2_097_152 * device_type,
                                     "Total Allocated": total, "Bytes": nbytes,
                                     "Device Id": 0 if self.gpu else -1, "Device Type": device_type,
                                     "Addr": 94_000_000 + self.next_id * 4096}})


def _kernel(w: _TraceWriter, name: str, us: float, grid: list[int], block: list[int]) -> None:
    w.launch("kernel", name, us, registers=32 + 8 * (len(name) % 4), shared=(len(name) % 3) * 4096,
             blocks_per_sm=round(grid[0] / 108, 6), grid=grid, block=block, occupancy=25 + len(name) % 50)


def _linear(w: _TraceWriter, batch: int, fan_in: int, fan_out: int) -> None:
    def addmm() -> None:
        w.allocate(batch * fan_out * 4)
        _kernel(w, "ampere_sgemm_32x128_tn", 40.0 * fan_out / 64, [max(batch // 32, 1), 2, 1], [128, 1, 1])

    def body() -> None:
        w.span("aten::t", "cpu_op", 6, lambda: w.span("aten::transpose", "cpu_op", 4, shapes=[[fan_out, fan_in], [], []]),
               shapes=[[fan_out, fan_in]])
        w.span("aten::addmm", "cpu_op", 20, addmm, shapes=[[fan_out], [batch, fan_in], [fan_in, fan_out], [], []])

    w.span("aten::linear", "cpu_op", 8, body, shapes=[[batch, fan_in], [fan_out, fan_in], [fan_out]])


def _step(w: _TraceWriter, step: int, batch: int) -> None:
    def load() -> None:
        for _ in range(4):
            w.span("aten::stack", "cpu_op", 60, lambda: w.span("aten::cat", "cpu_op", 40, shapes=[[], []]), shapes=[[], []])

    def to_device() -> None:
        w.launch("gpu_memcpy", "Memcpy HtoD (Pageable -> Device)", 30.0, bytes=batch * 32 * 4)

    def relu() -> None:
        _kernel(w, "void at::native::vectorized_elementwise_kernel<4, at::native::clamp_min>", 6.0,
                [batch // 4, 1, 1], [128, 1, 1])

    def zero() -> None:
        w.launch("gpu_memset", "Memset (Device)", 2.0, bytes=4096)

    def gradient(name: str, us: float) -> None:
        def mm() -> None:
            w.span("aten::mm", "cpu_op", 18,
                   lambda: _kernel(w, "ampere_sgemm_64x32_sliced1x4_nn", us, [4, 4, 1], [128, 1, 1]),
                   shapes=[[batch, 64], [64, 32]])

        w.span(f"autograd::engine::evaluate_function: {name}", "cpu_op", 10, lambda: w.span(name, "cpu_op", 6, mm))

    def backward() -> None:
        for name, us in (("MmBackward0", 60.0), ("ReluBackward0", 8.0), ("MmBackward0", 55.0)):
            gradient(name, us)

    def optimizer() -> None:
        for _ in range(4):
            w.span("aten::add_", "cpu_op", 9, lambda: _kernel(w, "void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor>",
                                                          3.0, [64, 1, 1], [128, 1, 1]), shapes=[[64, 32], [64, 32], []])

    def body() -> None:
        w.span("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__", "user_annotation", 150, load)
        w.span("aten::to", "cpu_op", 10, lambda: w.span("aten::_to_copy", "cpu_op", 8, lambda: w.span(
            "aten::copy_", "cpu_op", 6, to_device, shapes=[[batch, 32], [batch, 32], []]), shapes=[[batch, 32], [], []]),
            shapes=[[batch, 32], [], [], []])
        _linear(w, batch, 32, 64)
        w.span("aten::relu", "cpu_op", 8, lambda: w.span("aten::clamp_min", "cpu_op", 6, relu, shapes=[[batch, 64], []]),
               shapes=[[batch, 64]])
        _linear(w, batch, 64, 10)
        w.span("Optimizer.zero_grad#SGD.zero_grad", "user_annotation", 30,
               lambda: w.span("aten::zero_", "cpu_op", 8, lambda: w.span("aten::fill_", "cpu_op", 5, zero, shapes=[[64, 32], []]),
                              shapes=[[64, 32]]))
        w.span("aten::ones_like", "cpu_op", 6, shapes=[[], [], [], [], [], []])
        backward()
        w.span("Optimizer.step#SGD.step", "user_annotation", 40, optimizer)
        w.allocate(-batch * 64 * 4)

    w.span(f"ProfilerStep#{step}", "user_annotation", 20, body)


def kineto_trace(steps: int = 3, gpu: bool = True, seed: int = 0, batch: int = 64, first_step: int = 2) -> dict[str, Any]:
    """A Kineto JSON document of ``steps`` training steps (``ProfilerStep#first_step`` on),
    with CUDA runtime calls, kernels, a copy and a memset per step when ``gpu``."""
    w = _TraceWriter(random.Random(seed), gpu)
    for step in range(first_step, first_step + steps):
        _step(w, step, batch)
    end = max(w.now, w.gpu_now)
    meta = [
        {"ph": "M", "name": "process_name", "ts": BASE_TS, "pid": HOST_PID, "tid": 0, "args": {"name": "python"}},
        {"ph": "M", "name": "process_labels", "ts": BASE_TS, "pid": HOST_PID, "tid": 0, "args": {"labels": "CPU"}},
        {"ph": "M", "name": "thread_name", "ts": BASE_TS, "pid": HOST_PID, "tid": HOST_TID,
         "args": {"name": f"thread {HOST_TID} (python)"}},
        {"ph": "X", "cat": "Trace", "name": "PyTorch Profiler (0)", "pid": "Spans", "tid": "PyTorch Profiler",
         "ts": BASE_TS - 50, "dur": round(end - BASE_TS + 100, 3), "args": {"Op count": 0}},
        {"ph": "i", "s": "g", "name": "Iteration Start: PyTorch Profiler", "pid": "Traces",
         "tid": "Trace PyTorch Profiler", "ts": BASE_TS - 50},
        {"ph": "i", "s": "g", "name": "Record Window End", "pid": "", "tid": "", "ts": round(end + 60, 3)},
    ]
    if gpu:
        meta += [
            {"ph": "M", "name": "process_name", "ts": BASE_TS, "pid": GPU_PID, "tid": 0, "args": {"name": "python"}},
            {"ph": "M", "name": "process_labels", "ts": BASE_TS, "pid": GPU_PID, "tid": 0, "args": {"labels": "GPU 0"}},
            {"ph": "M", "name": "thread_name", "ts": BASE_TS, "pid": GPU_PID, "tid": STREAM,
             "args": {"name": f"stream {STREAM}"}},
        ]
    return {
        "schemaVersion": 1,
        "deviceProperties": [DEVICE_PROPERTIES] if gpu else [],
        "record_shapes": 1,
        "profile_memory": 1,
        "displayTimeUnit": "ms",
        "baseTimeNanoseconds": 1_700_000_000_000_000_000,
        "traceEvents": meta + w.events,
        "traceName": "demo.pt.trace.json",
    }


def nccl_worker_trace(rank: int, steps: int = 3) -> dict[str, Any]:
    """A Kineto document of one of two data-parallel GPU workers: :func:`kineto_trace` with an
    NCCL all-reduce per step (host range on its own thread, runtime call, kernel); rank 1's
    all-reduce kernel starts earlier and runs longer, as when it waits for rank 0."""
    document = kineto_trace(steps=steps, gpu=True, seed=20 + rank)
    events = document["traceEvents"]
    steps_events = [e for e in events if str(e.get("name", "")).startswith("ProfilerStep#")]
    for i, step in enumerate(steps_events):
        external, correlation = 90_000 + i, 990_000 + i
        start = step["ts"] + 30.0
        events += [
            {"ph": "X", "cat": "cpu_op", "name": "nccl:all_reduce", "pid": 4242, "tid": 4242, "ts": start,
             "dur": 15.0, "args": {"External id": external, "Input Dims": [[1024]], "Input type": ["float"]}},
            {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 4242, "tid": 4242,
             "ts": start + 2, "dur": 4.0, "args": {"External id": external, "cbid": 211, "correlation": correlation}},
            {"ph": "X", "cat": "kernel", "name": "ncclKernel_AllReduce_RING_LL_Sum_float", "pid": GPU_PID,
             "tid": STREAM, "ts": start + 40 - 25 * rank, "dur": 30.0 + 25 * rank,
             "args": {"External id": external, "device": 0, "stream": STREAM, "correlation": correlation,
                      "grid": [1, 1, 1], "block": [512, 1, 1]}},
        ]
    return document


def write_demo(logdir: Path) -> None:
    """``profile_demo/resnet_cpu`` and ``profile_demo/resnet_gpu``: a loss curve and one trace
    each (the GPU one made by hand: this machine need not have a GPU); ``profile_demo/ddp_gpu``:
    two data-parallel workers' traces with NCCL all-reduces. Written as if a day ago, so they
    are the first runs listed."""
    start = time.time() - 86400
    for name, gpu in (("resnet_cpu", False), ("resnet_gpu", True), ("ddp_gpu", True)):
        run = logdir / "profile_demo" / name
        run.mkdir(parents=True, exist_ok=True)
        records = [event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()]
        for step in range(20):
            event = event_pb2.Event(wall_time=start + step, step=step)
            event.summary.value.add(tag="loss", simple_value=2.0 / (step + 1))
            records.append(event.SerializeToString())
        (run / f"events.out.tfevents.{int(start)}.tbcore-demo.{int(gpu)}.0").write_bytes(
            b"".join(frame_record(r) for r in records)
        )
        if name == "ddp_gpu":
            for rank in (0, 1):
                (run / f"worker{rank}.{1_700_000_000_100 + rank}.pt.trace.json").write_text(
                    json.dumps(nccl_worker_trace(rank)))
            continue
        document = kineto_trace(steps=4, gpu=gpu, seed=1 + gpu)
        (run / f"worker0.{1_700_000_000_000 + gpu}.pt.trace.json").write_text(json.dumps(document))
