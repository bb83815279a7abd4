"""The scalars dashboards: registration only (see ``plugin.py``, ``custom_scalars.py``,
``pr_curves.py``)."""

from __future__ import annotations

from tbcore import hookimpl
from tbcore.plugin import Plugin, PluginContext
from tbcore_scalars.custom_scalars import CustomScalarsPlugin
from tbcore_scalars.plugin import ScalarsPlugin
from tbcore_scalars.pr_curves import PrCurvesPlugin


@hookimpl
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """The scalars, custom scalars and PR curves dashboards."""
    return [ScalarsPlugin(context), CustomScalarsPlugin(context), PrCurvesPlugin(context)]
