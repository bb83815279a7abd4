#!/usr/bin/env python3
"""The profile dashboard on a large Kineto trace: how long until the overview answers, and
how long the timeline takes per window.

    .venv/bin/python benchmarks/profile_kineto.py                 # a ~100 MB CUDA trace
    .venv/bin/python benchmarks/profile_kineto.py --mb 300 --http  # the issue's target size
    .venv/bin/python benchmarks/profile_kineto.py --mb 30 --reference

The trace is the demo's generator (``tbcore_profile.demo.kineto_trace``: steps with a
DataLoader, linear layers, backward, optimizer, CUDA runtime calls, kernels, copies, memsets,
allocator events, flows) repeated until the file has ``--mb`` megabytes, written once into
``--bench-dir``. Measured, in this process: parsing (JSON and columns), then each analysis the
overview, operators and kernels views need, then timeline answers (whole trace, 1/10, 1/1000
of it, at 1500 px). With ``--http``: ``tbcore serve`` on that logdir, the time from spawn to the
first ``overview`` answer (the issue asks for under 5 s at 300 MB), then the first
``operators`` and ``kernels`` answers. With ``--reference``: torch-tb-profiler
0.4.3's loader (``RunProfileData.from_json``) on the same document.

Numbers are written down, not asserted (ARCHITECTURE §5), in docs/benchmarks.md ("Profile
dashboard"). These machines are shared: compare only within one run, and prefer the CPU times
(``time.process_time``; the server's from /proc) to the wall times. Measured on the 2-core
development machine (load average 5-11), CPU seconds, ``--mb 300`` (977k events): parse 1.3;
links 0.05; breakdown 0.31; call tree 0.28; operator table 0.07; kernel table 0.04; nesting
depths 0.2; spawn to first overview 3.2 (4.9 wall); docs/benchmarks.md has the numbers before
the call tree, links and breakdown were computed with array operations.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RUN = "big"
EVENT_FILE = "events.out.tfevents.1.bench.1.0"


def _timed(label: str, fn: Callable[[], Any], results: dict[str, float]) -> Any:
    """Run ``fn``; record its wall time under ``label`` and its CPU time (this process, all
    threads) under ``label + " (cpu)"``: on a loaded machine the CPU time is the steadier one."""
    cpu, start = time.process_time(), time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    results[f"{label} (cpu)"] = time.process_time() - cpu
    print(f"{label:>28}: {results[label]:8.3f} s wall {results[label + ' (cpu)']:8.3f} s cpu", flush=True)
    return value


def write_trace(folder: Path, megabytes: float) -> Path:
    """A run with an event file and one Kineto trace of about ``megabytes`` MB."""
    from tbcore_profile.demo import kineto_trace

    run = folder / RUN
    run.mkdir(parents=True, exist_ok=True)
    path = run / "worker0.1.pt.trace.json"
    if path.exists() and abs(path.stat().st_size / 1e6 - megabytes) < megabytes * 0.1:
        return path
    per_step = len(json.dumps(kineto_trace(steps=10, gpu=True)).encode()) / 10
    steps = max(int(megabytes * 1e6 / per_step), 1)
    document = kineto_trace(steps=steps, gpu=True)
    path.write_bytes(json.dumps(document).encode())
    _write_event_file(run)
    return path


def _write_event_file(run: Path) -> None:
    """An event file, so that the provider sees the folder as a run."""
    from tbcore.io.records import frame_record
    from tbcore.proto import event_pb2

    event = event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()
    (run / EVENT_FILE).write_bytes(frame_record(event))


def in_process(path: Path, results: dict[str, float]) -> None:
    """Parse and analyse in this process, as the server does on the first request."""
    from tbcore_kineto.chrome_trace import parse_chrome_trace
    from tbcore_profile.analysis import TraceAnalysis
    from tbcore_profile.operators import kernel_table, operator_table
    from tbcore_profile.timeline import Window, timeline

    data = path.read_bytes()
    try:
        import orjson

        _timed("JSON only (orjson)", lambda: orjson.loads(data), results)
    except ImportError:
        pass
    trace = _timed("parse into columns", lambda: parse_chrome_trace(data, path.name), results)
    print(f"{'events':>28}: {len(trace.events):8d}  ({trace.nbytes / 2**20:.0f} MiB of columns)")
    analysis = TraceAnalysis(trace)
    _timed("links", lambda: analysis.links, results)
    _timed("breakdown (overview)", lambda: analysis.breakdown, results)
    _timed("call tree (operators)", lambda: analysis.tree, results)
    _timed("tensor cores of operators", lambda: analysis.tensor_cores, results)
    _timed("operator table", lambda: operator_table(trace, analysis.tree, "name_shapes", analysis.tensor_cores),
           results)
    _timed("kernel table", lambda: kernel_table(trace, analysis.tree, analysis.links, "name_op"), results)
    _timed("nesting depth (timeline)", lambda: analysis.depth, results)
    duration = trace.time_range[1] - trace.time_range[0]
    for fraction in (1, 0.1, 0.001):
        window = Window(duration * 0.4, duration * 0.4 + duration * fraction, 1500, 0.0, 20000)
        _timed(f"timeline 1/{round(1 / fraction)}", partial(timeline, trace, analysis.depth, window), results)


def over_http(logdir: Path, results: dict[str, float]) -> None:
    """Spawn ``tbcore serve``; time until ``overview`` answers for the big run."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port),
         "--plugins", "profile"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                connection.request("GET", f"/data/plugin/profile/overview?run={RUN}")
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    break
                if response.status not in (404, 409):
                    raise RuntimeError(f"overview answered {response.status}: {body[:200]!r}")
            except OSError:
                pass
            time.sleep(0.05)
        results["http: spawn to overview"] = time.perf_counter() - started
        cpu = _process_cpu(server.pid)
        if cpu is not None:
            results["http: spawn to overview (cpu)"] = cpu
        print(f"{'http: spawn to overview':>28}: {results['http: spawn to overview']:8.3f} s wall"
              + (f" {cpu:8.3f} s cpu (server)" if cpu is not None else ""))
        for route in ("operators", "kernels"):  # their first answers build the call tree
            before, asked = _process_cpu(server.pid), time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            connection.request("GET", f"/data/plugin/profile/{route}?run={RUN}")
            connection.getresponse().read()
            label = f"http: then {route}"
            results[label] = time.perf_counter() - asked
            after = _process_cpu(server.pid)
            if before is not None and after is not None:
                results[f"{label} (cpu)"] = after - before
            print(f"{label:>28}: {results[label]:8.3f} s wall"
                  + (f" {after - before:8.3f} s cpu (server)" if before is not None and after is not None else ""))
    finally:
        server.terminate()
        server.wait(30)


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used so far; None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reference(path: Path, results: dict[str, float]) -> None:
    """torch-tb-profiler 0.4.3's loader on the same document."""
    from torch_tb_profiler.profiler.data import RunProfileData

    document = json.loads(path.read_bytes())
    _timed("torch-tb-profiler from_json", lambda: RunProfileData.from_json("w", None, document), results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100.0, help="size of the trace in MB")
    parser.add_argument("--bench-dir", type=Path, default=Path(tempfile.gettempdir()) / "tbcore-profile-bench")
    parser.add_argument("--http", action="store_true", help="also time tbcore serve to the first overview")
    parser.add_argument("--reference", action="store_true", help="also time torch-tb-profiler's loader")
    args = parser.parse_args()
    results: dict[str, float] = {}
    print(f"load average before: {os.getloadavg()}")
    path = _timed("generate", lambda: write_trace(args.bench_dir, args.mb), results)
    print(f"{'trace':>28}: {path.stat().st_size / 1e6:8.1f} MB  {path}")
    in_process(path, results)
    if args.http:
        over_http(args.bench_dir, results)
    if args.reference:
        reference(path, results)
    print(f"load average after: {os.getloadavg()}")
    out = args.bench_dir / "results.json"
    out.write_text(json.dumps({"mb": args.mb, **results}, indent=1))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
