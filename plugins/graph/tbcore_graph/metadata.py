"""Names shared with the writers: the plugin names and tags graphs are stored under.

The ingestion (``tbcore.data``) files ``Event.graph_def`` under :data:`RUN_GRAPH_TAG` and
``Event.meta_graph_def`` under :data:`META_GRAPH_TAG` (plugin :data:`PLUGIN_NAME`), and
``Event.tagged_run_metadata`` under its own tag (plugin :data:`TAGGED_RUN_METADATA`). TF2's
``tf.summary`` graph summaries keep their plugin names; all of them are TensorBoard's.
"""

PLUGIN_NAME = "graphs"
"""The dashboard's name, and the plugin of run-wide graphs (``Event.graph_def``)."""

RUN_METADATA = "graph_run_metadata"
"""TF2 ``trace_export(profiler=True)``: a ``RunMetadata`` with op graphs and step statistics."""

RUN_METADATA_WITH_GRAPH = "graph_run_metadata_graph"
"""TF2 ``trace_export(graph=True, profiler=False)``: a ``RunMetadata`` with op graphs only."""

KERAS_MODEL = "graph_keras_model"
"""Keras' ``keras`` tag: the model's config as JSON (the conceptual graph)."""

TAGGED_RUN_METADATA = "graph_tagged_run_metadata"
"""``Event.tagged_run_metadata`` (TF1 ``add_run_metadata``, torch's ``add_graph``): step
statistics only."""

DATA_PLUGIN_NAMES = (PLUGIN_NAME, RUN_METADATA, RUN_METADATA_WITH_GRAPH, KERAS_MODEL, TAGGED_RUN_METADATA)
"""Every plugin name the dashboard reads."""

RUN_GRAPH_TAG = "__run_graph__"
"""Tag of the series of ``Event.graph_def`` (TensorBoard's ``RUN_GRAPH_NAME``)."""

META_GRAPH_TAG = "__meta_graph__"
"""Tag of the series of ``Event.meta_graph_def``."""

SUMMARY_VERSION = b"1"
"""The ``plugin_data.content`` of the TF2 graph summaries this reader understands; series
with another version are skipped, as TensorBoard skips them."""

DEFAULT_LIMIT_ATTR_SIZE = 1024
"""What our UI asks for: attribute values larger than this many bytes (serialized) are
left out of the nodes and named under :data:`DEFAULT_LARGE_ATTRS_KEY` (TensorBoard's UI
asks for the same)."""

DEFAULT_LARGE_ATTRS_KEY = "_too_large_attrs"
"""The attribute naming the attributes cut for size."""
