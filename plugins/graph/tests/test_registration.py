"""The entry point registers the graph dashboard, ``tbcore demo`` gives it a graph, and the
metadata names agree with the ingestion's."""

from __future__ import annotations

from pathlib import Path

import tbcore_graph
from tbcore.config import ServeConfig
from tbcore.data import LogdirDataProvider, convert
from tbcore.demo import write_demo_data
from tbcore.server import create_app
from tbcore_graph import metadata, queries


def test_registers_and_is_active_on_the_demo(tmp_path: Path) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_graph], autoload=False)
    (plugin,) = app.state.tbcore.registry.working()
    assert (plugin.name, plugin.title, plugin.order) == ("graphs", "Graphs", 60)
    assert plugin.data_plugin_names == metadata.DATA_PLUGIN_NAMES
    assert plugin.static_dir is not None and plugin.frontend is not None
    assert (plugin.static_dir / plugin.frontend).is_file()
    assert not plugin.is_active()

    logdir = tmp_path / "demo"
    write_demo_data(logdir, [plugin])
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    info = queries.graph_info(provider)
    assert info["graphs_demo/resnet"]["run_graph"] is True
    assert info["graphs_demo/resnet"]["tags"]["step_100"]["profile"] is True


def test_tags_match_the_ingestion() -> None:
    assert metadata.RUN_GRAPH_TAG == convert.RUN_GRAPH_TAG
    assert metadata.META_GRAPH_TAG == convert.META_GRAPH_TAG
    assert metadata.TAGGED_RUN_METADATA == convert.TAGGED_RUN_METADATA_PLUGIN
    for name in metadata.DATA_PLUGIN_NAMES:
        assert name in convert.PLUGIN_DATA_CLASSES
