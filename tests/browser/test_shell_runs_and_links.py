"""The shell's run list and links in a real browser: a bounded first selection on 2,000
runs, a run's color picked and kept, one run order everywhere, selection and pins in shared
links, TensorBoard's URL parameters, Back/Forward between tabs, an unknown tab, the "system"
theme and a 500 px wide window."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from browser_harness import Server, cli_server, open_app, screenshot
from browser_logdirs import write_many_runs

SELECTED = "() => document.querySelector('.tb-runs-selected').textContent"


@pytest.fixture(scope="module")
def two_thousand_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """2,000 runs served with the scalars dashboard alone (every dashboard's start-up checks
    are not what this measures)."""
    logdir: Path = tmp_path_factory.mktemp("bounded")
    s = cli_server(logdir, write_many_runs(logdir, 2000), "--plugins", "scalars")
    yield s
    s.stop()


def test_a_large_experiment_starts_with_forty_runs_and_says_so(
    page: Any, two_thousand_runs: Server
) -> None:
    open_app(page, two_thousand_runs.url)
    page.wait_for_function(f"() => ({SELECTED})() === '40 selected'")
    notice = page.locator(".tb-runs-bounded")
    assert notice.is_visible() and "first 40 of 2000 runs" in notice.text_content()
    checked = page.locator(".tb-run input:checked").evaluate_all(
        "els => els.map((e) => e.closest('.tb-run').title)"
    )
    assert checked == [f"run_{i:05d}" for i in range(40)]
    # The scalars dashboard draws those 40 alone.
    card = page.locator('.tb-card[data-key="loss"] .tb-card-body[data-loaded="true"]')
    card.wait_for()
    assert (
        card.evaluate("el => el.__chart.data().filter((s) => !s.name.endsWith('(raw)')).length")
        == 40
    )
    screenshot(page, "bounded_selection")
    page.click("text=All")
    page.wait_for_function(f"() => ({SELECTED})() === '2000 selected'")


def test_a_picked_run_color_is_used_everywhere_and_kept(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    run = "train/lr_0.1"
    page.locator(".tb-run", has_text=run).first.locator(".tb-swatch-button").click()
    page.locator("#tb-run-color").fill("#ff00aa")
    swatch = page.locator(f'.tb-run[title="{run}"] .tb-swatch-button')
    page.wait_for_function(
        "el => el.style.background.includes('255, 0, 170')", arg=swatch.element_handle()
    )
    line = """() => document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')?.__chart?.data().find((s) => s.name === "train/lr_0.1")?.color"""
    page.wait_for_function(f"() => ({line})() === '#ff00aa'")
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_function(f"() => ({line})() === '#ff00aa'")
    assert "255, 0, 170" in page.locator(f'.tb-run[title="{run}"] .tb-swatch-button').evaluate(
        "el => el.style.background"
    )


def _start_label(seconds: float) -> str:
    """What the Start column shows (the browser runs in this machine's time zone, en-US): the
    time for a run started today, the day this year, else the year."""
    when, now = datetime.datetime.fromtimestamp(seconds), datetime.datetime.now()
    if when.date() == now.date():
        return when.strftime("%H:%M")
    return f"{when:%b} {when.day}" if when.year == now.year else str(when.year)


