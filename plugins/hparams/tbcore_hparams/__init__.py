"""The hparams dashboard: registration only (see ``plugin.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_hparams.plugin import HparamsPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The hparams dashboard."""
    return [HparamsPlugin(context)]
