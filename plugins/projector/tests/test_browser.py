"""The projector and mesh tabs in headless Chromium, against a real ``tbcore serve``: PCA draws
every point, colouring by a column changes the colours, the nearest neighbours of a point are
the right ones, a regex search selects the matching points, the inspector shows a point's
metadata, and the mesh view draws its vertices and faces at each step. No console errors, no
request leaves 127.0.0.1.

Chromium's WebGL runs on the CPU here (SwiftShader), so the projector draws its points with
its own canvas drawing; the WebGL drawing is tested by forcing it
(``tbcore.projector.drawing`` in the browser's storage)."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tbcore.summary import SummaryWriter
from tbcore_projector import umap_layout
from tbcore_projector.demo import write_mesh_demo, write_projector_demo

RUN = "points"
COUNT = 300
NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
EVIL = '<img src=x onerror="window.__pwned=1">'


def _points() -> np.ndarray:
    rng = np.random.default_rng(11)
    centres = rng.normal(scale=8, size=(3, 16))
    return np.concatenate([c + rng.normal(size=(COUNT // 3, 16)) for c in centres]).astype(np.float32)


def _write(logdir: Path) -> None:
    points = _points()
    rows = [[f"{'abc'[i // 100]}{i}", f"class_{i // 100}", f"{i * 0.1:.1f}"] for i in range(COUNT)]
    rows[5][1] = EVIL
    with SummaryWriter(logdir / RUN) as writer:
        writer.add_scalar("x", 1.0, 0)
        writer.add_embedding(points, metadata=rows, metadata_header=["name", "class", "value"], tag="clusters")
        vertices = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], np.float32)
        faces = np.array([[[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]], np.int32)
        for step in range(3):
            writer.add_mesh("tetra", vertices * (step + 1), faces=faces, global_step=step)
    config = logdir / RUN / "projector_config.pbtxt"
    text = config.read_text()
    config.write_text(text.replace("embeddings {", 'embeddings {\n  bookmarks_path: "bookmarks.json"', 1))
    (logdir / RUN / "bookmarks.json").write_text(
        json.dumps([{"label": EVIL, "selectedPoints": [7, 8, 9, 5000]}, {"label": "none"}])
    )
    write_projector_demo(logdir)
    write_mesh_demo(logdir)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, tbcore_server: Any) -> Iterator[str]:
    logdir = tmp_path_factory.mktemp("projector_browser")
    _write(logdir)
    with tbcore_server(logdir, "--plugins", "projector,mesh", runs=3) as url:
        yield url


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


def _open(browser: Any, url: str, tab: str, drawing: str | None = None) -> tuple[Any, Any, list[str]]:
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    if drawing:
        context.add_init_script(f"localStorage.setItem('tbcore.projector.drawing', '{drawing}')")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if _is_local(r.url) else errors.append(f"outside request {r.url}"))
    page.goto(url + f"#tab={tab}")
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    return context, page, errors


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The projector tab on the ``points`` run, failing the test on any console error; drawn
    as the browser chooses, or as ``@pytest.mark.drawing("webgl" | "canvas")`` says."""
    mark = request.node.get_closest_marker("drawing")
    context, page, errors = _open(browser, server_url, "projector", mark.args[0] if mark else None)
    page.wait_for_selector(".projector-dashboard[data-state=ready]")
    if page.eval_on_selector(".projector-run", "s => s.value") != RUN:
        page.select_option(".projector-run", RUN)
    _wait_points(page, COUNT)
    yield page
    pwned = page.evaluate("() => window.__pwned")
    context.close()
    assert errors == [], "errors in the page"
    assert pwned is None


def _wait_points(page: Any, count: int) -> None:
    page.wait_for_function(
        """n => { const d = document.querySelector('.projector-dashboard').dataset;
                  const v = document.querySelector('.projector-view').dataset;
                  return d.state === 'ready' && d.points === String(n) && v.drawnPoints === String(n); }""",
        arg=count,
    )


def _view(page: Any, call: str) -> Any:
    return page.evaluate(f"() => document.querySelector('.projector-dashboard').projectorView.{call}")


def test_pca_draws_every_point(page: Any) -> None:
    assert page.locator(".projector-variance").text_content().startswith("PCA variance explained: ")
    assert int(page.eval_on_selector(".projector-view", "v => v.dataset.drawnPoints")) == COUNT
    # turning the 3-D view (as benchmarks do) draws a new frame with the points elsewhere
    before, frames = _view(page, "screenOf(0)"), _view(page, "frames()")
    _view(page, "orbitBy(0.5)")
    page.evaluate(NEXT_FRAME)
    assert _view(page, "frames()") > frames and _view(page, "screenOf(0)") != before
    assert int(page.eval_on_selector(".projector-view", "v => v.dataset.drawnPoints")) == COUNT
    page.select_option(".projector-dims", "2")
    _wait_points(page, COUNT)
    page.select_option(".projector-tensor", index=0)


