#!/usr/bin/env python3
"""Server start and ingestion: tbcore against TensorBoard, side by side, in one run.

    .venv/bin/python benchmarks/ingest.py                  # start, scalars, manyruns; 3 repeats
    .venv/bin/python benchmarks/ingest.py --repeat 5 --workloads scalars

Both servers are started the way a user starts them (``tbcore serve`` and ``tensorboard``
from the same environment, TensorBoard with its Rust data server, ``--load_fast=true``),
alternately, one repeat of each at a time, so that they share the machine's state:

* **start**: spawn until the first answer of ``/data/runs`` on an empty logdir (median of
  ``--start-repeat`` spawns each);
* **workloads** (``../shared/bench/gen_logdir.py``, generated once into ``--bench-dir``):
  ``../shared/bench/measure_tensorboard.py`` spawns the server and polls it over HTTP until
  the last point of every run is served ("loaded"), sampling the RSS of the whole process
  tree (file pages included) every 100 ms. tbcore keeps every point; TensorBoard its default
  1,000-point reservoir.

It prints a table with the medians, the ratios tbcore / TensorBoard, and the machine's load
average before and after (these machines are shared: compare only within one run). Raw
records go to ``<bench-dir>/results/``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"
BIN = Path(sys.executable).parent
MB = 2**20

SERVERS = {
    "tbcore": "{bin}/tbcore serve --logdir {logdir} --port {port} --reload-interval 1",
    "tensorboard": "{bin}/tensorboard --logdir {logdir} --host 127.0.0.1 --port {port} "
    "--load_fast=true --reload_interval 1",
}


def generate(workload: str, bench_dir: Path) -> Path:
    """The logdir of ``workload``, generated if missing."""
    logdir = bench_dir / workload
    if not (logdir / "bench_manifest.json").exists():
        print(f"generating {workload} into {logdir} ...", flush=True)
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "gen_logdir.py"), workload, str(logdir)], check=True
        )
    return logdir


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_to_first_answer(server: str, logdir: str) -> float:
    """Seconds from spawning ``server`` to its first 200 answer of ``/data/runs``."""
    port = free_port()
    cmd = SERVERS[server].format(bin=BIN, logdir=logdir, port=port).split()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 120:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/data/runs")
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{server} did not answer within 120 s")
    finally:
        proc.terminate()
        proc.wait(10)


def measure_workload(server: str, logdir: Path, out: Path) -> dict:
    """One fresh server on ``logdir`` through measure_tensorboard.py; its JSON record."""
    template = SERVERS[server].format(bin=BIN, logdir="{logdir}", port="{port}")
    subprocess.run(
        [
            sys.executable, str(SHARED_BENCH / "measure_tensorboard.py"),
            "--logdir", str(logdir), "--repeat", "1", "--label", server, "--out", str(out),
            "--timeout", "600", "--server-cmd", template,
        ],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    with open(out) as f:
        return json.loads(f.readlines()[-1])


def load_average() -> str:
    """The 1-minute load average."""
    return f"{os.getloadavg()[0]:.2f}"


def median(xs: list[float | None]) -> float | None:
    """Median of the values that are not None."""
    values = [x for x in xs if x is not None]
    return statistics.median(values) if values else None


def spread(xs: list[float | None], scale: float = 1.0, fmt: str = "{:.2f}") -> str:
    """``median (min–max)`` of the values, scaled."""
    values = [x * scale for x in xs if x is not None]
    if not values:
        return "failed"
    text = fmt.format(statistics.median(values))
    return text if len(values) == 1 else f"{text} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def ratio(a: list[float | None], b: list[float | None]) -> str:
    """Median of ``a`` over median of ``b``."""
    ma, mb = median(a), median(b)
    return f"{ma / mb:.2f}×" if ma is not None and mb else "-"


def main() -> None:
    """Run the comparison and print the table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/tbcore-bench"))
    p.add_argument("--workloads", nargs="*", default=["scalars", "manyruns"])
    p.add_argument("--repeat", type=int, default=3, help="repeats per workload and server")
    p.add_argument("--start-repeat", type=int, default=7, help="spawns per server for the start time")
    a = p.parse_args()
    if not shutil.which("tensorboard", path=str(BIN)):
        sys.exit(f"tensorboard is not installed next to {sys.executable} (make install)")
    bench_dir = Path(a.bench_dir)
    results = bench_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    load_before = load_average()

    starts: dict[str, list[float | None]] = {s: [] for s in SERVERS}
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(a.start_repeat):
            for server in SERVERS:
                starts[server].append(time_to_first_answer(server, empty))
    print(f"start: {', '.join(f'{s} {spread(v)} s' for s, v in starts.items())}", flush=True)

    records: dict[tuple[str, str], list[dict]] = {}
    for workload in a.workloads:
        logdir = generate(workload, bench_dir)
        for _ in range(a.repeat):
            for server in SERVERS:
                record = measure_workload(server, logdir, out)
                records.setdefault((workload, server), []).append(record)
                print(
                    f"{workload} {server}: {record['status']}, loaded {record.get('loaded_s')} s, "
                    f"peak {record['peak_rss'] / MB:.0f} MiB", flush=True
                )
    load_after = load_average()

    print(f"\nload average (1 min): {load_before} before, {load_after} after\n")
    print("| what | tbcore | TensorBoard | tbcore / TensorBoard |")
    print("|---|---|---|---|")
    print(
        f"| start: spawn to first `/data/runs` (s) | {spread(starts['tbcore'])} | "
        f"{spread(starts['tensorboard'])} | {ratio(starts['tbcore'], starts['tensorboard'])} |"
    )
    for workload in a.workloads:
        ours, theirs = records[(workload, "tbcore")], records[(workload, "tensorboard")]
        for label, key, scale, fmt in (
            ("loaded (s)", "loaded_s", 1.0, "{:.2f}"),
            ("peak RSS (MiB)", "peak_rss", 1 / MB, "{:.0f}"),
            ("RSS loaded (MiB)", "rss_loaded", 1 / MB, "{:.0f}"),
        ):
            x = [r.get(key) for r in ours]
            y = [r.get(key) for r in theirs]
            print(
                f"| {workload}: {label} | {spread(x, scale, fmt)} | {spread(y, scale, fmt)} | "
                f"{ratio(x, y)} |"
            )
        served = [(r.get("validate") or {}).get("points_total") for r in (ours[-1], theirs[-1])]
        if all(served):
            print(f"| {workload}: points served | {served[0]:,} | {served[1]:,} | |")
    print(f"\nraw records: {out}")


if __name__ == "__main__":
    main()
