"""The histograms and distributions tabs in headless Chromium, against a real ``tbcore serve``
process on the demo runs: one ridge per step, bands per run, hover, no console errors."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2, summary_pb2
from tbcore_histograms.demo import STEPS, write_demo

RUNS = ["histograms_demo/adam", "histograms_demo/sgd"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(logdir: Path, runs: int, *extra: str) -> Iterator[str]:
    """``tbcore serve`` on a free port, once it lists ``runs`` runs; yields the page URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port),
         "--plugins", "histograms,distributions", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "tbcore serve exited"
            try:
                with urllib.request.urlopen(url + "data/runs", timeout=5) as response:
                    if len(json.loads(response.read())) == runs:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "tbcore serve did not list the runs"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logdir = tmp_path_factory.mktemp("histograms_browser")
    write_demo(logdir)
    with _serve(logdir, len(RUNS)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """A fresh page on the demo server, failing the test on any console error."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if _is_local(r.url) else errors.append(f"outside request {r.url}"))
    page.goto(server_url)
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    yield page
    context.close()
    assert errors == [], "errors in the page"


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


def _screenshot(page: Any, name: str) -> None:
    folder = Path(__file__).resolve().parents[3] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _open_tab(page: Any, name: str) -> None:
    page.click(f'[role="tab"][data-plugin="{name}"]')
    page.wait_for_function(
        "n => document.querySelector(`section[data-plugin='${n}']`)?.dataset.state === 'mounted'", arg=name
    )


def _canvases(page: Any, kind: str, tag: str) -> Any:
    selector = f'section[data-plugin="{kind}"] .tb-card[data-key="{tag}"]'
    card = page.locator(selector)
    card.scroll_into_view_if_needed()
    page.wait_for_selector(f'{selector} .tb-card-body[data-loaded="true"]')
    return card.locator(f"canvas.{kind}-canvas")


def test_one_ridge_per_step_per_run(page: Any) -> None:
    _open_tab(page, "histograms")
    canvases = _canvases(page, "histograms", "layer1/weights")
    assert canvases.count() == len(RUNS)
    for i in range(len(RUNS)):
        data = canvases.nth(i).evaluate("c => ({...c.dataset})")
        assert data["run"] in RUNS
        assert data["ridges"] == str(STEPS)
        assert data["steps"].split(",") == [str(10 * s) for s in range(STEPS)]
        assert data["mode"] == "offset"
        assert int(data["buckets"]) > 0
    # 600-bucket histograms: every bucket kept for hover, one ridge per step.
    wide = _canvases(page, "histograms", "layer2/gradients").first
    assert wide.get_attribute("data-ridges") == str(STEPS)
    assert int(wide.get_attribute("data-buckets") or 0) > 100 * STEPS
    # Empty histograms (every third step of "sparse") still count as ridges.
    sparse = _canvases(page, "histograms", "sparse").first
    assert sparse.get_attribute("data-ridges") == str(STEPS)
    _screenshot(page, "histograms_wide_and_empty")


def test_hover_names_step_and_bucket_and_overlay_mode(page: Any) -> None:
    _open_tab(page, "histograms")
    canvas = _canvases(page, "histograms", "layer1/weights").first
    box = canvas.bounding_box()
    # On the newest ridge's baseline (22 px above the bottom: the axis labels): it is in front.
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] - 23)
    tip = page.locator(".tb-tooltip")
    tip.wait_for(state="visible")
    assert "step" in tip.text_content()
    assert "count" in tip.text_content()
    assert canvas.get_attribute("data-hover-step") == str(10 * (STEPS - 1))
    _screenshot(page, "histograms_hover")
    page.select_option(".histograms-mode", "overlay")
    canvas = _canvases(page, "histograms", "layer1/weights").first
    assert canvas.get_attribute("data-mode") == "overlay"
    _screenshot(page, "histograms_overlay")
    assert canvas.get_attribute("data-ridges") == str(STEPS)


def test_tag_filter_hides_cards(page: Any, server_url: str) -> None:
    page.goto(server_url + "#tab=histograms&tagFilter=gradients")
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_selector('.tb-card[data-key="layer2/gradients"]')
    keys = page.locator('section[data-plugin="histograms"] .tb-card').evaluate_all("cs => cs.map(c => c.dataset.key)")
    assert keys == ["layer2/gradients"]


def test_distributions_draw_bands(page: Any) -> None:
    _open_tab(page, "distributions")
    canvases = _canvases(page, "distributions", "layer1/activations")
    assert canvases.count() == len(RUNS)
    for i in range(len(RUNS)):
        assert canvases.nth(i).get_attribute("data-bands") == "4"
        assert canvases.nth(i).get_attribute("data-steps") == str(STEPS)
    canvas = canvases.first
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 14, box["y"] + box["height"] / 2)
    tip = page.locator(".tb-tooltip")
    tip.wait_for(state="visible")
    assert "50%" in tip.text_content()
    _screenshot(page, "distributions_hover")
    assert canvas.get_attribute("data-hover-step") == str(10 * (STEPS - 1))


def _write_steps(path: Path, steps: range) -> None:
    records = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()]
    for step in steps:
        event = event_pb2.Event(wall_time=1000.0 + step, step=step)
        histo = summary_pb2.HistogramProto(min=0.0, max=3.0, num=6.0, bucket_limit=[1.0, 2.0, 3.0], bucket=[1.0, 2.0, 3.0])
        event.summary.value.add(tag="live", histo=histo)
        records.append(event.SerializeToString())
    path.write_bytes(b"".join(frame_record(r) for r in records))


def test_live_update_adds_ridges(page: Any, tmp_path: Path) -> None:
    run = tmp_path / "growing"
    run.mkdir()
    _write_steps(run / "events.out.tfevents.1.test.1", range(5))
    with _serve(tmp_path, 1, "--reload-interval", "0.3") as url:
        page.goto(url + "#tab=histograms")
        page.wait_for_selector('#tbcore-app[data-ready="true"]')
        canvas = _canvases(page, "histograms", "live").first
        assert canvas.get_attribute("data-ridges") == "5"
        _write_steps(run / "events.out.tfevents.2.test.1", range(5, 12))
        page.wait_for_function(
            "() => document.querySelector('section[data-plugin=\"histograms\"] canvas.histograms-canvas')?.dataset.ridges === '12'",
            timeout=15_000,
        )
        page.goto("about:blank")  # close the live connection before the server goes away
