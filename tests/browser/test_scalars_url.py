"""The scalars settings follow the URL after the page has loaded: an edited hash, a bookmark
opened in the same tab, back and forward."""

from __future__ import annotations

from typing import Any

from browser_harness import Server, open_app
from test_dashboards import chart_data

HAS_RAW = """() => document.querySelector('.tb-card[data-key="loss/train"] .tb-card-body')
    .__chart.data().some((s) => s.name.endsWith("(raw)"))"""


def _controls(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
            xAxis: document.querySelector('select[aria-label="Horizontal axis"]').value,
            smoothing: document.querySelector('input[aria-label="Smoothing"]').value,
            logY: document.querySelector('input[aria-label="Logarithmic y axis"]').checked,
        })"""
    )


def test_settings_follow_an_edited_url_and_back_forward(page: Any, server: Server) -> None:
    open_app(page, server.url + "#tab=scalars&scalars.xAxis=relative&scalars.smoothing=0")
    chart_data(page, "loss/train")
    assert _controls(page) == {"xAxis": "relative", "smoothing": "0", "logY": False}
    assert page.evaluate(HAS_RAW) is False

    page.evaluate("() => { location.hash = '#tab=scalars&scalars.smoothing=0.95&scalars.logY=true'; }")
    page.wait_for_function(HAS_RAW)  # smoothing on again: the raw lines are back
    assert _controls(page) == {"xAxis": "step", "smoothing": "0.95", "logY": True}
    card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body')
    page.wait_for_function("el => el.__chart.logY", arg=card.element_handle())

    page.go_back()
    page.wait_for_function(f"() => !({HAS_RAW})()")
    assert _controls(page) == {"xAxis": "relative", "smoothing": "0", "logY": False}
    page.go_forward()
    page.wait_for_function(HAS_RAW)
    assert _controls(page)["smoothing"] == "0.95"
