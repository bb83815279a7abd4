"""Live updates as a dashboard hears them: which of ``ctx.runs.subscribe`` and ``ctx.onUpdate``
fires when a run appears or a run gains data, and the plugin guide's pattern (§5, "Live
updates") fetching once per change. Real server reloading a real logdir, real Chromium."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_harness import HERE, Server, free_port, open_app, start_server
from browser_logdirs import write_run

RECORD = "() => window.liveFetch"


def points_shown(page: Any, run: str, count: int) -> None:
    """Wait until the test dashboard shows ``count`` points for ``run``."""
    page.wait_for_function(
        """([run, count]) => document.querySelector(`.live-fetch tr[data-run="${run}"] .tb-num`)
            ?.textContent === String(count)""",
        arg=[run, count],
        timeout=15_000,
    )


@pytest.fixture
def live_logdir(tmp_path: Path) -> tuple[Path, Path]:
    """A logdir with one run of two points, and a staging folder beside it: files are written
    there and moved into the logdir whole, so the server never reads half of one."""
    logdir, staging = tmp_path / "logdir", tmp_path / "staging"
    write_run(logdir, "first", {"loss": [(0, 1.0), (1, 0.5)]}, start=1_000_000.0)
    return logdir, staging


@pytest.fixture
def live_server(live_logdir: tuple[Path, Path]) -> Iterator[Server]:
    """Only the test dashboard ``livefetch``, reloading the logdir every 0.3 s."""
    port = free_port()
    logdir = live_logdir[0]
    command = [
        sys.executable,
        str(HERE / "serve_plugins.py"),
        "--logdir",
        str(logdir),
        "--port",
        str(port),
    ]
    server = start_server(
        command + ["--plugin", "live_fetch_dashboard"], port, "", logdir, ["first"]
    )
    yield server
    server.stop()


def test_a_new_run_is_fetched_once_and_new_data_once(
    page: Any, live_server: Server, live_logdir: tuple[Path, Path]
) -> None:
    logdir, staging = live_logdir
    try:
        with page.expect_response(lambda r: r.url.endswith("/data/live")):  # the live connection
            open_app(page, live_server.url + "#tab=livefetch")
        points_shown(page, "first", 2)
        assert page.evaluate(RECORD) == {"fetches": [["first"]], "notifications": []}

        # A run appears: runs.subscribe is called (the run list changed), then onUpdate with
        # the run in `newRuns`. Following the pattern, only the first of them fetches.
        write_run(staging, "second", {"loss": [(0, 1.0), (1, 0.7), (2, 0.4)]}, start=1_000_100.0)
        os.replace(staging / "second", logdir / "second")
        points_shown(page, "second", 3)
        page.wait_for_timeout(1500)  # five reload intervals: a second fetch would have come
        record = page.evaluate(RECORD)
        assert record["fetches"] == [["first"], ["second"]]
        assert record["notifications"] == [
            {"kind": "runs", "selected": ["first", "second"]},
            {"kind": "update", "newRuns": ["second"], "changed": ["second"]},
        ]

        # A known run gains data: onUpdate alone, and one fetch of that run.
        added = write_run(staging, "first", {"loss": [(2, 0.3)]}, start=1_000_000.0, suffix="1")
        os.replace(added, logdir / "first" / added.name)
        points_shown(page, "first", 3)
        page.wait_for_timeout(1500)
        record = page.evaluate(RECORD)
        assert record["fetches"] == [["first"], ["second"], ["first"]]
        assert record["notifications"][2:] == [
            {"kind": "update", "newRuns": [], "changed": ["first"]}
        ]
        assert page.locator(".live-fetch tr").all_text_contents() == ["first3", "second3"]
    finally:
        page.goto("about:blank")  # close the live connection before the server goes
