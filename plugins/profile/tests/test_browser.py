"""The profile tab in headless Chromium against a real ``tbcore serve`` process, on the demo's
traces, traces written by torch.profiler and a trace with hostile names: the overview shows
the step breakdown, the operator table sorts, zooming the timeline shows more events, names
stay text, no console errors."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tbcore_profile.demo import kineto_trace, write_demo

HOSTILE = '<img src=x onerror="alert(1)">'
RUNS = 6


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("profile_browser")


@pytest.fixture(scope="module")
def server_url(torch_logdir: Path, logdir: Path, write_run: Callable[..., Path], tbcore_server: Any) -> Iterator[str]:
    shutil.copytree(torch_logdir, logdir, dirs_exist_ok=True)
    write_demo(logdir)
    hostile = kineto_trace(steps=2, gpu=True, seed=9)
    for event in hostile["traceEvents"]:
        if event.get("name") == "aten::clamp_min":  # launches a kernel: in both tables
            event["name"] = HOSTILE
    write_run(logdir / "hostile", {f"{HOSTILE}.1.pt.trace.json": hostile})
    with tbcore_server(logdir, "--plugins", "profile", runs=RUNS) as url:
        yield url


def _choose(page: Any, run: str, view: str) -> None:
    page.select_option("select.profile-run", run)
    page.click(f'button.profile-view-button[data-view="{view}"]')
    page.wait_for_selector(f"section.profile-section[data-view='{view}']")


def test_overview_shows_the_step_breakdown(page: Any) -> None:
    _choose(page, "profile_demo/resnet_gpu", "overview")
    parts = page.locator(".profile-bar-part")
    categories = [parts.nth(i).get_attribute("data-category") for i in range(parts.count())]
    assert categories == ["kernel", "memcpy", "memset", "runtime", "data_loading", "cpu_exec", "other"]
    widths = [float(parts.nth(i).evaluate("el => el.getBoundingClientRect().width")) for i in range(parts.count())]
    assert sum(widths) > 0 and widths[categories.index("data_loading")] > widths[categories.index("memset")]
    assert page.locator("table.profile-steps tbody tr").count() == 4
    assert page.locator("table.profile-devices tbody tr").count() == 1
    assert "DataLoader" in page.locator(".profile-recommendations").inner_text()
    # a CPU trace written by torch.profiler shows only the host categories
    _choose(page, "train", "overview")
    page.wait_for_function("() => document.querySelectorAll('.profile-bar-part').length === 3")
    assert page.locator("table.profile-steps tbody tr").count() == 2


def _column(page: Any, index: int) -> list[str]:
    return page.locator("table.profile-operators tbody tr").evaluate_all(
        f"rows => rows.map(r => r.children[{index}].textContent)"
    )


def test_sorting_the_operator_table(page: Any) -> None:
    _choose(page, "train", "operators")
    table = page.locator("table.profile-operators")
    assert table.get_attribute("data-sort-key") == "host_self_us"
    headers = page.locator("table.profile-operators thead th")
    labels = headers.all_inner_texts()
    calls = next(i for i, text in enumerate(labels) if text.startswith("Calls"))
    headers.nth(calls).click()
    page.wait_for_selector("table.profile-operators[data-sort-key='calls'][data-sort-dir='desc']")
    values = [int(v) for v in _column(page, calls)]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    headers = page.locator("table.profile-operators thead th")
    headers.nth(calls).click()
    page.wait_for_selector("table.profile-operators[data-sort-key='calls'][data-sort-dir='asc']")
    assert [int(v) for v in _column(page, calls)] == sorted(values)
    page.locator("table.profile-operators thead th").nth(0).click()  # by name: A to Z
    page.wait_for_selector("table.profile-operators[data-sort-key='name'][data-sort-dir='asc']")
    names = _column(page, 0)
    assert names == sorted(names, key=lambda n: n.lower()) or names[0] <= names[-1]
    page.select_option("select.profile-group", "name_shapes")
    page.wait_for_function("() => [...document.querySelectorAll('table.profile-operators th')].some(th => th.textContent.startsWith('Input shapes'))")


def _timeline_state(page: Any) -> dict[str, float]:
    page.wait_for_selector("canvas.profile-timeline-canvas[data-loaded='true']")
    data = page.locator("canvas.profile-timeline-canvas").evaluate("c => ({...c.dataset})")
    return {key: float(data[key]) for key in ("events", "summaries", "start", "end", "width")}


def test_zooming_the_timeline_shows_more_events(page: Any, server_url: str,
                                               settled_box: Callable[[Any], dict[str, float]]) -> None:
    _choose(page, "train", "timeline")
    before = _timeline_state(page)
    assert before["start"] == 0 and before["summaries"] > 0
    query = urllib.parse.urlencode({"run": "train", "trace": page.locator("select.profile-trace").input_value(),
                                    "width": int(before["width"])})
    with urllib.request.urlopen(f"{server_url}data/plugin/profile/timeline?{query}") as response:
        whole = json.loads(response.read())
    counts: dict[int, int] = {}  # zoom where the most events are too short to see
    for pixel, count in zip(whole["summaries"]["pixel"], whole["summaries"]["count"]):
        counts[pixel] = counts.get(pixel, 0) + count
    busiest = max(counts, key=lambda p: counts[p])
    target = (busiest + 0.5) * before["end"] / before["width"]
    canvas = page.locator("canvas.profile-timeline-canvas")
    box = settled_box(canvas)
    label = box["width"] - before["width"]  # the lane labels' column
    page.mouse.move(box["x"] + label + before["width"] * target / before["end"], box["y"] + 20)
    # x54: the window (~20 px of the whole view) keeps the busiest pixel (at x400 it was 2.5 px
    # wide and could miss it) and spreads its events over enough pixels to show them (at x20
    # the busiest pixel's events could all stay narrower than a pixel).
    for _ in range(4):
        page.mouse.wheel(0, -500)
        page.wait_for_timeout(30)
    page.wait_for_function(
        "span => { const c = document.querySelector('canvas.profile-timeline-canvas');"
        " return c.dataset.loaded === 'true' && (c.dataset.end - c.dataset.start) < span / 30; }",
        arg=before["end"] - before["start"],
    )
    after = _timeline_state(page)
    for _ in range(20):  # the wheel's last window may still be on its way: wait until it settles
        page.wait_for_timeout(250)
        after, settled = _timeline_state(page), after
        if after == settled:
            break
    pixel = 3 * before["end"] / before["width"]  # mouse positions are whole CSS pixels
    assert after["start"] - pixel < target < after["end"] + pixel  # zoomed around the pointer
    # more events of that window than the whole-trace view held
    events = whole["events"]
    inside = sum(1 for s, d in zip(events["start"], events["dur"]) if s < after["end"] and s + d > after["start"])
    assert after["events"] > inside
    # drag to pan: the window moves, its span stays
    span = after["end"] - after["start"]
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + 20, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "start => { const c = document.querySelector('canvas.profile-timeline-canvas');"
        " return c.dataset.loaded === 'true' && Number(c.dataset.start) < start; }",
        arg=after["start"],
    )
    panned = _timeline_state(page)
    assert panned["end"] - panned["start"] == pytest.approx(span, rel=1e-6)


def _hold_until(page: Any, key: str, done: Callable[[float, float], bool]) -> None:
    """Hold ``key`` on the timeline until its view satisfies ``done(start, end)``; then wait
    for the server's window of that view to be drawn."""
    canvas = page.locator("canvas.profile-timeline-canvas")
    page.keyboard.down(key)
    try:
        for _ in range(300):
            state = canvas.evaluate("c => ({...c.dataset})")
            if "viewStart" in state and done(float(state["viewStart"]), float(state["viewEnd"])):
                break
            page.wait_for_timeout(20)
        else:
            raise AssertionError(f"holding {key} did not move the timeline: {state}")
    finally:
        page.keyboard.up(key)
    page.wait_for_function("() => document.querySelector('canvas.profile-timeline-canvas').dataset.loaded === 'true'")


