"""Live updates: a server-sent-events stream telling pages which runs and tags changed.

Each ``change`` event carries :meth:`ReloadReport.to_json`: ``new_runs``, ``changed``
(``{run: [tags]}``) and ``removed_runs`` (runs whose event files are all gone).

The provider's reload thread reports changes; each connected page has a small queue fed
from that thread through the event loop, so a page learns about new data within a reload
interval of it being flushed, without polling any series.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse

from tbcore.data.logdir_provider import ReloadReport

KEEPALIVE_SECONDS = 15.0
_QUEUE_LIMIT = 100


class LiveUpdates:
    """Fans reload reports out to every connected page."""

    def __init__(self) -> None:
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = set()

    @property
    def client_count(self) -> int:
        """Number of pages listening."""
        return len(self._clients)

    def publish(self, report: ReloadReport) -> None:
        """Send a reload report to every page (callable from any thread)."""
        message = json.dumps(report.to_json(), separators=(",", ":"))
        for loop, queue in list(self._clients):
            try:
                loop.call_soon_threadsafe(_offer, queue, message)
            except RuntimeError:  # the loop closed
                self._clients.discard((loop, queue))

    async def endpoint(self, request: Request) -> StreamingResponse:
        """``GET /data/live``: the event stream."""
        queue: asyncio.Queue[str] = asyncio.Queue(_QUEUE_LIMIT)
        client = (asyncio.get_running_loop(), queue)
        self._clients.add(client)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n: connected\n\n"
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                    except asyncio.TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    yield f"event: change\ndata: {message}\n\n"
            finally:
                self._clients.discard(client)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )


def _offer(queue: asyncio.Queue[str], message: str) -> None:
    if queue.full():
        # A page that stopped reading loses old news, never the newest.
        queue.get_nowait()
    queue.put_nowait(message)
