"""Fixtures shared by every test folder of the workspace.

* ``browser``: one headless Chromium for the whole session (Playwright's sync API allows one
  running instance per thread, so every browser test uses this one).
* ``tensorboard_pair``: TensorBoard's real server and ``tbcore serve`` on the same logdir, for
  the dashboards' tests that compare our routes with TensorBoard's.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (installed by .ci/run); Playwright never downloads a browser here."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, shared by the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class HttpServer:
    """A server process on 127.0.0.1 and plain HTTP calls to it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port

    def call(self, path: str, method: str = "GET", body: str | None = None) -> tuple[int, bytes]:
        """``(status, body)``; a ``body`` is sent form-encoded."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def json(self, path: str, method: str = "GET", body: str | None = None) -> Any:
        """The decoded JSON answer, asserting status 200."""
        status, data = self.call(path, method, body)
        assert status == 200, (path, status, data[:300])
        return json.loads(data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], port: int, ready: Callable[[HttpServer], bool]) -> HttpServer:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = HttpServer(process, port)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{cmd[0]} exited"
        try:
            if ready(server):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{cmd} did not load")


@contextlib.contextmanager
def _serve_pair(
    logdir: Path,
    *,
    tensorboard_flags: list[str],
    plugins: str,
    ready: Callable[[HttpServer], bool],
) -> Iterator[tuple[HttpServer, HttpServer]]:
    tensorboard = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
    if tensorboard is None:
        pytest.skip("tensorboard is not installed")
    tb_port, our_port = _free_port(), _free_port()
    tb = _start(
        [tensorboard, "--logdir", str(logdir), "--port", str(tb_port), "--host", "127.0.0.1",
         "--load_fast=false", *tensorboard_flags],
        tb_port,
        ready,
    )
    try:
        ours = _start(
            [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir),
             "--port", str(our_port), "--plugins", plugins],
            our_port,
            ready,
        )
    except BaseException:
        tb.process.kill()
        raise
    try:
        yield tb, ours
    finally:
        for server in (tb, ours):
            server.process.terminate()
            server.process.wait(20)


@pytest.fixture(scope="session")
def tensorboard_pair() -> Callable[..., contextlib.AbstractContextManager[tuple[HttpServer, HttpServer]]]:
    """``with tensorboard_pair(logdir, tensorboard_flags=[...], plugins="a,b", ready=fn) as
    (tensorboard, tbcore):`` both servers, started (Python loader for TensorBoard) and each
    ``ready(server)`` before the block runs, stopped after it."""
    return _serve_pair
