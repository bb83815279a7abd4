"""Helpers of the browser tests: starting tbcore server processes, loading the page,
screenshots. The fixtures built on them are in ``conftest.py``."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SERVER_START_TIMEOUT_S = 60


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    """The environment of server subprocesses: the source tree on the path, quiet logs."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "core"), env.get("PYTHONPATH")]))
    return env


@dataclass
class Server:
    """A tbcore server process and the page URL it serves."""

    process: subprocess.Popen[str]
    url: str
    """The page URL, ending in ``/`` (with the path prefix, if any)."""
    logdir: Path
    runs: list[str]

    def get_json(self, path: str) -> Any:
        """GET ``path`` (relative to the page URL) and parse JSON."""
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


def start_server(
    command: list[str], port: int, prefix: str, logdir: Path, runs: list[str]
) -> Server:
    """Start ``command`` and wait until it lists every run of ``logdir``."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}{prefix}/", logdir, runs)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{process.communicate()[0]}")
        try:
            if len(server.get_json("data/runs")) >= len(runs):
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not list {len(runs)} runs within {SERVER_START_TIMEOUT_S} s")


def cli_server(logdir: Path, runs: list[str], *extra: str, prefix: str = "") -> Server:
    """``python -m tbcore.cli serve`` on a free port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "tbcore.cli",
        "serve",
        "--logdir",
        str(logdir),
        "--port",
        str(port),
    ]
    if prefix:
        command += ["--path-prefix", prefix]
    return start_server(command + list(extra), port, prefix, logdir, runs)



@contextlib.contextmanager
def served(page: Any, logdir: Path, runs: list[str], *flags: str) -> Iterator[Server]:
    """``tbcore serve`` on ``logdir`` for one test; the page's live connection is closed
    before the server goes."""
    server = cli_server(logdir, runs, *flags)
    try:
        yield server
    finally:
        page.goto("about:blank")
        server.stop()

@dataclass
class Watch:
    """What a page did that a test may not allow."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    allow_console_errors: bool = False
    """Set by tests that make dashboards fail on purpose (the shell logs those failures)."""


def is_local(url: str) -> bool:
    """Whether a request URL stays on this machine (127.0.0.1, or data:/blob: URLs)."""
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


def open_app(page: Any, url: str) -> None:
    """Load the shell and wait until it has built the page."""
    page.goto(url)
    page.wait_for_selector('#tbcore-app[data-ready="true"]')


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
