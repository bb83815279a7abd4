"""The histograms and distributions tabs in headless Chromium, against a real ``tbcore serve``
process on the demo runs and runs written by torch.utils.tensorboard: one ridge per step,
bands per run, hover, the x axis (step, relative, wall time) kept in the URL, a card per tag
or per run, small multiples for many runs, no console errors."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import installed
import pytest
import warm_python

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2, summary_pb2
from tbcore_histograms.demo import STEPS, write_demo

_spec = importlib.util.spec_from_file_location("histogram_writers", Path(__file__).with_name("writers.py"))
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

RUNS = ["histograms_demo/adam", "histograms_demo/sgd"]
SWEEP = [f"sweep/lr_{k:02d}" for k in range(24)]
ALL_RUNS = [*RUNS, "paused", *SWEEP]
FULL_CARD_RIDGES = 46
"""The most ridges a full-size card draws (baselines 3 px apart): the demo's 60 steps are sampled."""
DEMO_STEPS = [str(10 * s) for s in range(STEPS)]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, tbcore_server: Any) -> Iterator[str]:
    installed.require("torch")
    logdir = tmp_path_factory.mktemp("histograms_browser")
    write_demo(logdir)
    env = dict(os.environ, PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    warm_python.run([sys.executable, "-c", writers.WRITE_FOR_BROWSER, str(logdir)], check=True, env=env, timeout=240)
    with tbcore_server(logdir, "--plugins", "histograms,distributions", runs=len(ALL_RUNS)) as url:
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
    selector = f"section[data-plugin='{kind}'] .tb-card[data-key='{tag}']"  # a key may hold '"'
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
        # As many steps as the canvas tells apart, evenly spread, the first and newest among them.
        assert data["ridges"] == str(FULL_CARD_RIDGES)
        steps = data["steps"].split(",")
        assert len(steps) == FULL_CARD_RIDGES and set(steps) <= set(DEMO_STEPS)
        assert steps[0] == DEMO_STEPS[0] and steps[-1] == DEMO_STEPS[-1]
        assert data["mode"] == "offset"
        assert int(data["buckets"]) > 0
    notes = page.locator('.tb-card[data-key="layer1/weights"] .histograms-run-steps').all_text_contents()
    assert notes == [f"{FULL_CARD_RIDGES} of {STEPS} steps"] * len(RUNS)
    # 600-bucket histograms: every bucket kept for hover, one ridge per step drawn.
    wide = _canvases(page, "histograms", "layer2/gradients").first
    assert wide.get_attribute("data-ridges") == str(FULL_CARD_RIDGES)
    assert int(wide.get_attribute("data-buckets") or 0) > 100 * FULL_CARD_RIDGES
    # Empty histograms (every third step of "sparse") still count as ridges.
    sparse = _canvases(page, "histograms", "sparse").first
    assert sparse.get_attribute("data-ridges") == str(FULL_CARD_RIDGES)
    _screenshot(page, "histograms_wide_and_empty")


def test_hover_names_step_and_bucket_and_overlay_mode(page: Any, settled_box: Any) -> None:
    _open_tab(page, "histograms")
    canvas = _canvases(page, "histograms", "layer1/weights").first
    box = settled_box(canvas)
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
    assert canvas.get_attribute("data-ridges") == str(FULL_CARD_RIDGES)


def test_tag_filter_hides_cards(page: Any, server_url: str) -> None:
    page.goto(server_url + "#tab=histograms&tagFilter=gradients")
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_selector('.tb-card[data-key="layer2/gradients"]')
    keys = page.locator('section[data-plugin="histograms"] .tb-card').evaluate_all("cs => cs.map(c => c.dataset.key)")
    assert keys == ["layer2/gradients"]


def test_distributions_draw_bands(page: Any, settled_box: Any) -> None:
    _open_tab(page, "distributions")
    canvases = _canvases(page, "distributions", "layer1/activations")
    assert canvases.count() == len(RUNS)
    for i in range(len(RUNS)):
        assert canvases.nth(i).get_attribute("data-bands") == "4"
        assert canvases.nth(i).get_attribute("data-steps") == str(STEPS)
    canvas = canvases.first
    box = settled_box(canvas)
    page.mouse.move(box["x"] + box["width"] - 14, box["y"] + box["height"] / 2)
    tip = page.locator(".tb-tooltip")
    tip.wait_for(state="visible")
    assert "50%" in tip.text_content()
    _screenshot(page, "distributions_hover")
    assert canvas.get_attribute("data-hover-step") == str(10 * (STEPS - 1))


def _open_url(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('#tbcore-app[data-ready="true"]')


def _drawn_with_axis(page: Any, kind: str, tag: str, axis: str) -> Any:
    """The first canvas of the card of ``tag``, once drawn along ``axis``."""
    selector = f'section[data-plugin="{kind}"] .tb-card[data-key="{tag}"] canvas.{kind}-canvas[data-x-axis="{axis}"]'
    page.wait_for_selector(selector)
    return page.locator(selector).first


def _numbers(text: str | None) -> list[float]:
    return [float(v) for v in (text or "").split(",")]


def _gaps(values: list[float]) -> list[float]:
    return [b - a for a, b in zip(values, values[1:])]


def _choose(page: Any, kind: str, control: str, value: str) -> None:
    page.select_option(f'section[data-plugin="{kind}"] select.{control}', value)


def test_ridge_offsets_follow_the_x_axis_kept_in_the_url(page: Any, server_url: str, settled_box: Any) -> None:
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    _open_url(page, server_url + "#tab=histograms&tagFilter=paused&histograms.xAxis=sideways")
    # "paused": ten steps a minute apart, with an hour's pause between steps 4 and 5.
    # An unknown axis in the URL: the default (step), and a warning naming it.
    by_step = _numbers(_drawn_with_axis(page, "histograms", "paused/weights", "step").get_attribute("data-baselines"))
    assert len(by_step) == 10
    assert max(_gaps(by_step)) - min(_gaps(by_step)) < 0.2  # evenly spaced (rounded to 0.1 px)
    assert any("histograms.xAxis" in w and "sideways" in w for w in warnings)

    _choose(page, "histograms", "histograms-x-axis", "relative")
    canvas = _drawn_with_axis(page, "histograms", "paused/weights", "relative")
    by_time = _numbers(canvas.get_attribute("data-baselines"))
    gaps = _gaps(by_time)
    assert gaps[4] > 30 * max(gaps[:4] + gaps[5:])  # the hour's pause, against minutes
    assert (by_time[0], by_time[-1]) == (by_step[0], by_step[-1])  # oldest on top, newest in front
    relative_labels = (canvas.get_attribute("data-axis-labels") or "").split("|")
    assert relative_labels[0] == "0s" and any(label.endswith("m") for label in relative_labels)
    assert "histograms.xAxis=relative" in page.evaluate("location.hash")

    _choose(page, "histograms", "histograms-x-axis", "wall")
    canvas = _drawn_with_axis(page, "histograms", "paused/weights", "wall")
    assert _numbers(canvas.get_attribute("data-baselines")) == by_time  # wall time offsets as relative does
    wall_labels = (canvas.get_attribute("data-axis-labels") or "").split("|")
    assert wall_labels and all(len(label) == 5 and label[2] == ":" for label in wall_labels)  # clock times

    # Hover on step 4's baseline: the tooltip names the step, both times, the bucket, the count.
    box = settled_box(canvas)
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + by_time[4] - 1)
    tip = page.locator(".tb-tooltip")
    tip.wait_for(state="visible")
    text = tip.text_content() or ""
    assert "step 4" in text and "relative 4m" in text and "wall" in text
    assert "bucket [" in text and "count" in text
    assert canvas.get_attribute("data-hover-step") == "4"
    _screenshot(page, "histograms_wall_time_offsets")

    # The shell rewriting its own keys keeps the dashboard's; a reload restores the choice.
    page.fill("#tb-tag-filter", "paused/")
    page.wait_for_function("() => location.hash.includes('tagFilter=paused%2F')")
    assert "histograms.xAxis=wall" in page.evaluate("location.hash")
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    _drawn_with_axis(page, "histograms", "paused/weights", "wall")
    assert page.locator("select.histograms-x-axis").input_value() == "wall"


def test_distribution_bands_follow_the_x_axis(page: Any, server_url: str, settled_box: Any) -> None:
    _open_url(page, server_url + "#tab=distributions&tagFilter=paused&distributions.xAxis=relative")
    canvas = _drawn_with_axis(page, "distributions", "paused/weights", "relative")
    gaps = _gaps(_numbers(canvas.get_attribute("data-x-positions")))
    assert len(gaps) == 9 and gaps[4] > 30 * max(gaps[:4] + gaps[5:])
    box = settled_box(canvas)
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + box["height"] / 2)
    tip = page.locator(".tb-tooltip")
    tip.wait_for(state="visible")
    assert "step 9" in (tip.text_content() or "") and "relative 1h 9m" in (tip.text_content() or "")
    _screenshot(page, "distributions_relative_time")

    _choose(page, "distributions", "histograms-x-axis", "step")
    canvas = _drawn_with_axis(page, "distributions", "paused/weights", "step")
    gaps = _gaps(_numbers(canvas.get_attribute("data-x-positions")))
    assert max(gaps) - min(gaps) < 0.2
    assert (canvas.get_attribute("data-axis-labels") or "").split("|")[0] == "0"
    assert "distributions.xAxis" not in page.evaluate("location.hash")  # the default is left out


