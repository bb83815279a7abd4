"""Every hook of the tbcore core.

Plugins implement hooks with ``from tbcore import hookimpl`` and a function named like the
spec below; a misspelled hook name or an unknown argument fails loudly when the plugin is
loaded (the plugin is then reported as broken). All hooks run at start-up and return
declarations; per-request work happens in methods of the objects they return.

``docs/plugin_hooks.md`` lists these hooks; a test keeps that page and this module in step.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tbcore.config import ServeConfig
    from tbcore.data.provider import DataProvider
    from tbcore.plugin import Plugin, PluginContext

PROJECT_NAME = "tbcore"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

DataProviderFactory = Callable[[str, "ServeConfig"], "DataProvider"]
"""Builds a provider from a logdir spec (``scheme://...``) and the server's configuration."""


@hookspec
def tbcore_register_plugins(context: PluginContext) -> list[Plugin]:
    """Declare the dashboards this package provides.

    Called once per app, after the data provider exists, with the context every plugin of that
    app shares (provider, configuration). Return :class:`tbcore.plugin.Plugin` instances, one
    per dashboard tab. Results of all implementations are collected (not first-result); an
    implementation that raises disables only its own package.
    """


@hookspec
def tbcore_register_data_providers() -> dict[str, DataProviderFactory]:
    """Declare data providers by URL scheme, e.g. ``{"mlflow": make_mlflow_provider}``.

    Called once when the server starts, before the logdir is opened. A logdir whose scheme is
    declared here is opened with that factory; any other logdir by the default provider (local
    paths and fsspec URLs such as ``s3://``). Results are merged; the first package to claim a
    scheme wins, and a conflict is logged.
    """


@hookspec
def tbcore_add_cli_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """Add options to the ``tbcore`` subcommand ``command`` (``"serve"`` or ``"demo"``).

    Called while the command line is being built, once per subcommand. Use option names
    prefixed with your plugin's name; the parsed values reach plugins through
    ``ServeConfig.plugin_options`` (key: the option's ``dest``). Returns nothing.
    """


@hookspec
def tbcore_configure(config: ServeConfig) -> None:
    """Inspect or validate the final configuration before the app is built.

    Called once per app, after the command line is parsed (or the configuration is given to
    ``create_app``) and before any plugin is instantiated. Raise ``ValueError`` with a message
    naming the option to reject a bad value. Returns nothing.
    """
