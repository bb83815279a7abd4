"""The entry-point module registers both dashboards; they are listed over real HTTP,
inactive without data and active on ``tbcore demo``'s logdir, and the demo's embedding and
meshes are served."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tbcore_projector
from tbcore.config import ServeConfig
from tbcore.demo import write_demo_data
from tbcore.server import create_app

DASHBOARDS = {"projector": ("Projector", "projector.js"), "mesh": ("Mesh", "mesh.js")}


def test_entry_point_names_the_registration_module() -> None:
    found = [e for e in entry_points(group="tbcore.plugins") if e.name == "projector"]
    assert [e.value for e in found] == ["tbcore_projector"]


def test_two_dashboards_register(tmp_path: Path) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_projector], autoload=False)
    plugins = {p.name: p for p in app.state.tbcore.registry.working()}
    assert set(plugins) == set(DASHBOARDS)
    for name, (title, frontend) in DASHBOARDS.items():
        assert (plugins[name].title, plugins[name].frontend) == (title, frontend)
        assert (plugins[name].static_dir / frontend).is_file()


@pytest.fixture
def serve(app_server: Any) -> Iterator[Any]:
    """``serve(logdir)`` -> base URL of a real server with only these dashboards."""
    with contextlib.ExitStack() as servers:
        yield lambda logdir: servers.enter_context(app_server(logdir, [tbcore_projector]))


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _listing(url: str, active: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        listing = _get(url + "data/plugins_listing")
        loaded = sum(entry["status"] == "active" for entry in listing.values())
        if loaded >= active or time.monotonic() > deadline:
            return listing
        time.sleep(0.1)


def test_inactive_without_data(tmp_path: Path, serve: Any) -> None:
    listing = _listing(serve(tmp_path), 0)
    assert {name: entry["status"] for name, entry in listing.items()} == dict.fromkeys(
        DASHBOARDS, "inactive"
    )
    assert listing["projector"]["module"] == "data/plugin/projector/static/projector.js"


def test_active_on_the_demo(tmp_path: Path, serve: Any) -> None:
    app = create_app(ServeConfig(logdir=str(tmp_path)), plugins=[tbcore_projector], autoload=False)
    write_demo_data(tmp_path, list(app.state.tbcore.registry.working()))
    url = serve(tmp_path)
    listing = _listing(url, 2)
    assert {name: entry["status"] for name, entry in listing.items()} == dict.fromkeys(
        DASHBOARDS, "active"
    )
    assert _get(url + "data/plugin/projector/runs") == ["projector_demo"]
    info = _get(url + "data/plugin/projector/info?run=projector_demo")
    assert info["embeddings"][0]["tensorShape"] == [600, 32]
    pca = _get(url + "data/plugin/projector/pca?run=projector_demo&name=clusters:00000")
    assert pca["num_points"] == 600 and sum(pca["variance_explained"]) > 0.5
    assert set(_get(url + "data/plugin/mesh/tags")["mesh_demo"]) == {"knot", "sphere_cloud"}


def _post(url: str, body: Any, csrf: bool = True) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **({"X-TBCore-Request": "1"} if csrf else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read() or b"null")


def test_tsne_streams_positions_until_done(tmp_path: Path, serve: Any) -> None:
    """Two well separated clusters end up apart; each answer is a snapshot with its progress;
    bad bodies get a 400 naming the field, a missing CSRF header a 403."""
    from tbcore.summary import SummaryWriter

    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(0, 1, (300, 20)), rng.normal(12, 1, (300, 20))])
    with SummaryWriter(tmp_path / "run") as writer:
        writer.add_scalar("x", 1.0, 0)
        writer.add_embedding(points.astype(np.float32), tag="two")
    url = serve(tmp_path) + "data/plugin/projector/"
    body = {"run": "run", "name": "two:00000", "iterations": 1000, "perplexity": 15}
    assert _post(url + "tsne", body, csrf=False)[0] == 403
    status, error = _post(url + "tsne", {**body, "perplexity": 0.5})
    assert status == 400 and "perplexity" in error["error"]
    assert _post(url + "tsne", {**body, "extra": 1})[0] == 400
    status, started = _post(url + "tsne", body)
    assert status == 200 and started["num_points"] == 600
    deadline, seen = time.monotonic() + 120, set()
    while True:
        with urllib.request.urlopen(url + f"tsne_positions?job={started['job']}") as response:
            progress = json.loads(response.headers["x-tsne-progress"])
            layout = np.frombuffer(response.read(), dtype="<f4").reshape(600, 2)
        seen.add(progress["iteration"])
        if progress["done"] or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert progress["iteration"] == 1000 and progress["error"] == ""
    assert len(seen) > 2  # snapshots while it converged
    distances = np.linalg.norm(layout[:, None] - layout[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    assert np.array_equal(nearest // 300, np.arange(600) // 300)  # each point's nearest: same cluster
    assert _post(url + "tsne", body)[1]["done"] is True  # kept: the same job, finished
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url + "tsne_positions?job=nope")
    assert missing.value.code == 404
    missing.value.close()
