"""Finding, loading and isolating plugins: one manager per app, never a module global.

Installed packages declare themselves in the entry-point group ``tbcore.plugins``; each entry
point names a module (or object) that implements hooks of :mod:`tbcore.hookspecs`. Entry
points are loaded one at a time, and every way a package can fail (import error, misspelled
hook, hook raising, invalid plugin, duplicate name) disables that package or plugin alone,
with a log message and a ``broken`` record that ``/data/plugins_listing`` and ``tbcore
plugins`` show. The others keep working.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

import pluggy

from tbcore import hookspecs
from tbcore.plugin import PLUGIN_NAME, Plugin, PluginContext

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "tbcore.plugins"


@dataclass
class PluginRecord:
    """What became of one dashboard (or of a package that failed before naming any)."""

    name: str
    source: str
    """Where it came from: ``package==version`` of its entry point, or the module name."""
    plugin: Plugin | None = None
    error: str | None = None

    @property
    def broken(self) -> bool:
        """Whether the plugin failed and is disabled."""
        return self.error is not None


class PluginRegistry:
    """The plugins of one app, working or broken, in tab order."""

    def __init__(self, manager: pluggy.PluginManager, log_errors: bool = True) -> None:
        self.manager = manager
        self.records: dict[str, PluginRecord] = {}
        self.sources: dict[str, str] = {}
        """Registration name (entry-point name) -> where it came from (``package==version``)."""
        self.log_errors = log_errors

    def working(self) -> list[Plugin]:
        """Plugins that loaded and are not broken, sorted by (order, name)."""
        plugins = [r.plugin for r in self.records.values() if r.plugin is not None and not r.broken]
        return sorted(plugins, key=lambda p: (p.order, p.name))

    def ordered_records(self) -> list[PluginRecord]:
        """Every record, working plugins in tab order first, then broken ones by name."""
        def key(r: PluginRecord) -> tuple[int, int, str]:
            order = r.plugin.order if r.plugin is not None else 10**9
            return (1 if r.plugin is None else 0, order, r.name)

        return sorted(self.records.values(), key=key)

    def mark_broken(self, name: str, error: str) -> None:
        """Disable a plugin at run time (its route or ``is_active`` raised)."""
        record = self.records.get(name)
        if record is not None and record.error is None:
            logger.error("plugin %r disabled: %s", name, error)
            record.error = error


def new_plugin_manager() -> pluggy.PluginManager:
    """A pluggy manager that knows tbcore's hook specs."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def register_sources(
    manager: pluggy.PluginManager,
    registry: PluginRegistry,
    plugins: Iterable[Any] = (),
    autoload: bool = True,
) -> None:
    """Register hook implementations: ``plugins`` given in-process, then (if ``autoload``)
    every installed entry point, each isolated from the others."""
    for obj in plugins:
        name = getattr(obj, "__name__", type(obj).__name__)
        _register(manager, registry, obj, name, name)
    if autoload:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            source = _describe(ep)
            try:
                obj = ep.load()
            except Exception as e:  # noqa: BLE001 - any import failure disables it alone
                _broken(registry, ep.name, source, f"cannot import {ep.value}: {_short(e)}", e)
                continue
            _register(manager, registry, obj, ep.name, source)


def _register(
    manager: pluggy.PluginManager, registry: PluginRegistry, obj: Any, name: str, source: str
) -> None:
    registry.sources[name] = source
    try:
        manager.register(obj, name=name)
        manager.check_pending()
    except Exception as e:  # noqa: BLE001 - a misspelled hook or bad signature
        if manager.is_registered(obj):
            manager.unregister(obj)
        _broken(registry, name, source, f"invalid hook implementation: {_short(e)}", e)


def collect_plugins(
    manager: pluggy.PluginManager,
    registry: PluginRegistry,
    context: PluginContext,
    only: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
) -> None:
    """Call every ``tbcore_register_plugins`` implementation, one by one, and record the
    plugins they return (filtered by ``only`` / ``disabled``)."""
    wanted = set(only) if only is not None else None
    unwanted = set(disabled)
    for impl in manager.hook.tbcore_register_plugins.get_hookimpls():
        name = manager.get_name(impl.plugin) or str(impl.plugin)
        source = registry.sources.get(name, name)
        try:
            plugins = list(cast("Iterable[object]", impl.function(context=context) or []))
        except Exception as e:  # noqa: BLE001
            _broken(registry, name, source, f"tbcore_register_plugins raised {_short(e)}", e)
            continue
        for plugin in plugins:
            _record(registry, plugin, source, wanted, unwanted)


def _record(
    registry: PluginRegistry,
    plugin: object,
    source: str,
    wanted: set[str] | None,
    unwanted: set[str],
) -> None:
    if not isinstance(plugin, Plugin):
        _broken(registry, source, source, f"returned {type(plugin).__name__}, not a Plugin", None)
        return
    name = getattr(plugin, "name", None)
    if not isinstance(name, str) or not PLUGIN_NAME.match(name):
        _broken(registry, source, source, f"invalid plugin name {name!r} (use [a-z0-9_-]+)", None)
        return
    if (wanted is not None and name not in wanted) or name in unwanted:
        return
    if name in registry.records:
        used_by = registry.records[name].source
        _broken(registry, name, source, f"plugin name {name!r} is already used by {used_by}", None)
        return
    registry.records[name] = PluginRecord(name, source, plugin)


def _broken(
    registry: PluginRegistry, name: str, source: str, message: str, exc: BaseException | None
) -> None:
    if registry.log_errors:
        logger.error("tbcore plugin %s (%s) disabled: %s", name, source, message)
    if exc is not None:
        logger.debug("".join(traceback.format_exception(exc)))
    key, n = name, 1
    while key in registry.records:  # several problems in one package each get a line
        n += 1
        key = f"{name}#{n}"
    registry.records[key] = PluginRecord(key, source, None, message)


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    if dist is not None:
        return f"{dist.name}=={dist.version}"
    return ep.value


def _short(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"
