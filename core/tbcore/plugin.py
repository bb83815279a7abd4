"""The base class of every dashboard, ours and third parties' alike."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from starlette.routing import BaseRoute

from tbcore.config import ServeConfig
from tbcore.data.provider import DataProvider

PLUGIN_NAME = re.compile(r"^[a-z0-9_-]+$")


@dataclass(frozen=True)
class PluginContext:
    """What every plugin of an app shares: the data provider and the configuration."""

    provider: DataProvider
    config: ServeConfig


class Plugin:
    """One dashboard: a tab in the UI, its HTTP routes and its browser module.

    Subclasses set the class attributes and override what they need:

    * :meth:`routes` returns Starlette routes, mounted under ``/data/plugin/<name>/``. Keep
      them thin: parse the request, call a pure function, return its result; raise
      :class:`tbcore.errors.PublicError` subclasses for errors the user should see.
    * ``static_dir`` is a folder of files served under ``/data/plugin/<name>/static/``;
      ``frontend`` names the ES module in it that exports ``mount(el, ctx)``.
    * :meth:`is_active` says whether the tab has something to show.
    * :meth:`write_demo_data` fills ``tbcore demo``'s logdir with data for this dashboard.
    """

    name: ClassVar[str]
    """URL-safe identifier, ``[a-z0-9_-]+``."""
    title: ClassVar[str] = ""
    """Tab label; defaults to the name."""
    order: ClassVar[int] = 100
    """Tabs are sorted by (order, name)."""
    data_plugin_names: ClassVar[tuple[str, ...]] = ()
    """``SummaryMetadata.plugin_data.plugin_name`` values this dashboard reads."""
    static_dir: ClassVar[Path | None] = None
    frontend: ClassVar[str | None] = "index.js"
    read_only_posts: ClassVar[frozenset[str]] = frozenset()
    """Route paths (relative, e.g. ``"scalars_multirun"``) that are POST but change nothing,
    so they are exempt from the CSRF header check, as in TensorBoard."""
    disable_reload: ClassVar[bool] = False
    remove_dom: ClassVar[bool] = False

    def __init__(self, context: PluginContext) -> None:
        self.context = context

    @property
    def provider(self) -> DataProvider:
        """The experiment's data."""
        return self.context.provider

    def routes(self) -> list[BaseRoute]:
        """HTTP routes of this dashboard (relative to ``/data/plugin/<name>/``)."""
        return []

    def is_active(self) -> bool:
        """Whether the tab has data to show: by default, whether any run holds a series of one
        of :attr:`data_plugin_names`."""
        if not self.data_plugin_names:
            return True
        present = set(self.provider.list_plugins())
        return bool(present.intersection(self.data_plugin_names))

    def write_demo_data(self, logdir: Path) -> None:
        """Write example runs for this dashboard under ``logdir`` (for ``tbcore demo``)."""

    @property
    def version(self) -> str:
        """Version of the distribution that ships this plugin ("" if unknown)."""
        return _distribution_version(type(self).__module__.split(".")[0])


@functools.cache
def _distribution_version(top_level_module: str) -> str:
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    # Packages named like their module (tbcore_scalars -> tbcore-scalars) are found directly;
    # only others need the scan of every installed distribution (~0.1 s with many installed).
    try:
        return version(top_level_module.replace("_", "-"))
    except PackageNotFoundError:
        pass
    for dist in packages_distributions().get(top_level_module, []):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return ""
