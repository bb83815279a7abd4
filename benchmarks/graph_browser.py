#!/usr/bin/env python3
"""Graph dashboard speed on 10,000-node graphs in headless Chromium (Debian's
/usr/bin/chromium, via Playwright).

Two graphs are written into a temporary logdir:

* ``synthetic``: a transformer-like ``GraphDef`` (``--layers`` identical layers of
  attention, a 500-op feed-forward scope with no sub-scope, a norm and a residual), about
  10,700 nodes with devices and output shapes, written with ``tbcore.summary``'s
  ``add_graph_def``;
* ``resnet``: a deep bottleneck ResNet traced by ``tbcore_torch``'s ``add_graph`` (in a
  subprocess; ``--no-torch`` leaves it out), about 10,000 nodes with ``--blocks 12,110,136,12``.

On a loaded ``tbcore serve``, each repeat opens the graph tab in a fresh browser context
(empty HTTP cache, new layout worker, no cached layout) with the sidebar's run filter on one
graph, and measures in the page:

1. ``open``: from navigation start until the top level is drawn and a frame has been painted
   after it (the tab is interactive then);
2. ``load``: the dashboard's own ``data-load-ms``, from asking for the graph to its top level
   drawn (fetch, JSON, hierarchy, layout in the worker, SVG);
3. each expansion along a path down the graph (double-click on the group), from the event to
   the frame after the new layout is drawn. On ``synthetic`` the last one opens a layer's
   500-op ``ffn`` scope. Twice, in separate contexts: one click right after the other
   (``cold``: the dashboard's background worker, which lays out the large groups on screen
   ahead of time, has had no time), and with ``--pause`` seconds before each click (a user
   looking at the screen before the next click: the layout is usually ready by then).

The median of the repeats is printed, with the range.

    python benchmarks/graph_browser.py [--layers 20] [--repeat 3] [--pause 1] [--no-torch]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_server import serve

from tbcore.proto import graph_pb2, types_pb2
from tbcore.summary import SummaryWriter

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FFN_OPS = 500
FFN_TYPES = ["MatMul", "BiasAdd", "Relu", "Mul", "AddV2", "Tanh", "Sigmoid", "Sub", "Square", "Reshape"]


def _letters(n: int) -> str:
    """``a``, ``b``, ... ``ba``, ...: names without digits, which the UI never folds."""
    out = ""
    while True:
        out = string.ascii_lowercase[n % 26] + out
        n //= 26
        if not n:
            return out


def synthetic_graph(layers: int) -> graph_pb2.GraphDef:
    """The transformer-like graph: ``input/``, ``encoder/layer_<i>`` (attention, a flat 500-op
    ``ffn``, norm, residual), ``head/``, ``loss/``."""
    graph = graph_pb2.GraphDef()
    graph.versions.producer = 1882

    def add(name: str, op: str, inputs: list[str], device: str = "/device:GPU:0") -> str:
        node = graph.node.add(name=name, op=op, input=inputs, device=device)
        node.attr["T"].type = types_pb2.DT_FLOAT
        shape = node.attr["_output_shapes"].list.shape.add()
        for size in (8, 128, 256):
            shape.dim.add(size=size)
        return name

    x = add("input/tokens", "IteratorGetNext", [], "/device:CPU:0")
    x = add("input/embedding/lookup", "GatherV2", [x, add("input/embedding/table", "VariableV2", [])])
    for i in range(layers):
        scope = f"encoder/layer_{i}"
        heads = []
        for part in ("query", "key", "value"):
            p = f"{scope}/attention/{part}"
            y = add(f"{p}/MatMul", "MatMul", [x, add(f"{p}/kernel", "VariableV2", [])])
            y = add(f"{p}/BiasAdd", "BiasAdd", [y, add(f"{p}/bias", "VariableV2", [])])
            heads.append(add(f"{p}/Transpose", "Transpose", [add(f"{p}/Reshape", "Reshape", [y])]))
        s = f"{scope}/attention/scores"
        y = add(f"{s}/Softmax", "Softmax", [add(f"{s}/Mul", "Mul", [add(f"{s}/MatMul", "BatchMatMulV2", heads[:2])])])
        y = add(f"{s}/Dropout", "Dropout", [y])
        c = f"{scope}/attention/context"
        y = add(f"{c}/Reshape", "Reshape", [add(f"{c}/Transpose", "Transpose", [add(f"{c}/MatMul", "BatchMatMulV2", [y, heads[2]])])])
        o = f"{scope}/attention/output"
        y = add(f"{o}/BiasAdd", "BiasAdd", [add(f"{o}/MatMul", "MatMul", [y, add(f"{o}/kernel", "VariableV2", [])]),
                                           add(f"{o}/bias", "VariableV2", [])])
        ffn = []
        for j in range(FFN_OPS):
            inputs = [ffn[j - 1] if j else y] + ([ffn[j - 5]] if j >= 5 and j % 7 == 0 else [])
            ffn.append(add(f"{scope}/ffn/op_{_letters(j)}", FFN_TYPES[j % len(FFN_TYPES)], inputs, "/device:GPU:1"))
        n = f"{scope}/norm"
        mean = add(f"{n}/mean", "Mean", [ffn[-1]])
        var = add(f"{n}/variance", "Mean", [add(f"{n}/sub", "Sub", [ffn[-1], mean])])
        y = add(f"{n}/add", "AddV2", [add(f"{n}/mul", "Mul", [ffn[-1], add(f"{n}/rsqrt", "Rsqrt", [var])])])
        x = add(f"{scope}/residual", "AddV2", [x, y])
    logits = add("head/MatMul", "MatMul", [x, add("head/kernel", "VariableV2", [])])
    add("loss/mean", "Mean", [add("loss/xent", "SoftmaxCrossEntropyWithLogits", [logits])], "/device:CPU:0")
    return graph


TORCH_SCRIPT = r'''
import sys, warnings
import torch
from torch import nn
from tbcore_torch import SummaryWriter

class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)

class ResNet(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        stages, cin = [], 16
        for i, n in enumerate(blocks):
            layer = []
            for j in range(n):
                layer.append(Bottleneck(cin, 8 * 2 ** i, 2 if j == 0 and i > 0 else 1))
                cin = 8 * 2 ** i * 4
            stages.append(nn.Sequential(*layer))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))

blocks = [int(b) for b in sys.argv[2].split(",")]
with SummaryWriter(sys.argv[1]) as w:
    w.add_graph(ResNet(blocks).eval(), torch.randn(1, 3, 32, 32))
'''

# Resolves with the ms from navigation start to the first frame after the top level is drawn.
OPENED = """async () => {
  const root = () => document.querySelector('.graphs-dashboard');
  while (root()?.dataset.state !== 'ready') await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const d = root().dataset;
  return { open: performance.now(), load: Number(d.loadMs), worker: Number(d.workerMs), ops: Number(d.ops) };
}"""

# Double-clicks the group labelled `label` and resolves with the ms until the frame after the
# new layout is drawn, and the dashboard's own layout time.
EXPAND = """async (label) => {
  const root = document.querySelector('.graphs-dashboard');
  const node = [...document.querySelectorAll('.graphs-node')].find((n) => n.dataset.label === label);
  if (!node) throw new Error(`no node labelled ${label}`);
  delete root.dataset.layoutMs;
  const t0 = performance.now();
  node.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
  while (root.dataset.layoutMs === undefined) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { total: performance.now() - t0, layout: Number(root.dataset.layoutMs),
           worker: Number(root.dataset.workerMs), shown: document.querySelectorAll('.graphs-node').length };
}"""


def measure(browser: Any, url: str, run: str, path: list[str], pause: float) -> dict[str, float]:
    """One fresh-context pass over one graph: open, then expand along ``path``, waiting
    ``pause`` seconds before each expansion."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{url}#tab=graphs&runFilter=%5E{run}%24")
        opened = page.evaluate(OPENED)
        result = {"open_ms": opened["open"], "load_ms": opened["load"], "  of which layout worker ms": opened["worker"],
                  "ops": opened["ops"]}
        for label in path:
            time.sleep(pause)
            step = page.evaluate(EXPAND, label)
            result[f"expand {label} ms"] = step["total"]
            result["  of which layout worker ms" + " " * len(label)] = step["worker"]
            result[f"  nodes shown after {label}"] = step["shown"]
        if errors:
            raise RuntimeError(f"errors in the page: {errors}")
        return result
    finally:
        context.close()


