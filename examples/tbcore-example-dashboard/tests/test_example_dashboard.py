"""Tests of the example dashboard: the pure functions on a real logdir, then the routes over
real HTTP in an app that has only this dashboard (``create_app(..., autoload=False)``)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import tbcore_example_dashboard
from tbcore.config import ServeConfig
from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.errors import InvalidArgumentError
from tbcore.io.records import frame_record
from tbcore.proto import event_pb2
from tbcore.server.app import create_app
from tbcore_example_dashboard.plugin import greeting, runs_summary


def write_scalars(logdir: Path, run: str, tags: list[str], steps: range) -> None:
    """One event file of ``simple_value`` scalars (what torch and tensorboardX write)."""
    folder = logdir / run
    folder.mkdir(parents=True)
    records = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2")]
    for step in steps:
        event = event_pb2.Event(wall_time=2.0 + step, step=step)
        for tag in tags:
            event.summary.value.add(tag=tag, simple_value=step / 10)
        records.append(event)
    data = b"".join(frame_record(r.SerializeToString()) for r in records)
    (folder / "events.out.tfevents.1.host.1.0").write_bytes(data)


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    write_scalars(tmp_path, "a", ["loss", "acc/train"], range(0, 10))
    write_scalars(tmp_path, "b", ["loss"], range(0, 25))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "events.out.tfevents.1.host.2.0").write_bytes(
        frame_record(event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
    )
    return tmp_path


def test_runs_summary(logdir: Path) -> None:
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    assert runs_summary(provider) == [
        {"run": "a", "scalar_tags": 2, "latest_step": 9, "tags": ["acc/train", "loss"]},
        {"run": "b", "scalar_tags": 1, "latest_step": 24, "tags": ["loss"]},
        {"run": "empty", "scalar_tags": 0, "latest_step": None, "tags": []},
    ]


def test_greeting() -> None:
    assert greeting("Ada") == {"message": "Hello, Ada!"}
    assert greeting("  ") == {"message": "Hello, world!"}
    with pytest.raises(InvalidArgumentError):
        greeting("x" * 101)


@pytest.fixture
def server_url(logdir: Path) -> Iterator[str]:
    """A real server on a free port with only the example dashboard."""
    config = ServeConfig(logdir=str(logdir), reload_interval=0)
    app = create_app(config, plugins=[tbcore_example_dashboard], autoload=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    while len(get(url + "data/runs")) < 3:  # the first load runs in the background
        assert time.monotonic() < deadline, "runs did not load"
        time.sleep(0.02)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_routes_over_http(server_url: str) -> None:
    listing = get(server_url + "data/plugins_listing")
    assert list(listing) == ["example"]
    assert listing["example"]["status"] == "active"
    assert listing["example"]["title"] == "Example"
    assert listing["example"]["module"] == "data/plugin/example/static/index.js"

    summary = get(server_url + "data/plugin/example/runs_summary")
    assert [row["run"] for row in summary] == ["a", "b", "empty"]
    assert get(server_url + "data/plugin/example/hello?name=Ada") == {"message": "Hello, Ada!"}

    with pytest.raises(urllib.error.HTTPError) as info:
        get(server_url + "data/plugin/example/hello?name=" + "x" * 101)
    assert info.value.code == 400
    assert "longer than 100" in json.loads(info.value.read())["error"]


def test_static_module_is_served(server_url: str) -> None:
    with urllib.request.urlopen(server_url + "data/plugin/example/static/index.js") as response:
        assert response.headers["content-type"].startswith("text/javascript")
        assert b"export async function mount" in response.read()
