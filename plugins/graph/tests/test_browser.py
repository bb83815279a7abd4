"""The graph tab in headless Chromium, against a real ``tbcore serve`` on the demo graph, a
graph traced by tbcore_torch, Keras conceptual graphs and a graph with hostile names: scopes
and series at the top level, expanding, search, the inspector, colouring, run metadata,
tracing, zoom, a layout worker, and no console errors."""

from __future__ import annotations

import importlib.util
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import installed
import pytest

from tbcore.proto import graph_pb2
from tbcore.summary import SummaryWriter
from tbcore_graph.demo import write_demo

_spec = importlib.util.spec_from_file_location("graph_writers", Path(__file__).with_name("writers.py"))
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

DEMO = "graphs_demo/resnet"
TORCH = "tbcore_torch/cnn"
KERAS = "keras_functional/train"
HOSTILE = "hostile"
EVIL = '<img src=x onerror="window.__pwned=1">'
BOLD = "<b onmouseover=alert(1)>bold"
RUNS = [DEMO, TORCH, "tbcore_torch/two_heads", KERAS, "keras_nested/train", "keras_sequential/train", HOSTILE]

WRITE_TORCH = writers.TORCH_MODELS + r'''
import os, sys
from tbcore_torch import SummaryWriter
for name, (model, inputs) in MODELS.items():
    with SummaryWriter(os.path.join(sys.argv[1], "tbcore_torch", name)) as w:
        w.add_graph(model, inputs)
'''


