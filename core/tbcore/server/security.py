"""Security by default: headers on every response, Host checks, CSRF header on writes.

* Every response carries ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and
  ``X-Frame-Options``; HTML pages get their own Content-Security-Policy (see ``shell.py``).
* Bound to loopback (or given ``--allowed-host``), the server answers only requests whose
  Host is a loopback name or address, or an allowed name: this defeats DNS rebinding (a
  hostile page whose own name resolves to 127.0.0.1 reads nothing).
* Requests that may change state (any method but GET/HEAD/OPTIONS) must carry the header
  ``X-TBCore-Request: 1``, which a cross-site form cannot add; TensorBoard's read-only query
  POSTs (declared by plugins in ``Plugin.read_only_posts``) are exempt, as in TensorBoard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tbcore.config import is_loopback
from tbcore.server.responses import error_response

CSRF_HEADER = "x-tbcore-request"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityMiddleware:
    """ASGI middleware applying the rules above."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        check_host: bool,
        allowed_hosts: Iterable[str] = (),
        read_only_posts: Iterable[str] = (),
        path_prefix: str = "",
    ) -> None:
        self.app = app
        self.check_host = check_host
        self.allowed_hosts = frozenset(allowed_hosts)
        self.read_only_posts = frozenset(read_only_posts)
        # Paths are compared without the path prefix and the optional experiment part.
        self._route_path = re.compile(rf"^{re.escape(path_prefix)}(?:/experiment/[^/]+)?(/.*)$")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.check_host and not allowed_host(headers.get("host", ""), self.allowed_hosts):
            message = "requests must use a loopback host name (or one given with --allowed-host)"
            await error_response(403, message)(scope, receive, send)
            return
        if scope["method"] not in _SAFE_METHODS and not self._exempt(scope):
            if headers.get(CSRF_HEADER) != "1":
                message = f"this request changes state and needs the header {CSRF_HEADER}: 1"
                await error_response(403, message)(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                present = {k.lower() for k, _ in message["headers"]}
                message["headers"] = list(message["headers"]) + [
                    (k, v) for k, v in _HEADERS if k not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _exempt(self, scope: Scope) -> bool:
        match = self._route_path.match(scope["path"])
        return scope["method"] == "POST" and match is not None and match.group(1) in self.read_only_posts


def allowed_host(host_header: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether a request's ``Host`` header names a loopback address (``localhost``,
    127.0.0.0/8, ``[::1]``) or one of ``names``, with or without a port.

    A name that merely starts with ``127`` or resolves to 127.0.0.1 (``127.0.0.1.nip.io``,
    a rebound attacker's domain) is refused: only the browser's view of the name counts."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1 :]
    else:
        name, _, port = host.partition(":")
        rest = f":{port}" if _ else ""
    if rest and not (rest.startswith(":") and rest[1:].isascii() and rest[1:].isdigit()):
        return False
    return is_loopback(name) or name in names or name.rstrip(".") in names
