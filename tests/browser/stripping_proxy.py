"""A reverse proxy that serves an upstream under a path prefix and strips that prefix before
forwarding, as jupyter-server-proxy and JupyterHub do (``/user/me/proxy/6006/x`` ->
``http://127.0.0.1:6006/x``). The upstream never learns the prefix: a page that works
through it may use relative URLs only. Responses are streamed (Server-Sent Events pass)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import aiohttp
from aiohttp import web

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "host",
}


class StrippingProxy:
    """Serve ``upstream`` under ``prefix`` on 127.0.0.1:``port``, in a thread of its own."""

    def __init__(self, upstream: str, prefix: str, port: int) -> None:
        self.upstream = upstream.rstrip("/")
        self.prefix = prefix.rstrip("/")
        self.port = port
        self.requests: list[str] = []
        """Every path asked for, prefixed or not (a request outside the prefix gets 404)."""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        """The page's URL through the proxy, ending in ``/``."""
        return f"http://127.0.0.1:{self.port}{self.prefix}/"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        app.on_cleanup.append(self._close_session)
        # A live connection (Server-Sent Events) never ends by itself: cancel it with its client.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _close_session(self, _app: web.Application) -> None:
        await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.path
        self.requests.append(path)
        if path == self.prefix:
            raise web.HTTPFound(self.prefix + "/")
        if not path.startswith(self.prefix + "/"):
            return web.Response(status=404, text="outside the proxied prefix")
        target = (
            self.upstream
            + path[len(self.prefix) :]
            + (f"?{request.query_string}" if request.query_string else "")
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        body = await request.read()
        async with self._session.request(
            request.method, target, headers=headers, data=body or None, allow_redirects=False
        ) as upstream:
            response = web.StreamResponse(status=upstream.status)
            for key, value in upstream.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    response.headers[key] = value
            await response.prepare(request)
            try:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
            except (ConnectionResetError, aiohttp.ClientError, asyncio.CancelledError):
                pass
            return response


def start_proxy(upstream: str, prefix: str, port: int) -> Any:
    """A started :class:`StrippingProxy`."""
    proxy = StrippingProxy(upstream, prefix, port)
    proxy.start()
    return proxy
