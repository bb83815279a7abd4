"""The SDK LineChart's reading tools in real Chromium: tick labels a reader can use on linear
and log axes, box zoom on both axes with "Fit" and double-click reset, and the step / range
table (its values are the series' at that step, its statistics numpy's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from browser_harness import Server, open_app

# A 600 x 240 chart of `series` (and `options`) kept on the page as `window.chart`.
MAKE = """async ({ series, options }) => {
    const { LineChart, createStore } = await import("@tbcore/sdk");
    document.querySelector("#test-box")?.remove();
    const el = document.createElement("div");
    el.id = "test-box";
    el.style.cssText = "width: 600px; position: fixed; top: 60px; left: 320px; background: white; z-index: 50";
    document.body.appendChild(el);
    window.chart?.destroy();
    window.chart = new LineChart(el, { height: 240, ...options });
    window.chart.setSeries(series.map((s, i) => ({ name: `s${i}`, color: "#1f77b4", ...s })));
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < 100 && !(chart.plot?.axes[0]._values && chart.plot.axes[1]._values); i++) await frame();
    await frame();
}"""

AXES = """() => {
    const [x, y] = chart.plot.axes;
    return { x: x._values, y: y._values, ySplits: y._splits,
             yScale: [chart.plot.scales.y.min, chart.plot.scales.y.max],
             xScale: [chart.plot.scales.x.min, chart.plot.scales.x.max] };
}"""


def make(page: Any, series: list[dict[str, Any]], **options: Any) -> Any:
    page.evaluate(MAKE, {"series": series, "options": options})
    return page.evaluate(AXES)


@pytest.fixture
def sdk_page(page: Any, test_app: Server) -> Any:
    open_app(page, test_app.url)
    return page


def test_linear_axis_labels_every_half_on_a_half_to_two_point_six_range(sdk_page: Any) -> None:
    xs = list(range(50))
    ys = list(np.linspace(0.5, 2.6, 50))
    axes = make(sdk_page, [{"x": xs, "y": ys}], tooltip=False)
    assert {"0.5", "1", "1.5", "2", "2.5"} <= set(axes["y"]), axes["y"]


def test_log_axis_fits_the_data_and_labels_intermediate_ticks(sdk_page: Any) -> None:
    xs = list(range(50))
    ys = list(np.linspace(0.5, 2.6, 50))
    axes = make(sdk_page, [{"x": xs, "y": ys}], tooltip=False, logY=True)
    lo, hi = axes["yScale"]
    assert 0.4 < lo < 0.5 and 2.6 < hi < 3.2, axes["yScale"]  # not padded to 10
    labels = [label for label in axes["y"] if label]
    assert {"0.5", "1", "2"} <= set(labels), axes["y"]
    assert len(labels) >= 3


def test_log_axis_over_decades_labels_intermediate_ticks(sdk_page: Any) -> None:
    xs = list(range(40))
    ys = list(np.geomspace(1e-3, 1.0, 40))
    axes = make(sdk_page, [{"x": xs, "y": ys}], tooltip=False, logY=True)
    labels = [label for label in axes["y"] if label]
    assert {"0.001", "0.01", "0.1", "1"} <= set(labels), axes["y"]
    mantissas = {
        round(float(label) / 10 ** math.floor(math.log10(float(label)))) for label in labels
    }
    assert mantissas - {1}, labels  # 2, 3 or 5 times a power of ten too
    lo, hi = axes["yScale"]
    assert 5e-4 < lo < 1e-3 and 1 < hi < 2, axes["yScale"]


def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    box = page.locator("#test-box .u-over").bounding_box()
    page.mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
    page.mouse.down()
    page.mouse.move(
        box["x"] + (start[0] + end[0]) / 2 * box["width"],
        box["y"] + (start[1] + end[1]) / 2 * box["height"],
        steps=4,
    )
    page.mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"], steps=4)
    page.mouse.up()


def test_box_zoom_sets_both_axes_and_fit_or_double_click_resets(sdk_page: Any) -> None:
    xs = list(range(101))
    ys = [float(x) for x in xs]
    full = make(sdk_page, [{"x": xs, "y": ys}], tooltip=False)
    drag(sdk_page, (0.2, 0.2), (0.6, 0.7))
    zoomed = sdk_page.evaluate(AXES)
    assert full["xScale"][0] < zoomed["xScale"][0] < zoomed["xScale"][1] < full["xScale"][1]
    assert full["yScale"][0] < zoomed["yScale"][0] < zoomed["yScale"][1] < full["yScale"][1]
    # 20%..60% of the width, 30%..80% of the height from the bottom.
    span_x = full["xScale"][1] - full["xScale"][0]
    assert zoomed["xScale"][0] == pytest.approx(full["xScale"][0] + 0.2 * span_x, abs=0.03 * span_x)
    assert zoomed["xScale"][1] == pytest.approx(full["xScale"][0] + 0.6 * span_x, abs=0.03 * span_x)
    span_y = full["yScale"][1] - full["yScale"][0]
    assert zoomed["yScale"][0] == pytest.approx(full["yScale"][0] + 0.3 * span_y, abs=0.03 * span_y)
    assert zoomed["yScale"][1] == pytest.approx(full["yScale"][0] + 0.8 * span_y, abs=0.03 * span_y)
    # New data keeps the box zoom.
    sdk_page.evaluate(
        "() => chart.setSeries([{name: 's0', color: '#1f77b4', x: [...Array(120).keys()], y: [...Array(120).keys()]}])"
    )
    kept = sdk_page.evaluate(AXES)
    assert kept["yScale"] == pytest.approx(zoomed["yScale"]) and kept["xScale"] == pytest.approx(
        zoomed["xScale"]
    )
    sdk_page.click("#test-box .tb-chart-fit")
    fitted = sdk_page.evaluate(AXES)
    assert fitted["xScale"] == pytest.approx([0, 119]) and fitted["yScale"][1] >= 119
    # A mostly horizontal drag zooms x alone; a double-click shows everything again.
    drag(sdk_page, (0.1, 0.5), (0.5, 0.52))
    horizontal = sdk_page.evaluate(AXES)
    assert horizontal["xScale"][1] < 70 and sdk_page.evaluate("() => chart.yZoom") is None
    # y fits the data left in the x window (y = x here).
    assert (
        horizontal["yScale"][0] <= horizontal["xScale"][0]
        and horizontal["yScale"][1] >= horizontal["xScale"][1]
    )
    sdk_page.locator("#test-box .u-over").dblclick()
    again = sdk_page.evaluate(AXES)
    assert again["xScale"] == pytest.approx([0, 119]) and again["yScale"] == pytest.approx(
        fitted["yScale"]
    )