def test_colour_by_a_column_changes_colours(page: Any) -> None:
    page.select_option(".projector-color", "")
    plain = [_view(page, f"colorOf({i})") for i in (0, 150, 299)]
    assert plain[0] == plain[1] == plain[2]
    page.select_option(".projector-color", label="class")
    coloured = [_view(page, f"colorOf({i})") for i in (0, 150, 299)]
    assert coloured[0] != coloured[1] != coloured[2] != coloured[0]
    assert _view(page, "colorOf(1)") == coloured[0]
    assert page.locator(".projector-legend-row").count() == 4  # three classes and the hostile one


def test_neighbours_of_a_point_are_the_nearest(page: Any) -> None:
    points = _points()
    page.select_option(".projector-metric", "euclidean")
    page.fill(".projector-neighbor-count", "7")
    page.dispatch_event(".projector-neighbor-count", "change")
    at = _view(page, "screenOf(42)")
    page.mouse.click(at["x"], at["y"])
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.neighbors.split(',').length === 7")
    selected = int(page.eval_on_selector(".projector-dashboard", "d => d.dataset.selected"))
    distances = np.linalg.norm(points - points[selected], axis=1)
    distances[selected] = np.inf
    want = list(np.argsort(distances, kind="stable")[:7])
    got = [int(i) for i in page.eval_on_selector(".projector-dashboard", "d => d.dataset.neighbors").split(",")]
    assert got == want
    listed = page.eval_on_selector_all(".projector-neighbor", "els => els.map(e => Number(e.dataset.index))")
    assert listed == want
    shown = [float(t) for t in page.eval_on_selector_all(".projector-neighbors .tb-num", "els => els.map(e => e.textContent)")]
    assert shown == pytest.approx(sorted(distances[want]), abs=1e-3)
    assert page.locator(".projector-point").text_content().count(f"class_{selected // 100}") == 1
    page.locator(".projector-neighbor").first.click()
    page.wait_for_function(f"() => document.querySelector('.projector-dashboard').dataset.selected === '{want[0]}'")


def test_search_selects_the_matching_points(page: Any) -> None:
    page.select_option(".projector-search-column", label="name")
    page.fill(".projector-search", "^b10[0-4]$")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.matches === '5'")
    match_size = _view(page, "sizeOf(100)")
    assert match_size > _view(page, "sizeOf(0)")
    assert [_view(page, f"sizeOf({i})") for i in (100, 101, 102, 103, 104)] == [match_size] * 5
    page.check(".projector-isolate")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').projectorView.sizeOf(0) === 0")
    page.fill(".projector-search", "([")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.matches === '0'")
    assert "projector-invalid" in (page.get_attribute(".projector-search", "class") or "")


def test_tensorboard_bookmarks_select_their_points(page: Any) -> None:
    buttons = page.locator(".projector-bookmark")
    assert buttons.count() == 2
    assert buttons.first.text_content() == EVIL  # as text, not markup
    buttons.first.click()
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.selected === '7'")
    assert page.eval_on_selector(".projector-dashboard", "d => d.dataset.matches") == "3"  # 5000 is out of range


def test_hostile_metadata_is_text(page: Any) -> None:
    page.select_option(".projector-search-column", label="class")
    page.select_option(".projector-label-by", label="class")
    page.fill(".projector-search", "onerror")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.matches === '1'")
    # The labels are drawn on the next frame after the search.
    page.wait_for_function("evil => document.querySelector('.projector-labels').textContent.includes(evil)", arg=EVIL)
    assert page.locator(".projector-labels img").count() == 0


def test_tsne_moves_the_points_until_it_converges(page: Any) -> None:
    before = _view(page, "screenOf(0)")
    page.select_option(".projector-method", "tsne")
    page.fill(".projector-iterations", "60")
    page.click(".projector-tsne-run")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.tsneIteration === '60'", timeout=60_000)
    assert int(page.eval_on_selector(".projector-view", "v => v.dataset.drawnPoints")) == COUNT
    assert _view(page, "screenOf(0)") != before
    page.select_option(".projector-method", "pca")
    page.wait_for_function("() => !document.querySelector('.projector-tsne-controls').checkVisibility()")


