"""The scalars dashboard: TensorBoard's routes, plus the columnar route our UI uses."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.data.provider import ScalarColumns
from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin
from tbcore.server.query_params import optional_float, optional_int
from tbcore.server.responses import FiniteJSONResponse, JSONResponse
from tbcore_scalars import queries, row_streams
from tbcore_scalars.binary_columns import encode_columns
from tbcore_scalars.metadata import PLUGIN_NAME
from tbcore_scalars.row_streams import streamed
from tbcore_scalars.run_hparams import run_hparams


class ScalarsPlugin(Plugin):
    """Curves of scalar summaries (loss, accuracy, learning rate, ...) across runs."""

    name = "scalars"
    title = "Scalars"
    order = 10
    data_plugin_names = (PLUGIN_NAME,)
    static_dir = Path(__file__).parent / "static"
    read_only_posts: ClassVar[frozenset[str]] = frozenset({"scalars_multirun"})

    def routes(self) -> list[BaseRoute]:
        """``tags``, ``scalars``, ``scalars_multirun`` (TensorBoard's), ``series`` and
        ``run_hparams``."""
        return [
            Route("/tags", self.tags),
            Route("/scalars", self.scalars),
            Route("/scalars_multirun", self.scalars_multirun, methods=["POST"]),
            Route("/series", self.series),
            Route("/run_hparams", self.run_hparams),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {displayName, description}}}``."""
        return JSONResponse(queries.tags_index(self.provider))

    def scalars(self, request: Request) -> Response:
        """One run and tag: ``[[wall_time, step, value], ...]``, or a CSV/JSON download."""
        q = request.query_params
        cols = queries.single_series(
            self.provider, q.get("run", ""), q.get("tag", ""), optional_int(q, "samples")
        )
        fmt = q.get("format", "")
        if fmt == "csv":
            return streamed(row_streams.rows_csv(cols), media_type="text/csv")
        if fmt not in ("", "json"):
            raise InvalidArgumentError(f"format must be csv or json, got {fmt!r}")
        return streamed(row_streams.rows_json(cols))

    async def scalars_multirun(self, request: Request) -> Response:
        """Form fields ``tag`` (once) and ``runs`` (repeated): ``{run: rows}``."""
        body = await request.body()
        data = await run_in_threadpool(self._read_multirun, body)
        return streamed(row_streams.rows_by_name_json(data))

    def _read_multirun(self, body: bytes) -> dict[str, ScalarColumns]:
        form = parse_qs(body.decode("utf-8", "replace"))
        tags = form.get("tag", [])
        if len(tags) != 1:
            raise InvalidArgumentError("tag must be specified exactly once")
        return queries.read_series(self.provider, form.get("runs", []), tags[0])

    def series(self, request: Request) -> Response:
        """All requested runs (``run``, repeated; none = all) of ``tag`` as columns, in JSON
        or (``format=binary``) as raw arrays; with ``since`` (once per run), only the points
        each run gained since the client's last fetch."""
        q = request.query_params
        fmt = q.get("format", "json")
        if fmt not in ("json", "binary"):
            raise InvalidArgumentError(f"format must be json or binary, got {fmt!r}")
        runs = q.getlist("run")
        since = q.getlist("since")
        if since and len(since) != len(runs):
            raise InvalidArgumentError("since must be given once per run, in the order of run")
        data = queries.columnar(
            self.provider,
            runs or None,
            q.get("tag", ""),
            x=q.get("x", "step"),
            x_min=optional_float(q, "xmin"),
            x_max=optional_float(q, "xmax"),
            buckets=optional_int(q, "buckets"),
            columns=q.get("columns", ",".join(queries.COLUMNS)).split(","),
            since={run: held for run, text in zip(runs, since) if (held := queries.HeldPoints.parse(text))},
        )
        if fmt == "binary":
            return Response(encode_columns(data), media_type="application/octet-stream")
        return FiniteJSONResponse({run: cols.json() for run, cols in data.items()})

    def run_hparams(self, request: Request) -> Response:
        """Each run's hparam values, for grouping runs by one of them."""
        return JSONResponse(run_hparams(self.provider))

    def write_demo_data(self, logdir: Path) -> None:
        """Curves with a spike, NaN and infinities, and a run that restarted."""
        from tbcore_scalars.demo import write_demo

        write_demo(logdir)
