#!/usr/bin/env python3
"""Ingestion benchmark: tbcore against TensorBoard on the same logdirs, in one run.

For each workload of ``../shared/bench/gen_logdir.py`` (generated once into ``--bench-dir``)
this measures, with ``../shared/bench/measure_tensorboard.py`` (fresh server process each
repeat, time counted from the spawn, so server start is included):

* TensorBoard 2.x with its Rust data server (``--load_fast=true``), keeping every point
  (``--samples_per_plugin scalars=0`` makes its HTTP API return nothing, so it keeps its
  default 1,000-point reservoir for the "data" criterion and we add a run with
  ``scalars=100000`` = all points);
* TensorBoard's Python loader (``--load_fast=false``) with ``--python-loader`` (slow: minutes);
* ``tbcore serve`` (needs the ``tbcore-scalars`` dashboard for the scalar routes the
  measuring script polls);

and, in-process, tbcore's provider alone: load time, peak RSS, and the latency of one
``read_scalars`` of a 10,000-point series. Results go to ``<bench-dir>/results/*.jsonl`` and
a markdown summary is printed (``summarize.py``).

    python benchmarks/ingest.py --workloads scalars manyruns --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"


def generate(workload: str, bench_dir: Path) -> Path:
    """The logdir of ``workload``, generated if missing."""
    logdir = bench_dir / workload
    if not (logdir / "bench_manifest.json").exists():
        print(f"generating {workload} into {logdir} ...", flush=True)
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "gen_logdir.py"), workload, str(logdir)], check=True
        )
    return logdir


def measure_server(logdir: Path, out: Path, label: str, repeat: int, extra: list[str]) -> None:
    """One configuration through measure_tensorboard.py."""
    cmd = [
        sys.executable,
        str(SHARED_BENCH / "measure_tensorboard.py"),
        "--logdir", str(logdir),
        "--repeat", str(repeat),
        "--label", label,
        "--out", str(out),
        "--timeout", "900",
        *extra,
    ]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=False)


def has_scalars_dashboard() -> bool:
    """Whether tbcore can answer the scalar routes the measuring script polls."""
    from importlib.metadata import entry_points

    return any(ep.name == "scalars" for ep in entry_points(group="tbcore.plugins"))


IN_PROCESS = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from tbcore.data import LogdirDataProvider, RunTagFilter
from tbcore.io.scan import IMPLEMENTATION
t1 = time.perf_counter()
provider = LogdirDataProvider(sys.argv[1])
report = provider.reload()
t2 = time.perf_counter()
runs = provider.list_runs()
last_run = runs[-1].run_name
tags = sorted(provider.list_scalars(plugin_name="scalars")[last_run])
flt = RunTagFilter.of([last_run], [tags[-1]])
provider.read_scalars(plugin_name="scalars", run_tag_filter=flt)
lat = []
for _ in range(50):
    s = time.perf_counter()
    cols = provider.read_scalars(plugin_name="scalars", run_tag_filter=flt)[last_run][tags[-1]]
    lat.append(time.perf_counter() - s)
lat.sort()
points = sum(len(c) for r in provider.read_scalars(plugin_name="scalars").values() for c in r.values())
print(json.dumps({
    "scanner": IMPLEMENTATION,
    "import_s": t1 - t0,
    "load_s": t2 - t1,
    "total_s": t2 - t0,
    "bytes": report.bytes_read,
    "runs": len(runs),
    "points": points,
    "series_points": len(cols),
    "read_scalars_ms_median": lat[len(lat) // 2] * 1e3,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def measure_in_process(logdir: Path, out: Path, repeat: int) -> None:
    """tbcore's provider alone, in a fresh interpreter per repeat."""
    for rep in range(repeat):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", IN_PROCESS, str(logdir)], capture_output=True, text=True, check=True
        )
        record = json.loads(result.stdout)
        record.update(workload=logdir.name, rep=rep, wall_s=time.perf_counter() - started)
        print(json.dumps(record), flush=True)
        with open(out, "a") as f:
            f.write(json.dumps(record) + "\n")


def main() -> None:
    """Run the benchmark matrix."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/tbcore-bench"))
    p.add_argument("--workloads", nargs="+", default=["scalars", "manyruns"])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--python-loader", action="store_true", help="also TensorBoard --load_fast=false")
    p.add_argument("--skip-tensorboard", action="store_true")
    a = p.parse_args()
    bench_dir = Path(a.bench_dir)
    results = bench_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server_out = results / f"servers-{stamp}.jsonl"
    inproc_out = results / f"inprocess-{stamp}.jsonl"
    for workload in a.workloads:
        logdir = generate(workload, bench_dir)
        measure_in_process(logdir, inproc_out, a.repeat)
        if has_scalars_dashboard():
            cmd = "{python} -m tbcore.cli serve --logdir {logdir} --port {port} --reload-interval 1"
            measure_server(logdir, server_out, "tbcore", a.repeat, ["--server-cmd", cmd])
        else:
            print("tbcore-scalars is not installed: skipping tbcore over HTTP", flush=True)
        if not a.skip_tensorboard:
            measure_server(logdir, server_out, "tb_fast=true", a.repeat, ["--load-fast", "true"])
            measure_server(
                logdir, server_out, "tb_fast=true_all", a.repeat,
                ["--load-fast", "true", "--samples-per-plugin", "scalars=100000"],
            )
            if a.python_loader:
                measure_server(logdir, server_out, "tb_fast=false", 1, ["--load-fast", "false"])
    if server_out.exists():
        subprocess.run([sys.executable, str(SHARED_BENCH / "summarize.py"), str(server_out)], check=False)


if __name__ == "__main__":
    main()
