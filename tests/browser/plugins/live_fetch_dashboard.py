"""A test-only dashboard that follows the plugin guide's pattern for live updates (§5, "Live
updates") and records every fetch it makes, for counting them when a run appears."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore import hookimpl
from tbcore.data.provider import RunTagFilter
from tbcore.plugin import Plugin, PluginContext
from tbcore.server.responses import JSONResponse

SCALARS = "scalars"


class LiveFetchPlugin(Plugin):
    """A table of the selected runs and how many scalar points each has."""

    name = "livefetch"
    title = "Live fetch"
    order = 50
    static_dir = Path(__file__).parent / "static"
    frontend = "live_fetch.js"
    data_plugin_names = (SCALARS,)

    def routes(self) -> list[BaseRoute]:
        return [Route("/points", self._points)]

    def _points(self, request: Request) -> Response:
        runs = request.query_params.getlist("run")
        data = self.provider.read_scalars(
            plugin_name=SCALARS, run_tag_filter=RunTagFilter.of(runs=runs)
        )
        return JSONResponse(
            {run: sum(len(cols.step) for cols in tags.values()) for run, tags in data.items()}
        )


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    return [LiveFetchPlugin(context)]
