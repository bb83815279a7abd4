"""The hparams dashboard: TensorBoard's four routes (``experiment``, ``session_groups``,
``metric_evals``, ``download_data``) and the trial curves our UI shows."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.plugin import Plugin
from tbcore.server.responses import JSONResponse
from tbcore_hparams import download, trial_scalars
from tbcore_hparams.experiment import build_experiment, experiment_json
from tbcore_hparams.metadata import PLUGIN_NAME
from tbcore_hparams.metrics import metric_evals
from tbcore_hparams.model import read_hparams_data
from tbcore_hparams.request_bodies import (
    GetExperimentRequest,
    ListMetricEvalsRequest,
    ListSessionGroupsRequest,
    parse_body,
)
from tbcore_hparams.session_groups import filtered_sorted_groups, list_session_groups

QUERY_ROUTES = ("experiment", "session_groups", "metric_evals")
"""Routes that take a request message: a POST body, or the ``request`` parameter of a GET."""


class HparamsPlugin(Plugin):
    """Hyperparameter sweeps: which settings won, as a table, parallel coordinates and a
    scatter-plot matrix of trials."""

    name = "hparams"
    title = "HParams"
    order = 60
    data_plugin_names = (PLUGIN_NAME,)
    static_dir = Path(__file__).parent / "static"
    read_only_posts: ClassVar[frozenset[str]] = frozenset(QUERY_ROUTES)

    def routes(self) -> list[BaseRoute]:
        """TensorBoard's ``experiment``, ``session_groups``, ``metric_evals`` (POST, or GET
        with ``request``) and ``download_data``; our ``trial_scalars``."""
        return [
            Route("/experiment", self.experiment, methods=["GET", "POST"]),
            Route("/session_groups", self.session_groups, methods=["GET", "POST"]),
            Route("/metric_evals", self.metric_evals, methods=["GET", "POST"]),
            Route("/download_data", self.download_data),
            Route("/trial_scalars", self.trial_scalars),
        ]

    async def experiment(self, request: Request) -> Response:
        """The experiment: its hparams (with domains) and metrics."""
        raw = await _request_message(request)
        return JSONResponse(await run_in_threadpool(self._experiment, raw))

    def _experiment(self, raw: bytes | str | None) -> dict[str, object]:
        body = parse_body(GetExperimentRequest, raw)
        data = read_hparams_data(self.provider)
        experiment = build_experiment(
            self.provider, data, include_metrics=body.include_metrics is not False,
            hparams_limit=body.hparams_limit,
        )
        return experiment_json(experiment)

    async def session_groups(self, request: Request) -> Response:
        """One page of the session groups that pass the filters, sorted."""
        raw = await _request_message(request)
        return JSONResponse(await run_in_threadpool(self._session_groups, raw))

    def _session_groups(self, raw: bytes | str | None) -> dict[str, object]:
        body = parse_body(ListSessionGroupsRequest, raw)
        return list_session_groups(self.provider, body).json()

    async def metric_evals(self, request: Request) -> Response:
        """Every point of one session's metric: ``[[wall_time, step, value], ...]``."""
        raw = await _request_message(request)
        return JSONResponse(await run_in_threadpool(self._metric_evals, raw))

    def _metric_evals(self, raw: bytes | str | None) -> list[list[object]]:
        body = parse_body(ListMetricEvalsRequest, raw)
        name = body.metric_name
        return metric_evals(self.provider, body.session_name, name.group, name.tag)

    def download_data(self, request: Request) -> Response:
        """The session groups of ``request`` as CSV, JSON or LaTeX."""
        q = request.query_params
        fmt = download.check_format(q.get("format", ""))
        visibility = download.parse_visibility(q.get("columnsVisibility"))
        body = parse_body(ListSessionGroupsRequest, q.get("request"))
        data = read_hparams_data(self.provider)
        groups = filtered_sorted_groups(self.provider, body, data)
        page = groups[body.start_index : body.start_index + body.slice_size]
        experiment = build_experiment(self.provider, data, include_metrics=body.include_metrics is not False)
        header, rows = download.table(experiment, page, visibility)
        content, media_type = download.render(fmt, header, rows)
        if isinstance(content, dict):
            return JSONResponse(content)
        return Response(content, media_type=media_type)

    def trial_scalars(self, request: Request) -> Response:
        """Every scalar curve of one trial's runs (``session``, repeated: its sessions)."""
        sessions = request.query_params.getlist("session")
        return JSONResponse(trial_scalars.trial_scalars(self.provider, sessions))

    def write_demo_data(self, logdir: Path) -> None:
        """A small sweep: 24 trials of 4 hparams, 3 metrics, some repeated with two seeds."""
        from tbcore_hparams.demo import write_demo

        write_demo(logdir)


async def _request_message(request: Request) -> bytes | str | None:
    """The request message: the body of a POST, the ``request`` parameter of a GET."""
    if request.method == "POST":
        return await request.body()
    return request.query_params.get("request")
