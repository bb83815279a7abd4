"""Names shared with the writers: the plugin name scalar summaries carry."""

PLUGIN_NAME = "scalars"
"""``SummaryMetadata.plugin_data.plugin_name`` of scalar summaries."""
