"""Names shared with the writers: the plugin name histogram summaries carry."""

PLUGIN_NAME = "histograms"
"""``SummaryMetadata.plugin_data.plugin_name`` of histogram summaries (legacy ``histo``
values are converted to it on ingestion). The distributions dashboard reads these too."""

NORMAL_HISTOGRAM_BPS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)
"""Basis points (1/100 of a percent) of the distributions: the normal CDF at
-inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5 and +inf standard deviations, as in TensorBoard."""
