"""The projector and mesh dashboards: TensorBoard's routes, plus server-side PCA and nearest
neighbours for the projector's page."""

from __future__ import annotations

import collections
import json
import threading
import time
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin, PluginContext
from tbcore.server.query_params import optional_float, optional_int
from tbcore.server.responses import JSONResponse
from tbcore_projector import meshes, projections
from tbcore_projector.layout_jobs import LayoutJobs, LayoutRequest, TsneRequest, UmapRequest
from tbcore_projector.metadata import MESH_PLUGIN_NAME, PROJECTOR_PLUGIN_NAME
from tbcore_projector.projector_files import ProjectorFiles

STATIC_DIR = Path(__file__).parent / "static"
OCTET_STREAM = "application/octet-stream"
ACTIVE_RECHECK_SECONDS = 10.0
PCA_CACHE_SIZE = 4


def _num_rows(q: QueryParams) -> int | None:
    """TensorBoard's ``num_rows``: absent or empty for all rows, else an integer > 0."""
    value = q.get("num_rows")
    if not value:
        return None
    try:
        rows = int(value)
    except ValueError:
        rows = 0
    if rows <= 0:
        raise InvalidArgumentError("query parameter num_rows must be integer > 0")
    return rows


def _run_and_name(q: QueryParams) -> tuple[str, str]:
    """``run`` (required: 400 when absent) and ``name`` (``""`` when absent: 400 later)."""
    run = q.get("run")
    if not run:
        raise InvalidArgumentError('query parameter "run" is required')
    name = q.get("name")
    if name is None:
        raise InvalidArgumentError('query parameter "name" is required')
    return run, name


class CustomProjectionRequest(BaseModel):
    """Body of the ``custom_projection`` route: two groups of point indices per axis."""

    model_config = ConfigDict(extra="forbid")
    run: str
    name: str
    x: tuple[list[int], list[int]]
    y: tuple[list[int], list[int]]


