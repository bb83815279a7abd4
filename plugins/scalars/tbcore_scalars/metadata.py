"""Names shared with the writers: the plugin name scalar summaries carry."""

PLUGIN_NAME = "scalars"
"""``SummaryMetadata.plugin_data.plugin_name`` of scalar summaries."""

CUSTOM_SCALARS_PLUGIN_NAME = "custom_scalars"
"""Plugin name of the layout summaries (torch ``add_custom_scalars``, tf layout summary)."""

CUSTOM_SCALARS_CONFIG_TAG = "custom_scalars__config__"
"""The tag a layout is written under."""

PR_CURVES_PLUGIN_NAME = "pr_curves"
"""Plugin name of precision-recall curve summaries."""

# Rows of a PR-curve tensor (shape [6, num_thresholds]).
TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES, PRECISION, RECALL = range(6)
