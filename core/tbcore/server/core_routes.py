"""The routes every tbcore server has, TensorBoard-compatible where TensorBoard has them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore import __version__
from tbcore.config import ServeConfig
from tbcore.data.provider import DataProvider
from tbcore.plugin_manager import PluginRecord, PluginRegistry
from tbcore.server.live import LiveUpdates
from tbcore.server.responses import JSONResponse, error_response

logger = logging.getLogger(__name__)


@dataclass
class AppState:
    """Everything the core routes need, shared by one app."""

    config: ServeConfig
    provider: DataProvider
    registry: PluginRegistry
    live: LiveUpdates


def core_routes(state: AppState) -> list[BaseRoute]:
    """``/data/runs``, ``/data/plugins_listing``, ``/data/environment``, ``/data/logdir``,
    ``/data/live`` and ``POST /data/reload``."""

    async def runs(request: Request) -> Response:
        listed = await asyncio.to_thread(state.provider.list_runs)
        ordered = sorted(
            listed,
            key=lambda r: (r.start_time if r.start_time is not None else float("inf"), r.run_name),
        )
        if request.query_params.get("with") == "start_time":
            return JSONResponse([{"name": r.run_name, "start_time": r.start_time} for r in ordered])
        return JSONResponse([r.run_name for r in ordered])

    async def plugins_listing(request: Request) -> Response:
        listing = await asyncio.to_thread(plugins_listing_data, state.registry)
        return JSONResponse(listing)

    async def environment(request: Request) -> Response:
        md = state.provider.experiment_metadata()
        return JSONResponse(
            {
                "version": __version__,
                "data_location": md.data_location,
                "window_title": state.config.window_title,
                "experiment_name": md.experiment_name,
                "experiment_description": md.experiment_description,
                "creation_time": md.creation_time,
            }
        )

    async def logdir(request: Request) -> Response:
        return JSONResponse({"logdir": state.config.logdir})

    async def reload(request: Request) -> Response:
        """Reload now; with ``?wait=1``, answer once done with what changed."""
        if request.query_params.get("wait") in ("1", "true"):
            reload_now = getattr(state.provider, "reload", None)
            if reload_now is None:
                return error_response(501, "this data provider does not reload")
            report = await asyncio.to_thread(reload_now)
            return JSONResponse(report.to_json())
        request_reload = getattr(state.provider, "request_reload", None)
        if request_reload is None:
            return error_response(501, "this data provider does not reload")
        request_reload()
        return JSONResponse({"reloading": True})

    return [
        Route("/data/runs", runs),
        Route("/data/plugins_listing", plugins_listing),
        Route("/data/environment", environment),
        Route("/data/logdir", logdir),
        Route("/data/live", state.live.endpoint),
        Route("/data/reload", reload, methods=["POST"]),
    ]


def plugins_listing_data(registry: PluginRegistry) -> dict[str, dict[str, object]]:
    """TensorBoard's ``plugins_listing`` shape plus tbcore's module URL, status and error."""
    out: dict[str, dict[str, object]] = {}
    for record in registry.ordered_records():
        out[record.name] = _listing_entry(record, registry)
    return out


def _listing_entry(record: PluginRecord, registry: PluginRegistry) -> dict[str, object]:
    plugin = record.plugin
    if plugin is None or record.broken:
        return {
            "enabled": False,
            "tab_name": (plugin.title or plugin.name) if plugin else record.name,
            "title": (plugin.title or plugin.name) if plugin else record.name,
            "order": plugin.order if plugin else 10**6,
            "module": None,
            "status": "broken",
            "error": record.error,
            "version": plugin.version if plugin else "",
            "source": record.source,
            "disable_reload": False,
            "remove_dom": False,
            "loading_mechanism": {"type": "NONE"},
        }
    try:
        active = bool(plugin.is_active())
    except Exception as e:  # noqa: BLE001 - a failing is_active disables that plugin only
        registry.mark_broken(plugin.name, f"is_active raised {type(e).__name__}: {e}")
        return _listing_entry(record, registry)
    module = (
        f"data/plugin/{plugin.name}/static/{plugin.frontend}"
        if plugin.frontend and plugin.static_dir
        else None
    )
    return {
        "enabled": active,
        "tab_name": plugin.title or plugin.name,
        "title": plugin.title or plugin.name,
        "order": plugin.order,
        "module": module,
        "status": "active" if active else "inactive",
        "error": None,
        "version": plugin.version,
        "source": record.source,
        "disable_reload": plugin.disable_reload,
        "remove_dom": plugin.remove_dom,
        "loading_mechanism": (
            {"type": "JS_MODULE", "module_path": module} if module else {"type": "NONE"}
        ),
    }
