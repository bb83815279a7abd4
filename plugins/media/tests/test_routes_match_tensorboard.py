"""The images, audio and text routes over real HTTP, compared with TensorBoard 2.21's server on
files written by torch.utils.tensorboard, tf.summary and tensorboardX.

TensorBoard runs with its Python loader (``--load_fast=false``), which we follow. Its Rust
data server differs in two ways on these files: legacy values (torch, tensorboardX) get an
empty display name instead of their tag, and legacy audio is served as
``application/octet-stream`` instead of ``audio/wav``.
"""

from __future__ import annotations

import base64
import html.parser
import importlib.util
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import installed
import pytest

_spec = importlib.util.spec_from_file_location(
    "media_writers", Path(__file__).with_name("writers.py")
)
assert _spec and _spec.loader
writers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writers)

STEPS = writers.STEPS
RUNS = {"torch_run", "tf_run", "tbx_run"}


def _loaded(server: Any) -> bool:
    """Every file is read to its end: the last value each writer wrote is there."""
    status, body = server.call("/data/plugin/images/tags")
    if status != 200:
        return False
    images = json.loads(body)
    if "figure" not in images.get("torch_run", {}) or "tf/jpeg" not in images.get("tf_run", {}):
        return False
    status, body = server.call(
        "/data/plugin/text/text?" + _query("tbx_run", "tbx/text/text_summary")
    )
    return status == 200 and len(json.loads(body)) == 3


def _query(run: str, tag: str, **extra: Any) -> str:
    return urllib.parse.urlencode({"run": run, "tag": tag, **extra})


@pytest.fixture(scope="module")
def servers(
    logdir_from_scripts: Callable[..., Path], tensorboard_pair: Any
) -> Iterator[tuple[Any, Any]]:
    installed.require("torch", "tensorflow", "tensorboardX")
    scripts = [writers.WRITE_WITH_TORCH, writers.WRITE_WITH_TF, writers.WRITE_WITH_TENSORBOARDX]
    logdir = logdir_from_scripts("media_logs", scripts)
    # Large reservoirs, so that TensorBoard too answers with every step.
    with tensorboard_pair(
        logdir,
        tensorboard_flags=["--samples_per_plugin", "images=1000,audio=1000,text=1000"],
        plugins="images,audio,text",
        ready=_loaded,
    ) as pair:
        yield pair


def _fetch(server: Any, path: str) -> tuple[str, bytes]:
    """``(content type, body)`` of a 200 answer."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=60) as response:
        assert response.status == 200
        return response.headers["content-type"], response.read()


@pytest.mark.parametrize("plugin", ["images", "audio", "text"])
def test_tags_match(servers: tuple[Any, Any], plugin: str) -> None:
    tb, ours = servers
    expected = tb.json(f"/data/plugin/{plugin}/tags")
    assert ours.json(f"/data/plugin/{plugin}/tags") == expected
    assert set(expected) == (RUNS - {"tbx_run"} if plugin == "audio" else RUNS)


def test_tags_content(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    images = ours.json("/data/plugin/images/tags")
    assert images["tf_run"]["tf/images"] == {
        "displayName": "",
        "description": "<p>three at most</p>",
        "samples": 3,
    }
    assert set(images["torch_run"]) == {"chw_float", "hwc_uint8", "batch", "figure"}
    assert ours.json("/data/plugin/audio/tags")["tf_run"]["tf/audio"]["samples"] == 2
    # Series whose only step holds no clip or image are listed, as TensorBoard lists them.
    assert ours.json("/data/plugin/audio/tags")["tf_run"]["tf/no_clips"]["samples"] == 0
    assert images["tf_run"]["tf/no_images"]["samples"] == 0
    assert ours.json(f"/data/plugin/audio/audio?{_query('tf_run', 'tf/no_clips')}") == []
    text = ours.json("/data/plugin/text/tags")
    assert sorted(text["tf_run"]) == ["tf/cube", "tf/scalar", "tf/table", "tf/vector"]
    assert text["torch_run"] == ["notes/text_summary"]


@pytest.mark.parametrize(
    ("plugin", "route", "individual"),
    [("images", "images", "individualImage"), ("audio", "audio", "individualAudio")],
)
def test_every_blob_matches_byte_for_byte(
    servers: tuple[Any, Any], plugin: str, route: str, individual: str
) -> None:
    """Same entries (minus the opaque blob keys) for every tag and sample, and the same
    bytes and content type behind each entry's query."""
    tb, ours = servers
    compared = 0
    for run, tags in tb.json(f"/data/plugin/{plugin}/tags").items():
        for tag, info in tags.items():
            for sample in range(info["samples"]):
                path = f"/data/plugin/{plugin}/{route}?{_query(run, tag, sample=sample)}"
                expected, got = tb.json(path), ours.json(path)
                assert [_without_query(e) for e in got] == [_without_query(e) for e in expected], (
                    path
                )
                for want, have in zip(expected, got):
                    tb_type, tb_bytes = _fetch(
                        tb, f"/data/plugin/{plugin}/{individual}?{want['query']}"
                    )
                    our_type, our_bytes = _fetch(
                        ours, f"/data/plugin/{plugin}/{individual}?{have['query']}"
                    )
                    assert our_bytes == tb_bytes, (run, tag, sample, have["step"])
                    assert our_type == tb_type, (run, tag, sample)
                    compared += 1
    if plugin == "images":
        # torch: 3 tags x 12 steps + 1 figure; tf: 12 + 12 + 6 (4 or 2 images, 3 kept) + 1 JPEG;
        # tensorboardX: 3.
        assert compared == 3 * STEPS + 1 + STEPS + STEPS + STEPS // 2 + 1 + 3
    else:
        assert compared == STEPS + 2 * STEPS