@pytest.mark.parametrize("kind", ["histograms", "distributions"])
def test_layout_toggle_gives_one_card_per_run(page: Any, server_url: str, kind: str) -> None:
    _open_url(page, server_url + f"#tab={kind}&tagFilter=layer1/weights")
    assert _canvases(page, kind, "layer1/weights").count() == len(RUNS)
    _choose(page, kind, "histograms-layout", "run")
    keys = [json.dumps(["layer1/weights", run], separators=(",", ":")) for run in RUNS]
    for key, run in zip(keys, RUNS):
        canvases = _canvases(page, kind, key)
        assert canvases.count() == 1
        assert canvases.first.get_attribute("data-run") == run
    shown = page.locator(f'section[data-plugin="{kind}"] .tb-card').evaluate_all("cs => cs.map(c => c.dataset.key)")
    assert sorted(shown) == sorted(keys)
    assert f"{kind}.layout=run" in page.evaluate("location.hash")
    _screenshot(page, f"{kind}_card_per_run")
    _choose(page, kind, "histograms-layout", "tag")
    assert _canvases(page, kind, "layer1/weights").count() == len(RUNS)


def test_many_runs_become_small_multiples_drawn_when_visible(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 700})
    _open_url(page, server_url + "#tab=histograms&tagFilter=sweep")
    card = page.locator('section[data-plugin="histograms"] .tb-card[data-key="sweep/weights"]')
    page.wait_for_selector('.tb-card[data-key="sweep/weights"] .tb-card-body[data-loaded="true"]')
    runs = card.locator(".histograms-runs")
    assert runs.get_attribute("data-compact") == "true" and runs.get_attribute("data-runs") == str(len(SWEEP))
    canvases = card.locator("canvas.histograms-canvas")
    assert canvases.count() == len(SWEEP)
    assert canvases.evaluate_all("cs => cs.map(c => c.dataset.run)") == SWEEP
    page.wait_for_selector('.tb-card[data-key="sweep/weights"] canvas[data-drawn="true"]')
    # Only the canvases in the card's visible scroll area are drawn; the rest wait.
    drawn = card.locator('canvas[data-drawn="true"]').count()
    assert 0 < drawn < len(SWEEP)
    # Inside the card: several small multiples per row, shorter than a lone run's canvas.
    card_box = card.bounding_box()
    boxes = canvases.evaluate_all("cs => cs.map(c => { const r = c.getBoundingClientRect(); return [r.left, r.right, r.height]; })")
    assert all(card_box["x"] <= left and right <= card_box["x"] + card_box["width"] for left, right, _ in boxes)
    assert {round(height) for _, _, height in boxes} == {150}
    assert len({round(left) for left, _, _ in boxes}) >= 3
    assert card_box["height"] < 700
    first = canvases.first
    assert first.get_attribute("data-ridges") == "8"
    _screenshot(page, "histograms_many_runs")
    # Scrolling the card draws the rest.
    runs.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    last = canvases.nth(len(SWEEP) - 1)
    page.wait_for_function("c => c.dataset.drawn === 'true'", arg=last.element_handle())
    assert last.get_attribute("data-ridges") == "8"


