"""Every documented route, every documented parameter, hostile values: never a 5xx, every
dashboard still answers afterwards, and ``/data/runs`` never waits a second meanwhile.

The routes and their parameters are read from the ``http_api.md`` files (the core's and each
dashboard's), so a route added to a dashboard's documentation is fuzzed from then on.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_server import Served

ROOT = Path(__file__).resolve().parents[2]
HTTP_API_FILES = [
    ROOT / "docs" / "http_api.md",
    *sorted(ROOT.glob("plugins/*/tbcore_*/http_api.md")),
    *sorted(ROOT.glob("examples/*/tbcore_*/http_api.md")),
]
_ROUTE = re.compile(r"`(GET|POST) ([A-Za-z_]+)(?:\?([^`]*))?`(?: \(form: ([^)]*)\))?")
_HEADING = re.compile(r"^#{2,3} `([a-z0-9_-]+)`")

HOSTILE_VALUES = [
    "",
    " ",
    "-1",
    "0",
    "1.5",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    "\u0663",  # ARABIC-INDIC DIGIT THREE: str.isdigit() says yes, int() says 3
    "\uff11\uff12",  # FULLWIDTH 12
    "\u00b2",  # SUPERSCRIPT TWO: isdigit() but not int()-able
    "0x10",
    "true",
    "null",
    "[]",
    "{}",
    "../../../../etc/passwd",
    "/etc/passwd",
    "\x00",
    "a{99999999999}",
    "(a|aa)+$",
    "(?:.?){33}Z",
    "[" * 2000,
    "<script>alert(1)</script>",
    "\U0001f600" * 200,
    "x" * 20000,
    "%",
    "..",
]
RAW_QUERIES = ["%ff%fe%fd", "%ed%a0%80", "%", "%zz", "=&&=", "a=1;b=2"]
"""Query strings sent byte for byte (invalid UTF-8, a lone surrogate, broken escapes)."""


@dataclass(frozen=True)
class Route:
    """A documented route: where, how, and the parameters it takes."""

    path: str
    method: str
    params: tuple[str, ...]
    source: str


def documented_routes() -> list[Route]:
    """The routes of every ``http_api.md``; a dashboard's routes are under its heading."""
    routes = []
    for md in HTTP_API_FILES:
        core = md.parent.name == "docs"
        example = "examples" in md.parts
        plugin = "example" if example else None
        for line in md.read_text().splitlines():
            heading = _HEADING.match(line)
            if heading and not example:
                plugin = heading.group(1)
            for method, name, query, form in _ROUTE.findall(line):
                if core:
                    base = "/data/"
                elif plugin is None:
                    continue
                else:
                    base = f"/data/plugin/{plugin}/"
                params = set(re.findall(r"([A-Za-z_]+)=", query or ""))
                params |= set(re.findall(r"`([a-z_]+)`", form or ""))
                routes.append(Route(base + name, method, tuple(sorted(params)), md.name))
    return sorted(set(routes), key=lambda r: (r.path, r.method))


ROUTES = documented_routes()


def test_the_documented_routes_are_found() -> None:
    paths = {r.path for r in ROUTES}
    for expected in (
        "/data/runs",
        "/data/plugin/scalars/scalars",
        "/data/plugin/scalars/scalars_multirun",
        "/data/plugin/images/individualImage",
        "/data/plugin/histograms/histograms",
        "/data/plugin/custom_scalars/scalars",
        "/data/plugin/example/hello",
    ):
        assert expected in paths, expected
    multirun = next(r for r in ROUTES if r.path.endswith("scalars_multirun"))
    assert multirun.method == "POST" and multirun.params == ("runs", "tag")


def _plausible(server: Served, route: Route) -> dict[str, str]:
    """Values that make the route do real work: a real run, and a real tag of its dashboard."""
    runs = json.loads(server.get("/data/runs").body)
    values = {"run": runs[0] if runs else "", "runs": runs[0] if runs else "", "format": "json"}
    if route.path.startswith("/data/plugin/"):
        plugin = route.path.split("/")[3]
        answer = server.get(f"/data/plugin/{plugin}/tags")
        if answer.status == 200:
            tags: Any = json.loads(answer.body)
            for run, listed in tags.items():
                if listed:
                    values["run"] = values["runs"] = run
                    values["tag"] = next(iter(listed))
                    break
    return values


def _send(server: Served, route: Route, query: str) -> tuple[int, float]:
    if route.method == "GET":
        answer = server.get(f"{route.path}?{query}")
    else:
        answer = server.request(
            "POST",
            route.path,
            body=query.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-TBCore-Request": "1"},
        )
    assert answer.status < 500, (route.path, query[:200], answer.status, answer.body[:300])
    return answer.status, answer.seconds


class _RunsWatch(threading.Thread):
    """Asks for ``/data/runs`` every 50 ms and keeps the longest wait."""

    def __init__(self, server: Served) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.longest = 0.0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            answer = self.server.get("/data/runs", timeout=30)
            assert answer.status == 200
            self.longest = max(self.longest, answer.seconds)
            self.halt.wait(0.05)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_hostile_parameters_never_fail_the_server(server: Served, route: Route) -> None:
    if route.path == "/data/live":
        pytest.skip("an event stream: answers 200 and stays open")
    base = _plausible(server, route)
    watch = _RunsWatch(server)
    watch.start()
    try:
        for name in route.params:
            others = {k: base[k] for k in route.params if k != name and k in base}
            prefix = urllib.parse.urlencode(others)
            for value in HOSTILE_VALUES:
                query = urllib.parse.urlencode({**others, name: value})
                _send(server, route, query)
            _send(server, route, prefix + "&" + "&".join(f"{name}={v}" for v in ("a", "b", "", "1")))
            for raw in RAW_QUERIES:
                _send(server, route, f"{prefix}&{name}={raw}")
        for raw in RAW_QUERIES:
            _send(server, route, raw)
        _send(server, route, "")
    finally:
        watch.halt.set()
        watch.join(60)
    assert watch.longest <= 1.0, f"/data/runs waited {watch.longest:.2f} s while {route.path} was fuzzed"


def test_every_dashboard_still_answers_after_the_fuzzing(server: Served) -> None:
    listing = json.loads(server.get("/data/plugins_listing").body)
    broken = {name: entry["error"] for name, entry in listing.items() if entry["status"] == "broken"}
    assert not broken
    for name, entry in listing.items():
        assert entry["enabled"], name
        answer = server.get(f"/data/plugin/{name}/tags")
        assert answer.status in (200, 404), (name, answer.status)  # 404: no tags route
