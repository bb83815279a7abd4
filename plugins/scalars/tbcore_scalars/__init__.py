"""The scalars dashboard: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_scalars.plugin import ScalarsPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The scalars dashboard."""
    return [ScalarsPlugin(context)]
