#!/usr/bin/env python3
"""Hparams dashboard speed in headless Chromium (Debian's /usr/bin/chromium, via Playwright),
on a sweep of 2,000 trials × 10 hparams × 5 metrics (one run per trial, written here).

Measured on a real ``tbcore serve`` that has loaded the sweep:

1. **Server**: the ``experiment`` and the ``session_groups`` answer of every group (what the
   dashboard fetches): time and size.
2. **First draw**: from navigation start until the table's rows and the parallel coordinates
   are drawn (``performance`` marks the dashboard sets: ``hparams:data`` when both answers
   are in, ``hparams:drawn`` after the first frame that holds them), the part of it from
   the data to the pixels, and when the scatter-plot matrix (drawn after them, a few plots
   per task) is complete.
3. **Brushing**: a drag along the ``lr`` axis, 60 mouse moves 16 ms apart, then one along a
   metric axis: the long tasks (> 50 ms, the browser's ``longtask`` entries) meanwhile, the
   longest, and how long each move took to show (from the move to the next painted frame).

    python benchmarks/hparams_browser.py [--trials 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench_server import serve

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2
from tbcore.proto import plugin_hparams_pb2 as hp
from tbcore.summary.hparams import PLUGIN_NAME, SESSION_END_INFO_TAG, SESSION_START_INFO_TAG

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
METRICS = ["loss", "accuracy", "val_loss", "val_accuracy", "f1"]
STATUSES = [hp.STATUS_SUCCESS] * 8 + [hp.STATUS_FAILURE, hp.STATUS_RUNNING]


def _hparams(rng: random.Random) -> dict[str, Any]:
    return {
        "lr": 10 ** rng.uniform(-5, -1),
        "weight_decay": 10 ** rng.uniform(-6, -2),
        "dropout": rng.uniform(0, 0.5),
        "batch_size": float(rng.choice([16, 32, 64, 128, 256, 512])),
        "layers": float(rng.randint(1, 8)),
        "width": float(rng.choice([64, 128, 256, 512, 1024])),
        "warmup": float(rng.randint(0, 1000)),
        "optimizer": rng.choice(["adam", "adamw", "sgd", "rmsprop"]),
        "activation": rng.choice(["relu", "gelu", "tanh"]),
        "batch_norm": rng.random() < 0.5,
    }


def _plugin_value(event: event_pb2.Event, tag: str, data: hp.HParamsPluginData) -> None:
    value = event.summary.value.add(tag=tag)
    value.metadata.plugin_data.plugin_name = PLUGIN_NAME
    value.metadata.plugin_data.content = data.SerializeToString()


def write_sweep(root: Path, trials: int = 2000, seed: int = 0) -> None:
    """``trial_NNNN``: one run per trial with its session start (10 hparams) and end (a
    status: mostly success) and 5 metric curves of 3 points each."""
    rng = random.Random(seed)
    for t in range(trials):
        values = _hparams(rng)
        start = hp.SessionStartInfo(start_time_secs=1.7e9 + t)
        for name, v in values.items():
            if isinstance(v, bool):
                start.hparams[name].bool_value = v
            elif isinstance(v, str):
                start.hparams[name].string_value = v
            else:
                start.hparams[name].number_value = v
        first = event_pb2.Event(wall_time=1.7e9 + t, step=0)
        _plugin_value(first, SESSION_START_INFO_TAG, hp.HParamsPluginData(session_start_info=start))
        events = [event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2"), first]
        quality = math.exp(-((math.log10(values["lr"]) + 3) ** 2)) * (1 - values["dropout"] / 2)
        for step in range(3):
            event = event_pb2.Event(wall_time=1.7e9 + t + step, step=step * 100)
            progress = (step + 1) / 3
            for name, metric in zip(METRICS, (2 - quality * progress, quality * progress, 2.1 - quality * progress,
                                              quality * progress * 0.95, quality * progress * 0.9)):
                event.summary.value.add(tag=name, simple_value=metric + rng.gauss(0, 0.01))
            events.append(event)
        end = event_pb2.Event(wall_time=1.7e9 + t + 3, step=300)
        _plugin_value(end, SESSION_END_INFO_TAG, hp.HParamsPluginData(
            session_end_info=hp.SessionEndInfo(status=rng.choice(STATUSES), end_time_secs=1.7e9 + t + 3)))
        events.append(end)
        folder = root / f"trial_{t:04d}"
        folder.mkdir(parents=True)
        (folder / "events.out.tfevents.1.bench.0").write_bytes(b"".join(frame_record(e.SerializeToString()) for e in events))


def _post(url: str, body: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        size = len(r.read())
    return time.perf_counter() - started, size


OBSERVE_PAGE = """
window.__bench = { longTasks: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""

FIRST_DRAW = """async () => {
  const deadline = performance.now() + 60000;
  while (!performance.getEntriesByName("hparams:drawn").length && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
  const drawn = mark("hparams:drawn");
  while (!document.querySelector(".hp-sm-canvas[data-drawn]") && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const scatter = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 500));  // settled: what a user's first brush meets
  return { first_draw_s: drawn / 1000, data_to_pixels_ms: Math.round(drawn - mark("hparams:data")),
           scatter_matrix_done_ms_after: Math.round(scatter - drawn),
           rows_in_dom: document.querySelectorAll(".hp-row").length,
           long_tasks_over_100ms: window.__bench.longTasks.filter(([t, d]) => d > 100).length };
}"""

BRUSH = """async (axis) => {
  const canvas = document.querySelector(".hp-pc-canvas");
  const title = [...document.querySelectorAll(".hp-pc-title")].find((t) => t.textContent === axis);
  const box = canvas.getBoundingClientRect();
  const x = box.left + parseFloat(title.style.left);
  const fire = (type, y) => canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: box.top + y, pointerId: 1, bubbles: true, button: 0, buttons: 1 }));
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const start = performance.now();
  const lags = [];
  fire("pointerdown", 60);
  for (let i = 1; i <= 60; i++) {
    const t0 = performance.now();
    fire("pointermove", 60 + i * 3);
    await frame();
    lags.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  fire("pointerup", 240);
  await frame();
  const tasks = window.__bench.longTasks.filter(([t]) => t >= start);
  lags.sort((a, b) => a - b);
  return { axis, moves: lags.length, median_move_to_frame_ms: Math.round(lags[lags.length >> 1]),
           worst_move_to_frame_ms: Math.round(lags[lags.length - 1]), long_tasks: tasks.length,
           long_tasks_over_100ms: tasks.filter(([, d]) => d > 100).length,
           longest_task_ms: Math.round(Math.max(0, ...tasks.map(([, d]) => d))),
           rows_shown: document.querySelector(".hp-count").textContent };
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sweep"
        started = time.perf_counter()
        write_sweep(root, args.trials)
        print(json.dumps({"bench": "write sweep", "trials": args.trials, "seconds": round(time.perf_counter() - started, 2)}))
        proc, url = serve(root)
        try:
            base = url + "data/plugin/hparams/"
            for _ in range(args.repeat):
                exp_s, exp_bytes = _post(base + "experiment", {})
                groups_s, groups_bytes = _post(base + "session_groups", {"allowedStatuses": [0, 1, 2, 3], "sliceSize": 2**31 - 1})
                print(json.dumps({"bench": "server", "experiment_ms": round(exp_s * 1000), "experiment_bytes": exp_bytes,
                                  "session_groups_ms": round(groups_s * 1000), "session_groups_bytes": groups_bytes}))
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for _ in range(args.repeat):
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.add_init_script(OBSERVE_PAGE)
                    page.goto(url + "#tab=hparams")
                    print(json.dumps({"bench": f"first draw, {args.trials} trials", **page.evaluate(FIRST_DRAW)}))
                    for axis in ("lr", "val_accuracy"):
                        print(json.dumps({"bench": "brush", **page.evaluate(BRUSH, axis)}))
                    page.close()
                browser.close()
        finally:
            proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
