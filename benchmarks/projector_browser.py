#!/usr/bin/env python3
"""Projector speed on a 100,000 x 128 float32 embedding in headless Chromium (Debian's
/usr/bin/chromium via Playwright; WebGL through SwiftShader, on the CPU).

The logdir holds one run with ``--points`` rows of ``--dims`` values in ``--clusters`` (5)
Gaussian clusters, with two metadata columns (a label and a class): written as TensorBoard's binary
float32 layout (``tensor_path`` + ``tensor_shape``), or with ``--tsv`` by
``tbcore.summary``'s ``add_embedding`` (a TSV file, as torch writes it).

Measured, in fresh browser contexts on one ``tbcore serve``:

1. ``cold open``: from navigation to the PCA cloud drawn (``data-state=ready`` and every
   point drawn by WebGL), the first time (the server reads the tensor and computes the PCA);
2. ``warm open``: the same once the server holds both (a second user, a reload);
3. the long tasks (> 50 ms, the browser's ``longtask`` entries) on the page meanwhile, the
   longest and how many exceed 100 ms;
4. ``orbit fps``: frames drawn per second while the view turns a little at every animation
   frame for 3 s (``projectorView.orbitBy``: what the drawing can keep up with), and
   ``drag fps``: while the mouse drags the cloud round for 3 s (one frame per mouse move:
   Playwright's moves, each answered before the next is sent, set the pace); the median time
   of the page's draw call per frame;
5. ``colour by class``, ``regex search``: from the change to the next frame drawn;
6. ``neighbours``: from a click on a point to its 10 cosine neighbours listed;
7. ``t-SNE`` (2-D): from choosing it to the first positions drawn and to ``--tsne-iterations``
   (landmark t-SNE on the server, every point's position streamed to the page every 5
   iterations), the long tasks meanwhile, and the share of points whose nearest neighbour in
   the final layout has their class (a sample of 3,000: a readable layout scores near 1);
   the page's own work per snapshot and per frame (its ``projector:snapshot`` and
   ``projector:render`` performance measures), to tell the long tasks' cause; and
   ``readable``: the first time (and iteration) at which the layout shown, checked every
   ~1.5 s, already has the nearest neighbour of 95 % of a 1,000-point sample in its class;
8. ``UMAP`` (2-D): the same with ``--umap-epochs`` epochs (numpy UMAP, a snapshot per epoch).

The page draws as it would for a user (``--drawing auto``: WebGL, or its canvas drawing where
WebGL runs on the CPU, as SwiftShader does here), or as ``--drawing webgl`` / ``canvas`` forces.
The load average (``/proc/loadavg``) is printed with the results: the machine is shared.

    python benchmarks/projector_browser.py [--points 100000] [--dims 128] [--tsv] [--drawing auto]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_server import serve

from tbcore.summary import SummaryWriter

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUN, NAME = "embeddings", "vectors"
LONG_TASKS = """() => { window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
    .observe({ type: "longtask", buffered: true }); }"""
READY = """n => { const d = document.querySelector('.projector-dashboard')?.dataset;
  const v = document.querySelector('.projector-view')?.dataset;
  return d?.state === 'ready' && d.points === String(n) && v?.drawnPoints === String(n); }"""
NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def write_logdir(root: Path, points: int, dims: int, tsv: bool, clusters: int = 5) -> None:
    """One run with the embedding (``clusters`` Gaussian clusters), its metadata and an event
    file."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3, size=(clusters, dims)).astype(np.float32)
    classes = rng.integers(0, clusters, size=points)
    values = centres[classes] + rng.normal(size=(points, dims)).astype(np.float32)
    rows = [[f"p{i}", f"class_{c}"] for i, c in enumerate(classes)]
    run = root / RUN
    with SummaryWriter(run) as writer:
        writer.add_scalar("x", 1.0, 0)
        if tsv:
            writer.add_embedding(values, metadata=rows, metadata_header=["label", "class"], tag=NAME)
            return
    values.astype("<f4").tofile(run / "vectors.bin")
    (run / "metadata.tsv").write_text("label\tclass\n" + "".join(f"{a}\t{b}\n" for a, b in rows))
    (run / "projector_config.pbtxt").write_text(
        f'embeddings {{ tensor_name: "{NAME}" tensor_path: "vectors.bin" '
        f'tensor_shape: {points} tensor_shape: {dims} metadata_path: "metadata.tsv" }}\n'
    )