def _without_query(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "query"}


def test_content_types(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    for run, tag, mime in (
        ("tf_run", "tf/jpeg", "image/jpeg"),
        ("torch_run", "figure", "image/png"),
    ):
        entry = ours.json(f"/data/plugin/images/images?{_query(run, tag)}")[0]
        assert _fetch(ours, f"/data/plugin/images/individualImage?{entry['query']}")[0] == mime
    clip = ours.json(f"/data/plugin/audio/audio?{_query('torch_run', 'clip')}")[0]
    assert clip["contentType"] == "audio/wav"
    content_type, data = _fetch(ours, f"/data/plugin/audio/individualAudio?{clip['query']}")
    assert content_type == "audio/wav" and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


def test_every_step_is_returned(servers: tuple[Any, Any]) -> None:
    """More steps than TensorBoard's default reservoir of 10 images and clips."""
    _, ours = servers
    steps = [
        e["step"]
        for e in ours.json(f"/data/plugin/images/images?{_query('torch_run', 'chw_float')}")
    ]
    assert steps == list(range(STEPS))
    steps = [
        e["step"]
        for e in ours.json(f"/data/plugin/audio/audio?{_query('tf_run', 'tf/audio', sample=1)}")
    ]
    assert steps == list(range(STEPS))


def test_audio_sample_past_the_end_is_empty(servers: tuple[Any, Any]) -> None:
    """TensorBoard fails (500) when a step holds exactly ``sample`` clips; we leave it out."""
    tb, ours = servers
    path = f"/data/plugin/audio/audio?{_query('tf_run', 'tf/audio', sample=2)}"
    assert tb.call(path)[0] == 500
    assert ours.json(path) == []


def test_images_index_agrees_with_images(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    index = ours.json(f"/data/plugin/images/images_index?{_query('tf_run', 'tf/images')}")
    assert (index["samples"], index["width"], index["height"]) == (3, 6, 8)
    assert [s["step"] for s in index["steps"]] == list(range(STEPS))
    assert [len(s["blob_keys"]) for s in index["steps"]] == [
        3 if s % 2 == 0 else 2 for s in range(STEPS)
    ]
    for sample in range(3):
        entries = ours.json(
            f"/data/plugin/images/images?{_query('tf_run', 'tf/images', sample=sample)}"
        )
        keys = [urllib.parse.parse_qs(e["query"])["blob_key"][0] for e in entries]
        assert keys == [
            s["blob_keys"][sample] for s in index["steps"] if len(s["blob_keys"]) > sample
        ]
        assert [e["wall_time"] for e in entries] == [
            s["wall_time"] for s in index["steps"] if len(s["blob_keys"]) > sample
        ]
    jpeg = ours.json(f"/data/plugin/images/images_index?{_query('tf_run', 'tf/jpeg')}")
    assert (jpeg["width"], jpeg["height"]) == (9, 5)
    figure = ours.json(f"/data/plugin/images/images_index?{_query('torch_run', 'figure')}")
    assert (figure["width"], figure["height"]) == (80, 60)  # 2 x 1.5 inches at 40 dpi


# --- text ------------------------------------------------------------------------------


class _Structure(html.parser.HTMLParser):
    """Elements (with attributes, ``rel`` aside) and text of an HTML fragment, as tokens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, sorted((k, v) for k, v in attrs if k != "rel")))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.tokens.append(("text", text))


def _structure(fragment: str, *, with_text: bool = True) -> list[tuple[Any, ...]]:
    parser = _Structure()
    parser.feed(fragment)
    parser.close()
    return [t for t in parser.tokens if with_text or t[0] != "text"]


ESCAPED_MARKUP = re.compile(r"&lt;/?[a-zA-Z]")


@pytest.mark.parametrize("markdown", ["true", "false"])
def test_text_matches_in_structure(servers: tuple[Any, Any], markdown: str) -> None:
    """Same tables, cells, elements and text: a tag outside the allow-list is shown as text
    by both. With ``markdown=false`` we escape all markup, even allowed tags, so where
    TensorBoard shows escaped markup only the table elements are compared."""
    tb, ours = servers
    compared = 0
    for run, tags in tb.json("/data/plugin/text/tags").items():
        for tag in tags:
            path = f"/data/plugin/text/text?{_query(run, tag, markdown=markdown)}"
            expected, got = tb.json(path), ours.json(path)
            assert [(e["wall_time"], e["step"]) for e in got] == [
                (e["wall_time"], e["step"]) for e in expected
            ]
            for want, have in zip(expected, got):
                if markdown == "false" and ESCAPED_MARKUP.search(want["text"]):
                    assert _structure(have["text"], with_text=False) == [
                        t
                        for t in _structure(want["text"], with_text=False)
                        if t[1] in ("table", "tbody", "tr", "td")
                    ]
                else:
                    assert _structure(have["text"]) == _structure(want["text"]), (
                        run,
                        tag,
                        have["text"],
                        want["text"],
                    )
                compared += 1
    assert compared == STEPS + 4 * STEPS + 3


def test_text_exact_where_no_markup_is_removed(servers: tuple[Any, Any]) -> None:
    tb, ours = servers
    for run, tag in (
        ("tf_run", "tf/vector"),
        ("tf_run", "tf/cube"),
        ("tbx_run", "tbx/text/text_summary"),
    ):
        for markdown in ("true", "false"):
            path = f"/data/plugin/text/text?{_query(run, tag, markdown=markdown)}"
            assert ours.json(path) == tb.json(path)


def test_text_tables(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    table = ours.json(f"/data/plugin/text/text?{_query('tf_run', 'tf/table')}")[0]["text"]
    rows = [t for t in _structure(table) if t[:2] == ("start", "tr")]
    cells = [t[1] for t in _structure(table) if t[0] == "text"]
    assert len(rows) == 3 and cells == ["a", "b", "c", "<i>d</i>", "e", "f"]  # <i>: shown, as by TensorBoard
    vector = ours.json(f"/data/plugin/text/text?{_query('tf_run', 'tf/vector')}")[0]["text"]
    assert vector.count("<tr>") == 3 and "<strong>two</strong>" in vector
    cube = ours.json(f"/data/plugin/text/text?{_query('tf_run', 'tf/cube')}")[0]["text"]
    assert "dimensionality 3" in cube and [t[1] for t in _structure(cube) if t[0] == "text"][
        -2:
    ] == ["x", "y"]


def test_hostile_markdown_is_defused(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    for markdown in ("true", "false"):
        notes = ours.json(
            f"/data/plugin/text/text?{_query('torch_run', 'notes/text_summary', markdown=markdown)}"
        )
        text = notes[0]["text"]
        tokens = _structure(text)
        assert not [
            t for t in tokens if t[0] == "start" and t[1] in ("script", "style", "iframe", "svg")
        ]
        assert not [
            t for t in tokens if t[0] == "start" and any(k.startswith("on") for k, _ in t[2])
        ]
        assert not [
            t
            for t in tokens
            if t[0] == "start" and any("javascript" in (v or "").lower() for _, v in t[2])
        ]
        if markdown == "true":
            assert "<table>" in text and "<th>score</th>" in text and "<pre><code>" in text
            assert '<a href="https://example.com/page" rel="noopener noreferrer">fine</a>' in text
        # Shown as text, not run (with Markdown too, as TensorBoard shows it).
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text


def test_errors(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    base = "/data/plugin"
    for plugin, route in (("images", "images"), ("audio", "audio"), ("images", "images_index")):
        assert ours.call(f"{base}/{plugin}/{route}?run=tf_run")[0] == 400
        assert ours.call(f"{base}/{plugin}/{route}?tag=tf%2Fimages")[0] == 400
        assert ours.call(f"{base}/{plugin}/{route}?{_query('tf_run', 'nope')}")[0] == 404
    assert ours.call(f"{base}/images/images?{_query('tf_run', 'tf/images', sample='x')}")[0] == 400
    assert ours.call(f"{base}/audio/audio?{_query('tf_run', 'tf/audio', sample=-1)}")[0] == 400
    assert ours.call(f"{base}/text/text?run=tf_run")[0] == 400
    assert ours.json(f"{base}/text/text?{_query('tf_run', 'nope')}") == []
    status, body = ours.call(f"{base}/images/individualImage?blob_key=%2E%2E%2Fetc%2Fpasswd")
    assert status == 404 and b"unknown blob key" in body
    assert ours.call(f"{base}/images/individualImage")[0] == 400
    clip = ours.json(f"{base}/audio/audio?{_query('torch_run', 'clip')}")[0]
    key = urllib.parse.parse_qs(clip["query"])["blob_key"][0]
    wrong_type = urllib.parse.urlencode({"blob_key": key, "content_type": "text/html"})
    assert ours.call(f"{base}/audio/individualAudio?{wrong_type}")[0] == 400
    # A key the server did not issue (well formed, of a run that does not exist).
    series = base64.urlsafe_b64encode(b'["no_such_run","clip"]').decode().rstrip("=")
    forged = f"{series}.0.0.10.0.0.1..AAAAAAAAAAAAAAAAAAAAAAAA"
    assert ours.call(f"{base}/images/individualImage?blob_key={forged}")[0] == 404


def test_blob_headers(servers: tuple[Any, Any]) -> None:
    _, ours = servers
    entry = ours.json(f"/data/plugin/images/images?{_query('tf_run', 'tf/images')}")[0]
    url = f"http://127.0.0.1:{ours.port}/data/plugin/images/individualImage?{entry['query']}"
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "private, max-age=86400"
