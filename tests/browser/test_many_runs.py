"""The run selector with 2,000 runs: every run listed, filtering and selecting stay fast."""

from __future__ import annotations

import time
from typing import Any

from browser_harness import Server, open_app, screenshot

BUDGET_S = 2.0
"""Generous upper bound for one filter / select-all round trip in the page (typically ~50 ms)."""


def test_two_thousand_runs(page: Any, many_runs_server: Server) -> None:
    started = time.monotonic()
    open_app(page, many_runs_server.url)
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-count').textContent === '2000 of 2000 runs'"
    )
    loaded = time.monotonic() - started
    assert page.locator(".tb-run").count() == 2000
    assert page.locator(".tb-run-name").first.text_content() == "run_00000"
    screenshot(page, "many_runs")

    started = time.monotonic()
    page.fill("#tb-run-filter", "run_019")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-count').textContent === '100 of 2000 runs'"
    )
    assert time.monotonic() - started < BUDGET_S
    assert page.locator(".tb-run:not([hidden])").count() == 100

    started = time.monotonic()
    page.click("text=None")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '0 selected'"
    )
    page.fill("#tb-run-filter", "")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '1900 selected'"
    )
    page.click("text=All")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '2000 selected'"
    )
    assert time.monotonic() - started < 3 * BUDGET_S
    assert loaded < 30, f"page took {loaded:.1f} s to list 2,000 runs"
