"""A test-only dashboard drawing the logdir's scalars with the SDK's CardGrid and LineChart."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore import hookimpl
from tbcore.data.provider import RunTagFilter
from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin, PluginContext
from tbcore.server.responses import JSONResponse

SCALARS = "scalars"


class ChartsPlugin(Plugin):
    """One card per scalar tag, one line per selected run."""

    name = "charts"
    title = "Charts <i>"  # markup in a title must show as text
    order = 10
    static_dir = Path(__file__).parent / "static"
    frontend = "charts.js"
    data_plugin_names = (SCALARS,)

    def routes(self) -> list[BaseRoute]:
        return [Route("/tags", self._tags), Route("/scalars", self._scalars)]

    def _tags(self, request: Request) -> Response:
        listing = self.provider.list_scalars(plugin_name=SCALARS)
        return JSONResponse({run: sorted(tags) for run, tags in listing.items()})

    def _scalars(self, request: Request) -> Response:
        tag = request.query_params.get("tag")
        if not tag:
            raise InvalidArgumentError("tag is required")
        runs = request.query_params.getlist("run")
        data = self.provider.read_scalars(
            plugin_name=SCALARS, run_tag_filter=RunTagFilter.of(runs=runs, tags=[tag])
        )
        return JSONResponse(
            {
                run: {"x": cols.step, "y": cols.value}
                for run, tags in data.items()
                for cols in tags.values()
            }
        )


class NeverActivePlugin(Plugin):
    """A dashboard with no data: its tab goes to the "Inactive" menu."""

    name = "idle"
    title = "Idle"
    order = 20
    static_dir = Path(__file__).parent / "static"
    frontend = "idle.js"
    data_plugin_names = ("nothing_writes_this",)


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    return [ChartsPlugin(context), NeverActivePlugin(context)]
