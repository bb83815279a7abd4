"""Deleted runs and deleted event files leave the provider; a logdir that cannot be listed
keeps its runs. Data comes from the real writer (tbcore.summary), reloads are real."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from servers import Server, env_with, start_server

from tbcore.data import LogdirDataProvider, logdir_provider
from tbcore.errors import NotFoundError
from tbcore.summary import SummaryWriter


def _write(run: Path, steps: range, *, tag: str = "loss", extra: str | None = None, suffix: str = "") -> None:
    """Write ``tag`` at ``steps`` (value = step), and ``extra`` once, into a new file of ``run``."""
    with SummaryWriter(str(run), filename_suffix=suffix) as w:
        for s in steps:
            w.add_scalar(tag, float(s), s)
        if extra:
            w.add_scalar(extra, 1.0, 0)


def _write_image(run: Path, tag: str, pixel: int, suffix: str) -> None:
    with SummaryWriter(str(run), filename_suffix=suffix) as w:
        w.add_image(tag, np.full((2, 2), pixel, np.uint8), 0, dataformats="HW")


def _image_key(provider: LogdirDataProvider, run: str, tag: str) -> str:
    datum = provider.read_blob_sequences(plugin_name="images")[run][tag][0]
    return datum.values[2].blob_key  # width, height, then the encoded image


def _steps(provider: LogdirDataProvider, run: str, tag: str = "loss") -> list[int]:
    return provider.read_scalars(plugin_name="scalars")[run][tag].step.tolist()


def _tags(provider: LogdirDataProvider) -> dict[str, set[str]]:
    return {run: set(tags) for run, tags in provider.list_scalars(plugin_name="scalars").items()}


def test_deleted_runs_are_removed_and_their_blobs_404(tmp_path: Path) -> None:
    _write(tmp_path / "a", range(5), extra="newtag")
    _write_image(tmp_path / "a", "img", 7, ".img")
    _write(tmp_path / "b", range(3))
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    key = _image_key(provider, "a", "img")
    png = provider.read_blob(blob_key=key)

    shutil.rmtree(tmp_path / "b")
    shutil.rmtree(tmp_path / "a")
    report = provider.reload()
    assert report.removed_runs == ["a", "b"] and bool(report)
    assert provider.list_runs() == [] and _tags(provider) == {}
    with pytest.raises(NotFoundError):
        provider.read_blob(blob_key=key)

    # A run that comes back under the same name starts afresh.
    _write(tmp_path / "a", range(10))
    report = provider.reload()
    assert report.new_runs == ["a"] and report.removed_runs == []
    assert _tags(provider) == {"a": {"loss"}}
    assert _steps(provider, "a") == list(range(10))
    assert png.startswith(b"\x89PNG")


def test_run_replaced_between_reloads_is_rebuilt(tmp_path: Path) -> None:
    # The QA case: the run directory is deleted and written again before the next reload.
    _write(tmp_path / "a", range(5), extra="newtag")
    _write(tmp_path / "b", range(3))
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    shutil.rmtree(tmp_path / "a")
    shutil.rmtree(tmp_path / "b")
    _write(tmp_path / "a", range(10))
    report = provider.reload()
    assert report.removed_runs == ["b"]
    assert report.changed["a"] == {"loss", "newtag"}
    assert [r.run_name for r in provider.list_runs()] == ["a"]
    assert _tags(provider) == {"a": {"loss"}}
    assert _steps(provider, "a") == list(range(10))


def test_run_that_lost_a_file_is_rebuilt_from_the_others(tmp_path: Path) -> None:
    run = tmp_path / "c"
    _write(run, range(5), extra="old", suffix=".1")
    _write_image(run, "gone", 1, ".2")
    _write(run, range(5, 10), suffix=".3")
    _write_image(run, "kept", 2, ".4")
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    gone_key, kept_key = _image_key(provider, "c", "gone"), _image_key(provider, "c", "kept")
    kept_png = provider.read_blob(blob_key=kept_key)
    before = provider.list_scalars(plugin_name="scalars")["c"]["loss"].last_modified

    for name in os.listdir(run):
        if name.endswith((".1", ".2")):
            (run / name).unlink()
    report = provider.reload()
    assert report.removed_runs == [] and report.new_runs == []
    assert report.changed == {"c": {"loss", "old", "gone", "kept"}}
    assert _tags(provider) == {"c": {"loss"}}
    assert _steps(provider, "c") == list(range(5, 10))
    assert provider.list_scalars(plugin_name="scalars")["c"]["loss"].last_modified > before
    # Blob keys into the remaining files still name the same bytes; those into deleted ones 404.
    assert provider.read_blob(blob_key=kept_key) == kept_png
    with pytest.raises(NotFoundError):
        provider.read_blob(blob_key=gone_key)

    # The rebuilt run keeps growing incrementally.
    _write(run, range(10, 12), suffix=".5")
    report = provider.reload()
    assert report.changed == {"c": {"loss"}}
    assert _steps(provider, "c") == list(range(5, 12))


def test_readers_never_see_a_half_rebuilt_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "run"
    _write(run, range(100), suffix=".1")
    _write(run, range(100, 20_000), suffix=".2")
    provider = LogdirDataProvider(str(tmp_path), workers=1)
    provider.reload()
    # Small batches: the rebuild is applied in many of them, as a huge run's would be.
    monkeypatch.setattr(logdir_provider, "BATCH_BYTES", 4096)
    seen: set[tuple[int, int]] = set()
    done = threading.Event()

    def read() -> None:
        while True:
            steps = _steps(provider, "run")
            seen.add((steps[0], len(steps)))
            if done.is_set():
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        next(p for p in run.iterdir() if p.name.endswith(".1")).unlink()
        report = provider.reload()
    finally:
        done.set()
        reader.join()
    assert report.changed == {"run": {"loss"}}
    assert seen and seen <= {(0, 20_000), (100, 19_900)}
    assert _steps(provider, "run") == list(range(100, 20_000))


def test_run_whose_folder_is_left_without_event_files_is_removed(tmp_path: Path) -> None:
    _write(tmp_path / "a", range(3))
    (tmp_path / "a" / "notes.txt").write_text("not an event file")
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    next(p for p in (tmp_path / "a").iterdir() if "tfevents" in p.name).unlink()
    assert provider.reload().removed_runs == ["a"]
    assert provider.list_runs() == []


def test_local_logdir_that_cannot_be_listed_keeps_its_runs(tmp_path: Path) -> None:
    target = tmp_path / "real"
    _write(target / "a", range(3))
    link = tmp_path / "logdir"
    link.symlink_to(target)
    provider = LogdirDataProvider(str(link))
    provider.reload()
    # A symlink to itself: listing the logdir fails (ELOOP), the way a flaky mount does.
    link.unlink()
    link.symlink_to(link)
    report = provider.reload()
    assert report.removed_runs == [] and not report
    assert _steps(provider, "a") == [0, 1, 2]
    # Listed again, and the run is gone from it: now it goes.
    link.unlink()
    (tmp_path / "empty").mkdir()
    link.symlink_to(tmp_path / "empty")
    assert provider.reload().removed_runs == ["a"]


def test_live_stream_and_reload_answer_carry_removed_runs(tmp_path: Path) -> None:
    _write(tmp_path / "a", range(3))
    _write(tmp_path / "b", range(3))
    server = start_server(["--logdir", str(tmp_path), "--reload-interval", "0.2"], env_with())
    try:
        _check_removal_over_http(server, tmp_path)
    finally:
        server.stop()


def _check_removal_over_http(server: Server, logdir: Path) -> None:
    deadline = time.monotonic() + 20
    while server.json("/data/runs") != ["a", "b"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(server.json("/data/runs")) == ["a", "b"]  # type: ignore[arg-type]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/data/live")
        resp = conn.getresponse()
        assert resp.readline().startswith(b"retry:")
        shutil.rmtree(logdir / "b")
        message = _next_change(resp)
    finally:
        conn.close()
    assert message == {"new_runs": [], "changed": {}, "removed_runs": ["b"]}
    assert server.json("/data/runs") == ["a"]
    status, _, body = server.request("POST", "/data/reload?wait=1", headers={"X-TBCore-Request": "1"})
    assert status == 200
    assert json.loads(body) == {"new_runs": [], "changed": {}, "removed_runs": []}


def _next_change(resp: http.client.HTTPResponse) -> object:
    """The data of the next ``change`` event of an SSE stream (the socket timeout bounds it)."""
    event = b""
    while True:
        line = resp.readline()
        assert line, "stream ended"
        if line.startswith(b"event:"):
            event = line.strip()
        elif line.startswith(b"data:") and event == b"event: change":
            return json.loads(line[len(b"data:") :])


def test_s3_listing_failure_keeps_runs(tmp_path: Path) -> None:
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("s3fs")
    # A moto S3 server of this test's own, so that it can be stopped and started again.
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        provider = _s3_logdir_with_two_runs(client, endpoint, tmp_path)

        server.stop()  # S3 unreachable: the listing fails
        report = provider.reload()
        assert report.removed_runs == [] and not report
        assert [r.run_name for r in provider.list_runs()] == ["run1", "run2"]
        assert _steps(provider, "run2") == [0, 1, 2, 3]

        # Back (moto keeps its buckets in the process) and listed without run2: run2 goes.
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        for obj in client.list_objects_v2(Bucket="logs", Prefix="exp/run2/")["Contents"]:
            client.delete_object(Bucket="logs", Key=obj["Key"])
        assert provider.reload().removed_runs == ["run2"]
        assert [r.run_name for r in provider.list_runs()] == ["run1"]
    finally:
        server.stop()


def _s3_logdir_with_two_runs(client: Any, endpoint: str, tmp_path: Path) -> LogdirDataProvider:
    """Upload two runs written by the real writer; a provider that has loaded them."""
    client.create_bucket(Bucket="logs")
    for run in ("run1", "run2"):
        _write(tmp_path / run, range(4))
        for f in (tmp_path / run).iterdir():
            client.put_object(Bucket="logs", Key=f"exp/{run}/{f.name}", Body=f.read_bytes())
    options = {
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
        "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2},  # fail fast
    }
    provider = LogdirDataProvider("s3://logs/exp", storage_options=options)
    assert provider.reload().new_runs == ["run1", "run2"]
    return provider
