"""The server never imports an ML framework or a heavy optional library (ARCHITECTURE §1).

The real ``tbcore serve`` runs with every package of the workspace installed, on a logdir
holding data for every installed dashboard; after every dashboard has been asked for its
listing and its tags, the server's ``sys.modules`` must hold none of the frameworks.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tbcore.config import ServeConfig
from tbcore.demo import write_demo_data
from tbcore.server.app import create_app

FORBIDDEN = ("torch", "tensorflow", "jax", "keras", "matplotlib", "onnx")

# Runs `tbcore serve` and, when it stops, writes the names of the modules it imported.
SERVE_AND_REPORT = """
import atexit, json, sys
report = sys.argv.pop(1)
atexit.register(lambda: open(report, "w").write(json.dumps(sorted(sys.modules))))
from tbcore.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def test_serve_imports_no_framework(tmp_path: Path) -> None:
    logdir = tmp_path / "logs"
    plugins = create_app(ServeConfig(logdir=str(logdir))).state.tbcore.registry.working()
    assert {"scalars", "histograms", "images", "text"} <= {p.name for p in plugins}
    write_demo_data(logdir, plugins)
    report = tmp_path / "modules.json"
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE_AND_REPORT, str(report), "serve", "--logdir", str(logdir), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        assert server.stdout is not None
        url = ""
        for line in server.stdout:
            if "open http://" in line:
                url = line.split("open ", 1)[1].split()[0]
                break
        assert url, "the server printed no URL"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "loaded" not in server.stdout.readline():
            pass
        _get(url)
        listing = json.loads(_get(url + "data/plugins_listing"))
        assert all(entry["status"] != "broken" for entry in listing.values()), listing
        for name, entry in listing.items():
            assert entry["enabled"], f"demo data should activate {name}"
            try:
                _get(f"{url}data/plugin/{name}/tags")
            except urllib.error.HTTPError as e:
                assert e.code == 404, (name, e)  # a dashboard without a tags route
            if entry["module"]:
                _get(url + entry["module"])
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn re-raises it after shutdown: atexit runs
        server.communicate(timeout=30)
    imported = set(json.loads(report.read_text()))
    loaded = sorted(m for m in FORBIDDEN if m in imported)
    assert not loaded, f"tbcore serve imported {loaded}"
    assert "tbcore_scalars" in imported  # the check saw a server with its dashboards
