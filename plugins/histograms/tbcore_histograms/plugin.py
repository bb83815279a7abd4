"""The histograms and distributions dashboards: TensorBoard's routes, plus one route each
that answers for every selected run of a tag at once (what our UI uses)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.plugin import Plugin
from tbcore.server.query_params import optional_int
from tbcore.server.responses import FiniteJSONResponse, JSONResponse
from tbcore_histograms import queries
from tbcore_histograms.metadata import PLUGIN_NAME

STATIC_DIR = Path(__file__).parent / "static"


class HistogramsPlugin(Plugin):
    """Histograms of tensors (weights, activations, gradients) over steps, as ridgelines."""

    name = "histograms"
    title = "Histograms"
    order = 30
    data_plugin_names = (PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "histograms.js"

    def routes(self) -> list[BaseRoute]:
        """``tags``, ``histograms`` (TensorBoard's) and ``histograms_multirun``."""
        return [
            Route("/tags", self.tags),
            Route("/histograms", self.histograms),
            Route("/histograms_multirun", self.histograms_multirun),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {displayName, description}}}``."""
        return JSONResponse(queries.tags_index(self.provider))

    def histograms(self, request: Request) -> Response:
        """One run and tag: ``[[wall_time, step, [[left, right, count], ...]], ...]``."""
        q = request.query_params
        points = queries.single_series(
            self.provider, q.get("run", ""), q.get("tag", ""), optional_int(q, "samples")
        )
        return FiniteJSONResponse(queries.histogram_rows(points, arrays=True))

    def histograms_multirun(self, request: Request) -> Response:
        """``tag``, ``run`` (repeated; none = all runs), ``samples``: ``{run: {total, rows}}``."""
        q = request.query_params
        data = queries.multirun(
            self.provider,
            q.getlist("run") or None,
            q.get("tag", ""),
            optional_int(q, "samples"),
            lambda points: queries.histogram_rows(points, arrays=True),
        )
        return FiniteJSONResponse(data)

    def write_demo_data(self, logdir: Path) -> None:
        """Two runs of legacy ``HistogramProto`` events: drifting, widening and bimodal."""
        from tbcore_histograms.demo import write_demo

        write_demo(logdir)


class DistributionsPlugin(Plugin):
    """The same histograms as percentile bands over steps (TensorBoard's distributions)."""

    name = "distributions"
    title = "Distributions"
    order = 31
    data_plugin_names = (PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "distributions.js"

    def routes(self) -> list[BaseRoute]:
        """``tags``, ``distributions`` (TensorBoard's) and ``distributions_multirun``."""
        return [
            Route("/tags", self.tags),
            Route("/distributions", self.distributions),
            Route("/distributions_multirun", self.distributions_multirun),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {displayName, description}}}`` (the histogram tags)."""
        return JSONResponse(queries.tags_index(self.provider))

    def distributions(self, request: Request) -> Response:
        """One run and tag: ``[[wall_time, step, [[basis_point, value], ...9]], ...]``."""
        q = request.query_params
        points = queries.single_series(
            self.provider, q.get("run", ""), q.get("tag", ""), optional_int(q, "samples")
        )
        return FiniteJSONResponse(queries.distribution_rows(points))

    def distributions_multirun(self, request: Request) -> Response:
        """``tag``, ``run`` (repeated; none = all runs), ``samples``: ``{run: {total, rows}}``."""
        q = request.query_params
        data = queries.multirun(
            self.provider,
            q.getlist("run") or None,
            q.get("tag", ""),
            optional_int(q, "samples"),
            queries.distribution_rows,
        )
        return FiniteJSONResponse(data)

