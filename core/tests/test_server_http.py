"""The server over real HTTP, in a real process, with real entry points."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventfiles import event_file_name, file_version_event, scalar_event, write_records
from servers import FIXTURES, Server, env_with, free_port, install_entry_points, start_server

ENTRIES = {
    "good": "good_dashboard",
    "broken_import": "broken_import",
    "misspelled": "misspelled_hook",
    "moody": "raising_active",
    "raising_register": "raising_register",
}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logdir")
    write_records(root / "late" / event_file_name(), [file_version_event(200.0), scalar_event("x", 0, 1.0)])
    write_records(root / "early" / event_file_name(), [file_version_event(100.0), scalar_event("x", 0, 1.0)])
    return root


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = install_entry_points(tmp_path_factory.mktemp("site"), ENTRIES)
    return env_with(site, FIXTURES)


@pytest.fixture(scope="module")
def server(logdir: Path, plugin_env: dict[str, str]) -> Iterator[Server]:
    s = start_server(["--logdir", str(logdir), "--reload-interval", "0.2"], plugin_env)
    yield s
    s.stop()


def _eventually(check, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``check()`` becomes true within ``timeout`` seconds (the first load is async)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_runs_sorted_by_start_time(server: Server) -> None:
    # A run is listed as soon as its file is found, and sorted by start time once read.
    assert _eventually(lambda: server.json("/data/runs") == ["early", "late"])
    assert server.json("/experiment/abc/data/runs") == ["early", "late"]
    # With their start times, as the page's run list shows them.
    assert server.json("/data/runs?with=start_time") == [
        {"name": "early", "start_time": 100.0},
        {"name": "late", "start_time": 200.0},
    ]


def test_environment_and_logdir(server: Server, logdir: Path) -> None:
    env = server.json("/data/environment")
    assert env["data_location"] == str(logdir)
    assert env["creation_time"] == 100.0
    assert server.json("/data/logdir") == {"logdir": str(logdir)}


def test_plugins_listing_isolates_every_kind_of_failure(server: Server) -> None:
    listing = server.json("/data/plugins_listing")
    assert isinstance(listing, dict)
    good = listing["good"]
    assert good["status"] == "active" and good["enabled"] is True
    assert good["module"] == "data/plugin/good/static/index.js"
    assert good["loading_mechanism"] == {"type": "JS_MODULE", "module_path": good["module"]}
    assert listing["inactive"]["status"] == "inactive" and listing["inactive"]["enabled"] is False
    assert listing["broken_import"]["status"] == "broken"
    assert "cannot import" in listing["broken_import"]["error"]
    assert "not installed" in listing["broken_import"]["error"]
    assert listing["misspelled"]["status"] == "broken"
    assert "tbcore_register_plugin" in listing["misspelled"]["error"]
    assert listing["moody"]["status"] == "broken" and "cannot decide" in listing["moody"]["error"]
    assert "registration failed" in listing["raising_register"]["error"]
    working = [name for name, v in listing.items() if v["status"] != "broken"]
    assert working.index("good") + 1 == working.index("fragile")  # tab order: (order, name)


def test_plugin_routes_json_and_errors(server: Server) -> None:
    echo = server.json("/data/plugin/good/echo")
    assert echo == {"runs": ["early", "late"], "odd": ["NaN", "Infinity", "-Infinity", 1.5]}
    status, _, body = server.request("GET", "/data/plugin/good/bad_argument")
    assert status == 400 and json.loads(body) == {"error": "tag must be given"}
    status, _, _ = server.request("GET", "/data/plugin/nope/echo")
    assert status == 404


def test_a_raising_route_fails_that_request_only(server: Server) -> None:
    # A crafted request must not be able to turn a dashboard off for everyone.
    for _ in range(2):
        status, _, body = server.request("GET", "/data/plugin/fragile/boom")
        assert status == 500 and json.loads(body)["error"] == "dashboard 'fragile' failed: RuntimeError"
    listing = server.json("/data/plugins_listing")
    assert listing["fragile"]["status"] != "broken" and listing["good"]["status"] == "active"
    assert server.request("GET", "/data/plugin/good/echo")[0] == 200


def test_csrf_header_required_for_state_changes(server: Server) -> None:
    assert server.request("POST", "/data/plugin/good/mutate")[0] == 403
    ok = server.request("POST", "/data/plugin/good/mutate", headers={"X-TBCore-Request": "1"})
    assert ok[0] == 200
    assert server.request("POST", "/data/plugin/good/query")[0] == 200  # read-only POST
    assert server.request("POST", "/experiment/e/data/plugin/good/query")[0] == 200
    assert server.request("POST", "/data/reload")[0] == 403
    assert server.request("POST", "/data/reload", headers={"X-TBCore-Request": "1"})[0] == 200


def test_foreign_host_header_rejected(server: Server) -> None:
    assert server.request("GET", "/data/runs", headers={"Host": "attacker.example"})[0] == 403
    assert server.request("GET", "/data/runs", headers={"Host": f"localhost:{server.port}"})[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fserver%2fapp.py",
        "/static//etc/passwd",
        "/data/plugin/good/static/../good_dashboard.py",
        "/data/plugin/good/static/%2e%2e%2fgood_dashboard.py",
        "/data/plugin/good/static/.hidden",
    ],
)
def test_static_paths_never_escape_the_list(server: Server, path: str) -> None:
    status, _, body = server.request("GET", path)
    assert status == 404, body
    assert b"secret" not in body and b"import" not in body


def test_static_files_and_page_headers(server: Server) -> None:
    status, headers, body = server.request("GET", "/data/plugin/good/static/index.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = server.request("GET", "/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "'unsafe-eval'" not in csp
    assert b'<script type="importmap">' in body and b"@tbcore/sdk" in body
    status, _, body = server.request("GET", "/experiment/x/")
    # Relative URLs: the page works under any prefix, also one a proxy strips.
    assert status == 200 and b'"./static/sdk/index.js"' in body and b'"/static/' not in body


def test_gzip(server: Server) -> None:
    status, headers, body = server.request(
        "GET", "/data/plugin/good/big", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["values"][-1] == 19999


def test_live_updates_announce_new_data(server: Server, logdir: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    conn.request("GET", "/data/live")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("content-type").startswith("text/event-stream")
    assert resp.readline().startswith(b"retry:")
    write_records(logdir / "late" / event_file_name(".2"), [scalar_event("fresh", 1, 2.0)])
    started = time.monotonic()
    event = data = b""
    while time.monotonic() - started < 15:
        line = resp.readline()
        if line.startswith(b"event:"):
            event = line
        if line.startswith(b"data:") and event:
            data = line
            break
    conn.close()
    assert event.strip() == b"event: change"
    message = json.loads(data[len(b"data:") :])
    assert message["changed"] == {"late": ["fresh"]}
    assert time.monotonic() - started < 5


def test_path_prefix(logdir: Path, plugin_env: dict[str, str]) -> None:
    s = start_server(["--logdir", str(logdir), "--path-prefix", "/tb"], plugin_env, prefix="/tb")
    try:
        assert _eventually(lambda: s.json("/data/runs") == ["early", "late"])
        status, _, body = s.request("GET", "/")
        assert status == 200 and b'"./static/sdk/index.js"' in body
        assert s.request("POST", "/data/plugin/good/query")[0] == 200
        s.prefix = ""
        status, headers, _ = s.request("GET", "/")
        assert status in (302, 307) and headers["location"].endswith("/tb/")
    finally:
        s.stop()


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tbcore.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_cli_errors_are_one_clear_line(tmp_path: Path, server: Server, plugin_env: dict[str, str]) -> None:
    missing = _cli(["serve", "--logdir", str(tmp_path / "nope")], plugin_env)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("tbcore serve: logdir not found")
    busy = _cli(["serve", "--logdir", str(tmp_path), "--port", str(server.port)], plugin_env)
    assert busy.returncode == 2 and f"port {server.port}" in busy.stderr and "busy" in busy.stderr
    bad = _cli(["serve", "--logdir", "a:x,a:y"], plugin_env)
    assert bad.returncode == 2 and "used twice" in bad.stderr
    bad_plugin = _cli(["serve", "--logdir", str(tmp_path), "--plugins", "Bad Name"], plugin_env)
    assert bad_plugin.returncode == 2 and "--plugins" in bad_plugin.stderr


def test_default_port_moves_to_the_next_free_one() -> None:
    from tbcore.serve import bind

    taken = bind("127.0.0.1", free_port(), search=False)
    try:
        port = taken.getsockname()[1]
        other = bind("127.0.0.1", port, search=True)
        assert other.getsockname()[1] > port
        other.close()
    finally:
        taken.close()


def test_plugins_command_and_selection(logdir: Path, plugin_env: dict[str, str]) -> None:
    listed = _cli(["plugins"], plugin_env)
    assert listed.returncode == 1  # scripts can tell that a dashboard is broken
    assert "good" in listed.stdout and "broken" in listed.stdout and "tbcore-test-plugins==1.0" in listed.stdout
    s = start_server(["--logdir", str(logdir), "--plugins", "good,moody", "--disable-plugin", "moody"], plugin_env)
    try:
        listing = s.json("/data/plugins_listing")
        assert isinstance(listing, dict)
        assert [n for n, v in listing.items() if v["status"] != "broken"] == ["good"]
    finally:
        s.stop()


def test_plugins_add_cli_options(logdir: Path, plugin_env: dict[str, str]) -> None:
    assert "--good-greeting" in _cli(["serve", "--help"], plugin_env).stdout
    s = start_server(["--logdir", str(logdir), "--good-greeting", "hi"], plugin_env)
    try:
        assert s.json("/data/plugin/good/options") == {"good_greeting": "hi"}
    finally:
        s.stop()


def test_loading_progress_is_printed(logdir: Path, plugin_env: dict[str, str]) -> None:
    s = start_server(["--logdir", str(logdir)], plugin_env)
    # A reload on request waits for the first one to end; the report is printed right then.
    status, _, _ = s.request("POST", "/data/reload?wait=1", headers={"X-TBCore-Request": "1"})
    assert status == 200
    time.sleep(0.3)
    out = s.stop()
    assert "open http://127.0.0.1:" in out
    assert re.search(r"loaded 2 run\(s\), \d+ points \([\d.]+ MB of event files\) in [\d.]+ s", out)