def test_one_run_order_in_the_list_and_the_charts(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    rows = ".tb-run"
    titles = "els => els.map((e) => e.title)"
    assert page.locator(rows).evaluate_all(titles) == server.runs  # start time
    listed = page.evaluate("() => fetch('data/runs?with=start_time').then((r) => r.json())")
    labels = [_start_label(run["start_time"]) for run in listed]
    starts = page.locator(".tb-run-start").evaluate_all("els => els.map((e) => [e.dataset.start, e.title])")
    assert [label for label, _ in starts] == labels and all(labels)
    assert all(title.startswith("Started ") for _, title in starts)
    run_header = page.locator(".tb-run-head [role='columnheader']").first
    start_header = page.locator(".tb-run-head [role='columnheader']").last
    assert start_header.get_attribute("aria-sort") == "ascending"
    assert run_header.get_attribute("aria-sort") is None
    run_header.get_by_role("button").click()
    ascending = page.locator(rows).evaluate_all(titles)
    assert (
        set(ascending) == set(server.runs)
        and ascending[0].startswith("<img")
        and ascending[-1].startswith("train/")
    )
    assert run_header.get_attribute("aria-sort") == "ascending"
    assert run_header.locator(".tb-run-sort-arrow").text_content() == "▲"
    assert start_header.get_attribute("aria-sort") is None
    assert start_header.locator(".tb-run-sort-arrow").text_content() == ""
    run_header.get_by_role("button").click()  # again: reversed
    names = page.locator(rows).evaluate_all(titles)
    assert names == ascending[::-1]
    assert run_header.get_attribute("aria-sort") == "descending"
    assert run_header.locator(".tb-run-sort-arrow").text_content() == "▼"
    order = """() => document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')?.__chart.data()
        .filter((s) => !s.name.endsWith('(raw)')).map((s) => s.name)"""
    page.wait_for_function(
        f"(names) => JSON.stringify(({order})()) === JSON.stringify(names)", arg=names
    )
    assert "runSort=name-desc" in page.url
    # Kept across a reload, like every part of the view in the URL.
    page.reload()
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    assert page.locator(rows).evaluate_all(titles) == names
    assert run_header.get_attribute("aria-sort") == "descending"
    # The start column: oldest first, then (clicked again) newest first.
    start_header.get_by_role("button").click()
    assert page.locator(rows).evaluate_all(titles) == server.runs
    start_header.get_by_role("button").click()
    assert page.locator(rows).evaluate_all(titles) == server.runs[::-1]
    assert page.locator(".tb-run-start").first.get_attribute("data-start") == labels[-1]
    assert "runSort=start-desc" in page.url
    page.wait_for_function(
        f"(names) => JSON.stringify(({order})()) === JSON.stringify(names)", arg=server.runs[::-1]
    )


def test_selection_and_pins_travel_in_a_shared_link(
    page: Any, browser: Any, server: Server
) -> None:
    open_app(page, server.url + "#tab=scalars")
    page.locator('.tb-card[data-key="loss/train"] .tb-card-body[data-loaded="true"]').wait_for()
    page.locator(".tb-run", has_text="eval/lr_0.01").locator("input").uncheck()
    page.locator('.tb-card[data-key="accuracy/train"]').get_by_role("button", name="Pin").click()
    page.wait_for_function(
        "() => location.hash.includes('scalars.pinned=') && location.hash.includes('Runs=')"
    )
    link = page.url
    other = browser.new_context(viewport={"width": 1280, "height": 820})  # no localStorage shared
    try:
        viewer = other.new_page()
        open_app(viewer, link)
        viewer.wait_for_function(f"() => ({SELECTED})() === '{len(server.runs) - 1} selected'")
        assert not viewer.locator('.tb-run[title="eval/lr_0.01"] input').is_checked()
        viewer.wait_for_selector(
            '.tb-card-grid-group:first-child .tb-card[data-key="accuracy/train"]'
        )
        assert (
            viewer.locator(".tb-card-grid-group")
            .first.locator(".tb-card-grid-prefix")
            .text_content()
            == "Pinned"
        )
    finally:
        other.close()


def test_tensorboard_url_parameters_are_read(page: Any, server: Server) -> None:
    open_app(page, server.url + "?smoothing=0.3&runFilter=train&tagFilter=loss#scalars")
    page.locator('.tb-card[data-key="loss/train"]').wait_for()
    assert page.locator('input[aria-label="Smoothing"]').input_value() == "0.3"
    assert page.input_value("#tb-run-filter") == "train"
    assert page.input_value("#tb-tag-filter") == "loss"
    assert page.get_attribute("#tb-tab-scalars", "aria-selected") == "true"
    assert page.locator('.tb-card[data-key="accuracy/train"]').count() == 0


def test_back_and_forward_move_between_tabs(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars")
    page.click("#tb-tab-example")
    page.wait_for_selector("#tb-tab-example[aria-selected='true']")
    page.go_back()
    page.wait_for_selector("#tb-tab-scalars[aria-selected='true']")
    assert "tab=scalars" in page.url
    page.go_forward()
    page.wait_for_selector("#tb-tab-example[aria-selected='true']")


def test_an_unknown_tab_says_so(page: Any, server: Server) -> None:
    open_app(page, server.url + "#nosuch")
    alert = page.locator(".tb-unknown-tab")
    alert.wait_for()
    assert "nosuch" in alert.text_content() and "No such dashboard" in alert.text_content()
    assert page.locator('.tb-tablist [aria-selected="true"]').count() == 0
    alert.get_by_role("button", name="Scalars", exact=True).click()
    page.wait_for_selector("#tb-tab-scalars[aria-selected='true']")
    assert page.locator(".tb-unknown-tab").is_hidden()


def test_the_system_theme_follows_the_operating_system(page: Any, server: Server) -> None:
    page.emulate_media(color_scheme="dark")
    open_app(page, server.url + "#tab=example")
    assert page.get_attribute("html", "data-theme") == "dark"
    page.click('button[aria-label="Settings"]')
    assert page.locator('input[name="tb-theme"][value="system"]').is_checked()
    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    page.check('input[name="tb-theme"][value="dark"]')
    assert page.get_attribute("html", "data-theme") == "dark"


def test_a_500_px_window_keeps_the_page_inside(page: Any, server: Server) -> None:
    page.set_viewport_size({"width": 500, "height": 800})
    open_app(page, server.url + "#tab=scalars")
    page.locator('.tb-card[data-key="loss/train"] .tb-card-body[data-loaded="true"]').wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 500
    sidebar = page.locator(".tb-sidebar").bounding_box()
    card = page.locator('.tb-card[data-key="loss/train"]').bounding_box()
    assert sidebar["width"] <= 500 and card["x"] >= 0 and card["x"] + card["width"] <= 500
    assert card["width"] > 380  # the dashboard gets the whole width, not what a sidebar leaves
    screenshot(page, "narrow_500px")
