"""The profile dashboard: registration only (see ``plugin.py``; trace formats come from
importer packages through the hook in ``hookspecs.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_profile.plugin import ProfilePlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The profile dashboard."""
    return [ProfilePlugin(context)]
