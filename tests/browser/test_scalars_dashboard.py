"""The scalars dashboard in a real browser, on a real ``tbcore serve``: what it draws."""

from __future__ import annotations

import math
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import installed
import pytest
import warm_python
from browser_harness import Server, cli_server, open_app, screenshot, served
from browser_logdirs import write_run
from test_dashboards import chart_data

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

SCALARS_WRITERS = Path(__file__).resolve().parents[2] / "plugins" / "scalars" / "tests" / "writers.py"


def _write_with_torch(writer: str, logdir: Path) -> None:
    """Run one of the scalars plugin's torch writer scripts into ``logdir`` (skips without torch)."""
    installed.require("torch")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    warm_python.run([sys.executable, str(SCALARS_WRITERS), writer, str(logdir)], check=True, env=env, timeout=240)


def _card_data(page: Any, tag: str) -> dict[str, dict[str, Any]]:
    """The drawn series of ``tag``'s card now, by name."""
    card = page.locator(f'.tb-card[data-key="{tag}"] .tb-card-body')
    return {s["name"]: s for s in card.evaluate("el => el.__chart.data()")}


def _lines(series: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The smoothed lines (one per run), by run name."""
    return {s["name"]: s for s in series if not s["name"].endswith("(raw)")}


def test_one_line_per_selected_run(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    lines = _lines(chart_data(page, "loss/train"))
    assert set(lines) == set(server.runs)
    assert len(lines["train/lr_0.1"]["x"]) == 50  # every point, no downsampling
    assert len(lines["eval/lr_0.1"]["x"]) == 20
    page.locator(".tb-run", has_text="train/lr_0.01").locator("input").uncheck()
    page.wait_for_function(
        """() => {
            const el = document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body');
            return !el.__chart.data().some((s) => s.name === "train/lr_0.01");
        }"""
    )
    assert "train/lr_0.01" not in _lines(chart_data(page, "loss/train"))
    screenshot(page, "scalars_dashboard")


def test_smoothing_changes_the_drawn_values(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    series = chart_data(page, "loss/train")
    raw = {s["name"][: -len(" (raw)")]: s["y"] for s in series if s["name"].endswith("(raw)")}
    smoothed = _lines(series)["train/lr_0.1"]["y"]
    assert raw["train/lr_0.1"][0] == pytest.approx(smoothed[0])  # debiased: starts on the data
    assert raw["train/lr_0.1"][10] != pytest.approx(smoothed[10])
    page.locator('input[aria-label="Smoothing"]').fill("0")
    page.wait_for_function(
        """() => !document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')
            .__chart.data().some((s) => s.name.endsWith("(raw)"))"""
    )
    unsmoothed = _lines(chart_data(page, "loss/train"))["train/lr_0.1"]["y"]
    assert unsmoothed == pytest.approx(raw["train/lr_0.1"])


def test_log_scale(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    page.locator('input[aria-label="Logarithmic y axis"]').check()
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    assert card.evaluate("el => el.__chart.logY") is True


def test_csv_download(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    link = page.locator('.tb-card[data-key="loss/train"] a', has_text="CSV").first
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    rows = response.text().strip().splitlines()
    assert rows[0] == "Wall time,Step,Value"
    assert len(rows) - 1 in (50, 20)


def _append_points(path: Path, points: list[tuple[int, float, float]]) -> None:
    """Append ``(step, wall_time, loss)`` events to an event file, as a training job would."""
    with open(path, "ab") as f:
        for step, wall_time, value in points:
            event = event_pb2.Event(wall_time=wall_time, step=step)
            event.summary.value.add(tag="loss", simple_value=value)
            f.write(frame_record(event.SerializeToString()))


def test_live_append_shows_the_new_point(page: Any, tmp_path: Path) -> None:
    path = write_run(tmp_path, "live", {"loss": [(s, 1.0 / (s + 1)) for s in range(10)]}, start=3e6)
    with served(page, tmp_path, ["live"], "--reload-interval", "0.2") as server:
        open_app(page, server.url + "#tab=scalars")
        assert _lines(chart_data(page, "loss"))["live"]["x"][-1] == 9
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if "/series?" in r.url else None)
        _append_points(path, [(10, 3e6 + 10, 0.05)])
        started = time.monotonic()
        last_step = """(step) => {
            const el = document.querySelector('.tb-card[data-key="loss"] .tb-card-body');
            const line = el.__chart.data().find((s) => s.name === "live");
            return line && line.x[line.x.length - 1] === step;
        }"""
        page.wait_for_function(last_step, arg=10, timeout=10_000)
        assert time.monotonic() - started < 5
        # Only the new point was asked for (the card held 10 points, the last at step 9) ...
        assert requests and all("since=10%3A9%3A" in url for url in requests), requests
        raw = _card_data(page, "loss")["live (raw)"]
        assert raw["x"] == list(range(11))  # ... and added to those held
        assert raw["y"][:10] == pytest.approx([1.0 / (s + 1) for s in range(10)]) and raw["y"][10] == pytest.approx(0.05)

        # The job restarts from its step-5 checkpoint and replays steps 5..11: the points it
        # replaced are not kept (the last held point, step 10, now has a later wall time).
        _append_points(path, [(s, 3e6 + 100 + s, 2.0) for s in range(5, 12)])
        page.wait_for_function(last_step, arg=11, timeout=10_000)
        raw = _card_data(page, "loss")["live (raw)"]
        assert raw["x"] == list(range(12))
        assert raw["y"] == pytest.approx([1.0 / (s + 1) for s in range(5)] + [2.0] * 7)


def test_grouping_draws_mean_and_band(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    page.locator('input[aria-label="Group runs by removing this regex from run names"]').fill("^(train|eval)/")
    page.wait_for_function(
        """() => document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')
            .__chart.data().some((s) => s.name === "lr_0.1 (mean of 2)")"""
    )
    series = {s["name"]: s for s in chart_data(page, "loss/train")}
    mean, lower, upper = (series[f"lr_0.1 ({k})"] for k in ("mean of 2", "lower", "upper"))
    assert "train/lr_0.1" not in series  # individual runs hidden unless asked for
    assert mean["x"][0] == 0 and all(lo <= m <= up for lo, m, up in zip(lower["y"], mean["y"], upper["y"]))
    assert any(up - lo > 0.01 for lo, up in zip(lower["y"], upper["y"]))  # the two runs differ
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    assert card.evaluate("el => el.__chart.plot.bands.length") >= 2  # filled between lower and upper
    screenshot(page, "scalars_grouped")
    page.locator('select[aria-label="Group band"]').select_option("std")
    page.locator('input[aria-label="Show the runs of each group"]').check()
    page.wait_for_function(
        """() => document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')
            .__chart.data().some((s) => s.name === "train/lr_0.1")"""
    )


def test_ignore_outliers_fixes_the_y_range(page: Any, server: Server) -> None:
    """On by default, as in TensorBoard; off, the y range fits every point again."""
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    assert page.locator('input[aria-label="Ignore outliers"]').is_checked()
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_function(
        """() => !!document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body').__chart.options.yRange"""
    )
    low, high = card.evaluate("el => el.__chart.options.yRange")
    assert low < high
    page.locator('input[aria-label="Ignore outliers"]').uncheck()
    page.wait_for_function(
        """() => !document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body').__chart.options.yRange"""
    )