def test_umap_separates_the_clusters_while_the_cloud_moves(page: Any) -> None:
    page.evaluate("""() => { window.__umapSeen = [];
        new MutationObserver(() => window.__umapSeen.push(document.querySelector('.projector-dashboard').dataset.umapIteration))
          .observe(document.querySelector('.projector-dashboard'), { attributes: true, attributeFilter: ['data-umap-iteration'] }); }""")
    page.select_option(".projector-dims", "2")
    _wait_points(page, COUNT)
    page.select_option(".projector-method", "umap")  # starts it with the defaults
    assert page.locator(".projector-umap-controls").is_visible()
    assert not page.locator(".projector-tsne-controls").is_visible()
    page.fill(".projector-umap-neighbors", "10")
    page.fill(".projector-umap-min-dist", "0.05")
    # The most epochs allowed: 0.6 s of work here with the C epochs (2 s with numpy's), so
    # that some of the page's polls (every 250 ms) land mid-run.
    page.fill(".projector-umap-epochs", "2000")
    page.evaluate("() => { window.__umapSeen = []; }")
    page.click(".projector-umap-run")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.umapIteration === '2000'", timeout=60_000)
    assert page.eval_on_selector(".projector-dashboard", "d => d.dataset.layoutMethod") == umap_layout.IMPLEMENTATION
    seen = {int(v) for v in page.evaluate("() => window.__umapSeen") if v}
    assert seen - {0, 2000}  # the cloud moved while it converged
    page.evaluate(NEXT_FRAME)
    screen = np.array([[p["x"], p["y"]] for p in page.evaluate(
        f"() => Array.from({{length: {COUNT}}}, (_, i) => document.querySelector('.projector-dashboard').projectorView.screenOf(i))")])
    distances = np.linalg.norm(screen[:, None] - screen[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    assert np.array_equal(distances.argmin(axis=1) // 100, np.arange(COUNT) // 100)
    centres = np.array([screen[c * 100 : (c + 1) * 100].mean(axis=0) for c in range(3)])
    spread = max(np.linalg.norm(screen[c * 100 : (c + 1) * 100] - centres[c], axis=1).mean() for c in range(3))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a, b in ((0, 1), (0, 2), (1, 2))]
    assert min(gaps) > 2 * spread
    assert int(page.eval_on_selector(".projector-view", "v => v.dataset.drawnPoints")) == COUNT


def test_pca_components_and_custom_projection(page: Any) -> None:
    variance = page.locator(".projector-variance").text_content()
    page.select_option(".projector-pca-x", "3")
    page.wait_for_function("v => document.querySelector('.projector-variance').textContent !== v", arg=variance)
    page.select_option(".projector-method", "custom")
    page.fill(".projector-custom-left", "^a")
    page.fill(".projector-custom-right", "^c")
    page.fill(".projector-custom-up", "^b")
    page.click(".projector-custom-run")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.custom === '100,100,0,100'")
    _wait_points(page, COUNT)
    page.evaluate(NEXT_FRAME)
    a, b, c = (_view(page, f"screenOf({i})") for i in (10, 150, 250))
    assert a["x"] < c["x"]  # left to right: the a cluster to the c cluster
    assert b["y"] < (a["y"] + c["y"]) / 2  # up (smaller y on screen): the b cluster


def test_sprite_thumbnails(page: Any) -> None:
    page.select_option(".projector-run", "projector_demo")
    _wait_points(page, 600)
    page.check(".projector-thumbnails")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.sprite === 'on'")
    _wait_points(page, 600)
    assert page.locator(".projector-dashboard").get_attribute("data-points") == "600"


SOFTWARE_RENDERERS = r"swiftshader|llvmpipe|softpipe|lavapipe|software|basic render"


def test_the_drawing_is_chosen_by_the_webgl_renderer(page: Any) -> None:
    renderer = page.evaluate("""() => { const gl = document.createElement('canvas').getContext('webgl');
        const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
        return gl ? gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : ''; }""")
    expected = "canvas" if not renderer or re.search(SOFTWARE_RENDERERS, renderer, re.I) else "webgl"
    assert page.eval_on_selector(".projector-view", "v => v.dataset.drawing") == expected, renderer


def _canvas_pixels(page: Any) -> tuple[np.ndarray, float]:
    """The canvas drawing's pixels (height, width, 4) and device pixels per CSS pixel (the
    bytes come as base64: a list of millions of numbers would take a minute to pass)."""
    width, height, scale, data = page.evaluate("""() => { const c = document.querySelector('.projector-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let text = '';
        for (let i = 0; i < d.length; i += 0x8000) text += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
        return [c.width, c.height, c.width / c.getBoundingClientRect().width, btoa(text)]; }""")
    return np.frombuffer(base64.b64decode(data), np.uint8).reshape(height, width, 4), scale


@pytest.mark.drawing("canvas")
def test_the_canvas_drawing_paints_each_point_in_its_colour(page: Any) -> None:
    assert page.eval_on_selector(".projector-view", "v => v.dataset.drawing") == "canvas"
    page.select_option(".projector-dims", "2")
    _wait_points(page, COUNT)
    page.select_option(".projector-color", label="class")
    page.evaluate(NEXT_FRAME)
    colours = np.array(page.evaluate(f"() => Array.from({{length: {COUNT}}}, (_, i) => document.querySelector('.projector-dashboard').projectorView.colorOf(i))"))
    expected = {tuple(c) for c in np.round(colours * 255).astype(int).tolist()}
    pixels, scale = _canvas_pixels(page)
    drawn = pixels[pixels[..., 3] > 0]
    assert (drawn[:, 3] == 255).all()
    assert {tuple(c) for c in drawn[:, :3].tolist()} == expected  # every colour, and no other
    origin = page.eval_on_selector(".projector-canvas", "c => { const r = c.getBoundingClientRect(); return [r.left, r.top]; }")
    screen = np.array([[p["x"], p["y"]] for p in page.evaluate(
        f"() => Array.from({{length: {COUNT}}}, (_, i) => document.querySelector('.projector-dashboard').projectorView.screenOf(i))")])
    screen = (screen - origin) * scale
    distances = np.linalg.norm(screen[:, None] - screen[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    alone = np.flatnonzero(distances.min(axis=1) > 8 * scale)
    assert len(alone) >= 5
    for i in alone:  # a point with no other near it shows its own colour at its centre
        x, y = np.floor(screen[i]).astype(int)
        assert tuple(pixels[y, x, :3]) == tuple(np.round(colours[i] * 255).astype(int)), i
    # zoomed far in, the points outside the view are not painted (but still drawn)
    page.mouse.move(*(np.array(origin) + 100).tolist())
    for _ in range(15):
        page.mouse.wheel(0, -400)
    page.evaluate(NEXT_FRAME)
    zoomed, _ = _canvas_pixels(page)
    assert (zoomed[..., 3] > 0).sum() < (pixels[..., 3] > 0).sum()


@pytest.mark.drawing("webgl")
def test_the_webgl_drawing(page: Any) -> None:
    assert page.eval_on_selector(".projector-view", "v => v.dataset.drawing") == "webgl"
    assert page.evaluate("() => !!document.querySelector('.projector-canvas').getContext('webgl2')")
    page.select_option(".projector-color", label="class")
    assert _view(page, "colorOf(0)") != _view(page, "colorOf(150)")
    page.select_option(".projector-run", "projector_demo")
    _wait_points(page, 600)
    page.check(".projector-thumbnails")
    page.wait_for_function("() => document.querySelector('.projector-dashboard').dataset.sprite === 'on'")
    _wait_points(page, 600)


NO_WEBGL = """(() => { const original = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
    return /webgl/.test(kind) ? null : original.call(this, kind, ...rest); }; })()"""


def test_without_webgl_the_projector_draws_on_a_canvas_and_the_mesh_tab_says_why(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(NO_WEBGL)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(server_url + "#tab=projector")
    page.wait_for_selector(".projector-dashboard[data-state=ready]")
    page.select_option(".projector-run", RUN)
    _wait_points(page, COUNT)
    assert page.eval_on_selector(".projector-view", "v => v.dataset.drawing") == "canvas"
    page.goto(server_url + "#tab=mesh")
    page.wait_for_selector(".mesh-dashboard[data-state=error]")
    assert "needs WebGL" in page.locator(".mesh-status").inner_text()
    context.close()


def test_mesh_draws_its_vertices_and_faces(browser: Any, server_url: str) -> None:
    context, page, errors = _open(browser, server_url, "mesh")
    ready = "() => document.querySelector('.mesh-dashboard')?.dataset.state === 'ready'"
    page.wait_for_function(ready)
    page.select_option(".mesh-run", RUN)
    page.wait_for_function("() => document.querySelector('.mesh-dashboard').dataset.state === 'ready' && document.querySelector('.mesh-view').dataset.drawnTriangles === '4'")
    assert page.eval_on_selector(".mesh-dashboard", "d => [d.dataset.step, d.dataset.vertices, d.dataset.faces]") == ["2", "4", "4"]
    page.fill(".mesh-step", "0")
    page.wait_for_function("() => document.querySelector('.mesh-dashboard').dataset.step === '0'")
    page.select_option(".mesh-run", "mesh_demo")
    page.select_option(".mesh-tag", "sphere_cloud")
    page.wait_for_function("() => document.querySelector('.mesh-view').dataset.drawnPoints === '2000'")
    assert page.eval_on_selector(".mesh-dashboard", "d => d.dataset.faces") == "0"
    context.close()
    assert errors == []
