"""The Time Series dashboard: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_timeseries.plugin import TimeSeriesPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The time series dashboard: scalars, histograms and images of every run in one grid."""
    return [TimeSeriesPlugin(context)]
