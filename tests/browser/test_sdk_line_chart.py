"""The SDK's LineChart and number formatting as a third-party dashboard uses them: tick
labels on log axes, ``xFormat`` on log axes, ``formatNumber`` of missing values, series
given in any x order, and the outlier-free y range (a real server's page, real Chromium)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from browser_harness import Server, open_app

# Draws one chart of `series` (and `options`) into a 600 px wide box and returns what its axes
# show once uPlot has laid them out: the label texts (`_values`) and where they are (`_splits`).
DRAW = """async ({ series, options, xFormat }) => {
    const { LineChart } = await import("@tbcore/sdk");
    const el = document.createElement("div");
    el.style.width = "600px";
    document.body.appendChild(el);
    window.xFormatCalls = [];
    const format = (v) => {
        window.xFormatCalls.push(v);
        return `${v}s`;
    };
    const chart = new LineChart(el, { tooltip: false, height: 200, ...options, ...(xFormat ? { xFormat: format } : {}) });
    chart.setSeries(series.map((s, i) => ({ name: `s${i}`, color: "#1f77b4", ...s })));
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < 100 && !(chart.plot?.axes[0]._values && chart.plot.axes[1]._values); i++) await frame();
    const [x, y] = chart.plot.axes;
    const result = {
        x: { labels: x._values, splits: x._splits },
        y: { labels: y._values, splits: y._splits },
        data: chart.data(),
        uplotX: Array.from(chart.plot.data[0]),
        uplotY: chart.plot.data.slice(1).map((col) => Array.from(col)),
        calls: window.xFormatCalls,
    };
    chart.destroy();
    el.remove();
    return result;
}"""


def draw(page: Any, series: list[dict[str, Any]], xFormat: bool = False, **options: Any) -> Any:
    return page.evaluate(DRAW, {"series": series, "options": options, "xFormat": xFormat})


@pytest.fixture
def sdk_page(page: Any, test_app: Server) -> Any:
    """The shell's page: the import map resolves ``@tbcore/sdk`` as for any dashboard."""
    open_app(page, test_app.url)
    return page


def shown(labels: list[str]) -> list[str]:
    """The labels drawn (a log axis leaves some ticks unlabelled: ``""``)."""
    return [label for label in labels if label]


def test_log_x_ticks_of_small_values_are_labelled_in_exponent_form(sdk_page: Any) -> None:
    """Reported: on a log x axis the ticks at 1e-6, 1e-5, 1e-4 all read "0"."""
    xs = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4]
    axes = draw(sdk_page, [{"x": xs, "y": list(range(len(xs)))}], logX=True)
    labels = shown(axes["x"]["labels"])
    assert {"1e-6", "1e-5", "1e-4"} <= set(labels), labels
    assert "0" not in labels and len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"\de-\d", label) for label in labels), labels
    # Each label names its own tick: the same text the y axis would give that value.
    for split, label in zip(axes["x"]["splits"], axes["x"]["labels"]):
        if label:
            assert float(label) == pytest.approx(split), (split, label)


def test_log_x_ticks_of_large_values_use_si_prefixes(sdk_page: Any) -> None:
    xs = [10.0**e for e in range(10)]  # 1 .. 1e9
    axes = draw(sdk_page, [{"x": xs, "y": list(range(len(xs)))}], logX=True)
    labels = shown(axes["x"]["labels"])
    decades = ["1", "10", "100", "1000", "10k", "100k", "1M", "10M", "100M", "1G"]
    assert {"1", "1M", "1G"} <= set(labels), labels
    assert all(label in decades for label in labels), labels  # not "1,000,000,000"


def test_linear_x_ticks_of_tiny_values_tell_ticks_apart(sdk_page: Any) -> None:
    """The same bug on a linear x axis (uPlot's own labels keep 3 decimals: 0, 0, 0, ...)."""
    xs = [i * 1e-6 for i in range(6)]
    axes = draw(sdk_page, [{"x": xs, "y": [1, 2, 3, 4, 5, 6]}])
    labels = axes["x"]["labels"]
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
    assert labels[0] == "0" and all(
        re.fullmatch(r"\d(\.\d)?e-[67]", label) for label in labels[1:]
    ), labels
    assert [float(label) for label in labels] == pytest.approx(axes["x"]["splits"], abs=1e-12)