def open_tab(browser: Any, url: str, points: int, drawing: str = "auto") -> tuple[Any, Any, float]:
    """A fresh context on the projector tab; seconds from navigation to the cloud drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    if drawing != "auto":
        context.add_init_script(f"localStorage.setItem('tbcore.projector.drawing', '{drawing}')")
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.add_init_script(f"({LONG_TASKS})()")
    started = time.perf_counter()
    page.goto(url + "#tab=projector")
    page.wait_for_function(READY, arg=points, polling="raf")
    return context, page, time.perf_counter() - started


def timed(page: Any, action: Any) -> float:
    """Seconds from ``action()`` to two frames later."""
    started = time.perf_counter()
    action()
    page.evaluate(NEXT_FRAME)
    return time.perf_counter() - started


ORBIT = """s => new Promise((done) => { const v = document.querySelector('.projector-dashboard').projectorView;
  const f0 = v.frames(), t0 = performance.now();
  const tick = () => { v.orbitBy(0.02); if (performance.now() - t0 < s * 1000) requestAnimationFrame(tick);
    else done((v.frames() - f0) / (performance.now() - t0) * 1000); };
  requestAnimationFrame(tick); })"""


def orbit_fps(page: Any, seconds: float = 3.0) -> float:
    """Frames drawn per second while the view turns at every animation frame."""
    return page.evaluate(ORBIT, seconds)


def drag_fps(page: Any, seconds: float = 3.0) -> float:
    """Frames drawn per second while the mouse drags round the middle of the view."""
    box = page.locator(".projector-view").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    frames0 = page.evaluate("() => document.querySelector('.projector-dashboard').projectorView.frames()")
    page.mouse.move(cx, cy)
    page.mouse.down()
    started, step = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        step += 1
        page.mouse.move(cx + 150 * np.cos(step / 10), cy + 100 * np.sin(step / 10))
    page.mouse.up()
    elapsed = time.perf_counter() - started
    frames = page.evaluate("() => document.querySelector('.projector-dashboard').projectorView.frames()")
    return (frames - frames0) / elapsed


PAGE_WORK = """() => { const of = (name) => performance.getEntriesByName(name).map((m) => m.duration).sort((a, b) => a - b);
  const summary = (d) => ({ count: d.length, median_ms: d.length ? +d[d.length >> 1].toFixed(1) : 0, max_ms: d.length ? +d[d.length - 1].toFixed(1) : 0 });
  return { snapshot: summary(of("projector:snapshot")), render: summary(of("projector:render")) }; }"""


def measure_layout(page: Any, kind: str, iterations: int, root: Path) -> dict[str, Any]:
    """Seconds to the first ``kind`` (``tsne`` or ``umap``) positions drawn and to
    ``iterations``, long tasks, the page's own work, and the class purity of nearest
    neighbours in the final layout."""
    page.select_option(".projector-method", "pca")
    page.select_option(".projector-dims", "2")
    box = ".projector-iterations" if kind == "tsne" else ".projector-umap-epochs"
    counter = "tsneIteration" if kind == "tsne" else "umapIteration"
    page.evaluate(f"() => {{ document.querySelector('{box}').value = '{iterations}'; window.__long = []; performance.clearMeasures(); }}")
    started = time.perf_counter()
    page.select_option(".projector-method", kind)  # starts it
    page.wait_for_function(f"() => document.querySelector('.projector-dashboard').dataset.{counter} !== '0'")
    first = time.perf_counter() - started
    classes = _classes(root)
    readable: dict[str, Any] | None = None
    while True:
        shown = int(page.eval_on_selector(".projector-dashboard", f"d => d.dataset.{counter}"))
        if readable is None and purity(page, classes, 1000) >= READABLE:
            readable = {"s": round(time.perf_counter() - started, 1), "iteration": shown}
        if shown == iterations:
            break
        time.sleep(1.5)
    done = time.perf_counter() - started
    long = page.evaluate("() => window.__long")
    work = page.evaluate(PAGE_WORK)
    return {"iterations": iterations, "first_positions_s": round(first, 2), "readable": readable, "done_s": round(done, 1),
            "method": page.eval_on_selector(".projector-dashboard", "d => d.dataset.layoutMethod"),
            "nearest_same_class": round(purity(page, classes, 3000), 3), "page_work": work,
            "long_tasks": {"count": len(long), "over_100ms": sum(t > 100 for t in long), "longest_ms": round(max(long, default=0))}}


READABLE = 0.95


def purity(page: Any, classes: np.ndarray, size: int) -> float:
    """The share of a sample of ``size`` points whose nearest neighbour on the screen has
    their class."""
    count = page.evaluate("() => document.querySelector('.projector-dashboard').projectorView.count()")
    sample = np.random.default_rng(1).choice(count, size=min(size, count), replace=False)
    screen = np.array(page.evaluate("ix => ix.map((i) => { const p = document.querySelector('.projector-dashboard').projectorView.screenOf(i); return [p.x, p.y]; })", sample.tolist()))
    distances = np.linalg.norm(screen[:, None] - screen[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    return float(np.mean(classes[sample][distances.argmin(axis=1)] == classes[sample]))


def _classes(root: Path) -> np.ndarray:
    """Each point's class, from the metadata's second column."""
    lines = next((root / RUN).rglob("metadata.tsv")).read_text().splitlines()[1:]
    return np.array([line.split("\t")[1] for line in lines])


def main() -> None:
    """Write the logdir, serve it, measure, print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--tsv", action="store_true")
    parser.add_argument("--clusters", type=int, default=5,
                        help="more (20) than PCA's three axes can part, to see when t-SNE and UMAP do")
    parser.add_argument("--tsne-iterations", type=int, default=300)
    parser.add_argument("--umap-epochs", type=int, default=200)
    parser.add_argument("--drawing", choices=("auto", "webgl", "canvas"), default="auto")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("load average before:", Path("/proc/loadavg").read_text().split()[:3], flush=True)
        started = time.perf_counter()
        write_logdir(root, args.points, args.dims, args.tsv, args.clusters)
        print(f"wrote the logdir in {time.perf_counter() - started:.1f} s", flush=True)
        proc, url = serve(root)
        results: dict[str, Any] = {"points": args.points, "dims": args.dims, "tsv": args.tsv, "clusters": args.clusters}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                context, page, cold = open_tab(browser, url, args.points, args.drawing)
                results["cold_open_s"] = round(cold, 2)
                context.close()
                context, page, warm = open_tab(browser, url, args.points, args.drawing)
                results["drawing"] = page.eval_on_selector(".projector-view", "v => v.dataset.drawing")
                results["warm_open_s"] = round(warm, 2)
                results["load_ms"] = int(page.eval_on_selector(".projector-dashboard", "d => d.dataset.loadMs"))
                long = page.evaluate("() => window.__long")
                results["long_tasks_open"] = {"count": len(long), "over_100ms": sum(t > 100 for t in long),
                                              "longest_ms": round(max(long, default=0))}
                page.evaluate("() => { window.__long = []; }")
                results["pca_nearest_same_class"] = round(purity(page, _classes(root), 3000), 3)
                print("open:", json.dumps(results), flush=True)
                results["orbit_fps"] = round(orbit_fps(page), 1)
                results["drag_fps"] = round(drag_fps(page), 1)
                render_ms = page.evaluate("() => document.querySelector('.projector-dashboard').projectorView.renderMs()")
                results["render_call_ms_median"] = round(float(np.median(render_ms)), 1)
                results["colour_by_class_s"] = round(timed(page, lambda: page.select_option(".projector-color", label="class")), 3)
                results["search_s"] = round(timed(page, lambda: page.fill(".projector-search", "^p12[0-9]{3}$")), 3)
                at = page.evaluate("() => document.querySelector('.projector-dashboard').projectorView.screenOf(0)")
                page.evaluate("() => { window.__long = []; }")
                started = time.perf_counter()
                page.mouse.click(at["x"], at["y"])
                page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.neighbors.split(',').length === 10")
                results["neighbours_s"] = round(time.perf_counter() - started, 3)
                long = page.evaluate("() => window.__long")
                results["long_tasks_interaction"] = {"count": len(long), "over_100ms": sum(t > 100 for t in long),
                                                     "longest_ms": round(max(long, default=0))}
                results["tsne"] = measure_layout(page, "tsne", args.tsne_iterations, root)
                print("t-SNE:", json.dumps(results["tsne"]), flush=True)
                results["umap"] = measure_layout(page, "umap", args.umap_epochs, root)
                context.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(20)
        results["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