def test_keys_zoom_and_pan_the_timeline(page: Any) -> None:
    _choose(page, "train", "timeline")
    whole = _timeline_state(page)
    page.locator("canvas.profile-timeline-canvas").focus()
    _hold_until(page, "w", lambda lo, hi: hi - lo < (whole["end"] - whole["start"]) / 3)  # zoom in
    zoomed = _timeline_state(page)
    _hold_until(page, "d", lambda lo, hi: lo > zoomed["start"])  # pan right
    right = _timeline_state(page)
    assert right["end"] - right["start"] == pytest.approx(zoomed["end"] - zoomed["start"], rel=1e-6)
    _hold_until(page, "a", lambda lo, hi: lo < right["start"])  # pan left
    _hold_until(page, "s", lambda lo, hi: hi - lo > 2 * (zoomed["end"] - zoomed["start"]))  # zoom out


def test_timeline_search_selection_and_flows(page: Any, settled_box: Callable[[Any], dict[str, float]]) -> None:
    _choose(page, "profile_demo/resnet_gpu", "timeline")
    whole = _timeline_state(page)
    canvas = page.locator("canvas.profile-timeline-canvas")
    assert int(canvas.get_attribute("data-flows") or 0) > 0  # launch arrows
    search = page.locator("input.profile-timeline-search")
    search.fill("sgemm")
    search.press("Enter")
    page.wait_for_function("() => document.querySelector('.profile-timeline-found').textContent.startsWith('1 of')")
    page.wait_for_function("() => document.querySelector('canvas.profile-timeline-canvas').dataset.loaded === 'true'")
    first = _timeline_state(page)
    assert "sgemm" in (canvas.get_attribute("data-found") or "") and first["end"] - first["start"] < whole["end"] / 20
    search.press("Enter")  # the next match: the view moves on
    page.wait_for_function("() => document.querySelector('.profile-timeline-found').textContent.startsWith('2 of')")
    page.wait_for_function("start => { const c = document.querySelector('canvas.profile-timeline-canvas');"
                           " return c.dataset.loaded === 'true' && Number(c.dataset.start) > start; }", arg=first["start"])
    # Shift+drag selects a range: its summary lists what it holds
    page.dblclick("canvas.profile-timeline-canvas")
    page.wait_for_function("end => { const c = document.querySelector('canvas.profile-timeline-canvas');"
                           " return c.dataset.loaded === 'true' && Number(c.dataset.end) >= end; }", arg=whole["end"])
    box = settled_box(canvas)
    label = box["width"] - whole["width"]
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + label + 10, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + label + whole["width"] / 2, box["y"] + 20, steps=5)
    page.mouse.up()
    page.keyboard.up("Shift")
    summary = page.wait_for_selector(".profile-selection")
    assert int(summary.get_attribute("data-events") or 0) > 0
    names = page.locator("table.profile-selection-table tbody td:first-child").all_inner_texts()
    assert "aten::mm" in names


