"""The custom-scalars dashboard: charts laid out by the ``Layout`` a run wrote."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.data.provider import DataProvider, RunTagFilter, ScalarColumns
from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin
from tbcore.proto import plugin_custom_scalar_pb2
from tbcore.server.responses import JSONResponse
from tbcore.user_regex import InvalidRegexError, UserRegex
from tbcore_scalars import queries, row_streams
from tbcore_scalars.metadata import (
    CUSTOM_SCALARS_CONFIG_TAG,
    CUSTOM_SCALARS_PLUGIN_NAME,
    PLUGIN_NAME,
)


def merged_layout(provider: DataProvider) -> dict[str, Any]:
    """Every run's layout merged, as TensorBoard does: categories by title, in run order; a
    category seen again gains the charts it did not have. ``{}`` when no run has one."""
    data = provider.read_tensors(
        plugin_name=CUSTOM_SCALARS_PLUGIN_NAME,
        downsample=1,
        run_tag_filter=RunTagFilter.of(tags=[CUSTOM_SCALARS_CONFIG_TAG]),
    )
    merged: plugin_custom_scalar_pb2.Layout | None = None
    by_title: dict[str, plugin_custom_scalar_pb2.Category] = {}
    for run in sorted(data):
        points = data[run][CUSTOM_SCALARS_CONFIG_TAG]
        if not points:
            continue
        layout = plugin_custom_scalar_pb2.Layout.FromString(bytes(points[-1].numpy.reshape(-1)[0]))
        if merged is None:
            merged = layout
            by_title = {c.title: c for c in merged.category}
            continue
        for category in layout.category:
            existing = by_title.get(category.title)
            if existing is None:
                added = merged.category.add()
                added.MergeFrom(category)
                by_title[category.title] = added
            else:
                existing.chart.extend(c for c in category.chart if c not in existing.chart)
    if merged is None:
        return {}
    return json_format.MessageToDict(merged, always_print_fields_with_no_presence=True)


def scalars_by_regex(
    provider: DataProvider, run: str, pattern: str
) -> tuple[bool, dict[str, ScalarColumns]]:
    """``(regex_valid, {tag: columns})``: every scalar tag of ``run`` matching ``pattern`` at
    its start (as TensorBoard's ``re.match``); an invalid pattern is not an error (TensorBoard
    answers ``regex_valid: false``), one too slow on the tags is."""
    if not pattern:
        return False, {}
    try:
        regex = UserRegex(pattern)
    except InvalidRegexError:
        return False, {}
    listed = provider.list_scalars(plugin_name=PLUGIN_NAME, run_tag_filter=RunTagFilter.of([run]))
    tags = regex.filter_matching(listed.get(run, {}))
    if not tags:
        return True, {}
    data = provider.read_scalars(plugin_name=PLUGIN_NAME, run_tag_filter=RunTagFilter.of([run], tags))
    return True, data.get(run, {})


def scalars_by_regex_json(valid: bool, series: dict[str, ScalarColumns]) -> Iterator[bytes]:
    """TensorBoard's answer, ``{"regex_valid": ..., "tag_to_events": {tag: rows}}``, in pieces."""
    yield b'{"regex_valid":' + (b"true" if valid else b"false") + b',"tag_to_events":'
    yield from row_streams.rows_by_name_json(series)
    yield b"}"


class CustomScalarsPlugin(Plugin):
    """Multi-line and margin charts defined by a layout summary."""

    name = "custom_scalars"
    title = "Custom Scalars"
    order = 11
    data_plugin_names = (CUSTOM_SCALARS_PLUGIN_NAME,)
    static_dir = Path(__file__).parent / "static"
    frontend = "custom_scalars.js"

    def routes(self) -> list[BaseRoute]:
        """``layout``, ``scalars`` (tag regex) and ``download_data``, as in TensorBoard."""
        return [
            Route("/layout", self.layout),
            Route("/scalars", self.scalars),
            Route("/download_data", self.download_data),
        ]

    def write_demo_data(self, logdir: Path) -> None:
        """A layout with a multi-line and a margin chart."""
        from tbcore_scalars.demo import write_custom_scalars_demo

        write_custom_scalars_demo(logdir)

    def layout(self, request: Request) -> Response:
        """The merged layout (``{}`` when there is none)."""
        return JSONResponse(merged_layout(self.provider))

    def scalars(self, request: Request) -> Response:
        """``?run=&tag=<regex>``: the matching tags' points."""
        q = request.query_params
        run = q.get("run", "")
        if not run:
            raise InvalidArgumentError("run must be given")
        valid, series = scalars_by_regex(self.provider, run, q.get("tag", ""))
        return row_streams.streamed(scalars_by_regex_json(valid, series))

    def download_data(self, request: Request) -> Response:
        """One series as CSV or JSON (like the scalars dashboard's download)."""
        q = request.query_params
        cols = queries.single_series(self.provider, q.get("run", ""), q.get("tag", ""), None)
        if q.get("format") == "csv":
            return row_streams.streamed(row_streams.rows_csv(cols), media_type="text/csv")
        return row_streams.streamed(row_streams.rows_json(cols))
