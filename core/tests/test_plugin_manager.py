"""The plugin manager in-process: create_app with just the plugins under test."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from tbcore import hookimpl
from tbcore.config import ServeConfig
from tbcore.data import LogdirDataProvider
from tbcore.plugin import Plugin
from tbcore.server import create_app


class Hello(Plugin):
    name = "hello"


def _module(**hooks: object) -> types.ModuleType:
    module = types.ModuleType("test_plugin_" + "_".join(hooks))
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))  # type: ignore[arg-type]
    return module


def test_in_process_plugin_and_no_autoload(tmp_path: Path) -> None:
    module = _module(tbcore_register_plugins=lambda context: [Hello(context)])
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[module], autoload=False)
    registry = app.state.tbcore.registry
    assert [p.name for p in registry.working()] == ["hello"]
    assert registry.working()[0].context.config.logdir == str(tmp_path)


def test_invalid_plugins_are_reported_not_raised(tmp_path: Path) -> None:
    class BadName(Plugin):
        name = "Bad Name"

    module = _module(
        tbcore_register_plugins=lambda context: [Hello(context), Hello(context), BadName(context), object()]
    )
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[module], autoload=False)
    records = app.state.tbcore.registry.records
    assert records["hello"].plugin is not None and not records["hello"].broken
    errors = " | ".join(r.error or "" for r in records.values())
    assert "already used" in errors and "invalid plugin name" in errors and "not a Plugin" in errors


def test_configure_hook_can_reject_the_configuration(tmp_path: Path) -> None:
    def configure(config: ServeConfig) -> None:
        if config.reload_interval < 5:
            raise ValueError("--reload-interval must be at least 5 for this provider")

    with pytest.raises(ValueError, match="reload-interval"):
        create_app(ServeConfig(logdir=str(tmp_path)), plugins=[_module(tbcore_configure=configure)], autoload=False)


def test_data_provider_by_scheme(tmp_path: Path) -> None:
    made: list[str] = []

    def factory(spec: str, config: ServeConfig) -> LogdirDataProvider:
        made.append(spec)
        return LogdirDataProvider(str(tmp_path))

    module = _module(tbcore_register_data_providers=lambda: {"custom": factory})
    app = create_app(ServeConfig(logdir="custom://experiment/7"), plugins=[module], autoload=False)
    assert made == ["custom://experiment/7"]
    assert app.state.tbcore.provider.logdir == str(tmp_path)