M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M], raw: bytes) -> M:
    """A route's JSON body as ``model``; a 400 naming the field that is wrong."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'body'}: {item['msg']}"
            for item in e.errors(include_url=False)[:5]
        )
        raise InvalidArgumentError(f"invalid {model.__name__}: {problems}") from None


class ProjectorPlugin(Plugin):
    """The embedding projector: points of a run's embeddings, PCA, neighbours, metadata."""

    name = PROJECTOR_PLUGIN_NAME
    title = "Projector"
    order = 80
    static_dir = STATIC_DIR
    frontend = "projector.js"
    disable_reload = True

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.files = ProjectorFiles(context.provider, context.config.logdir)
        self._active_checked = -float("inf")
        self._active = False
        self._active_runs = -1
        self._pca: collections.OrderedDict[tuple[object, ...], projections.Pca] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self._computing = threading.Lock()
        self.layouts = LayoutJobs()

    def is_active(self) -> bool:
        """Whether a run has an embedding; once true it stays true (as in TensorBoard). A
        false answer is checked again when the number of runs changes or after a few
        seconds, not at every call (it lists every run's files)."""
        if self._active:
            return True
        now, runs = time.monotonic(), len(self.provider.list_runs())
        if runs != self._active_runs or now - self._active_checked > ACTIVE_RECHECK_SECONDS:
            self._active_checked, self._active_runs = now, runs
            self._active = bool(self.files.runs())
        return self._active

    def routes(self) -> list[BaseRoute]:
        """TensorBoard's ``runs``, ``info``, ``tensor``, ``metadata``, ``sprite_image``,
        ``bookmarks``; ours: ``pca``, ``pca_positions``, ``neighbors``, ``tsne``,
        ``tsne_positions``, ``umap``, ``umap_positions``, ``custom_projection``."""
        return [
            Route("/runs", self.runs),
            Route("/info", self.info),
            Route("/tensor", self.tensor),
            Route("/metadata", self.metadata),
            Route("/sprite_image", self.sprite_image),
            Route("/bookmarks", self.bookmarks),
            Route("/pca", self.pca),
            Route("/pca_positions", self.pca_positions),
            Route("/neighbors", self.neighbors),
            Route("/tsne", self.tsne, methods=["POST"]),
            Route("/custom_projection", self.custom_projection, methods=["POST"]),
            Route("/tsne_positions", self.tsne_positions),
            Route("/umap", self.umap, methods=["POST"]),
            Route("/umap_positions", self.umap_positions),
        ]

    def runs(self, request: Request) -> Response:
        """``[run]``: the runs with at least one embedding."""
        return JSONResponse(self.files.runs())

    def info(self, request: Request) -> Response:
        """``run``: its completed ``ProjectorConfig`` as JSON."""
        run = request.query_params.get("run")
        if run is None:
            raise InvalidArgumentError('query parameter "run" is required')
        return Response(self.files.info(run), media_type="application/json")

    def tensor(self, request: Request) -> Response:
        """``run``, ``name``, ``num_rows``: the embedding as little-endian float32 bytes."""
        q = request.query_params
        run, name = _run_and_name(q)
        values = self.files.tensor(run, name, _num_rows(q))
        return Response(values.astype("<f4", copy=False).tobytes(), media_type=OCTET_STREAM)

    def metadata(self, request: Request) -> Response:
        """``run``, ``name``, ``num_rows``: the metadata TSV (header row kept)."""
        q = request.query_params
        run, name = _run_and_name(q)
        text = self.files.metadata(run, name, _num_rows(q))
        return Response(text, media_type="text/plain")

    def sprite_image(self, request: Request) -> Response:
        """``run``, ``name``: the sprite image's bytes, typed by sniffing them."""
        data, mime = self.files.sprite_image(*_run_and_name(request.query_params))
        return Response(data, media_type=mime)

    def bookmarks(self, request: Request) -> Response:
        """``run``, ``name``: the bookmarks JSON file as it is."""
        data = self.files.bookmarks(*_run_and_name(request.query_params))
        return Response(data, media_type="application/json")

    def _pca_of(self, q: QueryParams) -> projections.Pca:
        run, name = _run_and_name(q)
        components = optional_int(q, "components") or 3
        values = self.files.tensor(run, name)
        key = (run, name, components, id(values), values.shape)
        with self._lock:
            if key in self._pca:
                self._pca.move_to_end(key)
                return self._pca[key]
        with self._computing:  # the page asks for the summary and positions at once
            with self._lock:
                if key in self._pca:
                    return self._pca[key]
            result = projections.pca(values, components)
            with self._lock:
                self._pca[key] = result
                while len(self._pca) > PCA_CACHE_SIZE:
                    self._pca.popitem(last=False)
        return result

    def pca(self, request: Request) -> Response:
        """``run``, ``name``, ``components`` (3): ``{num_points, dimensions, components,
        variance_explained, total_variance}``."""
        q = request.query_params
        result = self._pca_of(q)
        values = self.files.tensor(*_run_and_name(q))
        return JSONResponse(
            {
                "num_points": int(values.shape[0]),
                "dimensions": int(values.shape[1]) if values.ndim == 2 else 0,
                "components": int(result.positions.shape[1]),
                "variance_explained": result.variance_explained,
                "total_variance": result.total_variance,
            }
        )

    def pca_positions(self, request: Request) -> Response:
        """``run``, ``name``, ``components`` (3): ``[N, components]`` float32 bytes."""
        result = self._pca_of(request.query_params)
        return Response(
            np.ascontiguousarray(result.positions, dtype="<f4").tobytes(), media_type=OCTET_STREAM
        )

    def neighbors(self, request: Request) -> Response:
        """``run``, ``name``, ``index``, ``count`` (10), ``metric`` (cosine or euclidean):
        ``[{index, distance}]`` nearest first, in the embedding's own space."""
        q = request.query_params
        run, name = _run_and_name(q)
        index = optional_int(q, "index")
        if index is None:
            raise InvalidArgumentError('query parameter "index" is required')
        values = self.files.tensor(run, name)
        count = optional_int(q, "count") or 10
        metric = q.get("metric", "cosine")
        return JSONResponse(projections.neighbors(values, index, count, metric))

    async def tsne(self, request: Request) -> Response:
        """POST ``{run, name, perplexity, learning_rate, iterations, dimensions}``: starts
        (or finds) the t-SNE job of that tensor and parameters; its progress."""
        raw = await request.body()
        return JSONResponse(await run_in_threadpool(self._start_layout, TsneRequest, raw))

    async def umap(self, request: Request) -> Response:
        """POST ``{run, name, neighbors, min_dist, epochs, dimensions}``: starts (or finds)
        the UMAP job of that tensor and parameters; its progress."""
        raw = await request.body()
        return JSONResponse(await run_in_threadpool(self._start_layout, UmapRequest, raw))

    def _start_layout(self, model: type[LayoutRequest], raw: bytes) -> dict[str, object]:
        body = parse_body(model, raw)
        values = self.files.tensor(body.run, body.name)
        return self.layouts.start(body, values, (id(values), values.shape)).progress()

    async def custom_projection(self, request: Request) -> Response:
        """POST ``{run, name, x: [[from], [to]], y: [[from], [to]]}`` (point indices, e.g. two
        searches' matches per axis): ``[N, 2]`` float32 positions along those directions."""
        raw = await request.body()
        data = await run_in_threadpool(self._custom_projection, raw)
        return Response(data, media_type=OCTET_STREAM)

    def _custom_projection(self, raw: bytes) -> bytes:
        body = parse_body(CustomProjectionRequest, raw)
        values = self.files.tensor(body.run, body.name)
        positions = projections.custom_projection(values, body.x, body.y)
        return np.ascontiguousarray(positions, dtype="<f4").tobytes()

    def tsne_positions(self, request: Request) -> Response:
        """``job``: the t-SNE layout so far, ``[N, dimensions]`` float32 bytes (empty before
        the first snapshot); the progress in the ``x-tsne-progress`` header (JSON)."""
        return self._positions(request, "tsne")

    def umap_positions(self, request: Request) -> Response:
        """``job``: the UMAP layout so far, as ``tsne_positions`` gives t-SNE's, with the
        progress in ``x-umap-progress``."""
        return self._positions(request, "umap")

    def _positions(self, request: Request, kind: str) -> Response:
        job = self.layouts.get(request.query_params.get("job", ""), kind)
        iteration, positions = job.snapshot
        progress = {**job.progress(), "iteration": iteration}
        return Response(
            np.ascontiguousarray(positions, dtype="<f4").tobytes(),
            media_type=OCTET_STREAM,
            headers={f"x-{kind}-progress": json.dumps(progress), "cache-control": "no-store"},
        )

    def write_demo_data(self, logdir: Path) -> None:
        """Word-like clusters with labels, classes and thumbnails (``projector_demo``)."""
        from tbcore_projector.demo import write_projector_demo

        write_projector_demo(logdir)


