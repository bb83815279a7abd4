"""The entry-point module registers both dashboards, and ``tbcore demo`` gives them data."""

from __future__ import annotations

from pathlib import Path

import tbcore_histograms
from tbcore.config import ServeConfig
from tbcore.data import LogdirDataProvider
from tbcore.demo import write_demo_data
from tbcore.server import create_app


def test_both_dashboards_register_and_are_active_on_the_demo(tmp_path: Path) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_histograms], autoload=False)
    plugins = {p.name: p for p in app.state.tbcore.registry.working()}
    assert set(plugins) == {"histograms", "distributions"}
    assert (plugins["histograms"].title, plugins["histograms"].order) == ("Histograms", 30)
    assert (plugins["distributions"].title, plugins["distributions"].order) == ("Distributions", 31)
    for plugin in plugins.values():
        assert plugin.data_plugin_names == ("histograms",)
        assert plugin.static_dir is not None and plugin.frontend is not None
        assert (plugin.static_dir / plugin.frontend).is_file()

    logdir = tmp_path / "demo"
    write_demo_data(logdir, list(plugins.values()))
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    tags = provider.list_tensors(plugin_name="histograms")
    assert {"histograms_demo/sgd", "histograms_demo/adam"} <= set(tags)
