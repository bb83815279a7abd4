"""The histograms and distributions dashboards: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_histograms.plugin import DistributionsPlugin, HistogramsPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """Both dashboards; they read the same series (plugin ``histograms``)."""
    return [HistogramsPlugin(context), DistributionsPlugin(context)]
