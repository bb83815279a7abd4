"""The scalars dashboard in a real browser, on a real ``tbcore serve``: what it draws."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from browser_harness import Server, cli_server, open_app, screenshot
from browser_logdirs import write_run
from test_dashboards import chart_data

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2


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
