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
from tbcore_projector import umap_layout

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


def _two_clusters(tmp_path: Path, serve: Any, *, seed: int, size: int, dimensions: int, offset: float) -> str:
    """The projector's route prefix on a run whose embedding ``two:00000`` is two clusters of
    ``size`` points (normal, unit spread), the second shifted by ``offset`` on every axis."""
    from tbcore.summary import SummaryWriter

    rng = np.random.default_rng(seed)
    points = np.concatenate([rng.normal(0, 1, (size, dimensions)), rng.normal(offset, 1, (size, dimensions))])
    with SummaryWriter(tmp_path / "run") as writer:
        writer.add_scalar("x", 1.0, 0)
        writer.add_embedding(points.astype(np.float32), tag="two")
    return str(serve(tmp_path)) + "data/plugin/projector/"


def test_tsne_streams_positions_until_done(tmp_path: Path, serve: Any) -> None:
    """Two well separated clusters end up apart; each answer is a snapshot with its progress;
    bad bodies get a 400 naming the field, a missing CSRF header a 403."""
    url = _two_clusters(tmp_path, serve, seed=0, size=300, dimensions=20, offset=12)
    body = {"run": "run", "name": "two:00000", "iterations": 400, "perplexity": 15}
    assert _post(url + "tsne", body, csrf=False)[0] == 403
    status, error = _post(url + "tsne", {**body, "perplexity": 0.5})
    assert status == 400 and "perplexity" in error["error"]
    assert _post(url + "tsne", {**body, "extra": 1})[0] == 400
    status, started = _post(url + "tsne", body)
    assert status == 200 and started["num_points"] == 600
    progress, layout, seen = _follow(url, "tsne", started["job"], 600)
    assert progress["iteration"] == 400 and progress["error"] == ""
    assert progress["method"] == "exact"
    assert len(seen) > 2  # snapshots while it converged
    _assert_clusters_apart(layout, 300)
    assert _post(url + "tsne", body)[1]["done"] is True  # kept: the same job, finished
    for missing_job in ("tsne_positions?job=nope", f"umap_positions?job={started['job']}"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + missing_job)
        assert missing.value.code == 404
        missing.value.close()


def _follow(url: str, kind: str, job: str, count: int) -> tuple[dict[str, Any], np.ndarray, set[int]]:
    """Poll a layout job until it is done: its last progress, layout and the iterations
    seen (a snapshot is empty until the job has positions)."""
    deadline, seen = time.monotonic() + 120, set()
    layout = np.zeros((0, 2), np.float32)
    while True:
        with urllib.request.urlopen(url + f"{kind}_positions?job={job}") as response:
            progress = json.loads(response.headers[f"x-{kind}-progress"])
            data = np.frombuffer(response.read(), dtype="<f4")
        if len(data):
            layout = data.reshape(count, -1)
            seen.add(progress["iteration"])
        else:
            assert progress["iteration"] == 0
        if progress["done"] or time.monotonic() > deadline:
            return progress, layout, seen
        time.sleep(0.02)


def _assert_clusters_apart(layout: np.ndarray, size: int) -> None:
    """Each point's nearest point in ``layout`` is of its own cluster (``size`` points
    each, in order)."""
    distances = np.linalg.norm(layout[:, None] - layout[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    assert np.array_equal(nearest // size, np.arange(len(layout)) // size)


def test_umap_streams_positions_until_done(tmp_path: Path, serve: Any) -> None:
    """UMAP (numpy) on two well separated clusters: the first snapshot is the starting
    layout, the cloud moves every epoch, the clusters end apart and compact; bad bodies get
    a 400 naming the field."""
    url = _two_clusters(tmp_path, serve, seed=1, size=250, dimensions=12, offset=10)
    body = {"run": "run", "name": "two:00000", "neighbors": 10, "min_dist": 0.05, "epochs": 150}
    assert _post(url + "umap", body, csrf=False)[0] == 403
    for bad in ({"neighbors": 1}, {"min_dist": 1.5}, {"epochs": 5}, {"dimensions": 4}, {"perplexity": 30}):
        status, error = _post(url + "umap", {**body, **bad})
        assert status == 400 and next(iter(bad)) in error["error"], bad
    status, started = _post(url + "umap", body)
    assert status == 200 and started["num_points"] == 500 and started["iterations"] == 150
    assert started["method"] == umap_layout.IMPLEMENTATION
    progress, layout, seen = _follow(url, "umap", started["job"], 500)
    assert progress["iteration"] == 150 and progress["error"] == "", progress
    assert len(seen) > 2 and layout.shape == (500, 2)
    _assert_clusters_apart(layout, 250)
    centres = [layout[:250].mean(axis=0), layout[250:].mean(axis=0)]
    spread = max(np.linalg.norm(layout[:250] - centres[0], axis=1).mean(),
                 np.linalg.norm(layout[250:] - centres[1], axis=1).mean())
    assert np.linalg.norm(centres[0] - centres[1]) > 3 * spread
    again = _post(url + "umap", body)[1]
    assert again["job"] == started["job"] and again["done"] is True
    assert _post(url + "umap", {**body, "dimensions": 3})[1]["job"] != started["job"]