def _write_hostile(logdir: Path) -> None:
    graph = graph_pb2.GraphDef()
    graph.node.add(name=f"scope/{EVIL}", op="Placeholder")
    node = graph.node.add(name=f"scope/{BOLD}", op=EVIL, input=[f"scope/{EVIL}", "missing</li>"])
    node.attr["note"].s = b"<script>window.__pwned=2</script>"
    with SummaryWriter(logdir / HOSTILE) as writer:
        writer.add_graph_def(graph)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, logdir_from_scripts: Any, tbcore_server: Any) -> Iterator[str]:
    installed.require("torch", "tensorflow")
    logdir = logdir_from_scripts("graphs_browser", [WRITE_TORCH, writers.WRITE_WITH_KERAS])
    write_demo(logdir)
    _write_hostile(logdir)
    graphs_listed = lambda server: set(server.json("/data/plugin/graphs/info")) >= set(RUNS)  # noqa: E731
    with tbcore_server(logdir, "--plugins", "graphs", ready=graphs_listed) as url:
        yield url


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """The graph tab on the demo graph, failing the test on any console error."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if _is_local(r.url) else errors.append(f"outside request {r.url}"))
    page.goto(server_url + "#tab=graphs")
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    _wait_ready(page, DEMO)
    yield page
    context.close()
    assert errors == [], "errors in the page"


def _wait_ready(page: Any, run: str) -> None:
    page.wait_for_function(
        """run => { const d = document.querySelector('.graphs-dashboard')?.dataset;
                    return d?.state === 'ready' && JSON.parse(d.graph).run === run; }""",
        arg=run,
    )


def _choose_run(page: Any, run: str) -> None:
    page.select_option(".graphs-run", run)
    _wait_ready(page, run)


def _labels(page: Any, selector: str = ".graphs-node") -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.label)")


def _node(page: Any, id_: str) -> Any:
    return page.locator(f".graphs-node[data-id={json.dumps(id_, ensure_ascii=False)}]")


def _toggle(page: Any, id_: str) -> None:
    """Double-click a group (dispatched: the minimap may lie over it) and wait for the layout."""
    page.evaluate("() => { delete document.querySelector('.graphs-dashboard').dataset.layoutMs; }")
    _node(page, id_).dispatch_event("dblclick")
    page.wait_for_function("() => document.querySelector('.graphs-dashboard').dataset.layoutMs !== undefined")


def _search(page: Any, text: str) -> None:
    box = page.locator(".graphs-search-input")
    box.fill(text)
    page.wait_for_selector(".graphs-search-results:not([hidden]) .graphs-search-result")


def test_top_level_shows_the_scopes_and_a_series(page: Any) -> None:
    assert set(_labels(page)) == {"input", "stem", "block_[1-4]", "head", "loss"}
    series = page.locator('.graphs-node[data-kind="series"]')
    assert series.locator(".graphs-count").text_content() == "×4"
    assert page.locator(".graphs-edge").count() == 5
    assert any(w.url.endswith("/_layout_worker.js") for w in page.workers)
    assert page.locator("canvas.graphs-minimap").is_visible()
    assert int(page.eval_on_selector(".graphs-dashboard", "d => d.dataset.ops")) == 57


def test_expanding_a_scope_shows_its_ops(page: Any) -> None:
    _toggle(page, "stem/")
    inside = page.eval_on_selector_all(".graphs-node", "els => els.map(e => e.dataset.id).filter(id => id.startsWith('stem/') && id !== 'stem/')")
    assert set(inside) == {"stem/kernel", "stem/Conv2D", "stem/bn/", "stem/Relu"}
    assert page.locator(".graphs-node.graphs-expanded").count() == 1
    series = page.eval_on_selector('.graphs-node[data-kind="series"]', "e => e.dataset.id")
    _toggle(page, series)
    assert {"block_1", "block_2", "block_3", "block_4"} <= set(_labels(page))
    _toggle(page, "stem/")
    assert _node(page, "stem/Conv2D").count() == 0


def test_search_finds_a_node_and_centres_it(page: Any) -> None:
    _search(page, "fusedbatchnorm")
    assert page.locator(".graphs-search-count").text_content() == "9 found"  # by op type and name
    results = page.eval_on_selector_all(".graphs-search-result", "els => els.map(e => e.dataset.id)")
    assert results[0] == "stem/bn/FusedBatchNorm"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator('.graphs-search-result[aria-selected="true"]').get_attribute("data-id") == results[2]
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.querySelector('.graphs-dashboard').dataset.centered === id", arg=results[2])
    node = _node(page, results[2])
    assert "graphs-selected" in node.get_attribute("class")
    box, view = node.bounding_box(), page.locator(".graphs-svg").bounding_box()
    assert abs(box["x"] + box["width"] / 2 - (view["x"] + view["width"] / 2)) < 2
    assert abs(box["y"] + box["height"] / 2 - (view["y"] + view["height"] / 2)) < 2
    assert page.locator(".graphs-inspector-name").text_content() == results[2]
    page.locator(".graphs-search-input").fill("Conv2D")
    page.keyboard.press("Escape")
    assert page.locator(".graphs-search-results").is_hidden()


def test_inspector_shows_shapes_device_and_links(page: Any) -> None:
    _search(page, "stem/Conv2D")
    page.keyboard.press("Enter")
    inspector = page.locator(".graphs-inspector")
    inspector.locator(".graphs-shapes li").first.wait_for()
    assert inspector.locator(".graphs-shapes li").all_text_contents() == ["[32, 32, 32, 16]"]
    assert "/device:GPU:0" in inspector.text_content()
    attrs = inspector.locator(".graphs-attrs").text_content()
    assert "padding" in attrs and "SAME" in attrs and "[1, 1, 1, 1]" in attrs
    inputs = inspector.locator(".graphs-inputs li").all_text_contents()
    assert inputs == ["input/cast [32, 32, 32, 3]", "stem/kernel [3, 3, 16, 16]"]
    inspector.locator('.graphs-inputs .graphs-link[data-target="input/cast"]').click()
    page.wait_for_function("() => document.querySelector('.graphs-inspector').dataset.id === 'input/cast'")
    assert inspector.locator(".graphs-outputs li").all_text_contents() == ["stem/Conv2D"]


def _fills(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(".graphs-node", "els => Object.fromEntries(els.map(e => [e.dataset.id, e.dataset.fill]))")


def test_colouring_by_device_changes_colours(page: Any) -> None:
    structure = _fills(page)
    page.select_option(".graphs-color", "device")
    page.wait_for_selector('.graphs-legend[data-mode="device"]')
    device = _fills(page)
    assert device != structure
    assert device["input/"] and device["stem/"] and device["input/"] != device["stem/"]
    assert device["head/"] == device["stem/"]
    legend = page.locator(".graphs-legend-entry").all_text_contents()
    assert legend == ["/job:localhost/replica:0/task:0/device:CPU:0", "/job:localhost/replica:0/task:0/device:GPU:0"]
    assert "graphs.color=device" in page.evaluate("location.hash")
    page.select_option(".graphs-color", "xla")
    page.wait_for_selector('.graphs-legend[data-mode="xla"]')
    assert page.locator(".graphs-legend-entry").all_text_contents() == ["cluster_0", "cluster_1"]


def test_run_metadata_step_shows_compute_times(page: Any) -> None:
    page.select_option(".graphs-stats", "step_100")
    page.wait_for_function("() => document.querySelector('.graphs-dashboard').dataset.stats === 'step_100'")
    page.select_option(".graphs-color", "compute")
    page.wait_for_selector('.graphs-legend[data-mode="compute"]')
    fills = _fills(page)
    assert all(fills.values())
    alpha = {k: float(v.rsplit(",", 1)[1].rstrip(")")) for k, v in fills.items()}
    series = next(k for k in fills if "block_" in k)
    assert alpha[series] == max(alpha.values()) and alpha["input/"] < alpha["stem/"]
    assert "µs" in page.locator(".graphs-legend").text_content()
    _search(page, "stem/Conv2D")
    page.keyboard.press("Enter")
    page.locator(".graphs-compute").wait_for()
    assert page.locator(".graphs-compute").text_content() == "900 µs"


def test_trace_inputs_highlights_upstream_and_downstream(page: Any) -> None:
    page.check(".graphs-trace")
    _search(page, "head/pool")
    page.keyboard.press("Enter")
    page.wait_for_function("() => Number(document.querySelector('.graphs-dashboard').dataset.traced) > 0")
    up = page.eval_on_selector_all(".graphs-upstream", "els => els.map(e => e.dataset.id)")
    down = page.eval_on_selector_all(".graphs-downstream", "els => els.map(e => e.dataset.id)")
    assert {"input/", "stem/"} <= set(up) and any("block_" in i for i in up)
    assert set(down) == {"head/dense/", "loss/"}  # head/ opened to show head/pool
    assert page.locator(".graphs-node.graphs-dim").count() > 0
    assert page.locator(".graphs-edge.graphs-traced").count() > 0


def test_zoom_pan_and_fit(page: Any) -> None:
    svg = page.locator(".graphs-svg")
    fitted = float(svg.get_attribute("data-scale"))
    box = svg.bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.wheel(0, -400)
    page.wait_for_function("k => Number(document.querySelector('.graphs-svg').dataset.scale) > k", arg=fitted)
    before = page.eval_on_selector(".graphs-viewport", "g => g.getAttribute('transform')")
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 130, box["y"] + 90, steps=5)
    page.mouse.up()
    assert page.eval_on_selector(".graphs-viewport", "g => g.getAttribute('transform')") != before
    page.click(".graphs-fit")
    assert float(svg.get_attribute("data-scale")) == fitted
    view = page.locator("canvas.graphs-minimap").get_attribute("data-view")
    assert view and len(view.split(",")) == 4


def test_torch_graph_scopes_and_shapes(page: Any) -> None:
    _choose_run(page, TORCH)
    assert set(_labels(page)) == {"input", "Cnn", "output"}
    _toggle(page, "Cnn/")
    assert {"Sequential[features]", "Linear[head]"} <= set(_labels(page))
    _search(page, "input/x")
    page.keyboard.press("Enter")
    page.locator(".graphs-shapes li").first.wait_for()
    assert page.locator(".graphs-shapes li").all_text_contents() == ["[1, 3, 8, 8]"]
    assert page.locator(".graphs-inspector").get_attribute("data-id") == "input/x"


def test_keras_conceptual_graph_has_layer_names_and_shapes(page: Any) -> None:
    _choose_run(page, KERAS)
    assert page.locator(".graphs-graph option:checked").text_content() == "Conceptual graph: keras"
    # The model is the only group at the top: it opens by itself.
    assert page.locator('.graphs-node.graphs-expanded[data-id="func/"]').count() == 1
    sublabels = page.eval_on_selector_all(
        ".graphs-op", "els => Object.fromEntries(els.map(e => [e.dataset.label, e.querySelector('.graphs-sublabel')?.textContent]))")
    assert sublabels["branch_a"] == "Dense [?, 8]"
    assert sublabels["merge"] == "Concatenate [?, 16]"
    assert sublabels["features"] == "InputLayer [?, 6]"
    _search(page, "func/merge")
    page.keyboard.press("Enter")
    page.locator(".graphs-input-shapes").wait_for()
    assert page.locator(".graphs-input-shapes").text_content() == "[?, 8], [?, 8]"


def test_hostile_names_stay_text(page: Any) -> None:
    _choose_run(page, HOSTILE)
    assert page.locator(".graphs-dashboard img, .graphs-dashboard script, .graphs-dashboard b").count() == 0
    _search(page, "bold")
    page.keyboard.press("Enter")
    page.locator(".graphs-attrs").wait_for()
    inspector = page.locator(".graphs-inspector")
    assert inspector.locator(".graphs-inspector-title").text_content() == BOLD
    assert "<script>window.__pwned=2</script>" in inspector.locator(".graphs-attrs").text_content()
    assert EVIL in inspector.text_content() and "missing</li> (not in the graph)" in inspector.text_content()
    assert set(_labels(page, ".graphs-op")) == {EVIL, BOLD}
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".graphs-dashboard img, .graphs-dashboard script, .graphs-dashboard b").count() == 0