def test_pin_and_full_width(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    card = page.locator('.tb-card[data-key="loss/train"]')
    card.get_by_role("button", name="Wide").click()
    assert "scalars-wide" in (card.get_attribute("class") or "")
    card.get_by_role("button", name="Pin").click()
    first_group = page.locator(".tb-card-grid-group").first
    assert first_group.locator(".tb-card-grid-prefix").text_content() == "Pinned"
    assert first_group.locator('.tb-card[data-key="loss/train"]').count() == 1
    page.reload()
    page.wait_for_selector('.tb-card-grid-group .tb-card[data-key="loss/train"]')
    first_group = page.locator(".tb-card-grid-group").first
    assert first_group.locator(".tb-card-grid-prefix").text_content() == "Pinned"  # remembered


def test_grouping_by_an_hparam_draws_a_band_per_value(page: Any, tmp_path: Path) -> None:
    _write_with_torch("torch_hparams", tmp_path)
    runs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("**/events.out.tfevents.*"))
    with served(page, tmp_path, runs) as server:
        open_app(page, server.url + "#tab=scalars")
        chart_data(page, "loss")
        group_by = page.locator('select[aria-label="Group runs by"]')
        page.wait_for_selector('select[aria-label="Group runs by"] option[value="hparam:lr"]', state="attached")
        group_by.select_option("hparam:lr")
        page.wait_for_function(
            """() => document.querySelector('.tb-card[data-key="loss"] .tb-card-body')
                .__chart.data().some((s) => s.name === "lr=0.1 (mean of 2)")"""
        )
        series = _card_data(page, "loss")
        assert set(series) == {f"lr={lr} ({k})" for lr in ("0.1", "0.01") for k in ("mean of 2", "lower", "upper")}
        mean, lower, upper = (series[f"lr=0.1 ({k})"] for k in ("mean of 2", "lower", "upper"))
        assert all(lo <= m <= up for lo, m, up in zip(lower["y"], mean["y"], upper["y"]))
        assert all(up - lo == pytest.approx(0.05, abs=1e-6) for lo, up in zip(lower["y"], upper["y"]))  # seeds 1, 2
        card = page.locator('.tb-card[data-key="loss"] .tb-card-body')
        assert card.evaluate("el => el.__chart.plot.bands.length") == 2
        screenshot(page, "scalars_grouped_by_hparam")
        group_by.select_option("none")
        page.wait_for_function(
            """() => document.querySelector('.tb-card[data-key="loss"] .tb-card-body')
                .__chart.data().some((s) => s.name === "lr0.1_seed1")"""
        )


