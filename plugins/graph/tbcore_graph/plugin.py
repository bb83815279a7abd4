"""The graph dashboard: TensorBoard's ``info``, ``graph`` and ``run_metadata`` routes, plus
``graph_nodes`` and ``step_stats`` (the same data as JSON, for our UI)."""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin
from tbcore.server.query_params import optional_int
from tbcore.server.responses import JSONResponse
from tbcore_graph import queries
from tbcore_graph.graph_defs import check_attr_limits
from tbcore_graph.metadata import DATA_PLUGIN_NAMES, DEFAULT_LIMIT_ATTR_SIZE

STATIC_DIR = Path(__file__).parent / "static"
PBTXT = "text/x-protobuf"
"""TensorBoard's media type for text protobuf answers (sent with ``charset=utf-8``)."""


def _required(q: QueryParams, name: str) -> str:
    """A parameter that must be present (it may be empty: that names nothing, so 404)."""
    value = q.get(name)
    if value is None:
        raise InvalidArgumentError(f'query parameter "{name}" is required')
    return value


def _conceptual(q: QueryParams) -> bool:
    return q.get("conceptual") == "true"  # TensorBoard's rule: any other value is false


class GraphsPlugin(Plugin):
    """Model graphs: op graphs (``GraphDef``), Keras conceptual graphs and the step
    statistics of run metadata."""

    name = "graphs"
    title = "Graphs"
    order = 60
    data_plugin_names = DATA_PLUGIN_NAMES
    static_dir = STATIC_DIR
    frontend = "graphs.js"

    def routes(self) -> list[BaseRoute]:
        """``info``, ``graph``, ``run_metadata`` (TensorBoard's), ``graph_nodes`` and
        ``step_stats``."""
        return [
            Route("/info", self.info),
            Route("/graph", self.graph),
            Route("/run_metadata", self.run_metadata),
            Route("/graph_nodes", self.graph_nodes),
            Route("/step_stats", self.step_stats),
        ]

    def info(self, request: Request) -> Response:
        """``{run: {"run", "run_graph", "tags": {tag: {...}}}}``."""
        return JSONResponse(queries.graph_info(self.provider))

    def graph(self, request: Request) -> Response:
        """``run``, ``tag``, ``conceptual``, ``limit_attr_size``, ``large_attrs_key``: the
        graph as text protobuf."""
        q = request.query_params
        run = _required(q, "run")
        limit = optional_int(q, "limit_attr_size")
        large_attrs_key = q.get("large_attrs_key")
        check_attr_limits(limit, large_attrs_key)
        text = queries.graph_text(
            self.provider, run, q.get("tag"), _conceptual(q), limit, large_attrs_key
        )
        return Response(text, media_type=PBTXT)

    def run_metadata(self, request: Request) -> Response:
        """``run``, ``tag``: the ``RunMetadata`` as text protobuf."""
        q = request.query_params
        tag, run = _required(q, "tag"), _required(q, "run")
        return Response(queries.run_metadata_text(self.provider, run, tag), media_type=PBTXT)

    def graph_nodes(self, request: Request) -> Response:
        """``run``, ``tag``, ``conceptual``, ``limit_attr_size``: the graph's nodes as JSON."""
        q = request.query_params
        run, tag, conceptual = _required(q, "run"), q.get("tag"), _conceptual(q)
        limit = optional_int(q, "limit_attr_size")
        if limit is None:
            limit = DEFAULT_LIMIT_ATTR_SIZE
        check_attr_limits(limit, "")
        nodes = queries.graph_nodes(self.provider, run, tag, conceptual, limit)
        return JSONResponse({"run": run, "tag": tag, "conceptual": conceptual, **nodes})

    def step_stats(self, request: Request) -> Response:
        """``run``, ``tag``: per-node compute time, memory and device of a run metadata."""
        q = request.query_params
        tag, run = _required(q, "tag"), _required(q, "run")
        stats = queries.step_stats(self.provider, run, tag)
        return JSONResponse({"run": run, "tag": tag, **stats})

    def write_demo_data(self, logdir: Path) -> None:
        """A small convolutional model with repeated blocks, on two devices, with the step
        statistics of one run (written with the framework-free writer)."""
        from tbcore_graph.demo import write_demo

        write_demo(logdir)
