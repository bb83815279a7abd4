"""Finding the trace importers: the ``tbcore_profile_register_importers`` hook, called on
every package that implements it, each isolated from the others."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

from tbcore.hookspecs import PROJECT_NAME
from tbcore.plugin import PluginContext
from tbcore_profile import hookspecs
from tbcore_profile.importer import TraceImporter
from tbcore_profile.metadata import IMPORTER_NAME

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "tbcore.plugins"
HOOK = "tbcore_profile_register_importers"


@dataclass
class ImporterRegistry:
    """The importers of one dashboard, and the packages that failed to give one."""

    importers: list[TraceImporter] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    """Package (registration name) -> why it gave no importer."""

    def find(self, path: str) -> TraceImporter | None:
        """The first importer that reads the run asset ``path``, or None."""
        for importer in self.importers:
            try:
                if importer.matches(path):
                    return importer
            except Exception as e:  # noqa: BLE001 - a broken importer must not break listing
                logger.warning("importer %s failed on %r: %s", importer.name, path, e)
        return None


def collect_importers(context: PluginContext, extra: Iterable[Any] = ()) -> ImporterRegistry:
    """Every importer the app's packages declare, plus those of the hook modules ``extra``.

    When the app shares its plugin manager with plugins (``context.plugin_manager``), the hook
    is called on it, after adding this package's hook spec; otherwise on a manager of our own
    that holds the installed ``tbcore.plugins`` entry points that implement the hook (those
    the configuration does not disable) and ``extra``.
    """
    manager = getattr(context, "plugin_manager", None)
    registry = ImporterRegistry()
    if not isinstance(manager, pluggy.PluginManager):
        manager = _own_manager(context, registry)
    elif getattr(manager.hook, HOOK, None) is None or not getattr(manager.hook, HOOK).has_spec():
        manager.add_hookspecs(hookspecs)
    for obj in extra:
        _register(manager, obj, getattr(obj, "__name__", type(obj).__name__), registry)
    impls = getattr(manager.hook, HOOK).get_hookimpls()
    named = [(manager.get_name(i.plugin) or str(i.plugin), i) for i in impls]
    for source, impl in sorted(named, key=lambda pair: pair[0]):
        try:
            declared = list(impl.function() or [])
        except Exception as e:  # noqa: BLE001 - one package's failure disables it alone
            _failed(registry, source, f"{HOOK} raised {type(e).__name__}: {e}")
            continue
        for importer in declared:
            if not isinstance(importer, TraceImporter):
                _failed(registry, source, f"returned {type(importer).__name__}, not a TraceImporter")
            elif not IMPORTER_NAME.match(getattr(importer, "name", "")):
                _failed(registry, source, f"invalid importer name {importer.name!r}")
            else:
                registry.importers.append(importer)
    return registry


def _own_manager(context: PluginContext, registry: ImporterRegistry) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    disabled = set(context.config.disabled_plugins)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in disabled:
            continue
        try:
            obj = ep.load()  # already imported by the app: a lookup in sys.modules
        except Exception:  # noqa: BLE001 - the app reports packages that fail to import
            continue
        if hasattr(obj, HOOK):
            _register(manager, obj, ep.name, registry)
    return manager


def _register(manager: pluggy.PluginManager, obj: Any, name: str, registry: ImporterRegistry) -> None:
    if manager.is_registered(obj):
        return
    try:  # validates the implementation against the spec; other hooks are the app's business
        manager.register(obj, name=name)
    except Exception as e:  # noqa: BLE001 - a misspelled hook or a bad signature
        if manager.is_registered(obj):
            manager.unregister(obj)
        _failed(registry, name, f"invalid hook implementation: {type(e).__name__}: {e}")


def _failed(registry: ImporterRegistry, source: str, message: str) -> None:
    logger.error("trace importer package %s disabled: %s", source, message)
    registry.errors[source] = message
