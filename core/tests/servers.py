"""Starting real tbcore server processes for tests, with test plugins installed as entry points."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "plugin_fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def install_entry_points(site: Path, entries: dict[str, str]) -> Path:
    """Make a fake installed distribution in ``site`` declaring ``entries`` in the
    ``tbcore.plugins`` group (name -> module), as ``pip install`` would."""
    dist = site / "tbcore_test_plugins-1.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tbcore-test-plugins\nVersion: 1.0\n")
    lines = "\n".join(f"{name} = {module}" for name, module in entries.items())
    (dist / "entry_points.txt").write_text(f"[tbcore.plugins]\n{lines}\n")
    return site


def env_with(*paths: Path) -> dict[str, str]:
    env = dict(os.environ)
    extra = [str(p) for p in paths] + [str(Path(__file__).resolve().parents[1])]
    env["PYTHONPATH"] = os.pathsep.join(extra + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    prefix: str = ""

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, self.prefix + path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def json(self, path: str) -> object:
        status, _, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def stop(self) -> str:
        self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return out


def start_server(args: list[str], env: dict[str, str], prefix: str = "") -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, port, prefix)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.communicate()[0]}")
        try:
            status, _, _ = server.request("GET", "/data/runs")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("server did not start")
