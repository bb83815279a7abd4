#!/usr/bin/env python3
"""Scalars dashboard speed in headless Chromium (Debian's /usr/bin/chromium, via Playwright).

Three measurements, each on a real ``tbcore serve`` that has finished loading:

1. **One tag, 100 runs × 10,000 points**: once the dashboard on the page has settled, fetch
   the tag's columns for every run (the binary ``series`` route the dashboard uses), then time
   ``LineChart.setSeries`` until the next animation frame has painted ("response to pixels").
2. **The ``scalars`` bench workload** (50 runs × 20 tags × 10,000 steps, from
   ``../shared/bench/gen_logdir.py``): time from navigation start until the first chart card
   has drawn (read in the page: a ``MutationObserver`` notes when the first card is marked
   ``data-loaded``), how many cards are drawn then, and when every visible card holds every
   point. Then the card area is scrolled to the bottom in steps of 300 px every 150 ms
   (cards render when scrolled into view): the long tasks (> 50 ms, from the browser's
   ``longtask`` entries) during the scroll and until the last card is complete are reported.
3. **A live update of that 100-run chart**: with the page open (default 1 s reload interval),
   one point is appended to every run's event file, as a training step of each job would;
   the time until the chart holds all 100 new points and the bytes of ``series`` answers the
   page fetched for it are reported, next to the bytes of the whole series (what refetching
   the card would cost).

    python benchmarks/scalars_browser.py [--bench-dir /tmp/tbcore-bench] [--only workload|one-tag|live]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench_server import serve

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _loss_record(run: int, step: int) -> bytes:
    event = event_pb2.Event(wall_time=1e9 + step, step=step)
    event.summary.value.add(tag="loss", simple_value=1.0 / (1 + step / 100) + 0.01 * (run % 7))
    return frame_record(event.SerializeToString())


def write_wide_logdir(root: Path, runs: int = 100, steps: int = 10_000) -> None:
    """``runs`` runs of one tag with ``steps`` points each."""
    for r in range(runs):
        header = frame_record(event_pb2.Event(wall_time=1e9, file_version="brain.Event:2").SerializeToString())
        folder = root / f"run_{r:03d}"
        folder.mkdir(parents=True)
        (folder / "events.out.tfevents.1.bench.0").write_bytes(header + b"".join(_loss_record(r, s) for s in range(steps)))


RENDER_ONE_TAG = """async () => {
  const { LineChart } = await import("@tbcore/sdk");
  const { decodeColumns } = await import("./data/plugin/scalars/static/series.js");
  const runs = (await (await fetch("data/runs")).json());
  const q = new URLSearchParams([["tag", "loss"], ["columns", "step,value"], ["format", "binary"],
                                 ...runs.map((r) => ["run", r])]);
  const t0 = performance.now();
  const data = decodeColumns(await (await fetch("data/plugin/scalars/series?" + q)).arrayBuffer());
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


# Installed before the page's own scripts: notes first-card time and every long task.
OBSERVE_PAGE = """
window.__bench = { firstCard: null, longTasks: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
new MutationObserver((_, observer) => {
  if (document.querySelector('.tb-card-body[data-loaded="true"]')) {
    window.__bench.firstCard = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-loaded"] });
"""

SCROLL = """async () => {
  const panels = document.querySelector(".tb-panels");
  const start = performance.now();
  while (panels.scrollTop + panels.clientHeight < panels.scrollHeight - 2) {
    panels.scrollBy(0, 300);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const scrolled = performance.now();
  const cards = () => [...document.querySelectorAll(".tb-card-body")];
  while (cards().some((c) => c.dataset.complete !== "true") && performance.now() - scrolled < 30000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const done = performance.now();
  const tasks = window.__bench.longTasks.filter(([t]) => t >= start);
  return { scroll_s: (scrolled - start) / 1000, all_complete_after_scroll_s: (done - scrolled) / 1000,
           cards: cards().length, complete: cards().filter((c) => c.dataset.complete === "true").length,
           long_tasks: tasks.length, long_tasks_over_100ms: tasks.filter(([, d]) => d > 100).length,
           longest_task_ms: Math.round(Math.max(0, ...tasks.map(([, d]) => d))) };
}"""

FIRST_CARDS = """async () => {
  const visible = () => [...document.querySelectorAll(".tb-card[data-rendered] .tb-card-body")];
  const deadline = performance.now() + 60000;
  while ((!visible().length || visible().some((c) => c.dataset.complete !== "true")) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const b = window.__bench;
  return { first_card_s: b.firstCard / 1000, visible_cards_complete_s: performance.now() / 1000,
           long_tasks_before_first_card: b.longTasks.filter(([t]) => t < b.firstCard).length };
}"""


@contextlib.contextmanager
def wide_server() -> Iterator[tuple[Path, str]]:
    """A loaded ``tbcore serve`` on a fresh 100-run logdir: (the logdir, the base URL)."""
    with tempfile.TemporaryDirectory() as tmp:
        wide = Path(tmp) / "wide"
        write_wide_logdir(wide)
        proc, url = serve(wide)
        try:
            yield wide, url
        finally:
            proc.terminate()


def open_scalars(browser: Any, url: str) -> Any:
    """A new page on the scalars tab, once its first card holds every point."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url + "#tab=scalars")
    page.wait_for_selector('.tb-card-body[data-complete="true"]', timeout=60_000)
    return page


def measure_one_tag(browser: Any, repeat: int) -> None:
    """Measurement 1: one chart of 100 runs × 10,000 points."""
    with wide_server() as (_, url):
        for _ in range(repeat):
            page = open_scalars(browser, url)
            print(json.dumps({"bench": "100 runs x 10k points, one chart", **page.evaluate(RENDER_ONE_TAG)}))
            page.close()


SERIES_BYTES = """() => performance.getEntriesByType("resource")
  .filter((e) => e.name.includes("/series?")).reduce((n, e) => n + e.decodedBodySize, 0)"""

HOLDS_STEP = """(step) => {
  const chart = document.querySelector('.tb-card[data-key="loss"] .tb-card-body').__chart;
  const lines = chart.data().filter((s) => !s.name.endsWith("(raw)"));
  return lines.length === 100 && lines.every((s) => s.x[s.x.length - 1] === step);
}"""

FULL_SERIES_BYTES = """async () => {
  const runs = await (await fetch("data/runs")).json();
  const q = new URLSearchParams([["tag", "loss"], ["columns", "step,wall_time,value"], ["format", "binary"],
                                 ...runs.map((r) => ["run", r])]);
  return (await (await fetch("data/plugin/scalars/series?" + q)).arrayBuffer()).byteLength;
}"""


def measure_live(browser: Any, repeat: int) -> None:
    """Measurement 3: one new point in each of 100 runs of the open chart."""
    with wide_server() as (wide, url):
        page = open_scalars(browser, url)
        # A large experiment opens with its first 40 runs checked, as TensorBoard's does: all 100.
        page.get_by_role("button", name="All", exact=True).click()
        page.wait_for_function(HOLDS_STEP, arg=9_999, timeout=60_000, polling=50)
        full_bytes = page.evaluate(FULL_SERIES_BYTES)
        for i in range(repeat):
            step = 10_000 + i
            before = page.evaluate(SERIES_BYTES)
            started = time.monotonic()
            for r in range(100):
                with open(wide / f"run_{r:03d}" / "events.out.tfevents.1.bench.0", "ab") as f:
                    f.write(_loss_record(r, step))
            page.wait_for_function(HOLDS_STEP, arg=step, timeout=30_000, polling=20)
            print(json.dumps({"bench": "live update, 100 runs x 10k points, one new point each",
                              "append_to_drawn_s": round(time.monotonic() - started, 3),
                              "series_bytes": page.evaluate(SERIES_BYTES) - before,
                              "whole_series_bytes": full_bytes}))
        page.close()


def measure_workload(browser: Any, bench: Path, repeat: int, tab: str = "scalars") -> None:
    """Measurement 2: the ``scalars`` bench workload on ``tab``, first cards and scrolling."""
    label = "scalars workload" if tab == "scalars" else f"{tab} tab, scalars workload"
    proc, url = serve(bench)
    try:
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(OBSERVE_PAGE)
            page.goto(url + f"#tab={tab}")
            page.wait_for_selector('.tb-card-body[data-loaded="true"]', timeout=60_000)
            drawn = page.locator('.tb-card-body[data-loaded="true"]').count()
            first = page.evaluate(FIRST_CARDS)
            print(json.dumps({"bench": f"{label}, first cards", **first, "cards_drawn": drawn}))
            print(json.dumps({"bench": f"{label}, scroll", **page.evaluate(SCROLL)}))
            page.close()
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    """Run the measurements and print them as JSON lines."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench-dir", default="/tmp/tbcore-bench")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", choices=["one-tag", "workload", "live"], help="run one measurement only")
    a = p.parse_args()
    bench = Path(a.bench_dir) / "scalars"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        if a.only in (None, "one-tag"):
            measure_one_tag(browser, a.repeat)
        if a.only in (None, "live"):
            measure_live(browser, a.repeat)
        if a.only in (None, "workload"):
            if (bench / "bench_manifest.json").exists():
                measure_workload(browser, bench, a.repeat)
            else:
                print(f"no {bench}: generate it with ../shared/bench/gen_logdir.py", file=sys.stderr)
        browser.close()


if __name__ == "__main__":
    main()
