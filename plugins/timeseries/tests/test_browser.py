"""The Time Series tab in headless Chromium against a real ``tbcore serve`` on a logdir written
by torch.utils.tensorboard: it is the first tab and ``#timeseries`` opens it; the type chips
filter the cards; a pinned card's copy survives a reload and a shared URL; a tag filter
gathers its matches in one section; image and histogram cards draw; the compact legend and
the card menu's downloads; the settings pane's card height and smoothing; the image settings
are the Images tab's (a change in either tab shows in the other); a setting change redraws
the cards in sight and marks the others, which redraw when scrolled into view."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import pytest

RUNS = [f"run{i}" for i in range(8)]
WRITE = """
import sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter

rng = np.random.default_rng(0)
for i in range(8):
    w = SummaryWriter(f"{sys.argv[1]}/run{i}")
    for step in range(40):
        w.add_scalar("loss/train", 1.0 / (1 + step) + i * 0.01, step)
        w.add_scalar("metrics/accuracy", step / 40, step)
        if i < 2:
            w.add_histogram("layer1/weights", rng.normal(step / 10, 1, 300), step)
            if step % 10 == 0:
                w.add_image("inputs/digit", np.full((3, 8, 6), step / 40), step)
    w.close()
"""


@pytest.fixture(scope="module")
def url(logdir_from_scripts: Callable[..., Path], tbcore_server: Any) -> Iterator[str]:
    installed.require("torch")
    logdir = logdir_from_scripts("timeseries_browser", [WRITE])
    with tbcore_server(logdir, "--plugins", "timeseries,scalars,images", runs=len(RUNS)) as served:
        yield served


@contextlib.contextmanager
def _page(browser: Any, context: Any = None, height: int = 1000) -> Iterator[Any]:
    """A page that fails the test on a console error or a request off this machine."""
    own = context is None
    context = context or browser.new_context(viewport={"width": 1400, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else errors.append(r.url))
    try:
        yield page
        page.goto("about:blank")
    finally:
        if own:
            context.close()
    assert errors == []


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('#tbcore-app[data-ready="true"]')
    page.wait_for_selector("section[data-plugin='timeseries'] .tb-card")


def _keys(page: Any, section: str | None = None) -> list[str]:
    """The keys of the cards shown (in the section whose title starts with ``section``)."""
    return page.evaluate(
        """(section) => [...document.querySelectorAll("section[data-plugin='timeseries'] .tb-card-grid-group")]
            .filter((g) => section === null || g.querySelector('.tb-card-grid-prefix').textContent.startsWith(section))
            .flatMap((g) => [...g.querySelectorAll('.tb-card')].map((c) => c.dataset.key))""",
        section,
    )


def _sections(page: Any) -> list[str]:
    return page.locator("section[data-plugin='timeseries'] .tb-card-grid-prefix").all_text_contents()


def test_first_tab_and_hash_link(browser: Any, url: str) -> None:
    with _page(browser) as page:
        _open(page, url)
        tabs = page.locator("[role='tab']").evaluate_all("ts => ts.map((t) => t.dataset.plugin)")
        assert tabs[0] == "timeseries"
        assert page.locator("[role='tab'][data-plugin='timeseries']").get_attribute("aria-selected") == "true"
        page.goto(url + "#scalars")
        page.wait_for_selector('#tbcore-app[data-ready="true"]')
        _open(page, url + "#timeseries")
        assert page.locator("section[data-plugin='timeseries']").is_visible()


def test_type_chips_filter_cards(browser: Any, url: str) -> None:
    with _page(browser) as page:
        _open(page, url)
        kinds = {json.loads(k)[0] for k in _keys(page)}
        assert kinds == {"scalars", "histograms", "images"}
        for chip, kind in (("Histogram", "histograms"), ("Image", "images"), ("Scalars", "scalars")):
            page.click(f".timeseries-chip:text-is('{chip}')")
            assert {json.loads(k)[0] for k in _keys(page)} == {kind}
            assert f"timeseries.type={kind}" in page.url
        page.click(".timeseries-chip:text-is('All')")
        assert len({json.loads(k)[0] for k in _keys(page)}) == 3


def test_pin_survives_reload_and_shared_url(browser: Any, url: str) -> None:
    key = json.dumps(["histograms", "layer1/weights", "run1"], separators=(",", ":"))
    with _page(browser) as page:
        _open(page, url)
        page.locator(f".tb-card[data-key='{key}'] .timeseries-pin").click()
        assert _keys(page, "Pinned") == [f"pinned:{key}"]
        assert key in _keys(page, "layer1")  # a copy: the card stays in its section
        page.wait_for_selector(f".tb-card[data-key='pinned:{key}'] canvas[data-drawn='true']")
        shared = page.url
        page.reload()
        page.wait_for_selector(f".tb-card[data-key='pinned:{key}']")
        assert _sections(page)[0] == "Pinned"
    # Another browser profile (nothing saved) opening the shared link.
    with _page(browser) as fresh:
        _open(fresh, shared)
        assert _keys(fresh, "Pinned") == [f"pinned:{key}"]
        fresh.locator(f".tb-card[data-key='pinned:{key}'] .timeseries-pin").click()
        assert "Pinned" not in _sections(fresh)
        assert "pinned" not in fresh.url


def test_tag_filter_gathers_matches_in_one_section(browser: Any, url: str) -> None:
    with _page(browser) as page:
        _open(page, url)
        assert len(_sections(page)) >= 4  # inputs, layer1, loss, metrics
        _open(page, url + "#tagFilter=weights%7Caccuracy%7Ctrain")
        assert _sections(page) == ["Tags matching /weights|accuracy|train/"]
        keys = _keys(page)
        assert {json.loads(k)[1] for k in keys} == {"layer1/weights", "metrics/accuracy", "loss/train"}
        page.fill("input[placeholder^='Filter tags']", "zzz")
        page.wait_for_selector("section[data-plugin='timeseries'] .timeseries-message:has-text('No tags match')")


def test_image_and_histogram_cards_draw(browser: Any, url: str) -> None:
    with _page(browser) as page:
        _open(page, url + "#timeseries.type=images")
        key = json.dumps(["images", "inputs/digit", "run0", 0], separators=(",", ":"))
        body = page.locator(f".tb-card[data-key='{key}'] .tb-card-body")
        page.wait_for_function("el => el.dataset.shownStep === '30'", arg=body.element_handle())
        img = body.locator("img.timeseries-image")
        page.wait_for_function("img => img.complete && img.naturalWidth === 6 && img.naturalHeight === 8", arg=img.element_handle())
        body.locator(".media-step-input").fill("0")
        page.wait_for_function("el => el.dataset.shownStep === '0'", arg=body.element_handle())
        page.click(".timeseries-chip:text-is('Histogram')")
        canvas = page.locator("canvas.timeseries-histogram[data-run='run0']")
        page.wait_for_function("c => c.dataset.drawn === 'true' && c.dataset.steps === '40'", arg=canvas.element_handle())
        painted = canvas.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
        )
        assert painted > 1000


def test_compact_legend_and_download_menu(browser: Any, url: str) -> None:
    key = json.dumps(["scalars", "loss/train"], separators=(",", ":"))
    with _page(browser) as page:
        _open(page, url + "#timeseries.type=scalars")
        body = page.locator(f".tb-card[data-key='{key}'] .tb-card-body")
        page.wait_for_function("el => el.dataset.complete === 'true'", arg=body.element_handle())
        assert body.locator(".timeseries-legend-run").count() == 5
        assert body.locator(".timeseries-legend-more").text_content() == "+3 more runs"
        assert body.locator(".timeseries-legend").evaluate("el => el.getBoundingClientRect().height") < 40
        assert body.locator(".timeseries-download").count() == 0  # built when the menu opens
        body.locator(".timeseries-menu > summary").click()
        body.locator(".timeseries-download").nth(len(RUNS) - 1).wait_for()  # `toggle` fires after the click
        assert body.locator(".timeseries-download").count() == len(RUNS)
        href = body.locator(".timeseries-download a:text-is('CSV')").first.get_attribute("href")
        with urllib.request.urlopen(href, timeout=30) as response:
            lines = response.read().decode().splitlines()
        assert lines[0] == "Wall time,Step,Value" and len(lines) == 41
        # Every point drawn, smoothed and raw.
        assert body.evaluate("el => el.__chart.data().length") == 2 * len(RUNS)


def test_settings_pane_card_height_and_smoothing(browser: Any, url: str) -> None:
    key = json.dumps(["scalars", "metrics/accuracy"], separators=(",", ":"))
    with _page(browser) as page:
        _open(page, url + "#timeseries.type=scalars")
        card = page.locator(f".tb-card[data-key='{key}']")
        page.wait_for_function("el => el.dataset.loaded === 'true'", arg=card.locator(".tb-card-body").element_handle())
        before = card.evaluate("el => el.getBoundingClientRect().height")
        page.select_option(".timeseries-card-height", "large")
        page.wait_for_function("([el, h]) => el.getBoundingClientRect().height > h + 80", arg=[card.element_handle(), before])
        assert "timeseries.cardHeight=large" in page.url
        page.fill(".timeseries-smoothing-value", "0.25")
        page.locator(".timeseries-smoothing-value").dispatch_event("change")
        page.fill(".timeseries-smoothing-value", "0")
        page.locator(".timeseries-smoothing-value").dispatch_event("change")
        assert card.locator(".tb-card-body").evaluate("el => el.__chart.data().length") == len(RUNS)
        # One setting: the Scalars tab shows what was set here.
        page.fill(".timeseries-smoothing-value", "0.25")
        page.locator(".timeseries-smoothing-value").dispatch_event("change")
        assert "scalars.smoothing=0.25" in page.url
        page.click('[role="tab"][data-plugin="scalars"]')
        page.wait_for_function("() => document.querySelector('.scalars-smoothing-value')?.value === '0.25'")
        page.click('[role="tab"][data-plugin="timeseries"]')
        card.locator(".timeseries-fullscreen-button").click()
        box = card.evaluate("el => el.getBoundingClientRect().width")
        assert box > 1300


def _set_number(page: Any, selector: str, value: float) -> None:
    """Type ``value`` in a settings number box (as a user would, then leave it)."""
    page.fill(selector, str(value))
    page.locator(selector).dispatch_event("change")


def _set_range(locator: Any, value: float) -> None:
    locator.evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }",
        value,
    )


def test_image_settings_are_the_images_tabs(browser: Any, url: str) -> None:
    key = json.dumps(["images", "inputs/digit", "run0", 0], separators=(",", ":"))
    style = "(el) => getComputedStyle(el).filter"
    with _page(browser) as page:
        _open(page, url + "#timeseries.type=images")
        image = page.locator(f".tb-card[data-key='{key}'] img.timeseries-image")
        page.wait_for_function("img => img.complete && img.naturalWidth === 6", arg=image.element_handle())
        _set_number(page, ".timeseries-brightness-value", 1.5)
        assert "images.brightness=1.5" in page.url
        assert image.evaluate(style) == "brightness(1.5) contrast(1)"
        # The Images tab opens with the setting made here.
        page.click('[role="tab"][data-plugin="images"]')
        media = page.locator("section[data-plugin='images'] img.media-image").first
        media.wait_for()
        assert page.locator(".media-brightness-input").input_value() == "1.5"
        assert page.locator(".media-range-value").first.text_content() == "150%"
        assert media.evaluate(style) == "brightness(1.5) contrast(1)"
        # Both tabs are open now: a change in the Images tab shows in the time series tab.
        _set_range(page.locator(".media-contrast-input"), 0.5)
        page.check(".media-actual-size-toggle")
        assert "images.contrast=0.5" in page.url and "images.actualSize=true" in page.url
        page.click('[role="tab"][data-plugin="timeseries"]')
        page.wait_for_function("() => document.querySelector('.timeseries-contrast-value').value === '0.5'")
        assert page.locator(".timeseries-actual-size-toggle").is_checked()
        assert image.evaluate(style) == "brightness(1.5) contrast(0.5)"
        assert image.evaluate("el => [el.clientWidth, el.clientHeight]") == [6, 8]  # actual size
        # And back: the reset in the Images tab clears what was set here too.
        _set_number(page, ".timeseries-brightness-value", 2)
        page.click('[role="tab"][data-plugin="images"]')
        page.wait_for_function("() => document.querySelector('.media-brightness-input').value === '2'")
        page.click("button.media-reset")
        assert "images.brightness" not in page.url and "images.contrast" not in page.url
        page.click('[role="tab"][data-plugin="timeseries"]')
        page.wait_for_function("() => document.querySelector('.timeseries-brightness-value').value === '1'")
        assert image.evaluate(style) == "brightness(1) contrast(1)"


def test_a_setting_redraws_cards_in_sight_and_the_others_when_scrolled_to(
    browser: Any, url: str
) -> None:
    loss = json.dumps(["scalars", "loss/train"], separators=(",", ":"))
    accuracy = json.dumps(["scalars", "metrics/accuracy"], separators=(",", ":"))
    series = "el => el.querySelector('.tb-card-body').__chart.data().length"
    with _page(browser, height=600) as page:
        _open(page, url + "#timeseries.type=scalars&timeseries.cardHeight=large")
        top = page.locator(f".tb-card[data-key='{loss}']")
        below = page.locator(f".tb-card[data-key='{accuracy}']")
        # Render the lower card, then scroll back up: it is rendered, and out of sight.
        below.scroll_into_view_if_needed()
        page.wait_for_function("el => el.querySelector('.tb-card-body').dataset.complete === 'true'", arg=below.element_handle())
        page.evaluate("() => document.querySelector('.tb-panels').scrollTo(0, 0)")
        page.wait_for_function("el => el.getBoundingClientRect().top > innerHeight", arg=below.element_handle())
        page.wait_for_timeout(200)  # the grid's IntersectionObserver reports it gone
        assert top.evaluate(series) == below.evaluate(series) == 2 * len(RUNS)  # smoothed + raw

        _set_number(page, ".timeseries-smoothing-value", 0)  # no smoothing: raw lines alone
        assert top.evaluate(series) == len(RUNS)  # in sight: at once
        assert top.get_attribute("data-stale") is None
        assert below.evaluate(series) == 2 * len(RUNS)  # out of sight: not yet,
        assert below.get_attribute("data-stale") == "true"  # but marked
        below.scroll_into_view_if_needed()
        page.wait_for_function("el => !el.dataset.stale", arg=below.element_handle())
        assert below.evaluate(series) == len(RUNS)
