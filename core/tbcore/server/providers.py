"""Choosing the data provider for a logdir: a plugin's, by URL scheme, or the default one."""

from __future__ import annotations

import logging
from typing import cast

import pluggy

from tbcore.config import ServeConfig
from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.provider import DataProvider
from tbcore.hookspecs import DataProviderFactory

logger = logging.getLogger(__name__)


def provider_factories(manager: pluggy.PluginManager) -> dict[str, DataProviderFactory]:
    """Scheme -> factory, from every ``tbcore_register_data_providers`` implementation."""
    factories: dict[str, DataProviderFactory] = {}
    for impl in manager.hook.tbcore_register_data_providers.get_hookimpls():
        source = manager.get_name(impl.plugin)
        try:
            declared = cast("dict[str, DataProviderFactory]", impl.function() or {})
        except Exception as e:  # noqa: BLE001 - a broken package loses its providers only
            logger.error("tbcore_register_data_providers of %s raised %s", source, e)
            continue
        for scheme, factory in declared.items():
            if scheme in factories:
                logger.warning("data provider scheme %r of %s ignored: already taken", scheme, source)
                continue
            factories[scheme] = factory
    return factories


def open_provider(config: ServeConfig, manager: pluggy.PluginManager) -> DataProvider:
    """The provider for ``config.logdir``."""
    if "://" in config.logdir and "," not in config.logdir:
        scheme = config.logdir.split("://", 1)[0]
        factory = provider_factories(manager).get(scheme)
        if factory is not None:
            return factory(config.logdir, config)
    return LogdirDataProvider(config.logdir, reload_interval=config.reload_interval)