def test_tooltip_lists_every_run_nearest_first(page: Any, server: Server, settled_box: Any) -> None:
    open_app(page, server.url + "#tab=scalars")
    lines = _lines(chart_data(page, "loss/train"))
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_selector('.tb-card[data-key="loss/train"] .tb-card-body[data-complete="true"]')
    over = card.locator(".u-over")
    box = settled_box(over)
    px, py = box["width"] * 0.4, box["height"] * 0.6
    over.hover(position={"x": px, "y": py})
    page.wait_for_selector(".tb-tooltip:not([hidden]) .scalars-tooltip-row")
    header = page.locator(".tb-tooltip .scalars-tooltip th").all_text_contents()
    assert header == ["", "Run", "Smoothed", "Value", "Step", "Relative", "Wall time"]
    rows = [r.locator("td").all_text_contents() for r in page.locator(".tb-tooltip .scalars-tooltip-row").all()]
    assert sorted(r[1] for r in rows) == sorted(lines)  # one row per run
    for _, run, smoothed, value, step, relative, wall in rows:
        line = lines[run]
        i = line["x"].index(int(step))
        assert float(smoothed) == pytest.approx(line["y"][i], rel=1e-4)
        assert float(value) != pytest.approx(float(smoothed)) or i == 0  # raw differs from smoothed
        assert re.fullmatch(r"\d+(\.\d)?s|\d+m \d+s|\d+h \d+m \d+s", relative), relative
        assert re.search(r"\d", wall), wall
    # Nearest first: pixel distance from the cursor to each row's point grows down the table.
    distances = card.evaluate(
        """(el, [px, py, points]) => points.map(([step, y]) => Math.hypot(
            el.__chart.plot.valToPos(step, "x") - px, el.__chart.plot.valToPos(y, "y") - py))""",
        [px, py, [[int(r[4]), float(r[2])] for r in rows]],
    )
    assert all(a <= b + 1.0 for a, b in zip(distances, distances[1:])), distances
    screenshot(page, "scalars_tooltip")
    page.locator('select[aria-label="Horizontal axis"]').select_option("wall")
    page.wait_for_selector('.tb-card[data-key="loss/train"] .tb-card-body[data-complete="true"]')
    over.hover(position={"x": px + 5, "y": py})
    page.wait_for_selector(".tb-tooltip:not([hidden]) .scalars-tooltip-row")
    assert page.locator(".tb-tooltip .scalars-tooltip th").last.text_content() == "Wall time"


def test_custom_scalars_margin_chart_fills_between_its_bounds(page: Any, tmp_path: Path) -> None:
    _write_with_torch("torch_margin", tmp_path)
    with served(page, tmp_path, ["run"]) as server:
        open_app(page, server.url + "#tab=custom_scalars")
        chart = page.locator('.tb-card[data-title="margin"] .scalars-chart')
        page.wait_for_function(
            """() => {
                const el = document.querySelector('.tb-card[data-title="margin"] .scalars-chart');
                return el && el.__chart && el.__chart.data().length === 3;
            }"""
        )
        series = {s["name"]: s for s in chart.evaluate("el => el.__chart.data()")}
        assert set(series) == {"run: acc/mean", "run: acc/low (lower)", "run: acc/high (upper)"}
        assert series["run: acc/low (lower)"]["y"][0] == pytest.approx(0.45)
        assert series["run: acc/high (upper)"]["y"][0] == pytest.approx(0.6)
        # uPlot fills between series 3 (upper) and 2 (lower): the band.
        assert chart.evaluate("el => el.__chart.plot.bands.map((b) => b.series)") == [[3, 2]]
        screenshot(page, "custom_scalars_margin")


