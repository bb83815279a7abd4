#!/usr/bin/env python3
"""Images dashboard speed in headless Chromium (Debian's /usr/bin/chromium, via Playwright).

A logdir with one run is written with ``tbcore.summary``: ``images/single``, 1,000 steps of
one 64×64 PNG each (the picture changes at every step), and ``images/samples``, three images
per step (blob-sequence events, as ``tbcore_media.demo`` writes them; ``--samples 0`` leaves
the tag out). On a loaded ``tbcore serve``, each repeat opens the images tab in a fresh
browser context (empty HTTP cache) and measures, in the page:

1. time from navigation start until the first image is shown;
2. stepping through every step of ``images/single`` with the keyboard: focus the card,
   ``Home``, then ``ArrowRight`` until the newest step, waiting for each step to be shown
   before the next key. Per step, the time from the ``keydown`` to the image being shown
   ("shown" as the browser tests read it: the card's ``data-shown-step`` is set by the
   image's ``load`` event). A cold pass, then the same pass again (warm: every image cached);
3. the image requests the page made (the dashboard's own counter), per phase.

Then a few hundred ``individualImage`` requests with ``urllib`` give the server's time per
image, and a few ``images_index`` requests the time for the 1,000-step index. The median of
the repeats is printed, with the range.

    python benchmarks/media_browser.py [--steps 1000] [--samples 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from bench_server import serve

from tbcore.io.tensors import from_numpy
from tbcore.proto import event_pb2, plugin_image_pb2, summary_pb2
from tbcore.summary import EventFileWriter, SummaryWriter
from tbcore.summary.images import encode_png

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUN = "run"
SINGLE = "images/single"
SAMPLES = "images/samples"
SIZE = 64


def picture(step: int, sample: int = 0) -> np.ndarray:
    """A 64×64 RGB picture that moves and changes colour with ``step``, with some noise (so
    the PNGs are of a realistic size, not a few hundred bytes)."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    phase = step * 0.07 + sample * 1.3
    base = np.stack([np.sin(xx * 0.1 + phase), np.cos(yy * 0.13 - phase), np.sin((xx + yy) * 0.05 + 2 * phase)], -1)
    noise = np.random.default_rng(step * 7 + sample).integers(0, 24, (SIZE, SIZE, 3))
    return ((base + 1) * 110 + noise).clip(0, 255).astype(np.uint8)


def write_logdir(logdir: Path, steps: int, samples: int) -> dict[str, float]:
    """Write the run; return the bytes per PNG and the seconds it took."""
    run = logdir / RUN
    start = time.perf_counter()
    sizes = []
    with SummaryWriter(run, flush_secs=3600) as writer:
        for step in range(steps):
            pixels = picture(step)
            sizes.append(len(encode_png(pixels)))
            writer.add_image(SINGLE, pixels, step, walltime=1e9 + step, dataformats="HWC")
    if samples:
        content = plugin_image_pb2.ImagePluginData().SerializeToString()
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="images", content=content),
            data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
        )
        files = EventFileWriter(str(run), flush_secs=3600, filename_suffix=".samples")
        try:
            for step in range(steps):
                blobs = np.empty(2 + samples, dtype=object)
                blobs[:] = [str(SIZE).encode(), str(SIZE).encode(),
                            *(encode_png(picture(step, k + 1)) for k in range(samples))]
                value = summary_pb2.Summary.Value(tag=SAMPLES, tensor=from_numpy(blobs), metadata=metadata)
                files.add_event(event_pb2.Event(wall_time=1e9 + step, step=step,
                                                summary=summary_pb2.Summary(value=[value])))
        finally:
            files.close()
    return {"png_bytes": statistics.mean(sizes), "write_s": time.perf_counter() - start}


# Installed before the page's own scripts: the first image shown on any card, and for the
# card under test, when each step was shown and when the last key went down.
OBSERVE_PAGE = """
window.__bench = { firstShown: null, keyAt: 0, frameAt: 0, last: null, waiter: null };
document.addEventListener("keydown", () => {
  const b = window.__bench;
  b.keyAt = performance.now();
  requestAnimationFrame(() => { b.frameAt = performance.now(); });
}, true);
new MutationObserver((records) => {
  const b = window.__bench, t = performance.now();
  for (const r of records) {
    const step = r.target.dataset.shownStep;
    if (!step) continue;
    b.firstShown ??= t;
    if (r.target.dataset.tag !== "TAG") continue;
    b.last = { step, t };
    if (b.waiter && b.waiter.step === step) { b.waiter.resolve(b.last); b.waiter = null; }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-shown-step"] });
// Resolves with [keydown to shown, keydown to the next animation frame] in ms.
window.__bench.until = (step) => new Promise((resolve) => {
  const b = window.__bench;
  const done = (last) => requestAnimationFrame(() => resolve([last.t - b.keyAt, b.frameAt - b.keyAt]));
  if (b.last && b.last.step === String(step) && b.last.t >= b.keyAt) done(b.last);
  else b.waiter = { step: String(step), resolve: done };
});
""".replace("TAG", SINGLE)

IMAGE_REQUESTS = "() => document.querySelector('.media-dashboard').__imageCache.requests"


