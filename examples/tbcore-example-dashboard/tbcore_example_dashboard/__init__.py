"""An example tbcore dashboard: the registration of its plugin (nothing else lives here)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_example_dashboard.plugin import ExamplePlugin

__all__ = ["ExamplePlugin", "tbcore_register_plugins"]


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """Declare the example dashboard."""
    return [ExamplePlugin(context)]
