"""What the graph routes compute, as pure functions of the data provider.

Every function returns plain data or protos (or raises a :class:`tbcore.errors.PublicError`);
the routes in ``plugin.py`` only parse requests and encode answers. Where a run holds several
points of a series (a graph written twice), the latest one is read, as TensorBoard does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import DecodeError

from tbcore.data.provider import DataProvider, RunTagFilter
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.proto import config_pb2, graph_pb2, meta_graph_pb2
from tbcore_graph import metadata
from tbcore_graph.graph_defs import cut_large_attrs, merge_function_graphs
from tbcore_graph.keras_graph import keras_model_to_graph_def, layer_shapes
from tbcore_graph.node_table import graph_json, step_stats_json

logger = logging.getLogger(__name__)


def _tag_item(info: dict[str, Any], run: str, tag: str | None) -> dict[str, Any] | None:
    run_item = info.setdefault(run, {"run": run, "tags": {}, "run_graph": False})
    if tag is None:
        return None
    item: dict[str, Any] = run_item["tags"].setdefault(
        tag, {"tag": tag, "conceptual_graph": False, "op_graph": False, "profile": False}
    )
    return item


def _versioned_tags(provider: DataProvider, plugin: str) -> list[tuple[str, str]]:
    """(run, tag) of the series of ``plugin`` written in the version we read."""
    found = []
    for run, tags in provider.list_blob_sequences(plugin_name=plugin).items():
        for tag, series in tags.items():
            if series.plugin_content != metadata.SUMMARY_VERSION:
                logger.warning("run %r, tag %r: unknown %s version, skipped", run, tag, plugin)
                continue
            found.append((run, tag))
    return found


def graph_info(provider: DataProvider) -> dict[str, dict[str, Any]]:
    """TensorBoard's ``info``: ``{run: {"run", "run_graph", "tags": {tag: {"tag",
    "conceptual_graph", "op_graph", "profile"}}}}`` for every run with a graph or run metadata.

    ``run_graph`` is true for a run-wide ``GraphDef``, and also (unlike TensorBoard 2.21,
    whose data provider does not read meta graphs) for a run whose only graph is the one
    inside a ``MetaGraphDef``.
    """
    info: dict[str, dict[str, Any]] = {}
    for run, tag in _versioned_tags(provider, metadata.RUN_METADATA_WITH_GRAPH):
        _tag_item(info, run, tag)["op_graph"] = True  # type: ignore[index]
    for run, tag in _versioned_tags(provider, metadata.RUN_METADATA):
        item = _tag_item(info, run, tag)
        item["profile"] = item["op_graph"] = True  # type: ignore[index]
    for run, tag in _versioned_tags(provider, metadata.KERAS_MODEL):
        _tag_item(info, run, tag)["conceptual_graph"] = True  # type: ignore[index]
    for run, tags in provider.list_blob_sequences(plugin_name=metadata.PLUGIN_NAME).items():
        if metadata.RUN_GRAPH_TAG in tags or _meta_graph_has_graph(provider, run, tags):
            _tag_item(info, run, None)
            info[run]["run_graph"] = True
    for run, tags in provider.list_blob_sequences(plugin_name=metadata.TAGGED_RUN_METADATA).items():
        for tag in tags:
            _tag_item(info, run, tag)["profile"] = True  # type: ignore[index]
    return info


def _meta_graph_has_graph(provider: DataProvider, run: str, tags: dict[str, Any]) -> bool:
    if metadata.META_GRAPH_TAG not in tags:
        return False
    try:
        return _graph_of_meta_graph(provider, run) is not None
    except NotFoundError:
        return False


def read_latest_blob(provider: DataProvider, plugins: Sequence[str], run: str, tag: str) -> bytes:
    """The first blob of the latest point of ``tag`` in ``run``, from the first of ``plugins``
    that has it; :class:`NotFoundError` when none does."""
    for plugin in plugins:
        data = provider.read_blob_sequences(
            plugin_name=plugin, downsample=1, run_tag_filter=RunTagFilter.of([run], [tag])
        )
        points = data.get(run, {}).get(tag)
        if points and points[-1].values:
            return provider.read_blob(blob_key=points[-1].values[0].blob_key)
    raise NotFoundError(f"no graph data for run {run!r}, tag {tag!r}")


def _parse(message: Any, data: bytes, what: str) -> Any:
    try:
        message.ParseFromString(data)
    except DecodeError:
        raise InvalidArgumentError(f"the {what} is not a valid protobuf") from None
    return message


def _graph_of_meta_graph(provider: DataProvider, run: str) -> graph_pb2.GraphDef | None:
    data = read_latest_blob(provider, [metadata.PLUGIN_NAME], run, metadata.META_GRAPH_TAG)
    meta_graph = meta_graph_pb2.MetaGraphDef()
    try:
        meta_graph.ParseFromString(data)
    except DecodeError:
        return None
    return meta_graph.graph_def if meta_graph.HasField("graph_def") else None


def run_graph(provider: DataProvider, run: str) -> graph_pb2.GraphDef:
    """The run-wide ``GraphDef`` of ``run``: ``Event.graph_def``, else the graph inside the
    run's meta graph (what TensorBoard's event accumulators fall back to)."""
    try:
        data = read_latest_blob(provider, [metadata.PLUGIN_NAME], run, metadata.RUN_GRAPH_TAG)
    except NotFoundError:
        graph = _graph_of_meta_graph(provider, run)
        if graph is None:
            raise NotFoundError(f"run {run!r} has no graph") from None
        return graph
    parsed: graph_pb2.GraphDef = _parse(graph_pb2.GraphDef(), data, "graph")
    return parsed


def keras_config(provider: DataProvider, run: str, tag: str) -> Any:
    """The decoded Keras model config (JSON) of ``tag`` in ``run``."""
    data = read_latest_blob(provider, [metadata.KERAS_MODEL], run, tag)
    try:
        return json.loads(data)
    except ValueError:
        raise InvalidArgumentError(f"the Keras model of run {run!r}, tag {tag!r} is not JSON") from None


def load_graph(
    provider: DataProvider, run: str, tag: str | None, conceptual: bool
) -> graph_pb2.GraphDef:
    """The graph TensorBoard's ``graph`` route serves: the Keras conceptual graph of ``tag``
    (``conceptual``), the run-wide graph (no ``tag``), or the op graph of a TF2 trace ``tag``
    (its function graphs merged)."""
    if conceptual:
        return keras_model_to_graph_def(keras_config(provider, run, tag or ""))
    if tag is None:
        return run_graph(provider, run)
    data = read_latest_blob(
        provider, [metadata.RUN_METADATA, metadata.RUN_METADATA_WITH_GRAPH], run, tag
    )
    run_metadata = _parse(config_pb2.RunMetadata(), data, "run metadata")
    return merge_function_graphs(
        [function.pre_optimization_graph for function in run_metadata.function_graphs]
    )


def graph_text(
    provider: DataProvider,
    run: str,
    tag: str | None,
    conceptual: bool,
    limit_attr_size: int | None = None,
    large_attrs_key: str | None = None,
) -> str:
    """TensorBoard's ``graph``: the graph as text protobuf, attribute values larger than
    ``limit_attr_size`` bytes cut (see :func:`tbcore_graph.graph_defs.cut_large_attrs`)."""
    graph = load_graph(provider, run, tag, conceptual)
    cut_large_attrs(graph, limit_attr_size, large_attrs_key)
    return str(graph)


def load_run_metadata(provider: DataProvider, run: str, tag: str) -> config_pb2.RunMetadata:
    """The ``RunMetadata`` of ``tag`` in ``run``: ``Event.tagged_run_metadata``, else a TF2
    trace's (``trace_export(profiler=True)``)."""
    data = read_latest_blob(
        provider, [metadata.TAGGED_RUN_METADATA, metadata.RUN_METADATA], run, tag
    )
    parsed: config_pb2.RunMetadata = _parse(config_pb2.RunMetadata(), data, "run metadata")
    return parsed


def run_metadata_text(provider: DataProvider, run: str, tag: str) -> str:
    """TensorBoard's ``run_metadata``: the ``RunMetadata`` as text protobuf."""
    return str(load_run_metadata(provider, run, tag))


def graph_nodes(
    provider: DataProvider, run: str, tag: str | None, conceptual: bool, limit_attr_size: int
) -> dict[str, Any]:
    """The graph of :func:`load_graph` as JSON for our UI (see
    :func:`tbcore_graph.node_table.graph_json`); a Keras model's layers come with the shapes
    its config tells."""
    if not conceptual:
        return graph_json(load_graph(provider, run, tag, False), limit_attr_size)
    config = keras_config(provider, run, tag or "")
    return graph_json(keras_model_to_graph_def(config), limit_attr_size, layer_shapes(config))


def step_stats(provider: DataProvider, run: str, tag: str) -> dict[str, Any]:
    """Per-node compute time, memory and device of the run metadata of ``tag`` in ``run``
    (see :func:`tbcore_graph.node_table.step_stats_json`)."""
    return step_stats_json(load_run_metadata(provider, run, tag))
