"""The dashboard registers, finds importers through its own hook (installed entry points, the
app's manager when it shares one, in-process modules), survives broken importer packages,
and ``tbcore demo`` gives it data."""

from __future__ import annotations

import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

import tbcore_kineto
import tbcore_profile
from tbcore import hookimpl
from tbcore.config import ServeConfig
from tbcore.data import LogdirDataProvider
from tbcore.demo import write_demo_data
from tbcore.plugin import PluginContext
from tbcore.plugin_manager import new_plugin_manager
from tbcore.server import create_app
from tbcore_kineto.importer import KinetoImporter
from tbcore_profile import hookspecs
from tbcore_profile.importers import collect_importers
from tbcore_profile.plugin import ProfilePlugin
from tbcore_xplane.importer import XPlaneImporter


def _context(tmp_path: Path, **config: Any) -> PluginContext:
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    return PluginContext(provider, ServeConfig(logdir=str(tmp_path), **config))


def _module(name: str, **functions: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, fn in functions.items():
        setattr(module, key, fn)
    return module


def test_the_dashboard_registers_and_is_active_on_the_demo(tmp_path: Path) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_profile], autoload=False)
    plugins = {p.name: p for p in app.state.tbcore.registry.working()}
    assert set(plugins) == {"profile"}
    plugin = plugins["profile"]
    assert (plugin.title, plugin.order) == ("Profile", 60)
    assert plugin.static_dir is not None and (plugin.static_dir / "index.js").is_file()
    assert plugin.is_active() is False  # no run, no trace

    logdir = tmp_path / "demo"
    write_demo_data(logdir, [plugin])
    context = _context(logdir)
    demo = ProfilePlugin(context)
    assert demo.is_active()
    runs = [e.run for run in ("profile_demo/resnet_cpu", "profile_demo/resnet_gpu") for e in demo.store.list_traces(run)]
    assert runs == ["profile_demo/resnet_cpu", "profile_demo/resnet_gpu"]
    assert context.provider.list_scalars(plugin_name="scalars")  # the runs have a loss curve too


def test_importers_come_from_installed_entry_points(tmp_path: Path) -> None:
    registry = collect_importers(_context(tmp_path))
    assert [type(i) for i in registry.importers] == [KinetoImporter, XPlaneImporter]
    assert registry.errors == {}
    assert registry.find("w.1.pt.trace.json") is registry.importers[0]
    assert registry.find("events.out.tfevents.1") is None
    disabled = collect_importers(_context(tmp_path, disabled_plugins=["kineto"]))
    assert [type(i) for i in disabled.importers] == [XPlaneImporter]


class OtherImporter(KinetoImporter):
    name = "other"

    def matches(self, path: str) -> bool:
        return path.endswith(".other.json")


def test_broken_importer_packages_disable_themselves_alone(tmp_path: Path) -> None:
    @hookimpl(optionalhook=True)
    def tbcore_profile_register_importers() -> list[Any]:
        raise RuntimeError("cannot start")

    @hookimpl(optionalhook=True)
    def returns_junk() -> list[Any]:
        return ["not an importer"]

    @hookimpl(optionalhook=True)
    def returns_other() -> list[Any]:
        return [OtherImporter()]

    raising = _module("raising", tbcore_profile_register_importers=tbcore_profile_register_importers)
    junk = _module("junk", tbcore_profile_register_importers=returns_junk)
    good = _module("good", tbcore_profile_register_importers=returns_other)

    @hookimpl(optionalhook=True)
    def tbcore_profile_register_importers_wrong(unknown_argument: int) -> list[Any]:
        return []

    wrong = _module("wrong", tbcore_profile_register_importers=tbcore_profile_register_importers_wrong)
    registry = collect_importers(_context(tmp_path), extra=[raising, junk, good, wrong])
    assert {type(i).__name__ for i in registry.importers} == {"KinetoImporter", "XPlaneImporter", "OtherImporter"}
    assert "RuntimeError: cannot start" in registry.errors["raising"]
    assert "not a TraceImporter" in registry.errors["junk"]
    assert "invalid hook implementation" in registry.errors["wrong"]
    assert registry.find("x.other.json").name == "other"


@dataclass(frozen=True)
class SharingContext:
    """A plugin context that also hands plugins the app's plugin manager (a core change
    proposed in the report: then importers registered in-process are found too)."""

    provider: Any
    config: ServeConfig
    plugin_manager: pluggy.PluginManager


def test_importers_from_the_apps_own_manager(tmp_path: Path) -> None:
    manager = new_plugin_manager()
    manager.register(tbcore_kineto, name="kineto")  # as the app registers entry points
    manager.check_pending()  # optionalhook: an unknown hook is no error before the spec exists
    context = _context(tmp_path)
    sharing = SharingContext(context.provider, context.config, manager)
    registry = collect_importers(sharing)  # type: ignore[arg-type]
    assert [type(i) for i in registry.importers] == [KinetoImporter]
    assert manager.hook.tbcore_profile_register_importers.has_spec()
    again = collect_importers(sharing)  # type: ignore[arg-type]  # the spec is added once
    assert len(again.importers) == 1
    assert hookspecs.tbcore_profile_register_importers.__doc__