def _write_steps(path: Path, steps: range) -> None:
    records = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()]
    for step in steps:
        event = event_pb2.Event(wall_time=1000.0 + step, step=step)
        histo = summary_pb2.HistogramProto(min=0.0, max=3.0, num=6.0, bucket_limit=[1.0, 2.0, 3.0], bucket=[1.0, 2.0, 3.0])
        event.summary.value.add(tag="live", histo=histo)
        records.append(event.SerializeToString())
    path.write_bytes(b"".join(frame_record(r) for r in records))


def test_live_update_adds_ridges(page: Any, tmp_path: Path, tbcore_server: Any) -> None:
    run = tmp_path / "growing"
    run.mkdir()
    _write_steps(run / "events.out.tfevents.1.test.1", range(5))
    with tbcore_server(tmp_path, "--plugins", "histograms,distributions", "--reload-interval", "0.3", runs=1) as url:
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


@pytest.fixture(scope="module")
def hard_cases_url(tmp_path_factory: pytest.TempPathFactory, tbcore_server: Any) -> Iterator[str]:
    """A server on a spike written by tf.summary and 2,000 steps written by torch."""
    installed.require("torch", "tensorflow")
    logdir = tmp_path_factory.mktemp("histograms_hard_cases")
    env = dict(os.environ, PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    for script in (writers.WRITE_SPIKE_WITH_TF, writers.WRITE_2000_STEPS):
        warm_python.run([sys.executable, "-c", script, str(logdir)], check=True, env=env, timeout=240)
    with tbcore_server(logdir, "--plugins", "histograms,distributions", runs=2) as url:
        yield url


def test_hover_on_a_spike_of_zero_width_buckets_names_the_count(page: Any, hard_cases_url: str, settled_box: Any) -> None:
    # tf.summary.histogram([5., 5.]): 30 buckets [5, 5], the last one holding both values.
    _open_url(page, hard_cases_url + "#tab=histograms&tagFilter=spike")
    canvas = _canvases(page, "histograms", "spike").first
    box = settled_box(canvas)
    # The value range is padded to [4.5, 5.5]: the spike is in the middle of the plot (whose
    # padding is 12 px on the left, 56 on the right), a little off the exact value too.
    for dx in (0.0, 1.5):
        page.mouse.move(box["x"] + 12 + (box["width"] - 68) / 2 + dx, box["y"] + box["height"] - 40)
        tip = page.locator(".tb-tooltip")
        tip.wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('.tb-tooltip')?.textContent.includes('count')")
        text = tip.text_content() or ""
        assert "bucket [5, 5]" in text and "count 2" in text, text
        assert canvas.get_attribute("data-hover-bucket") == "29"


def test_thousands_of_steps_fetch_only_what_the_canvas_shows(page: Any, hard_cases_url: str) -> None:
    responses: list[Any] = []
    # Only this server's answers: the shared page may still hear from the previous test's server.
    page.on("response", lambda r: responses.append(r) if r.url.startswith(hard_cases_url) and "histograms_multirun" in r.url else None)
    _open_url(page, hard_cases_url + "#tab=histograms&tagFilter=long")
    canvas = _canvases(page, "histograms", "long/weights").first
    ridges = int(canvas.get_attribute("data-ridges") or 0)
    steps = [int(s) for s in (canvas.get_attribute("data-steps") or "").split(",")]
    baselines = _numbers(canvas.get_attribute("data-baselines"))
    # No more ridges than the canvas can tell apart (3 px apart at least), evenly spread over
    # the series, the first and the newest step among them.
    assert 10 < ridges < 100 and len(steps) == ridges
    assert min(_gaps(baselines)) >= 2.9
    assert steps[0] == 0 and steps[-1] == 1999
    assert max(_gaps([float(s) for s in steps])) - min(_gaps([float(s) for s in steps])) <= 1
    # What was fetched: those steps only, a small fraction of the whole series.
    assert len(responses) == 1 and f"samples={ridges}" in responses[0].url
    body = responses[0].body()
    assert len(json.loads(body)["long"]["rows"]) == ridges
    assert len(body) < 3_000_000
    # The card says how many of how many steps it draws.
    note = page.locator('.tb-card[data-key="long/weights"] .histograms-run-steps')
    assert note.text_content() == f"{ridges} of 2,000 steps"
    _screenshot(page, "histograms_2000_steps")
    # Overlay mode draws the same sample, without a new request.
    _choose(page, "histograms", "histograms-mode", "overlay")
    page.wait_for_selector('.tb-card[data-key="long/weights"] canvas[data-mode="overlay"]')
    overlay = _canvases(page, "histograms", "long/weights").first
    assert overlay.get_attribute("data-ridges") == str(ridges)
    assert len(responses) == 1


def _tick_labels(canvas: Any, attribute: str) -> list[float]:
    labels = (canvas.get_attribute(attribute) or "").split("|")
    return [float(v) for v in labels if v]


def test_axes_of_normal_data_have_several_round_ticks(page: Any, server_url: str) -> None:
    # "paused": torch's add_histogram of rng.normal(0.1 * step, 1, 500), values about -3.5..4.3.
    page.set_viewport_size({"width": 720, "height": 900})  # a ~300 px histogram plot
    _open_url(page, server_url + "#tab=distributions&tagFilter=paused")
    band = _canvases(page, "distributions", "paused/weights").first
    page.wait_for_function("c => c.dataset.yLabels !== undefined", arg=band.element_handle())
    y_ticks = _tick_labels(band, "data-y-labels")
    assert len(y_ticks) >= 3 and 0.0 in y_ticks, y_ticks
    assert y_ticks == sorted(set(y_ticks)) and len(set(_gaps(y_ticks))) == 1  # evenly spaced

    _open_url(page, server_url + "#tab=histograms&tagFilter=paused")
    ridges = _canvases(page, "histograms", "paused/weights").first
    page.wait_for_function("c => c.dataset.valueLabels !== undefined", arg=ridges.element_handle())
    assert int(ridges.evaluate("c => c.clientWidth")) < 400
    x_ticks = _tick_labels(ridges, "data-value-labels")
    assert len(x_ticks) >= 3 and 0.0 in x_ticks, x_ticks
    _screenshot(page, "histograms_narrow_value_axis")


def _in_page(page: Any, module: str, name: str, calls: list[list[Any]]) -> list[list[float]]:
    """``name(*args)`` for each of ``calls``, run by the page on its own copy of ``module``."""
    url = page.evaluate("m => new URL(`data/plugin/histograms/static/${m}`, document.baseURI).href", module)
    return page.evaluate(
        "async ([url, name, calls]) => { const m = await import(url); return calls.map((c) => m[name](...c)); }",
        [url, name, calls],
    )


def test_ticks_are_round_and_at_least_two_for_any_range(page: Any) -> None:
    cases = {
        (-3.6, 3.7, 3): [-2, 0, 2],
        (-0.9, 0.95, 3): [-0.5, 0, 0.5],
        (0, 1, 5): [0, 0.2, 0.4, 0.6, 0.8, 1],
        (0.1, 0.7, 6): [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],  # no 0.30000000000000004
        (0, 0.999, 2): [0, 0.5],
        (4.5, 5.5, 5): [4.6, 4.8, 5, 5.2, 5.4],
        (0, 1999, 6): [0, 500, 1000, 1500],
        (2.5, 2.5, 3): [2.5],  # an empty range: its one value
    }
    results = _in_page(page, "_canvas.js", "ticks", [list(c) for c in cases])
    assert dict(zip(cases, results)) == cases
    # Any non-empty range, however it falls against the round steps: 2 to 7 ticks inside it.
    spans = [(lo, lo + span, count) for lo in (-7.3, -0.01, 0, 13) for span in (1e-4, 0.37, 1, 9.9, 2.1e5) for count in (1, 2, 3, 5)]
    for (lo, hi, count), got in zip(spans, _in_page(page, "_canvas.js", "ticks", [list(s) for s in spans])):
        assert 2 <= len(got) <= max(7, 3 * count) and all(lo <= t <= hi for t in got), (lo, hi, count, got)
    # The time axes keep at least two ticks too (183 s on two ticks: 0 and 120, not 0 alone).
    times = _in_page(page, "_time_axis.js", "axisTicks", [[0, 183, 2, "relative"], [0, 9, 3, "step"], [0, 30 * 86400, 3, "relative"]])
    assert times == [[0, 120], [0, 2, 4, 6, 8], [0, 14 * 86400, 28 * 86400]]


def test_tick_labels_tell_neighbouring_ticks_apart(page: Any) -> None:
    """A narrow range around a large value (1 + 1e-8 wide, 1e12 + 1000): every label differs."""
    ranges = [(1, 1 + 1e-8, 4), (1e12, 1e12 + 1000, 6), (1e5, 1e5 + 1, 6), (0.5, 0.5000001, 5), (2.999, 3.001, 5)]
    for lo, hi, count in ranges:
        ticks = _in_page(page, "_canvas.js", "ticks", [[lo, hi, count]])[0]
        step = ticks[1] - ticks[0]
        labels = _in_page(page, "_canvas.js", "label", [[t, step] for t in ticks])
        assert len(set(labels)) == len(labels) >= 2, (lo, hi, labels)
        assert all(abs(float(text) - t) <= step / 10 for text, t in zip(labels, ticks)), labels
    assert _in_page(page, "_canvas.js", "label", [[2e12, 1e12], [-0.5, 0.5], [0, 1e-9]]) == ["2.00e+12", "-0.5", "0"]
