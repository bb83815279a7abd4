"""Fixtures shared by every test folder of the workspace.

* ``browser``: one headless Chromium for the whole session (Playwright's sync API allows one
  running instance per thread, so every browser test uses this one); ``launch_chromium``
  starts another with more flags from the same instance.
* ``settled_box``: an element's box once it is on screen and has stopped moving, for tests that
  point the mouse at coordinates inside it.
* ``logdir_from_scripts``: a logdir written by real writers, each in its own process.
* ``tensorboard_pair``: TensorBoard's real server and ``tbcore serve`` on the same logdir, for
  the dashboards' tests that compare our routes with TensorBoard's; ``tbcore_server`` alone.
* ``app_server``: the app with chosen plugin modules only, served in this process (a thread).
* ``tensorboard_readers``: TensorBoard's own event-file readers, without TensorFlow.
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
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tests" / "support"))  # shared test helpers
import warm_python

CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium",  # Debian (installed by .ci/run)
    "/usr/bin/chromium-browser",  # Ubuntu, Fedora
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
"""Where distributions put Chromium; ``TBCORE_CHROMIUM`` names another. Playwright never
downloads a browser here."""


def find_chromium() -> str | None:
    """The Chromium the browser tests drive, or None when there is none."""
    named = os.environ.get("TBCORE_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), None)


CHROMIUM = find_chromium() or CHROMIUM_CANDIDATES[0]
NO_BROWSER = (
    "no Chromium found (looked at TBCORE_CHROMIUM and {}): install it (Debian: apt-get install "
    "chromium) or set TBCORE_CHROMIUM; TBCORE_SKIP_BROWSER_TESTS=1 skips the browser tests "
    "instead".format(", ".join(CHROMIUM_CANDIDATES))
)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which browser the browser tests drive (or that they cannot run)."""
    found = find_chromium()
    if found is None:
        return f"browser tests: {NO_BROWSER}"
    try:
        version = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        version = "version unknown"
    return f"browser tests: {found} ({version})"


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
    from playwright import sync_api

    if find_chromium() is None:
        # A missing browser must not look like a green run: ~90 tests would not have run.
        if os.environ.get("TBCORE_SKIP_BROWSER_TESTS") == "1":
            pytest.skip("TBCORE_SKIP_BROWSER_TESTS=1")
        pytest.fail(NO_BROWSER, pytrace=False)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def launch_chromium(browser: Any) -> Callable[[list[str]], Any]:
    """``launch_chromium(extra_args)``: another headless Chromium, started with more command
    line flags (``--host-resolver-rules=...``), from the session's Playwright; close it after."""

    def launch(extra: list[str]) -> Any:
        return browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra])

    return launch


_SETTLED_RECT = """async (el) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    let last = "", same = 0;
    for (let i = 0; i < 600 && same < 3; i++) {
        await frame();
        const r = el.getBoundingClientRect();
        const key = [r.x, r.y, r.width, r.height].join();
        same = key === last ? same + 1 : 0;
        last = key;
    }
    const r = el.getBoundingClientRect();
    const inView = r.top >= 0 && r.left >= 0 && r.right <= innerWidth && (r.bottom <= innerHeight || r.height > innerHeight);
    return {x: r.x, y: r.y, width: r.width, height: r.height, inView};
}"""


@pytest.fixture(scope="session")
def settled_box() -> Callable[[Any], dict[str, float]]:
    """``settled_box(locator)``: the element's viewport box once it is scrolled into view and
    has kept the same box for three frames.

    Raw ``page.mouse`` moves aim at coordinates; cards above that finish loading push the
    element down, so a box read once may be stale by the time the mouse gets there."""

    def settle(locator: Any) -> dict[str, float]:
        for _ in range(20):  # on a loaded machine, cards above may finish loading one by one
            locator.scroll_into_view_if_needed()
            box = locator.evaluate(_SETTLED_RECT)
            if box.pop("inView"):
                return box
        raise AssertionError("the element kept moving out of view")

    return settle


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


def _quiet_env(**extra: str) -> dict[str, str]:
    """The environment, with TensorFlow's C++ logging off and no GPU."""
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", **extra)


@pytest.fixture(scope="session")
def logdir_from_scripts(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, Sequence[str]], Path]:
    """``logdir_from_scripts(name, scripts)``: a new temporary folder named after ``name``,
    written by ``python -c script folder`` for each script, one after the other (TensorFlow
    quiet, no GPU, warnings ignored), so no framework is imported into the pytest process.
    Each script is its own process, forked from a warm interpreter (``tests/support/warm_python.py``)."""

    def write(name: str, scripts: Sequence[str]) -> Path:
        root = tmp_path_factory.mktemp(name)
        env = _quiet_env(PYTHONWARNINGS="ignore")
        for script in scripts:
            warm_python.run([sys.executable, "-c", script, str(root)], check=True, env=env, timeout=240)
        return root

    return write


def _start(cmd: list[str], port: int, ready: Callable[[HttpServer], bool]) -> HttpServer:
    env = _quiet_env()
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


# TensorBoard as it runs where TensorFlow is not installed (its "reduced feature set", reading
# event files with its own stub): the same answers from every route the comparisons use but
# the projector's checkpoint tensors, and 1.4 s to start instead of 7.
TENSORBOARD_WITHOUT_TENSORFLOW = (
    "import sys; sys.modules['tensorflow'] = None; sys.argv[0] = 'tensorboard'; "
    "from tensorboard.main import run_main; run_main()"
)


