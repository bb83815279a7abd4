"""The example dashboard: its routes, and the pure functions behind them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.data.provider import DataProvider
from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin
from tbcore.server.responses import JSONResponse
from tbcore_example_dashboard.metadata import PLUGIN_NAME, SCALARS_PLUGIN_NAME

MAX_NAME_LENGTH = 100


def runs_summary(provider: DataProvider) -> list[dict[str, Any]]:
    """One entry per run, in the provider's order: its scalar tags and its latest step.

    ``latest_step`` is ``None`` for a run without scalars.
    """
    scalars = provider.list_scalars(plugin_name=SCALARS_PLUGIN_NAME)
    out = []
    for run in provider.list_runs():
        series = scalars.get(run.run_name, {})
        out.append(
            {
                "run": run.run_name,
                "scalar_tags": len(series),
                "latest_step": max((s.max_step for s in series.values()), default=None),
                "tags": sorted(series),
            }
        )
    return out


def greeting(name: str) -> dict[str, str]:
    """A greeting for ``name`` (``"world"`` when empty)."""
    name = name.strip() or "world"
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgumentError(f"name is longer than {MAX_NAME_LENGTH} characters")
    return {"message": f"Hello, {name}!"}


class ExamplePlugin(Plugin):
    """A table of runs with their number of scalar tags and latest step."""

    name = PLUGIN_NAME
    title = "Example"
    order = 900
    static_dir = Path(__file__).parent / "static"
    frontend = "index.js"

    def routes(self) -> list[BaseRoute]:
        """``GET runs_summary`` and ``GET hello?name=``."""
        return [
            Route("/runs_summary", self._runs_summary),
            Route("/hello", self._hello),
        ]

    def is_active(self) -> bool:
        """Always shown: the table is useful even before any scalar is written."""
        return True

    def write_demo_data(self, logdir: Path) -> None:
        """Nothing to write: the table summarizes the scalars other dashboards' demos write."""

    def _runs_summary(self, request: Request) -> Response:
        return JSONResponse(runs_summary(self.provider))

    def _hello(self, request: Request) -> Response:
        return JSONResponse(greeting(request.query_params.get("name", "")))