def test_hostile_names_stay_text(page: Any) -> None:
    page.select_option("select.profile-run", "hostile")
    assert HOSTILE in page.locator("select.profile-trace").inner_text()
    _choose(page, "hostile", "operators")
    cell = page.locator("table.profile-operators td", has_text="onerror")
    assert cell.first.text_content() == HOSTILE
    assert page.locator("table.profile-operators img").count() == 0
    _choose(page, "hostile", "kernels")
    assert page.locator("table.profile-kernels td", has_text="onerror").first.text_content() == HOSTILE


def test_a_trace_written_while_the_page_is_open_appears(browser: Any, server_url: str, logdir: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("localStorage.setItem('tbcore.settings', JSON.stringify({autoReload: true, reloadInterval: 2}))")
    page = context.new_page()
    try:
        page.goto(server_url + "#tab=profile")
        page.wait_for_selector(".profile-bar-part")
        page.select_option("select.profile-run", "profile_demo/resnet_cpu")
        assert page.locator("select.profile-trace option").count() == 1
        run = logdir / "profile_demo" / "resnet_cpu"
        partial = run / ".worker9.5.pt.trace.json.partial"  # written aside, then renamed, as writers do
        partial.write_text(json.dumps(kineto_trace(steps=3, gpu=False, seed=11)))
        partial.rename(run / "worker9.5.pt.trace.json")
        page.wait_for_function("() => document.querySelectorAll('select.profile-trace option').length === 2",
                               timeout=20_000)
        assert "worker9" in page.locator("select.profile-trace").inner_text()
    finally:
        context.close()
