"""Fixtures of the browser tests: real tbcore server processes and headless Chromium.

Servers run as subprocesses: ``tbcore serve`` (the installed dashboards, found through their
entry points) and ``serve_test_app.py`` (the example dashboard plus the test-only dashboards
of ``plugins/``, registered in-process). Every page is watched: a console error, an uncaught
exception, a JavaScript dialog, or a request to anything but 127.0.0.1 fails the test.
Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the harness modules beside this file

from browser_harness import (  # noqa: E402
    Server,
    Watch,
    cli_server,
    free_port,
    is_local,
    start_server,
)
from browser_logdirs import write_many_runs, write_small_logdir  # noqa: E402


@pytest.fixture(scope="session")
def example_installed() -> None:
    """Skip unless the example dashboard is installed (its entry point is what we test)."""
    if not any(ep.name == "example" for ep in entry_points(group="tbcore.plugins")):
        pytest.skip("install it first: .venv/bin/pip install -e examples/tbcore-example-dashboard")


@pytest.fixture(scope="session")
def small_logdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Five runs; see :func:`browser_logdirs.write_small_logdir`."""
    logdir = tmp_path_factory.mktemp("browser_small")
    return logdir, write_small_logdir(logdir)


@pytest.fixture(scope="session")
def server(small_logdir: tuple[Path, list[str]], example_installed: None) -> Iterator[Server]:
    """``tbcore serve`` on the small logdir."""
    s = cli_server(*small_logdir, "--window-title", "tbcore browser tests")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def test_app(small_logdir: tuple[Path, list[str]]) -> Iterator[Server]:
    """``serve_test_app.py`` (example + test-only dashboards) on the small logdir."""
    port = free_port()
    logdir, runs = small_logdir
    command = [
        sys.executable,
        str(HERE / "serve_test_app.py"),
        "--logdir",
        str(logdir),
        "--port",
        str(port),
    ]
    s = start_server(command, port, "", logdir, runs)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def many_runs_server(
    tmp_path_factory: pytest.TempPathFactory, example_installed: None
) -> Iterator[Server]:
    """``tbcore serve`` on a logdir of 2,000 runs."""
    logdir = tmp_path_factory.mktemp("browser_many")
    s = cli_server(logdir, write_many_runs(logdir, 2000))
    yield s
    s.stop()


@pytest.fixture
def watch() -> Watch:
    """The record of the current test's page (see :class:`Watch`)."""
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A fresh page (own context, so own localStorage), watched by ``watch``."""
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(f"{e}\n{e.stack}"))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: None if is_local(r.url) else watch.outside_requests.append(r.url))
    yield page
    context.close()
    assert watch.page_errors == [], "uncaught exceptions in the page"
    assert watch.dialogs == [], "a dialog opened (script injection?)"
    assert watch.outside_requests == [], "requests left 127.0.0.1"
    if not watch.allow_console_errors:
        assert watch.console_errors == [], "console errors"
