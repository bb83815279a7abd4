"""A test-only dashboard with ``remove_dom``: torn down (cleanup called) when its tab closes."""

from __future__ import annotations

from pathlib import Path

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext


class EphemeralPlugin(Plugin):
    name = "ephemeral"
    title = "Ephemeral"
    order = 40
    static_dir = Path(__file__).parent / "static"
    frontend = "ephemeral.js"
    remove_dom = True


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    return [EphemeralPlugin(context)]
