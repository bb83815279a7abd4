"""A ``tbcore serve`` for the browser benchmarks: started on a free port, returned once the
whole logdir is loaded."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def serve(logdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``tbcore serve`` on a free port and wait until every run is listed and loaded
    (a reload that finds nothing new). Returns the process and the base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url + "data/reload?wait=1", method="POST",
                                         headers={"X-TBCore-Request": "1"})
            with urllib.request.urlopen(req, timeout=60) as r:
                answer = json.loads(r.read())
                if not answer["new_runs"] and not answer["changed"]:
                    return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not load")
