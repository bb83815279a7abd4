"""The Time Series dashboard: TensorBoard 2.x's ``tags``, ``timeSeries`` and ``imageData``,
and, for our UI, the scalars, histograms and images dashboards' fast routes under
``scalars/``, ``histograms/`` and ``images/`` (answered by those dashboards' own code)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tbcore.plugin import Plugin, PluginContext
from tbcore.server.responses import JSONResponse
from tbcore_histograms.plugin import HistogramsPlugin
from tbcore_media.plugin import ImagesPlugin
from tbcore_media.sample_counts import SampleCounts
from tbcore_scalars.plugin import ScalarsPlugin
from tbcore_timeseries import queries
from tbcore_timeseries.form_body import form_field
from tbcore_timeseries.metadata import DATA_PLUGIN_NAMES, PLUGIN_NAME

STATIC_DIR = Path(__file__).parent / "static"


class TimeSeriesPlugin(Plugin):
    """Scalars, histograms and images of every run in one grid of cards (the first tab)."""

    name = PLUGIN_NAME
    title = "Time Series"
    order = 0
    data_plugin_names = DATA_PLUGIN_NAMES
    static_dir = STATIC_DIR
    frontend = "index.js"
    read_only_posts: ClassVar[frozenset[str]] = frozenset({"timeSeries"})

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.sample_counts = SampleCounts()
        # The other dashboards' routes, served here too so that this tab works without them.
        self._scalars = ScalarsPlugin(context)
        self._histograms = HistogramsPlugin(context)
        self._images = ImagesPlugin(context)

    def routes(self) -> list[BaseRoute]:
        """TensorBoard's ``tags``, ``timeSeries`` (GET or POST) and ``imageData``; the
        scalars ``series``, histograms ``histograms_multirun`` and images ``images_index`` and
        ``individualImage`` routes under their dashboard's name."""
        return [
            Route("/tags", self.tags),
            Route("/timeSeries", self.time_series, methods=["GET", "POST"]),
            Route("/imageData", self.image_data),
            Route("/scalars/series", self._scalars.series),
            Route("/scalars/scalars", self._scalars.scalars),
            Route("/histograms/histograms_multirun", self._histograms.histograms_multirun),
            Route("/images/images_index", self._images.images_index),
            Route("/images/individualImage", self._images.individual_image),
        ]

    def tags(self, request: Request) -> Response:
        """``{scalars: {...}, histograms: {...}, images: {...}}`` (see http_api.md)."""
        return JSONResponse(queries.tags_index(self.provider, self.sample_counts))

    async def time_series(self, request: Request) -> Response:
        """``requests`` (a JSON list, in the form body of a POST or the query of a GET): one
        answer per request."""
        if request.method == "POST":
            text = form_field(await request.body(), request.headers.get("content-type", ""), "requests")
        else:
            text = request.query_params.get("requests")
        requests = queries.parse_requests(text)
        # A sync iterator: Starlette makes each piece in a worker thread, as it is sent.
        return StreamingResponse(queries.time_series(self.provider, requests), media_type="application/json")

    def image_data(self, request: Request) -> Response:
        """``imageId``: the image's bytes, typed by sniffing them."""
        data, media_type = queries.image_data(self.provider, request.query_params.get("imageId", ""))
        return Response(data, media_type=media_type, headers={"cache-control": "private, max-age=86400"})
