"""DNS rebinding: a web page whose own host name resolves to 127.0.0.1 must read nothing.

Bound to loopback, the server answers only requests whose ``Host`` is a loopback name or
address (``localhost``, ``127.0.0.1``, ``[::1]``, with or without a port), or a name given with
``--allowed-host``: a name that merely starts with ``127`` or resolves to it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_server import Served, serve

REFUSED = [
    "127.attacker.example",
    "127.0.0.1.nip.io",
    "127.0.0.1.nip.io:{port}",
    "localhost.attacker.example",
    "attacker.example:{port}",
    "127.1",  # not an address browsers send for 127.0.0.1, nor one we name
    "localhost:{port}@attacker.example",
    "[::1].attacker.example",
    "localhost:",
    "",
]
ACCEPTED = ["localhost", "localhost:{port}", "127.0.0.1:{port}", "127.0.0.2:{port}", "[::1]:{port}", "LOCALHOST:{port}"]


@pytest.mark.parametrize("host", REFUSED)
def test_names_that_only_look_like_loopback_are_refused(server: Served, host: str) -> None:
    answer = server.get("/data/runs", headers={"Host": host.format(port=server.port)})
    assert answer.status == 403 and b"loopback host name" in answer.body


@pytest.mark.parametrize("host", ACCEPTED)
def test_loopback_names_and_addresses_are_accepted(server: Served, host: str) -> None:
    assert server.get("/data/runs", headers={"Host": host.format(port=server.port)}).status == 200


@pytest.fixture(scope="module")
def behind_a_proxy(every_dashboard_logdir: Path) -> Iterator[Served]:
    """A server that also answers for ``tb.example.org`` (as behind a proxy of that name)."""
    served = serve(every_dashboard_logdir, "--allowed-host", "tb.example.org")
    yield served
    served.stop()


def test_allowed_host_names_are_accepted_and_only_them(behind_a_proxy: Served) -> None:
    assert behind_a_proxy.get("/data/runs", headers={"Host": "tb.example.org"}).status == 200
    assert behind_a_proxy.get("/data/runs", headers={"Host": "tb.example.org:443"}).status == 200
    assert behind_a_proxy.get("/data/runs", headers={"Host": "evil.example.org"}).status == 403
    assert behind_a_proxy.get("/data/runs", headers={"Host": "tb.example.org.evil"}).status == 403


def test_a_rebound_page_in_chromium_reads_nothing(server: Served, launch_chromium: Callable[[list[str]], Any]) -> None:
    # The attacker's name resolves to 127.0.0.1, as after a DNS rebinding.
    browser = launch_chromium(["--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP 127.0.0.1.nip.io 127.0.0.1"])
    try:
        page = browser.new_page()
        for origin in (f"http://rebind.test:{server.port}", f"http://127.0.0.1.nip.io:{server.port}"):
            response = page.goto(origin + "/")
            assert response is not None and response.status == 403
            assert "tbcore" not in page.title()
            status = page.evaluate("fetch('/data/runs').then((r) => r.status)")
            assert status == 403
        # The same browser, the same server, by its real name: it works.
        response = page.goto(f"http://127.0.0.1:{server.port}/")
        assert response is not None and response.status == 200
        assert page.evaluate("fetch('/data/runs').then((r) => r.status)") == 200
    finally:
        browser.close()
