"""The graph dashboard: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_graph.plugin import GraphsPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The graphs dashboard (TensorBoard's ``graphs``)."""
    return [GraphsPlugin(context)]
