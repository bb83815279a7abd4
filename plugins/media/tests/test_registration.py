"""The entry-point module registers the three dashboards; they are listed over real HTTP,
inactive without data and active on ``tbcore demo``'s logdir."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tbcore_media
from tbcore.config import ServeConfig
from tbcore.data import LogdirDataProvider
from tbcore.demo import write_demo_data
from tbcore.server import create_app

DASHBOARDS = {
    "images": ("Images", 40, "images.js"),
    "audio": ("Audio", 41, "audio.js"),
    "text": ("Text", 42, "text.js"),
}


def test_three_dashboards_register(tmp_path: Path) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_media], autoload=False)
    plugins = {p.name: p for p in app.state.tbcore.registry.working()}
    assert set(plugins) == set(DASHBOARDS)
    for name, (title, order, frontend) in DASHBOARDS.items():
        plugin = plugins[name]
        assert (plugin.title, plugin.order, plugin.frontend) == (title, order, frontend)
        assert plugin.data_plugin_names == (name,)
        assert plugin.static_dir == Path(tbcore_media.__file__).parent / "static"


@pytest.fixture
def serve(app_server: Any) -> Iterator[Any]:
    """``serve(logdir)`` -> base URL of a real server with only the media dashboards."""
    with contextlib.ExitStack() as servers:
        yield lambda logdir: servers.enter_context(app_server(logdir, [tbcore_media]))


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _listing_when_loaded(url: str, runs: int, *, active: int = 0) -> dict[str, Any]:
    """The listing once ``runs`` runs and ``active`` dashboards are there (the first load
    runs in the background), or after 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listing = _get(url + "data/plugins_listing")
        loaded = sum(entry["status"] == "active" for entry in listing.values())
        if len(_get(url + "data/runs")) >= runs and loaded >= active:
            break
        time.sleep(0.05)
    return listing


def test_listed_and_inactive_without_data(tmp_path: Path, serve: Any) -> None:
    listing = _listing_when_loaded(serve(tmp_path), 0)
    assert list(listing) == ["images", "audio", "text"]
    for name, (title, _, frontend) in DASHBOARDS.items():
        assert listing[name]["status"] == "inactive"
        assert listing[name]["title"] == title
        assert listing[name]["module"] == f"data/plugin/{name}/static/{frontend}"


def test_active_on_the_demo(tmp_path: Path, serve: Any) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_media], autoload=False)
    write_demo_data(tmp_path, list(app.state.tbcore.registry.working()))
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert {"media_demo/images", "media_demo/audio", "media_demo/text"} <= {
        r.run_name for r in provider.list_runs()
    }
    listing = _listing_when_loaded(serve(tmp_path), len(provider.list_runs()), active=3)
    assert {name: entry["status"] for name, entry in listing.items()} == dict.fromkeys(
        DASHBOARDS, "active"
    )
