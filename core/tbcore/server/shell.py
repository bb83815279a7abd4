"""The single HTML page of the browser app, with its import map and Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable

from starlette.responses import HTMLResponse


def shell_page(title: str, modules: Iterable[str] = ()) -> HTMLResponse:
    """The shell page. Every URL in it is relative to the page (an import map's addresses are
    resolved against the document's base URL when the map is read), so the page works under
    any path prefix, also one a proxy strips (jupyter-server-proxy, JupyterHub), without a
    flag. ``modules`` (paths under ``static/``) are preloaded: the browser fetches the
    shell's whole module graph at once instead of one import level after another."""
    static_base = "./static"
    import_map = json.dumps(
        {
            "imports": {
                "@tbcore/sdk": f"{static_base}/sdk/index.js",
                "@tbcore/sdk/": f"{static_base}/sdk/",
                "uplot": f"{static_base}/vendor/uPlot.esm.js",
                # Web workers do not see import maps: a page module passes a worker the URL
                # that import.meta.resolve("@dagrejs/dagre") gives, and the worker imports that.
                "@dagrejs/dagre": f"{static_base}/vendor/dagre.esm.js",
                "three": f"{static_base}/vendor/three.module.js",
                "three/addons/controls/OrbitControls.js": f"{static_base}/vendor/three.OrbitControls.js",
            }
        },
        separators=(",", ":"),
    )
    digest = base64.b64encode(hashlib.sha256(import_map.encode("utf-8")).digest()).decode("ascii")
    body = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="icon" href="./static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="./static/vendor/uPlot.min.css">'
        '<link rel="stylesheet" href="./static/shell.css">'
        f'<script type="importmap">{import_map}</script>'
        + "".join(
            f'<link rel="modulepreload" href="{html.escape(f"{static_base}/{m}")}">' for m in modules
        )
        + '<script type="module" src="./static/shell.js"></script>'
        '</head><body><div id="tbcore-app"></div></body></html>\n'
    )
    csp = (
        "default-src 'self'; "
        f"script-src 'self' 'sha256-{digest}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; "
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return HTMLResponse(body, headers={"content-security-policy": csp, "cache-control": "no-cache"})
