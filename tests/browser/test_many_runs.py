"""The run selector with 2,000 runs: every run listed, filtering and selecting work.

How fast they are is measured by the browser benchmarks, not asserted here: the suite runs on
a shared, loaded machine."""

from __future__ import annotations

from typing import Any

from browser_harness import Server, open_app, screenshot


def test_two_thousand_runs(page: Any, many_runs_server: Server) -> None:
    page.set_default_timeout(30_000)  # 2,000 rows re-rendered per step; a busy machine is slow
    open_app(page, many_runs_server.url)
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-count').textContent === '2000 of 2000 runs'"
    )
    assert page.locator(".tb-run").count() == 2000
    assert page.locator(".tb-run-name").first.text_content() == "run_00000"
    screenshot(page, "many_runs")

    page.fill("#tb-run-filter", "run_019")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-count').textContent === '100 of 2000 runs'"
    )
    assert page.locator(".tb-run:not([hidden])").count() == 100

    # A large experiment starts with its first 40 runs checked (TensorBoard's bound).
    page.click("text=All")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '100 selected'"
    )
    page.fill("#tb-run-filter", "")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '140 selected'"
    )
    page.fill("#tb-run-filter", "run_019")
    page.wait_for_function(  # the filter applies after a pause: "None" must see it applied
        "() => document.querySelector('.tb-runs-count').textContent === '100 of 2000 runs'"
    )
    page.click("text=None")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '0 selected'"
    )
    page.fill("#tb-run-filter", "")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '40 selected'"
    )
    page.click("text=All")
    page.wait_for_function(
        "() => document.querySelector('.tb-runs-selected').textContent === '2000 selected'"
    )