def main() -> None:
    """Write the graphs, serve them, measure, print a table."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--layers", type=int, default=20, help="layers of the synthetic graph (536 ops each)")
    p.add_argument("--blocks", default="12,110,136,12", help="bottleneck blocks per ResNet stage")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pause", type=float, default=1.0, help="seconds before each expansion (second pass)")
    p.add_argument("--no-torch", action="store_true", help="leave out the traced ResNet")
    a = p.parse_args()
    load_before = os.getloadavg()
    graphs: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        synthetic = synthetic_graph(a.layers)
        with SummaryWriter(logdir / "synthetic") as writer:
            writer.add_graph_def(synthetic)
        graphs["synthetic"] = ["encoder", f"layer_[0-{a.layers - 1}]", "layer_7", "ffn"]
        print(f"synthetic: {len(synthetic.node):,} nodes")
        if not a.no_torch:
            started = time.perf_counter()
            env = dict(os.environ, PYTHONWARNINGS="ignore")
            subprocess.run([sys.executable, "-c", TORCH_SCRIPT, str(logdir / "resnet"), a.blocks], check=True,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"resnet: traced in {time.perf_counter() - started:.1f} s")
            graphs["resnet"] = ["ResNet", "Sequential[layer3]", f"Bottleneck[1-{int(a.blocks.split(',')[2]) - 1}]", "Bottleneck[5]"]
        proc, url = serve(logdir)
        variants = [(f"{name}, {kind}", name, path, pause) for name, path in graphs.items()
                    for kind, pause in (("cold", 0.0), (f"{a.pause:g} s pauses", a.pause))]
        results: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in variants}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                try:
                    for _ in range(a.repeat):
                        for label, name, path, pause in variants:
                            results[label].append(measure(browser, url, name, path, pause))
                            print(label, json.dumps({k: round(v, 1) for k, v in results[label][-1].items()}))
                finally:
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    load_after = os.getloadavg()
    for name, runs in results.items():
        print(f"\n{name}: median of {a.repeat} fresh contexts (range)")
        for key in runs[0]:
            values = [r[key] for r in runs]
            print(f"  {key:<40}{statistics.median(values):>10.1f}   ({min(values):.1f}–{max(values):.1f})")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")


if __name__ == "__main__":
    main()
