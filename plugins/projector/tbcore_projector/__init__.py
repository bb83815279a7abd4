"""The projector and mesh dashboards: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_projector.plugin import MeshPlugin, ProjectorPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The embedding projector (files of runs) and the mesh viewer (``mesh`` series)."""
    return [ProjectorPlugin(context), MeshPlugin(context)]
