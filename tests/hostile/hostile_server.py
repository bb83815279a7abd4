"""Helpers of the hostile tests: a real ``tbcore serve`` process and a plain HTTP client that
sends whatever it is told to.

The client uses ``http.client`` directly so that it can send what browsers and libraries
refuse to: any Host header, raw bytes in the query, bodies of any size.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    """Status, headers and body of one response, and how long it took."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


@dataclass
class Served:
    """A ``tbcore serve`` process and requests to it."""

    process: subprocess.Popen[str]
    port: int
    logdir: Path
    output: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Answer:
        """Send ``method target`` (a raw request target: path and query, sent as given)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.monotonic()
        try:
            sent = {k.lower() for k in headers or {}}
            conn.putrequest(method, target, skip_host="host" in sent, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None and "content-length" not in sent:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                data,
                time.monotonic() - started,
            )
        finally:
            conn.close()

    def get(self, target: str, **kwargs: object) -> Answer:
        """``GET target``."""
        return self.request("GET", target, **kwargs)  # type: ignore[arg-type]

    def rss_bytes(self) -> int:
        """The server process's resident memory now."""
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> float:
        """Signal the server and wait for it; returns the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(sig)
        self.process.wait(timeout)
        took = time.monotonic() - started
        if self.process.stdout is not None:
            self.process.stdout.close()
        return took


def serve(logdir: Path, *args: str, ready: str = "loaded") -> Served:
    """Start ``tbcore serve`` on ``logdir`` and wait until its output says ``ready``."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tbcore.cli", "serve", "--logdir", str(logdir), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    served = Served(process, port, logdir)
    seen = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.output.append(line)
            if ready in line:
                seen.set()
        seen.set()

    threading.Thread(target=read_output, daemon=True).start()
    if not seen.wait(60) or process.poll() is not None:
        process.kill()
        raise RuntimeError("server did not start:\n" + "".join(served.output))
    return served