class MeshPlugin(Plugin):
    """Meshes and point clouds over steps, drawn with three.js."""

    name = MESH_PLUGIN_NAME
    title = "Mesh"
    order = 85
    data_plugin_names = (MESH_PLUGIN_NAME,)
    static_dir = STATIC_DIR
    frontend = "mesh.js"

    def routes(self) -> list[BaseRoute]:
        """TensorBoard's ``tags``, ``meshes`` and ``data``."""
        return [
            Route("/tags", self.tags),
            Route("/meshes", self.meshes),
            Route("/data", self.data),
        ]

    def tags(self, request: Request) -> Response:
        """``{run: {tag: {"samples": n}}}``."""
        return JSONResponse(meshes.mesh_tags(self.provider))

    def meshes(self, request: Request) -> Response:
        """``run``, ``tag``: every part at every step, sorted by step."""
        q = request.query_params
        return JSONResponse(meshes.mesh_metadata(self.provider, q.get("run", ""), q.get("tag", "")))

    def data(self, request: Request) -> Response:
        """``run``, ``tag``, ``step``, ``content_type``, ``sample``: one part's values."""
        q = request.query_params
        data = meshes.mesh_data(
            self.provider,
            q.get("run", ""),
            q.get("tag", ""),
            optional_float(q, "step") or 0.0,
            q.get("content_type", ""),
            optional_int(q, "sample") or 0,
        )
        return Response(data, media_type=OCTET_STREAM)

    def write_demo_data(self, logdir: Path) -> None:
        """A coloured torus knot whose twist changes over steps (``mesh_demo``)."""
        from tbcore_projector.demo import write_mesh_demo

        write_mesh_demo(logdir)