@contextlib.contextmanager
def _serve_pair(
    logdir: Path,
    *,
    tensorboard_flags: list[str],
    plugins: str,
    ready: Callable[[HttpServer], bool],
    with_tensorflow: bool = False,
) -> Iterator[tuple[HttpServer, HttpServer]]:
    tensorboard = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
    if tensorboard is None:
        pytest.skip("tensorboard is not installed")
    tb_port, our_port = _free_port(), _free_port()
    command = [tensorboard] if with_tensorflow else [sys.executable, "-c", TENSORBOARD_WITHOUT_TENSORFLOW]
    tb = _start(
        [*command, "--logdir", str(logdir), "--port", str(tb_port), "--host", "127.0.0.1",
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


@contextlib.contextmanager
def _serve_tbcore(
    logdir: Path, *args: str, runs: int | None = None, ready: Callable[[HttpServer], bool] | None = None
) -> Iterator[str]:
    if ready is None:
        ready = lambda server: len(server.json("/data/runs")) == (runs or 1)  # noqa: E731
    port = _free_port()
    server = _start(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port), *args],
        port,
        ready,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.process.terminate()
        server.process.wait(20)


@pytest.fixture(scope="session")
def tbcore_server() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with tbcore_server(logdir, "--plugins", "x", ..., runs=n) as url:`` a ``tbcore serve``
    process on a free port, once it lists ``n`` runs (or once ``ready(server)``, an
    :class:`HttpServer`, is true); ``url`` is its page URL. Stopped after the block."""
    return _serve_tbcore


@contextlib.contextmanager
def _serve_app(
    logdir: Path, plugins: Sequence[types.ModuleType], *, ready: Callable[[str], bool] | None = None,
    runs: int | None = None, before_start: Callable[[Any], None] | None = None,
) -> Iterator[str]:
    import threading

    import uvicorn

    from tbcore.config import ServeConfig
    from tbcore.server import create_app

    app = create_app(ServeConfig(logdir=str(logdir), reload_interval=0), plugins=list(plugins), autoload=False)
    if before_start is not None:
        before_start(app)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
        if ready is None and runs is not None:
            ready = lambda url: len(json.loads(_read(url + "data/runs"))) >= runs  # noqa: E731
        while ready is not None and not ready(url):
            assert time.monotonic() < deadline, "the server did not load"
            time.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _read(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


@pytest.fixture(scope="session")
def app_server() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with app_server(logdir, [plugin_module, ...], runs=n) as url:`` the app with only those
    plugin modules (no entry points), served by uvicorn in a thread of this process on a free
    port; ``url`` (ending in ``/``) once ``/data/runs`` lists ``n`` runs, or once
    ``ready(url)`` is true. ``before_start(app)`` runs before serving (to write demo data with
    the app's plugins, say). Stopped after the block."""
    return _serve_app


@pytest.fixture(scope="session")
def tensorboard_pair() -> Callable[..., contextlib.AbstractContextManager[tuple[HttpServer, HttpServer]]]:
    """``with tensorboard_pair(logdir, tensorboard_flags=[...], plugins="a,b", ready=fn) as
    (tensorboard, tbcore):`` both servers, started (Python loader for TensorBoard) and each
    ``ready(server)`` before the block runs, stopped after it. TensorBoard runs without
    TensorFlow unless ``with_tensorflow=True`` (for what only TensorFlow reads, checkpoints)."""
    return _serve_pair


@pytest.fixture(scope="session")
def tensorboard_readers() -> types.SimpleNamespace:
    """TensorBoard's event-file readers: ``EventAccumulator`` (``event_accumulator``'s: graphs,
    run metadata), ``EventMultiplexer`` and ``TENSORS`` (``plugin_event_multiplexer``'s and
    ``plugin_event_accumulator``'s), ``MultiplexerDataProvider``, ``RequestContext`` and
    ``MetaGraphDef``.

    They are imported with TensorBoard's TensorFlow stub (``tensorboard.compat.notf``) unless
    TensorFlow is already imported, so TensorFlow stays out of the pytest process: that is how
    TensorBoard runs where TensorFlow is not installed."""
    added = False
    if "tensorflow" not in sys.modules and "tensorboard.compat.notf" not in sys.modules:
        sys.modules["tensorboard.compat.notf"] = types.ModuleType("tensorboard.compat.notf")
        added = True
    try:
        from tensorboard.compat import tf

        tf.io  # noqa: B018 - resolves the lazy module now, while the stub is selected
    finally:
        if added:
            del sys.modules["tensorboard.compat.notf"]
    from tensorboard.backend.event_processing import (
        data_provider,
        event_accumulator,
        plugin_event_accumulator,
        plugin_event_multiplexer,
    )
    from tensorboard.compat.proto import meta_graph_pb2
    from tensorboard.context import RequestContext

    return types.SimpleNamespace(
        EventAccumulator=event_accumulator.EventAccumulator,
        EventMultiplexer=plugin_event_multiplexer.EventMultiplexer,
        TENSORS=plugin_event_accumulator.TENSORS,
        MultiplexerDataProvider=data_provider.MultiplexerDataProvider,
        RequestContext=RequestContext,
        MetaGraphDef=meta_graph_pb2.MetaGraphDef,
    )
