"""The images, audio and text dashboards: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_media.plugin import AudioPlugin, ImagesPlugin, TextPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The three dashboards; each reads the series of its own TensorBoard plugin name."""
    return [ImagesPlugin(context), AudioPlugin(context), TextPlugin(context)]
