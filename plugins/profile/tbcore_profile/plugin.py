"""The profile dashboard: routes that parse the request and call :mod:`tbcore_profile.queries`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin, PluginContext
from tbcore.server.query_params import optional_float, optional_int
from tbcore.server.responses import JSONResponse
from tbcore_profile import queries
from tbcore_profile.importers import collect_importers
from tbcore_profile.metadata import PLUGIN_NAME
from tbcore_profile.store import TraceStore

STATIC_DIR = Path(__file__).parent / "static"


class ProfilePlugin(Plugin):
    """Profiler traces: step-time breakdown, operators, kernels, memory, a timeline, a comparison
    of two traces and the distributed view."""

    name = PLUGIN_NAME
    title = "Profile"
    order = 60
    static_dir = STATIC_DIR
    frontend = "index.js"

    def __init__(self, context: PluginContext, importer_modules: Iterable[Any] = ()) -> None:
        """``importer_modules``: hook modules to ask for importers besides the installed ones."""
        super().__init__(context)
        self.store = TraceStore(self.provider, collect_importers(context, importer_modules))
        """The traces of this app's runs."""

    def routes(self) -> list[BaseRoute]:
        """The routes of ``http_api.md``."""
        return [
            Route("/runs", self._runs),
            Route("/overview", self._overview),
            Route("/operators", self._operators),
            Route("/kernels", self._kernels),
            Route("/memory", self._memory),
            Route("/timeline", self._timeline),
            Route("/timeline_search", self._timeline_search),
            Route("/timeline_selection", self._timeline_selection),
            Route("/compare", self._compare),
            Route("/distributed", self._distributed),
            Route("/operator_stacks", self._operator_stacks),
        ]

    def is_active(self) -> bool:
        """Whether any run holds a trace an importer reads."""
        return self.store.has_traces([run.run_name for run in self.provider.list_runs()])

    def write_demo_data(self, logdir: Path) -> None:
        """Runs with handmade Kineto traces (a CPU one and one with CUDA kernels) and, when
        the XPlane importer is installed, a TensorFlow GPU profile."""
        from tbcore_profile.demo import write_demo

        write_demo(logdir)
        try:
            from tbcore_xplane.demo import write_demo as write_xplane_demo
        except ImportError:
            return
        write_xplane_demo(logdir)

    def _runs(self, request: Request) -> Response:
        return JSONResponse({
            "runs": queries.runs(self.store),
            "importers": [i.name for i in self.store.importers.importers],
            "importer_errors": self.store.importers.errors,
        })

    def _overview(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        return JSONResponse(queries.overview(self.store, run, trace))

    def _operators(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        group_by = request.query_params.get("group_by") or "name"
        return JSONResponse(queries.operators(self.store, run, trace, group_by))

    def _operator_stacks(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        q = request.query_params
        return JSONResponse(queries.operator_call_stacks(self.store, run, trace, q.get("name"), q.get("input_shape")))

    def _compare(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        q = request.query_params
        return JSONResponse(queries.compare(self.store, run, trace, q.get("base_run"), q.get("base_trace") or None,
                                            q.get("group_by") or "name"))

    def _distributed(self, request: Request) -> Response:
        run = request.query_params.get("run")
        if not run:
            raise InvalidArgumentError("run must be given")
        return JSONResponse(queries.distributed(self.store, run, optional_int(request.query_params, "span")))

    def _kernels(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        group_by = request.query_params.get("group_by") or "name"
        return JSONResponse(queries.kernels(self.store, run, trace, group_by))

    def _memory(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        return JSONResponse(queries.memory(self.store, run, trace, optional_int(request.query_params, "points")))

    def _timeline(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        q = request.query_params
        return JSONResponse(queries.timeline_view(
            self.store, run, trace,
            optional_float(q, "start"), optional_float(q, "end"), optional_int(q, "width"),
            optional_float(q, "min_duration"), optional_int(q, "limit"),
        ))

    def _timeline_search(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        q = request.query_params
        return JSONResponse(queries.timeline_search(self.store, run, trace, q.get("q"), optional_int(q, "limit")))

    def _timeline_selection(self, request: Request) -> Response:
        run, trace = _run_and_trace(request)
        q = request.query_params
        return JSONResponse(queries.timeline_selection(
            self.store, run, trace, optional_float(q, "start"), optional_float(q, "end"), q.get("lanes")))


def _run_and_trace(request: Request) -> tuple[str, str | None]:
    run = request.query_params.get("run")
    if not run:
        raise InvalidArgumentError("run must be given")
    return run, request.query_params.get("trace") or None
