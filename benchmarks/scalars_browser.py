#!/usr/bin/env python3
"""Scalars dashboard speed in headless Chromium (Debian's /usr/bin/chromium, via Playwright).

Two measurements, each on a real ``tbcore serve`` that has finished loading:

1. **One tag, 100 runs × 10,000 points**: fetch the tag's columns for every run (the route the
   dashboard uses), then time ``LineChart.setSeries`` until the next animation frame has
   painted ("response to pixels").
2. **The ``scalars`` bench workload** (50 runs × 20 tags × 10,000 steps, from
   ``../shared/bench/gen_logdir.py``): time from navigation start until the first chart cards
   have drawn, and how many cards are drawn then (cards render when scrolled into view).

    python benchmarks/scalars_browser.py [--bench-dir /tmp/tbcore-bench]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def write_wide_logdir(root: Path, runs: int = 100, steps: int = 10_000) -> None:
    """``runs`` runs of one tag with ``steps`` points each."""
    for r in range(runs):
        records = [event_pb2.Event(wall_time=1e9, file_version="brain.Event:2").SerializeToString()]
        for step in range(steps):
            event = event_pb2.Event(wall_time=1e9 + step, step=step)
            event.summary.value.add(tag="loss", simple_value=1.0 / (1 + step / 100) + 0.01 * (r % 7))
            records.append(event.SerializeToString())
        folder = root / f"run_{r:03d}"
        folder.mkdir(parents=True)
        (folder / "events.out.tfevents.1.bench.0").write_bytes(b"".join(map(frame_record, records)))


def serve(logdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``tbcore serve`` and wait until every run is listed and loaded."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url + "data/reload?wait=1", method="POST",
                                         headers={"X-TBCore-Request": "1"})
            with urllib.request.urlopen(req, timeout=60) as r:
                if json.loads(r.read()) == {"new_runs": [], "changed": {}}:
                    return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not load")


RENDER_ONE_TAG = """async () => {
  const { LineChart } = await import("@tbcore/sdk");
  const runs = (await (await fetch("data/runs")).json());
  const q = new URLSearchParams([["tag", "loss"], ["columns", "step,value"], ...runs.map((r) => ["run", r])]);
  const t0 = performance.now();
  const data = await (await fetch("data/plugin/scalars/series?" + q)).json();
  const t1 = performance.now();
  const el = document.createElement("div");
  el.style.width = "900px";
  document.body.prepend(el);
  const chart = new LineChart(el, { tooltip: false });
  const t2 = performance.now();
  chart.setSeries(Object.entries(data).map(([name, c]) => ({ name, color: "#1f77b4", x: c.step, y: c.value })));
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const t3 = performance.now();
  return { fetch_ms: t1 - t0, render_ms: t3 - t2, series: Object.keys(data).length,
           points: Number(el.dataset.points) };
}"""


def main() -> None:
    """Run both measurements and print them as JSON lines."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench-dir", default="/tmp/tbcore-bench")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        wide = Path(tmp) / "wide"
        write_wide_logdir(wide)
        proc, url = serve(wide)
        try:
            for _ in range(a.repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url)
                page.wait_for_selector('#tbcore-app[data-ready="true"]')
                print(json.dumps({"bench": "100 runs x 10k points, one chart", **page.evaluate(RENDER_ONE_TAG)}))
                page.close()
        finally:
            proc.terminate()
        bench = Path(a.bench_dir) / "scalars"
        if (bench / "bench_manifest.json").exists():
            proc, url = serve(bench)
            try:
                for _ in range(a.repeat):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    started = time.perf_counter()
                    page.goto(url + "#tab=scalars")
                    page.wait_for_selector('.tb-card-body[data-loaded="true"]', timeout=60_000)
                    first = time.perf_counter() - started
                    drawn = page.locator('.tb-card-body[data-loaded="true"]').count()
                    print(json.dumps({"bench": "scalars workload, first cards", "first_cards_s": first,
                                      "cards_drawn": drawn}))
                    page.close()
            finally:
                proc.terminate()
        browser.close()


if __name__ == "__main__":
    main()