def test_long_series_zoom_reset_and_non_finite_markers(page: Any, tmp_path: Path, settled_box: Any) -> None:
    _write_with_torch("torch_long", tmp_path)
    with served(page, tmp_path, ["long"]) as server:
        open_app(page, server.url + "#tab=scalars")
        page.locator('input[aria-label="Smoothing"]').fill("0")
        page.wait_for_selector('.tb-card[data-key="noise"] .tb-card-body[data-complete="true"]')
        card = page.locator('.tb-card[data-key="noise"] .tb-card-body')
        (line,) = card.evaluate("el => el.__chart.data()")
        assert len(line["x"]) == 6000  # every point kept (NaN and ±inf included) ...
        assert sorted((m["x"], m["kind"]) for m in line["markers"]) == [(1000, "nan"), (2000, "+inf"), (3000, "-inf")]
        assert line["y"][1000] is None and line["y"][4321] == pytest.approx(5 + math.sin(4321 / 50), rel=1e-5)
        plot = "el.__chart.plot"
        drawn = card.evaluate(f"el => {plot}.data[0].length")
        assert drawn < 2000  # ... but uPlot gets about two points per pixel column,
        assert card.evaluate(f"el => Math.max(...{plot}.data[1].filter((v) => v != null))") == pytest.approx(
            5 + math.sin(4321 / 50), rel=1e-5
        )  # and the spike is among them
        over = card.locator(".u-over")
        box = settled_box(over)
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
        page.wait_for_function(
            """el => { const x = el.__chart.plot.scales.x; return x.max - x.min < 1000; }""",
            arg=card.element_handle(),
        )
        lo, hi = card.evaluate(f"el => [{plot}.scales.x.min, {plot}.scales.x.max]")
        assert 2000 < lo < hi < 3500
        # Zoomed in, the window is decimated again: every point of it is drawn now.
        page.wait_for_function(
            f"""([el, lo, hi]) => {plot}.data[0].filter((x) => x >= lo && x <= hi).length
                >= Math.floor(hi) - Math.ceil(lo)""",
            arg=[card.element_handle(), lo, hi],
        )
        # A live update keeps the zoom.
        card.evaluate("""el => el.__chart.setSeries(el.__chart.series.map((s) => ({...s,
            x: [...s.x, 6000], y: [...s.y, 0.5]})))""")
        assert card.evaluate(f"el => [{plot}.scales.x.min, {plot}.scales.x.max]") == [lo, hi]
        over.dblclick(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_function(
            """el => el.__chart.plot.scales.x.min === 0 && el.__chart.plot.scales.x.max === 6000""",
            arg=card.element_handle(),
        )
        screenshot(page, "scalars_long_series")


def test_relative_time_axis_counts_seconds_labelled_as_durations(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    by_step = _lines(chart_data(page, "loss/train"))["train/lr_0.1"]
    page.locator('select[aria-label="Horizontal axis"]').select_option("relative")
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_function(
        """el => el.__chart.options.xFormat !== undefined""", arg=card.element_handle()
    )
    relative = _lines(card.evaluate("el => el.__chart.data()"))["train/lr_0.1"]
    assert relative["x"][0] == 0 and relative["y"] == pytest.approx(by_step["y"])
    assert all(b > a for a, b in zip(relative["x"], relative["x"][1:]))
    labels = card.evaluate("el => el.__chart.plot.axes[0].values(el.__chart.plot, [0, 90, 3725])")
    assert labels == ["0s", "1m 30s", "1h 2m 5s"]


# Edge cases found in review: log axes, tick labels, grouping, zoom, lazy redraws, legends.

CROWD = [f"crowd_{i:02d}" for i in range(20)]


@pytest.fixture(scope="module")
def edge_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server on runs with values around and below zero, tiny and huge values, a group
    with an all-NaN run, a crowded tag (20 runs) and many cards."""
    logdir = tmp_path_factory.mktemp("scalars_edges")
    tags: dict[str, list[tuple[int, float]]] = {
        "centered": [(s, s / 10 - 1) for s in range(50)],
        "negative": [(s, -1.0 - s) for s in range(20)],
        "single": [(0, 1.0)],
        "lr": [(s, 3e-4 + s * 1e-6) for s in range(50)],
        "big": [(s, 1.2e6 + s * 1e3) for s in range(50)],
        "fraction": [(s, 0.9 * s / 499) for s in range(500)],  # ticks 0.25 apart
        "Pinned/x": [(s, float(s)) for s in range(5)],
    }
    tags.update({f"many/t{i:02d}": [(s, s * (i + 1.0)) for s in range(5)] for i in range(30)})
    write_run(logdir, "r", tags, start=1e6)
    write_run(logdir, "g/seed1", {"grouped": [(s, 1.0 + s) for s in range(10)]}, start=1e6)
    write_run(logdir, "g/seed2", {"grouped": [(s, 3.0 + s) for s in range(10)]}, start=1e6)
    write_run(logdir, "g/seed3", {"grouped": [(s, math.nan) for s in range(10)]}, start=1e6)
    for i, run in enumerate(CROWD):
        write_run(logdir, run, {"crowd": [(s, i + s / 10) for s in range(10)]}, start=1e6)
    runs = ["r", "g/seed1", "g/seed2", "g/seed3", *CROWD]
    server = cli_server(logdir, runs)
    yield server
    server.stop()


def _chart(page: Any, tag: str) -> Any:
    return page.locator(f'.tb-card[data-key="{tag}"] .tb-card-body')


def test_log_y_with_ignore_outliers_clamps_the_range_to_positive(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    chart_data(page, "centered")
    card = _chart(page, "centered")
    page.locator('input[aria-label="Ignore outliers"]').check()
    card.scroll_into_view_if_needed()  # checking scrolled the toolbar into view: cards off screen wait
    page.wait_for_function("el => !!el.__chart.options.yRange", arg=card.element_handle())
    assert card.evaluate("el => el.__chart.options.yRange[0]") < 0  # the range asked for ...
    page.locator('input[aria-label="Logarithmic y axis"]').check()
    card.scroll_into_view_if_needed()  # the toolbar was scrolled into view
    page.wait_for_function("el => el.__chart.logY && el.__chart.plot.scales.y.min > 0", arg=card.element_handle())
    low, high = card.evaluate("el => [el.__chart.plot.scales.y.min, el.__chart.plot.scales.y.max]")
    assert 0 < low < high  # ... is clamped to positive values on the log axis
    labels = [v for v in card.evaluate("el => el.__chart.plot.axes[1]._values") if v]
    assert labels and all(float(v) > 0 for v in labels), labels  # and labelled with numbers
    assert card.evaluate("el => el.__chart.el.dataset.empty") is None
    # Every point negative: the card says why it is empty instead of staying blank.
    chart_data(page, "negative")
    negative = _chart(page, "negative")
    page.wait_for_selector('.tb-card[data-key="negative"] .scalars-chart[data-empty="log"]')
    assert "log scale" in negative.locator(".tb-line-chart-message").inner_text()
    screenshot(page, "scalars_log_y_negative")
    page.locator('input[aria-label="Logarithmic y axis"]').uncheck()
    negative.scroll_into_view_if_needed()
    page.wait_for_function("el => el.__chart.el.dataset.empty === undefined", arg=negative.element_handle())
    assert negative.locator(".tb-line-chart-message").is_hidden()


def test_log_x_with_the_only_point_at_step_0_says_so(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    assert len(chart_data(page, "single")[0]["x"]) == 1
    page.locator('input[aria-label="Logarithmic x axis"]').check()
    _chart(page, "single").scroll_into_view_if_needed()  # the toolbar was scrolled into view
    page.wait_for_selector('.tb-card[data-key="single"] .scalars-chart[data-empty="log"]')
    text = _chart(page, "single").locator(".tb-line-chart-message").inner_text()
    assert "x <= 0" in text


def test_y_axis_labels_of_tiny_and_huge_values_are_readable(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    page.locator('input[aria-label="Smoothing"]').fill("0")
    widths = """el => {
        const axis = el.__chart.plot.axes[1];
        const ctx = el.__chart.plot.ctx;
        ctx.font = axis.font[0];
        const widest = Math.max(...axis._values.map((v) => ctx.measureText(v).width)) / devicePixelRatio;
        return [axis._size, widest + axis.ticks.size + axis.gap];
    }"""
    for tag, pattern in (("lr", r"3(\.\d+)?e-4"), ("big", r"1\.2\d*M"), ("fraction", r"0(\.\d+)?")):
        chart_data(page, tag)
        labels = _chart(page, tag).evaluate("el => el.__chart.plot.axes[1]._values")
        assert len(labels) >= 2 and len(set(labels)) == len(labels), labels  # no "0", "0", "0"
        assert all(re.fullmatch(pattern, label) for label in labels), labels
        size, needed = _chart(page, tag).evaluate(widths)
        assert size >= needed, (tag, labels)  # labels + ticks + gap fit: none cut off
    formatted = page.evaluate(
        """async () => {
            const { formatNumber } = await import("@tbcore/sdk");
            return [3e-4, 1.2e6, 1e30, 0.5, -2.5e-7].map((v) => formatNumber(v));
        }"""
    )
    assert formatted == ["3e-4", "1.2M", "1e+30", "0.5", "-2.5e-7"]
    ticks = page.evaluate(
        """async () => {
            const { formatTick } = await import("@tbcore/sdk");
            return [[2.5, 2.5], [7.5, 2.5], [10, 2.5], [3e-4, 1e-4], [1.25e6, 5e4], [0.04, 0.02]].map(([v, i]) => formatTick(v, i));
        }"""
    )
    assert ticks == ["2.5", "7.5", "10", "3e-4", "1.25M", "0.04"]
    screenshot(page, "scalars_tiny_values")


def test_grouping_leaves_out_runs_without_a_finite_point(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    chart_data(page, "grouped")
    page.locator('input[aria-label="Group runs by removing this regex from run names"]').fill(r"/seed\d")
    card = _chart(page, "grouped")
    card.scroll_into_view_if_needed()  # filling scrolled the toolbar into view: cards off screen wait
    page.wait_for_function(
        "el => el.__chart.data().some((s) => s.name.startsWith('g (mean'))", arg=card.element_handle()
    )
    series = {s["name"]: s for s in card.evaluate("el => el.__chart.data()")}
    assert "g (mean of 2)" in series, list(series)  # the all-NaN seed3 is not counted ...
    mean = series["g (mean of 2)"]["y"]
    assert len(mean) == 10 and None not in mean  # ... nor does it wipe the mean
    assert series["g (lower)"]["y"][0] == pytest.approx(1.0) and series["g (upper)"]["y"][0] == pytest.approx(3.0)
    # The legend lists the groups, not the runs.
    legend = card.locator(".scalars-group-legend")
    assert legend.all_text_contents() == ["g (2 runs)"]
    assert legend.get_attribute("data-members") == "2"
    assert card.locator(".scalars-download").first.is_hidden()  # run downloads folded away
    screenshot(page, "scalars_group_legend")


def _drag_zoom(page: Any, card: Any, settled_box: Any) -> tuple[float, float]:
    over = card.locator(".u-over")
    box = settled_box(over)
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function("el => el.__chart.zoomed", arg=card.element_handle())
    return tuple(card.evaluate("el => [el.__chart.plot.scales.x.min, el.__chart.plot.scales.x.max]"))


def test_ignore_outliers_and_smoothing_keep_the_drag_zoom(page: Any, edge_server: Server, settled_box: Any) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    chart_data(page, "centered")
    card = _chart(page, "centered")
    page.wait_for_selector('.tb-card[data-key="centered"] .tb-card-body[data-complete="true"]')
    lo, hi = _drag_zoom(page, card, settled_box)
    assert 0 < lo < hi < 49
    window = "el => [el.__chart.plot.scales.x.min, el.__chart.plot.scales.x.max]"
    page.locator('input[aria-label="Ignore outliers"]').check()
    card.scroll_into_view_if_needed()  # checking scrolled the toolbar into view: cards off screen wait
    page.wait_for_function("el => !!el.__chart.options.yRange", arg=card.element_handle())
    assert card.evaluate(window) == [lo, hi]
    y_range = card.evaluate("el => [el.__chart.plot.scales.y.min, el.__chart.plot.scales.y.max]")
    assert y_range == pytest.approx(card.evaluate("el => el.__chart.options.yRange"))
    # A live update (new data, y range recomputed) keeps it too.
    card.evaluate("""el => el.__chart.setSeries(el.__chart.series.map((s) => ({...s, x: [...s.x, 50], y: [...s.y, 9]})))""")
    card.evaluate("el => el.__chart.setYRange([-2, 10])")
    assert card.evaluate(window) == [lo, hi]
    assert card.evaluate("el => el.__chart.plot.scales.y.max") == 10
    # Smoothing off removes the raw lines (the plot is rebuilt): still zoomed.
    page.locator('input[aria-label="Smoothing"]').fill("0")
    card.scroll_into_view_if_needed()  # filling the slider scrolled the toolbar into view
    page.wait_for_function(
        "el => !el.__chart.data().some((s) => s.name.endsWith('(raw)'))", arg=card.element_handle()
    )
    assert card.evaluate(window) == [lo, hi]


def test_settings_redraw_off_screen_cards_when_they_scroll_into_view(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    has_raw = "el => el.__chart.data().some((s) => s.name.endsWith('(raw)'))"
    chart_data(page, "many/t29")  # rendered once, at the bottom ...
    chart_data(page, "big")  # ... then scrolled out of view
    far = _chart(page, "many/t29")
    assert far.evaluate(has_raw) is True
    page.locator('input[aria-label="Smoothing"]').fill("0")
    page.wait_for_function(f"el => !({has_raw})(el)", arg=_chart(page, "big").element_handle())
    page.locator('input[aria-label="Logarithmic y axis"]').check()
    page.wait_for_function("el => el.__chart.logY", arg=_chart(page, "big").element_handle())
    assert far.evaluate(has_raw) is True  # off screen: not redrawn yet
    assert far.evaluate("el => el.__chart.logY") is False
    far.scroll_into_view_if_needed()
    page.wait_for_function(f"el => !({has_raw})(el) && el.__chart.logY", arg=far.element_handle())


def test_tooltip_with_many_runs_shows_the_nearest_twelve(page: Any, edge_server: Server, settled_box: Any) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    assert len(_lines(chart_data(page, "crowd"))) == 20
    over = _chart(page, "crowd").locator(".u-over")
    box = settled_box(over)
    over.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    page.wait_for_selector(".tb-tooltip:not([hidden]) .scalars-tooltip-row")
    assert page.locator(".tb-tooltip .scalars-tooltip-row").count() == 12
    assert page.locator(".tb-tooltip .scalars-tooltip-more").inner_text().strip() == "… 8 more"
    screenshot(page, "scalars_tooltip_crowd")


def test_invalid_tag_regex_smoothing_limit_and_pinned_prefix(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars")
    assert page.locator('input[aria-label="Smoothing"]').get_attribute("max") == "0.999"
    chart_data(page, "big")
    page.locator('.tb-card[data-key="big"]').get_by_role("button", name="Pin").click()
    sections = page.locator(".tb-card-grid-group")
    pinned = sections.filter(has=page.locator(".tb-card-grid-prefix", has_text=re.compile(r"^Pinned$")))
    tagged = sections.filter(has=page.locator(".tb-card-grid-prefix", has_text=re.compile(r"^Pinned/$")))
    assert pinned.locator(".tb-card").evaluate_all("cs => cs.map((c) => c.dataset.key)") == ["big"]
    assert tagged.locator(".tb-card").evaluate_all("cs => cs.map((c) => c.dataset.key)") == ["Pinned/x"]
    page.fill("#tb-tag-filter", "lr(")
    error = page.locator(".scalars-message .tb-error")
    error.wait_for()
    assert "Invalid regex" in error.inner_text()
    assert page.get_attribute("#tb-tag-filter", "aria-invalid") == "true"  # the shell marks it too
    page.fill("#tb-tag-filter", "lr")
    page.wait_for_selector('.tb-card[data-key="lr"]')
    assert page.get_attribute("#tb-tag-filter", "aria-invalid") == "false"
    assert page.locator(".scalars-message").is_hidden()



def test_custom_scalars_multiline_colors_each_line_and_follows_new_layouts(page: Any, tmp_path: Path) -> None:
    _write_with_torch("torch_margin", tmp_path)
    with served(page, tmp_path, ["run"], "--reload-interval", "0.2") as server:
        open_app(page, server.url + "#tab=custom_scalars")
        chart = page.locator('.tb-card[data-title="all"] .scalars-chart')
        page.wait_for_function(
            """() => {
                const el = document.querySelector('.tb-card[data-title="all"] .scalars-chart');
                return el && el.__chart && el.__chart.data().length === 3;
            }"""
        )
        series = chart.evaluate("el => el.__chart.data()")
        assert sorted(s["name"] for s in series) == ["run: acc/high", "run: acc/low", "run: acc/mean"]
        assert len({s["color"] for s in series}) == 1  # one run, three tags: the run's color ...
        dashes = chart.evaluate("el => el.__chart.series.map((s) => JSON.stringify(s.dash ?? []))")
        assert len(set(dashes)) == 3  # ... and a dash pattern per tag
        legend = page.locator('.tb-card[data-title="all"] .scalars-legend-item').all_text_contents()
        assert sorted(legend) == ["run: acc/high", "run: acc/low", "run: acc/mean"]
        screenshot(page, "custom_scalars_multiline")
        # A layout written after the page opened shows up with the next live update.
        _write_with_torch("torch_late_layout", tmp_path)
        page.wait_for_function(
            """() => {
                const el = document.querySelector('.tb-card[data-title="late lines"] .scalars-chart');
                return el && el.__chart && el.__chart.data().length === 2;
            }""",
            timeout=30_000,
        )
        late = page.locator('.tb-card[data-title="late lines"] .scalars-chart').evaluate("el => el.__chart.data()")
        assert sorted(s["name"] for s in late) == ["late: late/a", "late: late/b"]
        assert page.locator('.tb-card[data-title="all"]').count() == 1  # the first layout stays


def test_pr_curve_axes_span_zero_to_one(page: Any, tmp_path: Path) -> None:
    _write_with_torch("torch_pr", tmp_path)
    with served(page, tmp_path, ["run"]) as server:
        open_app(page, server.url + "#tab=pr_curves")
        chart = page.locator('.tb-card[data-key="pr"] .scalars-chart')
        page.wait_for_function(
            """() => {
                const el = document.querySelector('.tb-card[data-key="pr"] .scalars-chart');
                return el && el.__chart && el.__chart.plot && el.__chart.data().length === 1;
            }"""
        )
        (line,) = chart.evaluate("el => el.__chart.data()")
        precision = [y for y in line["y"] if y is not None]
        assert 0 < min(line["x"]) and 0.3 < min(precision) <= max(precision) <= 1  # fitted, not [0, 1] ...
        scales = chart.evaluate("el => ['x', 'y'].map((k) => [el.__chart.plot.scales[k].min, el.__chart.plot.scales[k].max])")
        assert scales == [[0, 1], [0, 1]]  # ... the axes still span [0, 1]


def test_settings_live_in_the_url(page: Any, edge_server: Server) -> None:
    open_app(page, edge_server.url + "#tab=scalars&scalars.smoothing=0&scalars.logY=true&scalars.xAxis=relative&scalars.band=bogus")
    card = _chart(page, "big")
    chart_data(page, "big")
    assert page.locator('input[aria-label="Smoothing"]').input_value() == "0"
    assert page.locator('input[aria-label="Logarithmic y axis"]').is_checked()
    assert page.locator('select[aria-label="Horizontal axis"]').input_value() == "relative"
    assert page.locator('select[aria-label="Group band"]').input_value() == "minmax"  # bad value ignored
    assert card.evaluate("el => [el.__chart.logY, el.__chart.options.xFormat !== undefined]") == [True, True]
    assert not any(s["name"].endswith("(raw)") for s in chart_data(page, "big"))  # smoothing 0
    page.locator('input[aria-label="Ignore outliers"]').uncheck()  # on by default
    page.locator('input[aria-label="Group runs by removing this regex from run names"]').fill(r"/seed\d")
    page.locator('input[aria-label="Logarithmic y axis"]').uncheck()
    page.wait_for_function("() => location.hash.includes('scalars.groupPattern=')")
    hash_ = page.evaluate("() => location.hash")
    assert "tab=scalars" in hash_ and "scalars.ignoreOutliers=false" in hash_ and "scalars.logY" not in hash_
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    assert not page.locator('input[aria-label="Ignore outliers"]').is_checked()
    assert page.locator('input[aria-label="Group runs by removing this regex from run names"]').input_value() == r"/seed\d"
    assert page.locator('select[aria-label="Group runs by"]').input_value() == "regex"
    assert not page.locator('input[aria-label="Logarithmic y axis"]').is_checked()


def test_the_step_axis_has_whole_number_ticks(page: Any, tmp_path: Path) -> None:
    """20 steps: uPlot's default increments would label 2.5, 7.5, ...; steps are whole."""
    write_run(tmp_path, "short", {"loss": [(s, 1.0 / (s + 1)) for s in range(20)]}, start=3e6)
    with served(page, tmp_path, ["short"]) as server:
        open_app(page, server.url + "#tab=scalars")
        chart_data(page, "loss")
        splits = _chart(page, "loss").evaluate("el => el.__chart.plot.axes[0]._splits")
        assert len(splits) >= 3 and all(float(v).is_integer() for v in splits), splits