def step_through(page: Any, card: Any, steps: list[int]) -> tuple[list[float], list[float], float]:
    """``Home``, then ``ArrowRight`` to the end: each step's keydown-to-shown time (ms) after
    the first, its keydown-to-next-frame time (the floor: nothing shows before that frame),
    and the seconds the whole pass took."""
    card.focus()
    page.keyboard.press("Home")
    page.evaluate("s => window.__bench.until(s)", steps[0])
    start = time.perf_counter()
    shown, frame = [], []
    for step in steps[1:]:
        page.keyboard.press("ArrowRight")
        to_shown, to_frame = page.evaluate("s => window.__bench.until(s)", step)
        shown.append(to_shown)
        frame.append(to_frame)
    return shown, frame, time.perf_counter() - start


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return float(np.percentile(values, 95))


def browser_run(browser: Any, url: str, steps: list[int]) -> dict[str, float]:
    """One repeat in a fresh context: first image, a cold and a warm pass, requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    seen = []
    page.on("request", lambda r: seen.append(r.url) if "/individualImage?" in r.url else None)
    page.add_init_script(OBSERVE_PAGE)
    page.goto(url + "#tab=images")
    page.wait_for_function("() => window.__bench.firstShown !== null")
    first = page.evaluate("() => window.__bench.firstShown")
    card = page.locator(f".media-card-content[data-tag='{SINGLE}']")
    card.wait_for()
    page.wait_for_function("n => document.querySelector(`.media-card-content[data-tag='${n}']`)"
                           "?.dataset.shownStep !== undefined", arg=SINGLE)
    page.wait_for_timeout(500)  # let the load's prefetches finish
    at_load = page.evaluate(IMAGE_REQUESTS)
    cold, cold_frame, cold_s = step_through(page, card, steps)
    after_cold = page.evaluate(IMAGE_REQUESTS)
    warm, warm_frame, warm_s = step_through(page, card, steps)
    after_warm = page.evaluate(IMAGE_REQUESTS)
    page.goto("about:blank")
    context.close()
    return {
        "first_image_s": first / 1000,
        "cold_median_ms": statistics.median(cold), "cold_p95_ms": p95(cold), "cold_max_ms": max(cold),
        "cold_pass_s": cold_s, "cold_next_frame_median_ms": statistics.median(cold_frame),
        "warm_median_ms": statistics.median(warm), "warm_p95_ms": p95(warm), "warm_max_ms": max(warm),
        "warm_pass_s": warm_s, "warm_next_frame_median_ms": statistics.median(warm_frame),
        "requests_load": at_load, "requests_cold": after_cold - at_load,
        "requests_warm": after_warm - after_cold, "requests_seen": len(seen),
        "distinct_images": len(set(seen)),
    }


def timed_get(url: str) -> float:
    """Milliseconds to GET ``url`` and read the answer (a new connection, as urllib does)."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
    return (time.perf_counter() - start) * 1000


def server_times(url: str, count: int) -> dict[str, float]:
    """Median and p95 of ``count`` individualImage requests spread over both tags, and of
    20 images_index requests."""
    base = url + "data/plugin/images/"
    keys = []
    index_ms = []
    for tag in (SINGLE, SAMPLES):
        query = urllib.parse.urlencode({"run": RUN, "tag": tag})
        try:
            with urllib.request.urlopen(f"{base}images_index?{query}", timeout=30) as r:
                keys += [k for s in json.loads(r.read())["steps"] for k in s["blob_keys"]]
        except urllib.error.HTTPError:
            continue  # no samples tag
        if tag == SINGLE:
            index_ms = [timed_get(f"{base}images_index?{query}") for _ in range(20)]
    picked = [keys[i] for i in np.linspace(0, len(keys) - 1, count).astype(int)]
    image_ms = [timed_get(f"{base}individualImage?blob_key={urllib.parse.quote(k)}") for k in picked]
    return {"image_median_ms": statistics.median(image_ms), "image_p95_ms": p95(image_ms),
            "index_median_ms": statistics.median(index_ms)}


def main() -> None:
    """Write the logdir, serve it, measure, print a table."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--samples", type=int, default=3, help="images per step of a second tag (0: none)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--server-requests", type=int, default=300)
    a = p.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        written = write_logdir(logdir, a.steps, a.samples)
        print(f"logdir: {a.steps} steps of {SIZE}x{SIZE} PNGs ({written['png_bytes']:,.0f} bytes each)"
              f"{f', plus {a.samples} samples per step' if a.samples else ''}; written in {written['write_s']:.1f} s")
        proc, url = serve(logdir)
        try:
            runs = []
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                try:
                    for _ in range(a.repeat):
                        runs.append(browser_run(browser, url, list(range(a.steps))))
                        print(json.dumps({k: round(v, 2) for k, v in runs[-1].items()}))
                finally:
                    browser.close()
            server = server_times(url, a.server_requests)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    load_after = os.getloadavg()

    print(f"\nimages tab, median of {a.repeat} runs (range)")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:<28}{statistics.median(values):>10.2f}   ({min(values):.2f}–{max(values):.2f})")
    print(f"server, {a.server_requests} individualImage GETs (urllib, new connection each):"
          f" median {server['image_median_ms']:.2f} ms, p95 {server['image_p95_ms']:.2f} ms;"
          f" images_index ({a.steps} steps): median {server['index_median_ms']:.1f} ms")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")


if __name__ == "__main__":
    main()
