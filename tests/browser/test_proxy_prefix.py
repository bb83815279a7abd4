"""The page behind a proxy that strips a path prefix (jupyter-server-proxy, JupyterHub):
tbcore is started without any flag, the proxy serves it under ``/user/me/proxy/<port>/``,
and the page must load its modules and data through relative URLs (a request to an absolute
``/static/...`` would miss the prefix and find nothing)."""

from __future__ import annotations

from typing import Any

from browser_harness import Server, free_port, open_app, screenshot
from stripping_proxy import start_proxy


def test_page_works_through_a_prefix_stripping_proxy(page: Any, server: Server) -> None:
    upstream_port = server.url.rstrip("/").rsplit(":", 1)[1]
    proxy = start_proxy(server.url, f"/user/me/proxy/{upstream_port}", free_port())
    try:
        open_app(page, proxy.url + "#tab=scalars")
        card = page.locator('.tb-card[data-key="loss/train"] .tb-card-body[data-loaded="true"]')
        card.wait_for()
        lines = [
            s for s in card.evaluate("el => el.__chart.data()") if not s["name"].endswith("(raw)")
        ]
        assert len(lines) == len(server.runs)
        assert page.locator(".tb-run").count() == len(server.runs)
        # A second dashboard's module loads on demand through the prefix too.
        page.click("#tb-tab-example")
        page.wait_for_selector(".example-table tbody tr")
        screenshot(page, "behind_stripping_proxy")
        outside = [
            p for p in proxy.requests if not p.startswith(f"/user/me/proxy/{upstream_port}/")
        ]
        assert outside == [], outside
        assert any(p.endswith("/static/sdk/index.js") for p in proxy.requests)
    finally:
        page.goto("about:blank")  # closes the live connection before the proxy goes
        proxy.stop()
