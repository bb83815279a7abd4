"""Fixtures of the hostile tests: a real ``tbcore serve`` on a logdir with data for every
installed dashboard (helpers in ``hostile_server.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper module beside this file

from hostile_server import Served, serve

from tbcore.config import ServeConfig
from tbcore.demo import write_demo_data
from tbcore.server.app import create_app


@pytest.fixture(scope="session")
def every_dashboard_logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A logdir with the demo data of every installed dashboard."""
    logdir = tmp_path_factory.mktemp("hostile_logdir")
    plugins = create_app(ServeConfig(logdir=str(logdir))).state.tbcore.registry.working()
    write_demo_data(logdir, plugins)
    return logdir


@pytest.fixture(scope="module")
def server(every_dashboard_logdir: Path) -> Iterator[Served]:
    """``tbcore serve`` on :func:`every_dashboard_logdir`."""
    served = serve(every_dashboard_logdir, "--reload-interval", "0.5")
    yield served
    served.stop()
