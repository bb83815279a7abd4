"""Logdirs an unlucky user has: symbolic-link loops, files replaced by a re-run, a server
exposed to the network. Served by the real server, over HTTP."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.parse
from pathlib import Path

from hostile_server import serve

from tbcore.io.records import frame_record
from tbcore.proto import event_pb2, summary_pb2


def _events(path: Path, wall_time: float, values: dict[str, float], image: bytes | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2")]
    for step, (tag, value) in enumerate(values.items()):
        event = event_pb2.Event(wall_time=wall_time + step, step=0)
        event.summary.value.add(tag=tag, simple_value=value)
        records.append(event)
    if image is not None:
        event = event_pb2.Event(wall_time=wall_time, step=0)
        event.summary.value.add(
            tag="img", image=summary_pb2.Summary.Image(height=1, width=1, colorspace=3, encoded_image_string=image)
        )
        records.append(event)
    path.write_bytes(b"".join(frame_record(e.SerializeToString()) for e in records))


def test_symlink_loops_list_each_run_once_and_sigterm_stops_the_server(tmp_path: Path) -> None:
    _events(tmp_path / "run" / "events.out.tfevents.1.h.1", 1.0, {"loss": 0.5})
    (tmp_path / "a").symlink_to(".")
    (tmp_path / "b").symlink_to(".")
    (tmp_path / "run" / "loop").symlink_to(".")
    server = serve(tmp_path, "--reload-interval", "0.2")
    try:
        assert json.loads(server.get("/data/runs").body) == ["run"]
        rss = server.rss_bytes()
        time.sleep(2)  # ten reloads
        assert server.rss_bytes() - rss < 20 << 20, "memory grows while reloading a looping logdir"
        assert json.loads(server.get("/data/runs").body) == ["run"]
    finally:
        took = server.stop(signal.SIGTERM)
    assert took < 10, f"SIGTERM took {took:.1f} s to stop the server"


def test_a_replaced_event_file_is_served_anew(tmp_path: Path) -> None:
    path = tmp_path / "run" / "events.out.tfevents.1.h.1"
    _events(path, 1.0, {"loss": 1.0}, image=b"\x89PNG\r\n\x1a\n" + b"old" * 20)
    server = serve(tmp_path, "--reload-interval", "0.2")
    try:
        query = "/data/plugin/images/images?run=run&tag=img"
        old_key = urllib.parse.parse_qs(json.loads(server.get(query).body)[0]["query"])["blob_key"][0]
        image = "/data/plugin/images/individualImage?" + urllib.parse.urlencode({"blob_key": old_key})
        assert server.get(image).body.endswith(b"old")
        # A re-run writes a file of the same name and size over the old one.
        staged = tmp_path / "staged"
        _events(staged, 2.0, {"loss": 2.0}, image=b"\x89PNG\r\n\x1a\n" + b"new" * 20)
        assert staged.stat().st_size == path.stat().st_size
        os.replace(staged, path)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = json.loads(server.get("/data/plugin/scalars/scalars?run=run&tag=loss").body)
            if rows[0][2] == 2.0:
                break
            time.sleep(0.1)
        assert rows == [[2.0, 0, 2.0]]
        assert server.get(image).status == 404  # the old key names bytes of a file that is gone
        new_key = urllib.parse.parse_qs(json.loads(server.get(query).body)[0]["query"])["blob_key"][0]
        fresh = server.get("/data/plugin/images/individualImage?" + urllib.parse.urlencode({"blob_key": new_key}))
        assert fresh.status == 200 and fresh.body.endswith(b"new")
    finally:
        server.stop()


def test_listening_beyond_loopback_warns(tmp_path: Path) -> None:
    _events(tmp_path / "run" / "events.out.tfevents.1.h.1", 1.0, {"loss": 0.5})
    server = serve(tmp_path, "--host", "0.0.0.0")
    try:
        output = "".join(server.output)
        assert "WARNING: listening on 0.0.0.0" in output and "docs/security.md" in output
        # Not bound to loopback only, the server checks no Host (any name reaches it)...
        assert server.get("/data/runs", headers={"Host": "tb.lan:6006"}).status == 200
    finally:
        server.stop()
    quiet = serve(tmp_path)
    try:
        assert "WARNING" not in "".join(quiet.output)
    finally:
        quiet.stop()
