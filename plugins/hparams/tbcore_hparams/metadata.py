"""Names shared with the writers: the plugin name and tags of hparams summaries."""

from __future__ import annotations

from tbcore.summary.hparams import (
    EXPERIMENT_TAG,
    PLUGIN_NAME,
    SESSION_END_INFO_TAG,
    SESSION_START_INFO_TAG,
)

__all__ = [
    "EXPERIMENT_TAG",
    "PLUGIN_DATA_VERSION",
    "PLUGIN_NAME",
    "SCALARS_PLUGIN_NAME",
    "SESSION_END_INFO_TAG",
    "SESSION_START_INFO_TAG",
]

PLUGIN_DATA_VERSION = 0
"""``HParamsPluginData.version``: the only format version there is."""

SCALARS_PLUGIN_NAME = "scalars"
"""Plugin name of the scalar series that metrics are read from."""