def test_x_format_is_never_called_with_null_on_a_log_axis(sdk_page: Any) -> None:
    """Reported: `xFormat` got `null` for the minor ticks a log axis leaves unlabelled."""
    xs = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    axes = draw(sdk_page, [{"x": xs, "y": [1, 2, 3, 4, 5, 6, 7]}], xFormat=True, logX=True)
    calls, labels, splits = axes["calls"], axes["x"]["labels"], axes["x"]["splits"]
    assert calls and None not in calls, calls
    assert all(isinstance(v, (int, float)) for v in calls), calls
    # Major ticks carry the dashboard's labels; the ones uPlot leaves unlabelled are blank.
    assert {"1s", "10s", "100s", "1000s"} <= set(labels), labels
    assert "" in labels and "nulls" not in labels, labels
    assert all(label in ("", f"{split:g}s") for split, label in zip(splits, labels)), (
        splits,
        labels,
    )


def test_format_number_of_missing_values(sdk_page: Any) -> None:
    """Reported: `formatNumber(null)` returned "-Infinity"."""
    formatted = sdk_page.evaluate(
        """async () => {
            const { formatNumber, formatTick } = await import("@tbcore/sdk");
            const values = [null, undefined, NaN, "NaN", "Infinity", "-Infinity", "oops", 1e-6, 0];
            return [values.map((v) => formatNumber(v)), [null, undefined].map((v) => formatTick(v, 1))];
        }"""
    )
    assert formatted == [
        ["", "", "NaN", "NaN", "+Infinity", "-Infinity", "NaN", "1e-6", "0"],
        ["", ""],
    ]


def test_unsorted_x_is_sorted_before_drawing(sdk_page: Any) -> None:
    """x in any order: each series is sorted (uPlot needs ascending x), also when a NaN x
    sits between two points that are out of order."""
    axes = draw(
        sdk_page,
        [
            {"x": [3, "NaN", 1, 2], "y": [30, 99, 10, 20]},
            {"x": [2, 1, 3], "y": [200, 100, 300]},
        ],
    )
    first, second = axes["data"]
    assert first["x"] == [1, 2, 3] and first["y"] == [10, 20, 30]
    assert second["x"] == [1, 2, 3] and second["y"] == [100, 200, 300]
    assert axes["uplotX"] == [1, 2, 3]  # what uPlot draws: ascending
    assert axes["uplotY"] == [[10, 20, 30], [100, 200, 300]]


def test_unsorted_x_on_a_log_axis_keeps_points_at_the_same_x_in_order(sdk_page: Any) -> None:
    axes = draw(sdk_page, [{"x": [100, 0, 10, -5, 10, 1], "y": [4, 0, 2, 0, 3, 1]}], logX=True)
    (series,) = axes["data"]
    assert series["x"] == [1, 10, 10, 100]  # x <= 0 has no place on a log axis
    assert series["y"] == [1, 2, 3, 4]  # stable: the two points at x = 10 keep their order


def test_robust_range_is_the_5th_to_95th_percentile_widened(sdk_page: Any) -> None:
    """``robustRange`` (the "Ignore outliers" y range) against the sorted values, on series with
    outliers, repeated values, sorted and reversed runs, and non-finite points left out."""
    rng = np.random.default_rng(7)
    noisy = rng.normal(size=5_000)
    noisy[rng.choice(5_000, 40, replace=False)] = rng.normal(size=40) * 1e6  # outliers
    series = [
        noisy.tolist(),
        np.round(rng.normal(size=3_000), 1).tolist(),  # many repeated values
        np.arange(2_000, dtype=float).tolist(),  # sorted
        np.arange(2_000, 0, -1, dtype=float).tolist(),  # reversed
        [1.0] * 500,
    ]
    got = sdk_page.evaluate(
        """async (ys) => {
            const { robustRange } = await import("@tbcore/sdk");
            const withNaN = ys.map((y, i) => ({ y: i === 0 ? [NaN, ...y, Infinity] : y }));
            return [robustRange(withNaN), robustRange([{ y: [1, 2, 3] }]), robustRange([{ y: Array(20).fill(4) }])];
        }""",
        series,
    )
    values = np.sort(np.concatenate([np.asarray(s) for s in series]))
    lo, hi = values[int(len(values) * 0.05)], values[int(np.ceil(len(values) * 0.95)) - 1]
    assert got[0] == pytest.approx([lo - (hi - lo) * 0.1, hi + (hi - lo) * 0.1], rel=1e-12)
    assert got[1] is None  # too few points to call any an outlier
    assert got[2] == pytest.approx([3.6, 4.4])  # one value: widened by a tenth of it
