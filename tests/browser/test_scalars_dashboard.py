"""The scalars dashboard in a real browser, on a real ``tbcore serve``: what it draws."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from browser_harness import Server, cli_server, open_app, screenshot
from browser_logdirs import write_run
from test_dashboards import chart_data

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2

SCALARS_WRITERS = Path(__file__).resolve().parents[2] / "plugins" / "scalars" / "tests" / "writers.py"


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


def test_live_append_shows_the_new_point(page: Any, tmp_path: Path) -> None:
    path = write_run(tmp_path, "live", {"loss": [(s, 1.0 / (s + 1)) for s in range(10)]}, start=3e6)
    server = cli_server(tmp_path, ["live"], "--reload-interval", "0.2")
    try:
        open_app(page, server.url + "#tab=scalars")
        assert _lines(chart_data(page, "loss"))["live"]["x"][-1] == 9
        event = event_pb2.Event(wall_time=3e6 + 10, step=10)
        event.summary.value.add(tag="loss", simple_value=0.05)
        with open(path, "ab") as f:
            f.write(frame_record(event.SerializeToString()))
        started = time.monotonic()
        page.wait_for_function(
            """() => {
                const el = document.querySelector('.tb-card[data-key="loss"] .tb-card-body');
                const line = el.__chart.data().find((s) => s.name === "live");
                return line && line.x[line.x.length - 1] === 10;
            }""",
            timeout=10_000,
        )
        assert time.monotonic() - started < 5
    finally:
        page.goto("about:blank")  # close the live connection before the server goes
        server.stop()


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
    open_app(page, server.url + "#tab=scalars")
    chart_data(page, "loss/train")
    page.locator('input[aria-label="Ignore outliers"]').check()
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_function(
        """() => !!document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body').__chart.options.yRange"""
    )
    low, high = card.evaluate("el => el.__chart.options.yRange")
    assert low < high


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
    pytest.importorskip("torch")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    subprocess.run([sys.executable, str(SCALARS_WRITERS), "torch_hparams", str(tmp_path)], check=True, env=env, timeout=240)
    runs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("**/events.out.tfevents.*"))
    server = cli_server(tmp_path, runs)
    try:
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
    finally:
        page.goto("about:blank")  # close the live connection before the server goes
        server.stop()


def test_tooltip_lists_every_run_nearest_first(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    lines = _lines(chart_data(page, "loss/train"))
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_selector('.tb-card[data-key="loss/train"] .tb-card-body[data-complete="true"]')
    over = card.locator(".u-over")
    box = over.bounding_box()
    px, py = box["width"] * 0.4, box["height"] * 0.6
    over.hover(position={"x": px, "y": py})
    page.wait_for_selector(".tb-tooltip:not([hidden]) .scalars-tooltip-row")
    header = page.locator(".tb-tooltip .scalars-tooltip th").all_text_contents()
    assert header == ["", "Run", "Smoothed", "Value", "Step", "Relative"]
    rows = [r.locator("td").all_text_contents() for r in page.locator(".tb-tooltip .scalars-tooltip-row").all()]
    assert sorted(r[1] for r in rows) == sorted(lines)  # one row per run
    for _, run, smoothed, value, step, relative in rows:
        line = lines[run]
        i = line["x"].index(int(step))
        assert float(smoothed) == pytest.approx(line["y"][i], rel=1e-4)
        assert float(value) != pytest.approx(float(smoothed)) or i == 0  # raw differs from smoothed
        assert re.fullmatch(r"\d+(\.\d)?s|\d+m \d+s|\d+h \d+m \d+s", relative), relative
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
    assert page.locator(".tb-tooltip .scalars-tooltip th").last.text_content() == "Time"


def test_custom_scalars_margin_chart_fills_between_its_bounds(page: Any, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    subprocess.run([sys.executable, str(SCALARS_WRITERS), "torch_margin", str(tmp_path)], check=True, env=env, timeout=240)
    server = cli_server(tmp_path, ["run"])
    try:
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
    finally:
        page.goto("about:blank")  # close the live connection before the server goes
        server.stop()


def test_long_series_zoom_reset_and_non_finite_markers(page: Any, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    subprocess.run([sys.executable, str(SCALARS_WRITERS), "torch_long", str(tmp_path)], check=True, env=env, timeout=240)
    server = cli_server(tmp_path, ["long"])
    try:
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
        box = over.bounding_box()
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
    finally:
        page.goto("about:blank")  # close the live connection before the server goes
        server.stop()


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
